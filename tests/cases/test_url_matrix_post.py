"""Every POST of the project × every persona × an object inside and one outside their scope,
and what each request wrote (#12, "Done when").

The POST URLs are discovered from the URLconf, not listed by hand: a view that accepts POST
(``require_POST``/``require_http_methods``, a class-based view with ``post``, or a view that
reads ``request.POST``/``FILES``) must have a row in ``POST_SPECS``, or the test fails. Each
request runs in a rolled-back transaction with its SQL captured. A refused request (403/404, or
sent to sign in) must write nothing but its access-log entry, session or lockout bookkeeping;
an allowed one on an object in scope must write (``writes=True``), so that the absence of a
write elsewhere means the scope check stopped it, not that the data did nothing.

Objects that straddle a scope line (a review item whose two records sit on either side of it)
come from test_url_matrix's ``ACROSS`` and are refused like objects outside.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.cases.test_url_matrix import (
    ACROSS,
    ANON,
    EVERYONE,
    PERSONAS,
    SIGNED_IN,
    STAFF_A,
    _objects,
    _outcome,
    _rule_pk,
)

SUPERVISOR = {"supervisor_district_a"}
DATA_ADMIN = {"data_admin"}


@dataclass
class PostSpec:
    # Which world object the URL is about ("resident", "case", …), None for no object.
    obj: str | None = None
    # Who may POST on an object inside centre A; nobody may outside (another district).
    allowed: set[str] | frozenset = frozenset()
    data: dict | Callable | None = None
    # Whether an allowed POST on the object in scope changes data (beyond the access log).
    writes: bool = False


def _visit(w, p) -> dict:
    return {
        "visited_on": "2025-03-02",
        "reason": "turning_65",
        "caseworker": p.caseworker_a.pk,
        "risk": "high",
        "notes": "lives alone",
    }


def _city_mapping() -> dict:
    import tomllib
    from pathlib import Path

    path = Path(settings.BASE_DIR) / "intake" / "mappings" / "city.toml"
    return tomllib.loads(path.read_text(encoding="utf-8"))["mapping"]


def _referral(w, p) -> dict:
    return {
        "kind": "referral",
        "to_centre": p.centre_b.pk,
        "reason": "care",
        "consent_on": "2025-03-01",
        "consent_note": "signed form",
    }


POST_SPECS: dict[str, PostSpec] = {
    # bigcare: signing in and out and the language are everyone's, about no one's data
    "login": PostSpec(allowed=EVERYONE, data={"username": "nobody", "password": "wrong"}),
    "logout": PostSpec(allowed=EVERYONE),
    "set_language": PostSpec(allowed=EVERYONE, data={"language": "en"}),
    # cases
    "cases:search": PostSpec(allowed=SIGNED_IN, data={"q": "500301-2345678"}),
    "cases:unmask": PostSpec("resident", {"caseworker_a"}, {"reason": "benefit application check"}),
    "cases:visit_new": PostSpec("resident", STAFF_A, _visit, writes=True),
    # world.inside has an open case already: another one needs a stated reason
    "cases:case_open": PostSpec(
        "resident", STAFF_A, {"summary": "income", "second_case_reason": "배우자 위기"}, writes=True
    ),
    "cases:visit_open_case": PostSpec(
        "visit", STAFF_A, {"summary": "income", "second_case_reason": "배우자 위기"}, writes=True
    ),
    "cases:visit_edit": PostSpec("visit", STAFF_A, _visit, writes=True),
    "cases:case_edit": PostSpec(
        "case", STAFF_A, {"part": "consultation", "consultation": "초기 상담"}, writes=True
    ),
    "cases:case_assessment": PostSpec(
        "case", STAFF_A, {"area": "income", "level": "high", "note": "연금만"}, writes=True
    ),
    "cases:case_conference": PostSpec(
        "case",
        STAFF_A,
        {"held_on": "2025-03-01", "participants": "팀", "decisions": "지원"},
        writes=True,
    ),
    "cases:case_contact": PostSpec(
        "case", STAFF_A, {"on": "2025-03-01", "kind": "phone", "note": "통화"}, writes=True
    ),
    # the world's case is at intake: submitting a plan or returning one is refused with a message
    "cases:case_submit": PostSpec("case", STAFF_A),
    "cases:case_return": PostSpec("case", SUPERVISOR, {"reason": "목표 부족"}),
    "cases:alerts_read_all": PostSpec(allowed=SIGNED_IN),
    "cases:alert_read": PostSpec("alert", {"caseworker_a"}, writes=True),
    "cases:case_advance": PostSpec("case", STAFF_A, writes=True),
    "cases:case_approve": PostSpec("case", SUPERVISOR),
    "cases:case_assign": PostSpec(
        "case", STAFF_A, lambda w, p: {"owner": p.caseworker_a.pk}, writes=True
    ),
    "cases:service_add": PostSpec(
        "case", STAFF_A, {"facility_name": "종로노인복지관", "description": "meals"}, writes=True
    ),
    "cases:referral_new": PostSpec("case", STAFF_A, _referral, writes=True),
    "cases:referral_decide": PostSpec("referral", STAFF_A, {"accept": "1"}, writes=True),
    "cases:referral_end": PostSpec("referral", STAFF_A, writes=True),
    "cases:reports_make": PostSpec(allowed=SUPERVISOR),
    # The world's reports are approved already: advancing is refused with a message.
    "cases:report_advance": PostSpec("report", SUPERVISOR),
    "cases:report_comment": PostSpec(
        "report", SUPERVISOR, {"text": "checked with the team"}, writes=True
    ),
    "cases:report_send": PostSpec(
        "report", SUPERVISOR, lambda w, p: {"item": [i.pk for i in w.report_in.items.all()]}
    ),
    "cases:report_xlsx": PostSpec("report", SUPERVISOR, {"reason": "monthly review meeting"}),
    "cases:report_pdf": PostSpec("report", SUPERVISOR, {"reason": "monthly review meeting"}),
    "cases:access_log_xlsx": PostSpec(allowed={"auditor"}, data={"reason": "monthly audit"}),
    "cases:item_outcome": PostSpec("item", STAFF_A, {"outcome": "enrolled"}, writes=True),
    "cases:rule_edit": PostSpec(
        allowed=DATA_ADMIN, data=lambda w, p: {"rule": _rule_pk(), "p_percent": "33"}
    ),
    "cases:median_edit": PostSpec(
        allowed=DATA_ADMIN, data={"year": "2027", "household_size": "1", "amount": "2736042"}
    ),
    "intake:programme_save": PostSpec(
        allowed=DATA_ADMIN,
        data={"code": "SEOUL_CARE", "name_ko": "돌봄SOS", "agency": "city"},
        writes=True,
    ),
    # intake: data administrators, on the sources granted to them
    "intake:source_mapping": PostSpec(
        "source",
        DATA_ADMIN,
        lambda w, p: {"mapping": json.dumps(_city_mapping(), ensure_ascii=False)},
        writes=True,
    ),
    "intake:upload": PostSpec("source", DATA_ADMIN),
    "intake:run_rollback": PostSpec("run", DATA_ADMIN, writes=True),
    # the world's run is done: neither stale nor rolled back, so these are refused with a message
    "intake:run_resume": PostSpec("run", DATA_ADMIN),
    "intake:run_reimport": PostSpec("run", DATA_ADMIN),
    # matching: supervisors, on residents of the centres they supervise
    "matching:decide": PostSpec("review", SUPERVISOR, {"decision": "different"}, writes=True),
    "matching:merge": PostSpec(
        "resident", SUPERVISOR, lambda w, p: {"other": w.spare.pk}, writes=True
    ),
    "matching:split": PostSpec(
        "resident", SUPERVISOR, lambda w, p: {"records": [w.review_in.record_b_id]}, writes=True
    ),
    "matching:undo": PostSpec("resident", SUPERVISOR, lambda w, p: {"change": w.change_in.pk}),
}

# Writes that any request may make, refused or not: the access log (a refused look is logged
# too), the session, and the sign-in lockout's bookkeeping.
_BOOKKEEPING = re.compile(r"^(bigcare_accesslog|bigcare_accesslogsubject|django_session|axes_)")
_WRITE = re.compile(
    r"\b(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+\"?(\w+)\"?"
    r"(?=[\s(]|$)",
    re.I,
)


def _written_tables(queries) -> set[str]:
    tables = set()
    for q in queries:
        for table in _WRITE.findall(q["sql"]):
            # "SELECT … FOR UPDATE" is a lock, not a write.
            if not _BOOKKEEPING.match(table) and table.upper() not in {"OF", "NOWAIT", "SKIP"}:
                tables.add(table)
    return tables


def patterns() -> dict[str, Callable]:
    """Qualified name → view of every pattern reachable from the root URLconf."""

    def walk(resolver, prefix: str):
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                yield from walk(p, f"{prefix}{p.namespace}:" if p.namespace else prefix)
            elif isinstance(p, URLPattern):
                yield (f"{prefix}{p.name}" if p.name else f"<unnamed {p.pattern}>"), p.callback

    return dict(walk(get_resolver(settings.ROOT_URLCONF), ""))


def accepts_post(view: Callable) -> bool:
    """Whether a POST reaches the view's own code and may be acted on."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return hasattr(view_class, "post")
    func = view
    while True:
        closure = dict(zip(func.__code__.co_freevars, func.__closure__ or (), strict=True))
        if "request_method_list" in closure:  # require_POST, require_GET, require_http_methods
            return "POST" in closure["request_method_list"].cell_contents
        if not hasattr(func, "__wrapped__"):
            break
        func = func.__wrapped__
    source = inspect.getsource(func)
    return "request.POST" in source or "request.FILES" in source or '"POST"' in source


def post_urls() -> list[str]:
    return [name for name, view in patterns().items() if accepts_post(view)]


def _request(client, personas, world, name: str, spec: PostSpec, obj, persona: str):
    client.logout()
    if persona != ANON:
        client.force_login(getattr(personas, persona))
    url = reverse(name, args=[obj.pk]) if obj is not None else reverse(name)
    data = spec.data(world, personas) if callable(spec.data) else (spec.data or {})
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        response = client.post(url, data)
        transaction.set_rollback(True)
    return response, _written_tables(queries.captured_queries)


def test_the_discovery_finds_every_kind_of_post_view():
    found = set(post_urls())
    # A class-based view, a decorated function, a function reading request.POST by itself.
    assert {"login", "cases:case_advance", "cases:visit_new", "intake:run_rollback"} <= found
    assert not {"cases:worklist", "intake:run", "health"} & found


def test_every_post_with_every_persona_inside_and_outside_scope(client, personas, world):
    names = post_urls()
    missing = sorted(set(names) - set(POST_SPECS))
    assert not missing, f"POST URLs the POST matrix does not know: {missing}"
    stale = sorted(set(POST_SPECS) - set(names))
    assert not stale, f"rows for URLs that take no POST: {stale}"

    failures, cells = [], 0
    for name in names:
        spec = POST_SPECS[name]
        # "across": an object straddling a scope line (a review item pairing a resident of
        # centre A with one of another district), refused like "outside".
        variants = ["inside", "outside", *(["across"] if spec.obj in ACROSS else [])]
        for variant in variants if spec.obj else ["none"]:
            obj = _objects(world, variant)[spec.obj] if spec.obj else None
            for persona in PERSONAS:
                response, wrote = _request(client, personas, world, name, spec, obj, persona)
                got = _outcome(response)
                allowed = persona in spec.allowed and variant in ("inside", "none")
                expected = "allow" if allowed else "login" if persona == ANON else "deny"
                cells += 1
                where = f"{name} [{variant}] as {persona}"
                if got != expected:
                    failures.append(
                        f"{where}: expected {expected}, got {got} ({response.status_code})"
                    )
                elif not allowed and wrote:
                    failures.append(
                        f"{where}: refused ({response.status_code}) but wrote {sorted(wrote)}"
                    )
                elif allowed and spec.writes and not wrote:
                    failures.append(
                        f"{where}: allowed but wrote nothing: the row's data does "
                        f"not exercise the write"
                    )
    print(
        f"\nPOST matrix: {len(names)} POST URLs, {len(PERSONAS)} personas, {cells} requests, "
        f"{len(failures)} unexpected"
    )
    assert not failures, "\n".join(failures)


def test_views_that_take_no_post_write_nothing_when_posted_to(client, personas, world):
    """The discovery's other side: a view it calls read-only writes nothing whatever is sent."""
    from tests.cases.test_url_matrix import SPECS

    failures = []
    for name in sorted(set(patterns()) - set(post_urls())):
        spec = SPECS[name]
        obj = _objects(world, "inside")[spec.obj] if spec.obj else None
        persona = next((p for p in PERSONAS if p in spec.allowed and p != ANON), "caseworker_a")
        probe = PostSpec(spec.obj, spec.allowed, {"reason": "x", "accept": "1", "q": "x"})
        response, wrote = _request(client, personas, world, name, probe, obj, persona)
        if wrote:
            failures.append(f"{name} as {persona}: POST wrote {sorted(wrote)}")
    assert not failures, "\n".join(failures)
