"""`python manage.py demo --no-serve` end to end, in a fresh var/ directory, twice."""

import os
import re
import sqlite3
import subprocess
import sys

import pytest
from django.conf import settings


def _demo(var_dir):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL"} and not k.startswith("BIGCARE_")
    }
    env["BIGCARE_VAR_DIR"] = str(var_dir)
    return subprocess.run(
        [sys.executable, "manage.py", "demo", "--no-serve", "--residents", "300"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.slow
def test_demo_sets_up_everything_and_is_safe_to_run_twice(tmp_path):
    first = _demo(tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    logins = re.findall(r"^\s+(demo-\w+)\s", first.stdout, flags=re.M)
    assert logins == [
        "demo-caseworker",
        "demo-nurse",
        "demo-supervisor",
        "demo-dataadmin",
        "demo-auditor",
    ]

    second = _demo(tmp_path)
    assert second.returncode == 0, second.stderr[-3000:]

    db = sqlite3.connect(tmp_path / "bigcare.sqlite3")
    count = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
    assert count("select count(*) from bigcare_communitycentre") == 427
    assert count("select count(*) from auth_user") == 5
    # One membership per demo user, however often the demo runs.
    assert count("select count(*) from bigcare_membership") == 5
    assert (tmp_path / "keys.json").exists()


def test_readme_opens_with_the_install_commands():
    readme = (settings.BASE_DIR / "README.md").read_text()
    block = readme.split("```")[1].splitlines()[1:]
    commands = [line.split("#")[0].strip() for line in block if line.strip()]
    assert commands == [
        # The PDF exports' Korean font (regular and bold), from Debian (issue 16 item 5).
        "apt-get install -y fonts-nanum",
        "python -m pip install -e . && python manage.py demo",
        "python -m pip install -e '.[test]' && python -m pytest",
    ]
    ci = (settings.BASE_DIR / ".ci" / "run").read_text()
    # CI runs the README's command itself rather than a copy that could drift from it.
    assert "README.md" in ci and "python -m pytest" not in ci
