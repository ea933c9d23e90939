"""The declarative column mapping: which source columns make which field, through which transform.

A mapping is data (TOML on disk, JSON in ``DataSource.mapping``), so a fifth source needs no code.
Shape::

    key = { columns = ["관리번호"] }              # the source's own record id (joined with ":")
    [person]                                       # one SourceRecord per key
    name = { columns = ["성명"], transform = "name", required = true }
    birth_date = { columns = ["생년월일"], transform = "date", formats = ["%Y.%m.%d"] }
    [enrollment]                                   # one Enrollment per row (optional)
    programme = { columns = ["서비스코드"], transform = "programme" }
    [signal]                                       # one CrisisSignal per row (optional)
    indicator = { columns = ["지표코드"], transform = "indicator" }

Several columns: the first non-blank wins (``combine = "first"``) or they are joined with a space
(``combine = "join"``). ``optional = true`` lets a column be absent from the file. Pure Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from intake.errors import MappingError

# target → transforms it accepts
PERSON = {
    "name": {"name"},
    "birth_date": {"date"},
    "sex": {"sex"},
    "phone": {"phone"},
    "rrn": {"rrn"},
    "address": {"text"},
    "dong_code": {"dong_code", "dong_from_address"},
    "household_size": {"int"},
    "recognised_income": {"int"},
    "disability": {"code"},
    # Life events (cases.life_events): a date of death or of moving out of Seoul, or a status
    # column whose codes map to "deceased" / "moved_out" (LIFE_EVENT_CODES).
    "died_on": {"date"},
    "moved_out_on": {"date"},
    "life_event": {"code"},
    # The agency's household number, where it keeps one (cases.households).
    "household_ref": {"text"},
}
LIFE_EVENT_CODES = {"deceased", "moved_out", ""}
ENROLLMENT = {
    "programme": {"programme"},
    "start": {"date"},
    "end": {"date"},
    "monthly_amount": {"int"},
}
SIGNAL = {
    "indicator": {"indicator"},
    "round": {"text"},
    "observed_on": {"date"},
    "months": {"int"},
    "amount": {"int"},
}
SECTIONS = {"person": PERSON, "enrollment": ENROLLMENT, "signal": SIGNAL}
DEFAULT_SEX_CODES = {
    "M": "M",
    "F": "F",
    "남": "M",
    "여": "F",
    "1": "M",
    "2": "F",
    "남자": "M",
    "여자": "F",
    "m": "M",
    "f": "F",
}


@dataclass(frozen=True)
class FieldSpec:
    target: str
    columns: tuple[str, ...]
    transform: str
    formats: tuple[str, ...] = ()
    codes: dict[str, str] = field(default_factory=dict)
    required: bool = False
    optional: bool = False
    combine: str = "first"
    # Codes whose rows carry a person but no benefit or signal (an income investigation on
    # file, say): the row is accepted and its person kept, and no item is made of it.
    person_only: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mapping:
    key: tuple[str, ...]
    person: dict[str, FieldSpec]
    enrollment: dict[str, FieldSpec]
    signal: dict[str, FieldSpec]

    @property
    def item_kind(self) -> str:
        """What each row adds besides its person: "enrollment", "signal" or ""."""
        return "enrollment" if self.enrollment else "signal" if self.signal else ""

    @property
    def specs(self) -> list[FieldSpec]:
        return [*self.person.values(), *self.enrollment.values(), *self.signal.values()]

    def required_columns(self) -> list[str]:
        out = list(self.key)
        for spec in self.specs:
            if not spec.optional:
                out.extend(c for c in spec.columns if c not in out)
        return out

    def rrn_columns(self) -> list[str]:
        return list(self.person["rrn"].columns) if "rrn" in self.person else []


def _spec(section: str, target: str, raw: Any) -> FieldSpec:
    where = f"{section}.{target}"
    if not isinstance(raw, dict):
        raise MappingError(f"{where} must be a table like {{ columns = [...], transform = ... }}")
    unknown = set(raw) - {
        "columns",
        "transform",
        "formats",
        "codes",
        "required",
        "optional",
        "combine",
        "person_only",
    }
    if unknown:
        raise MappingError(f"{where}: unknown settings {', '.join(sorted(unknown))}")
    columns = raw.get("columns")
    if isinstance(columns, str):
        columns = [columns]
    if not columns or not all(isinstance(c, str) and c for c in columns):
        raise MappingError(f"{where}: columns must be a non-empty list of column names")
    allowed = SECTIONS[section][target]
    transform = raw.get("transform") or next(iter(allowed))
    if transform not in allowed:
        raise MappingError(
            f"{where}: transform {transform!r} does not fit; use {' or '.join(sorted(allowed))}"
        )
    formats = raw.get("formats", [])
    if transform == "date" and not formats:
        raise MappingError(f'{where}: a date needs formats, e.g. formats = ["%Y.%m.%d"]')
    if not isinstance(formats, list) or not all(isinstance(f, str) and "%" in f for f in formats):
        raise MappingError(f'{where}: formats must be strftime patterns such as "%Y%m%d"')
    codes = raw.get("codes", {})
    if not isinstance(codes, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in codes.items()
    ):
        raise MappingError(f"{where}: codes must map text to text")
    if transform == "code" and not codes:
        raise MappingError(f'{where}: transform "code" needs codes = {{ ... }}')
    if target == "life_event" and not set(codes.values()) <= LIFE_EVENT_CODES:
        raise MappingError(f'{where}: codes must map to "deceased", "moved_out" or ""')
    combine = raw.get("combine", "first")
    if combine not in ("first", "join"):
        raise MappingError(f'{where}: combine must be "first" or "join"')
    person_only = raw.get("person_only", [])
    if not isinstance(person_only, list) or not all(isinstance(c, str) for c in person_only):
        raise MappingError(f"{where}: person_only must be a list of codes")
    if person_only and transform not in ("programme", "indicator"):
        raise MappingError(f"{where}: person_only fits only a programme or indicator code")
    return FieldSpec(
        target,
        tuple(columns),
        transform,
        tuple(formats),
        dict(codes),
        bool(raw.get("required", False)),
        bool(raw.get("optional", False)),
        combine,
        tuple(person_only),
    )


def parse_mapping(raw: Any) -> Mapping:
    """Validate a mapping (from TOML or the admin screen); raise MappingError naming the fault."""
    if not isinstance(raw, dict):
        raise MappingError("a mapping is a table with key, person and optional enrollment/signal")
    unknown = set(raw) - {"key", *SECTIONS}
    if unknown:
        raise MappingError(f"unknown sections: {', '.join(sorted(unknown))}")
    key = raw.get("key", {})
    key_columns = key.get("columns") if isinstance(key, dict) else None
    if isinstance(key_columns, str):
        key_columns = [key_columns]
    if not key_columns or not all(isinstance(c, str) and c for c in key_columns):
        raise MappingError("key.columns must name the column(s) holding the source's record id")
    sections: dict[str, dict[str, FieldSpec]] = {}
    for section, targets in SECTIONS.items():
        table = raw.get(section, {})
        if not isinstance(table, dict):
            raise MappingError(f"[{section}] must be a table")
        bad = set(table) - set(targets)
        if bad:
            raise MappingError(
                f"[{section}] has unknown fields {', '.join(sorted(bad))}; "
                f"known: {', '.join(targets)}"
            )
        sections[section] = {t: _spec(section, t, v) for t, v in table.items()}
    if "name" not in sections["person"]:
        raise MappingError("[person] needs at least name")
    if "programme" not in sections["enrollment"] and sections["enrollment"]:
        raise MappingError("[enrollment] needs programme")
    if "indicator" not in sections["signal"] and sections["signal"]:
        raise MappingError("[signal] needs indicator")
    return Mapping(
        tuple(key_columns), sections["person"], sections["enrollment"], sections["signal"]
    )
