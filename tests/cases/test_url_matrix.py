"""Every URL pattern of the project × every persona × objects inside and outside their scope.

The test fails on an unexpected allow, an unexpected deny, and on any URL pattern it does not
know: a new screen must say here who may use it. Each request runs in a rolled-back savepoint so
that one persona's POST does not change what the next one sees.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

ANON = "anonymous"
# ``former_staff`` received a referral of centre A's case, then their membership ended: every
# grant it carried must be gone (issue 12 §6), so they may open only what any signed-in user may.
PERSONAS = [
    ANON,
    "caseworker_a",
    "nurse_a",
    "caseworker_b",
    "supervisor_district_a",
    "data_admin",
    "auditor",
    "outsider",
    "former_staff",
]
STAFF_A = {"caseworker_a", "nurse_a", "supervisor_district_a"}
SIGNED_IN = set(PERSONAS) - {ANON}
EVERYONE = set(PERSONAS)


@dataclass
class Spec:
    method: str = "get"
    # Which world object the URL is about ("resident", "case", …), None for no object.
    obj: str | None = None
    # Who may use it on an object inside centre A; nobody may outside (another district).
    allowed: set[str] | frozenset = frozenset()
    data: dict | Callable | None = None


SPECS: dict[str, Spec] = {
    # bigcare
    "start": Spec(allowed=SIGNED_IN),
    "health": Spec(allowed=EVERYONE),
    "login": Spec(allowed=EVERYONE),
    "logout": Spec("post", allowed=EVERYONE),
    "set_language": Spec("post", allowed=EVERYONE, data={"language": "en"}),
    # cases: lists whose rows are scoped (an empty list for people without a centre)
    "cases:worklist": Spec(allowed=SIGNED_IN),
    "cases:search": Spec(allowed=SIGNED_IN, data={"q": "김영희"}),
    "cases:overdue": Spec(allowed=SIGNED_IN),
    "cases:referrals": Spec(allowed=SIGNED_IN),
    "cases:supervisor": Spec(allowed={"supervisor_district_a"}),
    "cases:access_log": Spec(allowed={"auditor"}),
    "cases:access_review": Spec(allowed={"auditor"}),
    "cases:access_log_xlsx": Spec("post", allowed={"auditor"}, data={"reason": "monthly audit"}),
    # cases: one object each
    "cases:resident": Spec(obj="resident", allowed=STAFF_A),
    "cases:unmask": Spec(
        "post",
        obj="resident",
        allowed={"caseworker_a"},
        data={"reason": "benefit application check"},
    ),
    "cases:visit_new": Spec(obj="resident", allowed=STAFF_A),
    "cases:case_open": Spec(
        "post", obj="resident", allowed=STAFF_A, data={"second_case_reason": "가구원 별도 위기"}
    ),
    "cases:visit": Spec(obj="visit", allowed=STAFF_A),
    "cases:visit_open_case": Spec("post", obj="visit", allowed=STAFF_A),
    "cases:visit_edit": Spec(obj="visit", allowed=STAFF_A),
    # the user's own work and inbox: scoped rows, an empty page for people without any
    "cases:my_cases": Spec(allowed=SIGNED_IN),
    "cases:my_visits": Spec(allowed=SIGNED_IN),
    "cases:alerts": Spec(allowed=SIGNED_IN),
    "cases:alerts_read_all": Spec("post", allowed=SIGNED_IN),
    # an alert is its recipient's only
    "cases:alert_read": Spec("post", obj="alert", allowed={"caseworker_a"}),
    "cases:case": Spec(obj="case", allowed=STAFF_A),
    "cases:case_advance": Spec("post", obj="case", allowed=STAFF_A),
    "cases:case_approve": Spec("post", obj="case", allowed={"supervisor_district_a"}),
    "cases:case_edit": Spec(
        "post", obj="case", allowed=STAFF_A, data={"part": "consultation", "consultation": "상담"}
    ),
    "cases:case_assessment": Spec(
        "post", obj="case", allowed=STAFF_A, data={"area": "income", "level": "high"}
    ),
    "cases:case_conference": Spec(
        "post",
        obj="case",
        allowed=STAFF_A,
        data={"held_on": "2025-03-01", "participants": "팀", "decisions": "지원"},
    ),
    "cases:case_contact": Spec(
        "post",
        obj="case",
        allowed=STAFF_A,
        data={"on": "2025-03-01", "kind": "phone", "note": "통화"},
    ),
    "cases:case_submit": Spec("post", obj="case", allowed=STAFF_A),
    "cases:case_return": Spec(
        "post", obj="case", allowed={"supervisor_district_a"}, data={"reason": "목표 부족"}
    ),
    "cases:case_assign": Spec(
        "post", obj="case", allowed=STAFF_A, data=lambda w, p: {"owner": p.caseworker_a.pk}
    ),
    "cases:service_add": Spec(
        "post",
        obj="case",
        allowed=STAFF_A,
        data={"facility_name": "종로노인복지관", "description": "meals"},
    ),
    "cases:referral_new": Spec(obj="case", allowed=STAFF_A),
    "cases:referral": Spec(obj="referral", allowed=STAFF_A),
    "cases:referral_decide": Spec("post", obj="referral", allowed=STAFF_A, data={"accept": "1"}),
    "cases:referral_end": Spec("post", obj="referral", allowed=STAFF_A),
    # eligibility: reports and dashboards are a supervisor's; rules a data administrator's
    "cases:reports": Spec(allowed={"supervisor_district_a"}),
    "cases:reports_make": Spec("post", allowed={"supervisor_district_a"}),
    "cases:rollup": Spec(allowed={"supervisor_district_a"}),
    "cases:dashboard": Spec(allowed={"supervisor_district_a"}, data={"figure": "open_cases"}),
    "cases:report": Spec(obj="report", allowed={"supervisor_district_a"}),
    "cases:report_advance": Spec("post", obj="report", allowed={"supervisor_district_a"}),
    "cases:report_comment": Spec(
        "post",
        obj="report",
        allowed={"supervisor_district_a"},
        data={"text": "checked with the team"},
    ),
    "cases:report_send": Spec(
        "post",
        obj="report",
        allowed={"supervisor_district_a"},
        data=lambda w, p: {"item": [i.pk for i in w.report_in.items.all()]},
    ),
    "cases:report_xlsx": Spec(
        "post",
        obj="report",
        allowed={"supervisor_district_a"},
        data={"reason": "monthly review meeting"},
    ),
    "cases:report_pdf": Spec(
        "post",
        obj="report",
        allowed={"supervisor_district_a"},
        data={"reason": "monthly review meeting"},
    ),
    "cases:item_outcome": Spec("post", obj="item", allowed=STAFF_A, data={"outcome": "enrolled"}),
    "cases:rules": Spec(allowed={"data_admin"}),
    "cases:rule_edit": Spec(
        "post",
        allowed={"data_admin"},
        data=lambda w, p: {"rule": _rule_pk(), "p_percent": "33"},
    ),
    "cases:median_edit": Spec(
        "post",
        allowed={"data_admin"},
        data={"year": "2027", "household_size": "1", "amount": "2736042"},
    ),
    # intake: data administrators, on the sources granted to them
    "intake:sources": Spec(allowed=SIGNED_IN),
    # scoped rows (the user's sources), like the source list
    "intake:unplaced": Spec(allowed=SIGNED_IN),
    "intake:source": Spec(obj="source", allowed={"data_admin"}),
    "intake:programmes": Spec(allowed={"data_admin"}),
    "intake:programme_save": Spec(
        "post",
        allowed={"data_admin"},
        data={"code": "SEOUL_CARE", "name_ko": "돌봄SOS", "agency": "city"},
    ),
    "intake:source_mapping": Spec(
        "post", obj="source", allowed={"data_admin"}, data={"mapping": "not toml ["}
    ),
    "intake:upload": Spec("post", obj="source", allowed={"data_admin"}),
    "intake:run": Spec(obj="run", allowed={"data_admin"}),
    "intake:run_progress": Spec(obj="run", allowed={"data_admin"}),
    "intake:run_rollback": Spec(obj="run", allowed={"data_admin"}),
    "intake:run_resume": Spec("post", obj="run", allowed={"data_admin"}),
    "intake:run_reimport": Spec("post", obj="run", allowed={"data_admin"}),
    "intake:run_rejected_csv": Spec(obj="run", allowed={"data_admin"}),
    # matching: the review queue is a scoped list; deciding needs supervision of the centres
    # of both records' residents (the "across" variant: one inside, one in another district)
    "matching:queue": Spec(allowed=SIGNED_IN),
    "matching:decide": Spec(
        "post", obj="review", allowed={"supervisor_district_a"}, data={"decision": "different"}
    ),
    # matching: merge, split and undo are a supervisor's, on residents of supervised centres only
    "matching:merge": Spec(
        "post",
        obj="resident",
        allowed={"supervisor_district_a"},
        data=lambda w, p: {"other": w.spare.pk},
    ),
    "matching:split": Spec(
        "post",
        obj="resident",
        allowed={"supervisor_district_a"},
        data=lambda w, p: {"records": [w.review_in.record_b_id]},
    ),
    "matching:changes": Spec(obj="resident", allowed={"supervisor_district_a"}),
    "matching:undo": Spec(
        "post",
        obj="resident",
        allowed={"supervisor_district_a"},
        data=lambda w, p: {"change": w.change_in.pk},
    ),
}


def _rule_pk() -> int:
    from cases.models import ProgrammeRule
    from cases.rules import load_rules

    load_rules()
    return ProgrammeRule.objects.live().get(programme="B01").pk


def all_patterns(resolver=None, prefix: str = "") -> list[str]:
    """Qualified names of every pattern reachable from the root URLconf; unnamed ones by route."""
    resolver = resolver or get_resolver(settings.ROOT_URLCONF)
    names = []
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            names += all_patterns(p, ns)
        elif isinstance(p, URLPattern):
            names.append(f"{prefix}{p.name}" if p.name else f"<unnamed {p.pattern}>")
    return names


# Objects that also come in a variant straddling a scope line, denied like "outside": a review
# item pairing a record of centre A's resident with one of another district's.
ACROSS = {"review": lambda world: world.review_across}


def _objects(world, variant: str) -> dict:
    if variant == "across":
        return {name: get(world) for name, get in ACROSS.items()}
    inside = variant == "inside"
    return {
        "resident": world.inside if inside else world.outside,
        "visit": world.visit_in if inside else world.visit_out,
        "case": world.case_in if inside else world.case_out,
        "referral": world.referral_in if inside else world.referral_out,
        "review": world.review_in if inside else world.review_out,
        "source": world.source_in if inside else world.source_out,
        "run": world.run_in if inside else world.run_out,
        "report": world.report_in if inside else world.report_out,
        "item": (world.report_in if inside else world.report_out).items.get(),
        "alert": world.alert_in if inside else world.alert_out,
    }


def _outcome(response) -> str:
    """allow, deny (403/404) or login (sent to sign in). Anything else is a bug in the table."""
    code = response.status_code
    if code in (403, 404):
        return "deny"
    if (
        code == 302
        and response["Location"].startswith(reverse("login"))
        and "?next=" in response["Location"]
    ):
        return "login"
    # 400/409: the scope check passed and the input was refused — an allow as far as access goes.
    if code in (200, 302, 400, 409):
        return "allow"
    raise AssertionError(f"unexpected status {code}")


def test_every_url_with_every_persona(client, personas, world):
    patterns = all_patterns()
    unknown = sorted(set(patterns) - set(SPECS))
    assert not unknown, f"URL patterns the matrix does not know: {unknown}"

    failures, cells = [], 0
    for name in patterns:
        spec = SPECS[name]
        variants = ["inside", "outside", *(["across"] if spec.obj in ACROSS else [])]
        for variant in variants if spec.obj else ["none"]:
            obj = _objects(world, variant)[spec.obj] if spec.obj else None
            url = reverse(name, args=[obj.pk]) if obj else reverse(name)
            for persona in PERSONAS:
                client.logout()
                if persona != ANON:
                    client.force_login(getattr(personas, persona))
                data = spec.data(world, personas) if callable(spec.data) else (spec.data or {})
                with transaction.atomic():
                    response = getattr(client, spec.method)(url, data)
                    transaction.set_rollback(True)
                got = _outcome(response)
                allowed = persona in spec.allowed and variant in ("inside", "none")
                if persona == ANON and not allowed:
                    expected = "login"
                else:
                    expected = "allow" if allowed else "deny"
                cells += 1
                if got != expected:
                    failures.append(
                        f"{name} [{variant}] as {persona}: expected {expected}, "
                        f"got {got} ({response.status_code})"
                    )
    print(
        f"\nURL × persona matrix: {len(patterns)} patterns, {len(PERSONAS)} personas, "
        f"{cells} requests, {len(failures)} unexpected"
    )
    assert not failures, "\n".join(failures)
