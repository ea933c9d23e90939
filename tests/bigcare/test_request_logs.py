"""No identity number in a stored path or a request log line (#12 item 3, DESIGN.md principle 6).

A number can reach a URL however the search form is built (a pasted link, a bookmark, a script):
the access log's path and every line of the server's logs are redacted whatever the spelling.
"""

from __future__ import annotations

import io
import logging
from urllib.parse import quote

import pytest
from django.core.servers.basehttp import WSGIRequestHandler
from django.test import RequestFactory

from bigcare.accesslog import log_access

NUMBER = "5001012345672"
# As they arrive in a URL: plain, dashed, URL-encoded dash or space, '+', full-width (UTF-8 %XX).
IN_URLS = [
    "5001012345672",
    "500101-2345672",
    "500101%2D2345672",
    "500101%202345672",
    "500101+2345672",
    quote("５００１０１－２３４５６７２"),
]


def _clear(text: str) -> bool:
    """Whether the number is in ``text`` in clear (any of the spellings above, decoded)."""
    from urllib.parse import unquote_plus

    from bigcare.rrn import ascii_digits

    flat = ascii_digits(unquote_plus(text))
    return NUMBER in "".join(c for c in flat if c.isdigit())


@pytest.mark.parametrize("spelling", IN_URLS)
def test_the_access_log_stores_paths_with_identity_numbers_masked(personas, spelling):
    request = RequestFactory().get(f"/search/?q={spelling}&birth_year=1950")
    request.user = personas.caseworker_a
    entry = log_access(request, "search", [])
    entry.refresh_from_db()
    assert not _clear(entry.path), entry.path
    assert entry.path.startswith("/search/?q=500101-2******") and "birth_year=1950" in entry.path


def test_a_path_without_a_number_is_kept_as_it_was(personas):
    request = RequestFactory().get("/residents/7/?tab=visits")
    request.user = personas.caseworker_a
    assert log_access(request, "view_profile", [7]).path == "/residents/7/?tab=visits"


def _handler_output(logger_name: str) -> tuple[logging.Handler, io.StringIO]:
    """The handler settings.LOGGING gives ``logger_name``, writing to a string for the test."""
    logger = logging.getLogger(logger_name)
    while not logger.handlers and logger.propagate and logger.parent:
        logger = logger.parent
    # pytest adds capturing handlers of its own beside the configured stream handler.
    (handler,) = [h for h in logger.handlers if type(h) is logging.StreamHandler]
    return handler, io.StringIO()


@pytest.mark.parametrize("spelling", IN_URLS)
def test_runserver_request_lines_are_redacted(spelling):
    handler, out = _handler_output("django.server")
    old = handler.setStream(out)
    try:
        server = WSGIRequestHandler.__new__(WSGIRequestHandler)
        server.request = None
        server.client_address = ("127.0.0.1", 5555)
        server.log_message('"%s" %s %s', f"GET /search/?q={spelling} HTTP/1.1", "302", "0")
    finally:
        handler.setStream(old)
    line = out.getvalue()
    assert "GET /search/?q=" in line and "302" in line
    assert not _clear(line), line


def test_django_request_warnings_and_tracebacks_are_redacted():
    handler, out = _handler_output("django.request")
    old = handler.setStream(out)
    level = handler.level
    handler.setLevel(logging.WARNING)
    try:
        logging.getLogger("django.request").warning("Bad Request: %s", "/search/?q=500101-2345672")
        try:
            raise ValueError("no resident with 500101 2345672")
        except ValueError:
            logging.getLogger("django.request").exception("Internal Server Error: /search/")
    finally:
        handler.setStream(old)
        handler.setLevel(level)
    text = out.getvalue()
    assert "Bad Request: /search/?q=500101-2******" in text and "ValueError" in text
    assert not _clear(text), text


def test_a_handler_big_care_did_not_configure_gets_redacted_records():
    """A library's logger with a handler of its own, not propagating to ours."""
    logger, out = logging.getLogger("some.library"), io.StringIO()
    handler = logging.StreamHandler(out)
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("looked up %s", "500101.2345672")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    assert out.getvalue() == "looked up 500101-2******\n"
