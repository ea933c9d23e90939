"""Deaths and moves out of Seoul: a resident whom a current source record says died (사망) or
moved out (전출) is off the worklists and out of screening, and the one-stop page says so.

Read when asked, from the records' status: a rollback or a newer extract that drops the event
brings the resident back with no rewrite of the resident.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Exists, OuterRef

from intake.models import LifeEvent, RecordStatus, SourceRecord


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def gone():
    """True for a resident (``OuterRef("pk")``) with a current record saying they are gone."""
    return Exists(
        SourceRecord.objects.filter(
            link__resident=OuterRef("pk"), status=RecordStatus.CURRENT
        ).exclude(life_event="")
    )


def gone_sql(resident_column: str) -> tuple[str, list]:
    """The same test as SQL over ``resident_column`` (screening's bulk read): (sql, params)."""
    from matching.models import RecordLink

    return (
        f"EXISTS (SELECT 1 FROM {_t(RecordLink)} gl JOIN {_t(SourceRecord)} gr "  # noqa: S608
        f"ON gr.id = gl.record_id WHERE gl.resident_id = {resident_column} "
        f"AND gr.status = %s AND gr.life_event <> %s)",
        [RecordStatus.CURRENT, ""],
    )


@dataclass
class Gone:
    event: str  # LifeEvent value
    label: str
    on: date | None
    source: str


def life_event_of(records: list) -> Gone | None:
    """What the page shows: a death before a move out, the most trusted source first."""
    found = [r for r in records if r.status == RecordStatus.CURRENT and r.life_event]
    if not found:
        return None
    rank = {LifeEvent.DECEASED: 0, LifeEvent.MOVED_OUT: 1}
    r = min(found, key=lambda r: (rank.get(r.life_event, 2), r.source.trust))
    return Gone(r.life_event, r.get_life_event_display(), r.life_event_on, r.source.name)
