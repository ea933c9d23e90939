"""Shared fixtures: Seoul's centres, and the personas every scope test uses."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model

from bigcare.actions import grant_membership
from bigcare.models import CommunityCentre, District

# The `browser` fixture (Debian's Chromium through Playwright) for every browser test.
pytest_plugins = ["tests.browser"]


@pytest.fixture(scope="session", autouse=True)
def _no_stray_connections_at_the_end(django_db_setup, django_db_blocker):
    """End the live server's leftover connections (a keep-alive thread Chromium left open)
    before the test database is dropped, so a run never leaves a database behind."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


def server_reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def on_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


requires_postgres = pytest.mark.skipif(
    not on_postgres(), reason="needs PostgreSQL: set DATABASE_URL=postgres://… (see README)"
)
requires_redis = pytest.mark.skipif(
    not server_reachable("127.0.0.1", 6379), reason="needs Redis on 127.0.0.1:6379"
)


@pytest.fixture(autouse=True)
def _no_rules_kept_between_tests():
    # Each test's transaction rolls back the rules it loaded; the page's per-process copy of
    # them (cases.rules.rules_in_force) must go with it.
    from cases.rules import forget_rules

    forget_rules()
    yield
    forget_rules()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness costs ~0.25 s per test user; tests are not attacked offline.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def centres(db):
    """Seoul's 25 districts and 427 centres, loaded from fixtures/ as in production."""
    from bigcare.centres import load_centres

    load_centres()
    return CommunityCentre.objects.select_related("district")


@dataclass
class Personas:
    centre_a: CommunityCentre
    centre_b: CommunityCentre
    centre_other_district: CommunityCentre
    district_a: District
    caseworker_a: object
    nurse_a: object
    caseworker_b: object
    supervisor_district_a: object
    data_admin: object
    auditor: object
    outsider: object
    # A caseworker of a centre in a third district, whose membership the ``world`` fixture ends
    # after a case of centre A was referred there: someone who has left their job.
    former_staff: object
    centre_former: CommunityCentre


@pytest.fixture
def personas(centres) -> Personas:
    """Centre A and B in one district (종로구), a third centre elsewhere, and the five roles.

    B shares A's district so that a district supervisor's reach and a neighbouring caseworker's
    lack of it are both tested by one set of people.
    """
    users = get_user_model().objects
    jongno = District.objects.get(code="11110")
    a, b = CommunityCentre.objects.filter(district=jongno).order_by("code")[:2]
    other = CommunityCentre.objects.exclude(district=jongno).order_by("code").first()
    far = (
        CommunityCentre.objects.exclude(district__in=[jongno, other.district])
        .order_by("code")
        .first()
    )

    def user(name: str):
        return users.create_user(name, password="test-password")

    p = Personas(
        centre_a=a,
        centre_b=b,
        centre_other_district=other,
        district_a=jongno,
        caseworker_a=user("caseworker_a"),
        nurse_a=user("nurse_a"),
        caseworker_b=user("caseworker_b"),
        supervisor_district_a=user("supervisor_a"),
        data_admin=user("data_admin"),
        auditor=user("auditor"),
        outsider=user("outsider"),
        former_staff=user("former_staff"),
        centre_former=far,
    )
    grant_membership(p.caseworker_a, "caseworker", centre=a, acting_user=None)
    grant_membership(p.nurse_a, "nurse", centre=a, acting_user=None)
    grant_membership(p.caseworker_b, "caseworker", centre=b, acting_user=None)
    grant_membership(p.supervisor_district_a, "supervisor", district=jongno, acting_user=None)
    grant_membership(p.data_admin, "data_admin", acting_user=None)
    grant_membership(p.auditor, "auditor", acting_user=None)
    grant_membership(p.former_staff, "caseworker", centre=far, acting_user=None)
    return p
