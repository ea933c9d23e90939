"""Response headers that keep personal data where it belongs (#12 item 15).

HTTPS only outside development: redirect and HSTS, also behind a TLS-terminating proxy; a
Content-Security-Policy on every page. (No-store on signed-in pages:
tests/cases/test_resident_page.py; the policy in a browser: tests/cases/test_browser_csp.py.)
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings

# Requests made in a fresh process whose settings are read from the environment given.
_PROBE = """
import json, django
django.setup()
from django.test import Client
out = {}
for name, headers in (("plain", {}), ("forwarded", {"HTTP_X_FORWARDED_PROTO": "https"})):
    for path in ("/accounts/login/", "/health"):
        r = Client().get(path, SERVER_NAME="localhost", **headers)
        out[f"{name} {path}"] = [r.status_code, r.get("Location", ""),
                                 r.get("Strict-Transport-Security", "")]
r = Client().get("/accounts/login/", SERVER_NAME="localhost", secure=True)
out["https"] = [r.status_code, r.get("Location", ""), r.get("Strict-Transport-Security", "")]
print(json.dumps(out))
"""


def _probe(tmp_path, **env_vars) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BIGCARE_", "SECURE_"))}
    env |= {
        "BIGCARE_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "bigcare.settings",
        **env_vars,
    }
    result = subprocess.run(
        [sys.executable, "-c", _PROBE],
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_debug_plain_http_is_redirected_and_https_gets_hsts(tmp_path):
    got = _probe(tmp_path, DEBUG="false")
    status, location, _ = got["plain /accounts/login/"]
    assert status == 301 and location == "https://localhost/accounts/login/"
    status, _, hsts = got["https"]
    assert status == 200 and "max-age=31536000" in hsts and "includeSubDomains" in hsts
    # The load balancer probes /health over plain HTTP.
    assert got["plain /health"][0] == 200
    # A forwarded-proto header from an untrusted client proves nothing.
    assert got["forwarded /accounts/login/"][0] == 301


def test_behind_a_tls_proxy_its_forwarded_proto_counts(tmp_path):
    got = _probe(tmp_path, DEBUG="false", BIGCARE_TLS_PROXY="true")
    status, _, hsts = got["forwarded /accounts/login/"]
    assert status == 200 and "max-age=31536000" in hsts
    assert got["plain /accounts/login/"][0] == 301


def test_development_serves_plain_http(tmp_path):
    got = _probe(tmp_path, DEBUG="true")
    assert got["plain /accounts/login/"][:2] == [200, ""] and got["https"][2] == ""


def test_every_page_carries_a_policy_allowing_this_sites_files_only(client):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["default-src"] == "'self'" and directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy


_INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:", re.I
)


def test_no_template_holds_an_inline_script_style_or_handler():
    """The policy blocks them: a page would silently lose its behaviour or its look."""
    found = {}
    for path in (Path(settings.BASE_DIR) / "templates").rglob("*.html"):
        if hits := _INLINE.findall(path.read_text(encoding="utf-8")):
            found[str(path.relative_to(settings.BASE_DIR))] = hits
    assert found == {}
