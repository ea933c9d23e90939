"""No identity number in clear anywhere after the demo and a search by RRN (#12, principle 6).

The demo is run as a user runs it, then a real development server is started on its database
and a caseworker signs in and searches by identity number, typed in several spellings. Then every
table, every file under the var directory and every line either process wrote is read back and
searched for every identity number the synthetic sources hold, in any spelling.

The one exception is ``var/demo-sources``: the synthetic extracts the demo generates stand in for
the files an agency hands over. Big Care reads them; it does not write them, and a deployment has
no such folder. What Big Care keeps of them (stored uploads, records, rejected rows) is checked.
"""

from __future__ import annotations

import contextlib
import csv
import http.cookiejar
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import unicodedata
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.slow

# Separators a number may be spelled with (item 7: space, dot, dashes, underscore, spaced digits).
# Commas and asterisks are left alone: they separate fields and mark masked digits.
_SEPARATORS = re.compile(r"[\s.\-\u2010-\u2015\u2212_/]+")
_DIGIT_RUN = re.compile(r"\d{13,}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(var_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL"} and not k.startswith("BIGCARE_")
    }
    env |= {"BIGCARE_VAR_DIR": str(var_dir), "LOG_LEVEL": "DEBUG", "PYTHONUNBUFFERED": "1"}
    return env


def known_numbers(var_dir: Path) -> set[str]:
    """Every identity number of the synthetic Seoul, as 13 ASCII digits."""
    (residents,) = var_dir.glob("demo-sources/*/truth/residents.csv")
    with residents.open(encoding="utf-8") as f:
        numbers = {re.sub(r"\D", "", row["rrn"]) for row in csv.DictReader(f)}
    assert len(numbers) > 100 and all(len(n) == 13 for n in numbers)
    return numbers


def leaked(text: str, numbers: set[str]) -> set[str]:
    """The known numbers that appear in ``text`` in any spelling (full-width, spaced, dotted…)."""
    flat = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text))
    found = set()
    for run in _DIGIT_RUN.findall(flat):
        found.update(run[i : i + 13] for i in range(len(run) - 12) if run[i : i + 13] in numbers)
    return found


def test_the_detector_sees_every_spelling_of_item_7():
    number = "5001012345672"
    spellings = [
        "500101-2345672",
        "5001012345672",
        "500101 2345672",
        "500101.2345672",
        "500101–2345672",
        "500101_2345672",
        "５００１０１－２３４５６７２",
        "5 0 0 1 0 1 - 2 3 4 5 6 7 2",
        "x500101—2345672y",
    ]
    for spelling in spellings:
        assert leaked(spelling, {number}) == {number}, spelling
    assert leaked("500101-2******", {number}) == set()


def _dump_database(path: Path) -> str:
    db = sqlite3.connect(path)
    tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    parts = []
    for table in tables:
        parts.extend(repr(row) for row in db.execute(f'SELECT * FROM "{table}"'))  # noqa: S608
    db.close()
    return "\n".join(parts)


def _dump_files(var_dir: Path) -> dict[Path, str]:
    """Every file under var/ but the agencies' synthetic extracts, bytes read as text.

    Database files are read raw as well as table by table: free pages keep deleted rows.
    """
    dumps = {}
    for path in var_dir.rglob("*"):
        if path.is_file() and "demo-sources" not in path.relative_to(var_dir).parts:
            dumps[path] = path.read_bytes().decode("utf-8", errors="replace")
    return dumps


class Browser:
    """A caseworker's browser: cookies, CSRF tokens from forms, no JavaScript."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, data: dict[str, str]) -> str:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.get(path))
        assert token, f"no CSRF token on {path}"
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token[1], **data}).encode()
        request = urllib.request.Request(  # noqa: S310 (our own http://)
            self.base + path, data=body, headers={"Referer": self.base + path}
        )
        with self.opener.open(request, timeout=30) as response:
            return response.read().decode()


def _wait_for(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server stopped"
        try:
            urllib.request.urlopen(url, timeout=2).close()  # noqa: S310 (our own http://)
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer")


def test_no_identity_number_in_any_table_file_or_log_after_the_demo_and_a_search(tmp_path):
    var_dir = tmp_path / "var"
    demo = subprocess.run(
        [sys.executable, "manage.py", "demo", "--no-serve", "--residents", "300"],
        cwd=settings.BASE_DIR,
        env=_env(var_dir),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert demo.returncode == 0, demo.stderr[-3000:]
    numbers = known_numbers(var_dir)
    searched = sorted(numbers)[:3]

    port = _free_port()
    server_log = tmp_path / "server.log"
    with server_log.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=settings.BASE_DIR,
            env=_env(var_dir),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_for(base + "/accounts/login/", server)
            browser = Browser(base)
            browser.post(
                "/accounts/login/", {"username": "demo-caseworker", "password": "bigcare-demo"}
            )
            spellings = [
                searched[0],
                f"{searched[1][:6]}-{searched[1][6:]}",
                f"{searched[2][:6]} {searched[2][6:]}",
            ]
            for spelling in spellings:
                page = browser.post("/search/", {"q": spelling})
                assert "검색" in page
            # Someone pasting a number into the address bar: refused or not, never logged clear.
            with contextlib.suppress(urllib.error.HTTPError):
                browser.get("/search/?" + urllib.parse.urlencode({"q": searched[0]}))
        finally:
            server.terminate()
            server.wait(timeout=30)

    dumps = {
        "demo output": demo.stdout + demo.stderr,
        "server log": server_log.read_text(encoding="utf-8", errors="replace"),
        "tables": _dump_database(var_dir / "bigcare.sqlite3"),
    }
    dumps |= {str(path.relative_to(var_dir)): text for path, text in _dump_files(var_dir).items()}
    assert "tables" in dumps and len(dumps) > 4
    assert re.search(r"POST /search/ HTTP", dumps["server log"]), "the searches were not logged"

    leaks = {where: len(found) for where, text in dumps.items() if (found := leaked(text, numbers))}
    assert leaks == {}, "identity numbers in clear (place: how many)"
