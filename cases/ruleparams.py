"""A programme rule's parameters as labelled form fields, not JSON (issue 16 §4).

Each parameter ``cases.rules`` knows has a label, a kind and a default; the rules screen shows a
live rule's parameters as inputs named ``p_<key>`` and reads them back into the dict that
``cases.rules.edit_rule`` validates. A rule shows the parameters its test needs, those it has,
the age bounds and the two switches, so an administrator can add an age bound without JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from cases.rules import REQUIRED


@dataclass(frozen=True)
class Param:
    key: str
    kind: str  # "number", "switch" or "choice"
    default: Any = None


PARAMS = [
    Param("percent", "number"),
    Param("single", "number"),
    Param("couple", "number"),
    Param("min_age", "number"),
    Param("max_age", "number"),
    Param("max_age_months", "number"),
    Param("disability", "choice"),
    Param("requires_crisis", "switch", False),
    Param("blind_spot", "switch", True),
]
LABELS = {
    "percent": lambda: _("Share of the median income (%)"),
    "single": lambda: _("Line for a single person (KRW a month)"),
    "couple": lambda: _("Line for a couple (KRW a month)"),
    "min_age": lambda: _("Minimum age"),
    "max_age": lambda: _("Maximum age"),
    "max_age_months": lambda: _("Maximum age in months"),
    "disability": lambda: _("Disability required"),
    "requires_crisis": lambda: _("Only with a crisis signal"),
    "blind_spot": lambda: _("A blind spot when not received"),
}
DISABILITY = {"": lambda: "—", "severe": lambda: _("severe"), "mild": lambda: _("mild")}
ALWAYS = {"min_age", "max_age", "requires_crisis", "blind_spot"}


def shown(test: str, params: dict[str, Any]) -> list[Param]:
    wanted = set(REQUIRED.get(test, ())) | set(params) | ALWAYS
    return [p for p in PARAMS if p.key in wanted]


def fields(test: str, params: dict[str, Any]) -> list[dict]:
    """What the template draws for one rule: name, label, kind, value, choices."""
    out = []
    for p in shown(test, params):
        value = params.get(p.key, p.default)
        out.append(
            {
                "key": p.key,
                "name": f"p_{p.key}",
                "label": LABELS[p.key](),
                "kind": p.kind,
                "value": "" if value is None else value,
                "choices": [(k, f()) for k, f in DISABILITY.items()] if p.kind == "choice" else [],
            }
        )
    return out


def described(params: dict[str, Any]) -> list[tuple[str, str]]:
    """The parameters as (label, value) for reading: numbers with separators, switches 예/아니요."""
    out = []
    for p in PARAMS:
        if p.key not in params:
            continue
        v = params[p.key]
        if p.kind == "switch":
            text = _("yes") if v else _("no")
        elif p.kind == "choice":
            text = DISABILITY.get(v, lambda v=v: str(v))()
        else:
            text = f"{v:,}" if isinstance(v, int | float) else str(v)
        out.append((LABELS[p.key](), text))
    return out


def from_post(post, test: str, params: dict[str, Any]) -> dict[str, Any]:
    """The new parameters from the form; a blank number leaves the parameter out, a switch left
    at its default is not written unless the rule had it. Raises ValueError on a non-number."""
    out: dict[str, Any] = {}
    for p in shown(test, params):
        name = f"p_{p.key}"
        if p.kind == "switch":
            # An unticked box sends nothing: only a box the form drew (listed in "switches")
            # can turn a switch off; otherwise the rule keeps what it had.
            if p.key not in post.getlist("switches"):
                if p.key in params:
                    out[p.key] = params[p.key]
                continue
            on = post.get(name) == "on"
            if p.key in params or on != p.default:
                out[p.key] = on
        elif p.kind == "choice":
            if post.get(name):
                out[p.key] = post[name]
        else:
            raw = post.get(name, "").replace(",", "").strip()
            if raw:
                number = float(raw)
                out[p.key] = int(number) if number.is_integer() else number
    return out
