"""A hand-made small world for screening: residents, ministry/city records, enrolments, a
crisis signal. Used by the screening, report and evaluation tests."""

from __future__ import annotations

from datetime import date

from intake.models import AgencyKind, CrisisSignal, Enrollment
from matching.models import RecordLink
from tests.cases.factories import (
    DataSourceFactory,
    ImportRunFactory,
    IndicatorFactory,
    ProgrammeFactory,
    ResidentFactory,
    SourceRecordFactory,
)

ON = date(2026, 6, 1)


def ministry_run():
    return ImportRunFactory(
        source=DataSourceFactory(code="ministry", name="보건복지부", kind=AgencyKind.MINISTRY)
    )


def person(
    centre,
    *,
    run=None,
    birth=date(1980, 5, 5),
    sex="F",
    address=None,
    size=1,
    income=500_000,
    disability="",
    receives=(),
    crisis=False,
    key=None,
    name="김영희",
):
    """A resident with one linked current ministry record carrying the figures."""
    resident = ResidentFactory(
        name=name,
        birth_date=birth,
        sex=sex,
        home_centre=centre,
        **({"address": address} if address else {}),
    )
    record = SourceRecordFactory(
        run=run or ministry_run(),
        household_size=size,
        recognised_income=income,
        disability=disability,
        birth_date=birth,
        sex=sex,
        name=name,
        **({"source_key": key} if key else {}),
    )
    RecordLink.objects.create(record=record, resident=resident)
    for row, code in enumerate(receives, start=1):  # one row each, as an import makes them
        programme = ProgrammeFactory(code=code, name_ko=code, name_en=code)
        Enrollment.objects.create(record=record, row_number=row, programme=programme, active=True)
    if crisis:
        CrisisSignal.objects.create(
            record=record, indicator=IndicatorFactory(), round="2026-05", observed_on=ON
        )
    return resident
