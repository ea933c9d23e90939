"""Factories for the caseworker screens' tests: residents with linked source records."""

from __future__ import annotations

import itertools
from datetime import date

import factory
from django.utils import timezone

from bigcare import crypto, rrn
from cases.models import Case, Stage, Visit, VisitReason, stage_due
from intake.models import (
    AgencyKind,
    CrisisIndicator,
    CrisisSignal,
    DataSource,
    Enrollment,
    ImportRun,
    Programme,
    SourceRecord,
)
from matching.models import RecordLink, Resident

_serial = itertools.count(1)


def rrn_fields(full: str) -> dict:
    """Encrypted, indexed and masked forms of an RRN such as ``850101-1234567``."""
    digits = full.replace("-", "")
    return {
        "rrn_enc": crypto.encrypt(digits),
        "rrn_index": crypto.blind_index(digits),
        "rrn_masked": rrn.mask(full),
    }


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resident

    name = "김영희"
    birth_date = date(1950, 3, 1)
    sex = "F"
    phone = factory.Sequence(lambda n: f"010{n:08d}")
    address = factory.Sequence(lambda n: f"서울특별시 종로구 자하문로 {n}")
    home_centre = None

    @classmethod
    def _create(cls, model_class, *args, rrn_full: str | None = None, **kwargs):
        if rrn_full:
            kwargs.update(rrn_fields(rrn_full))
        return super()._create(model_class, *args, **kwargs)


class DataSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DataSource
        django_get_or_create = ("code",)

    code = "city-basic"
    name = "서울시 기초생활"
    kind = AgencyKind.CITY
    file_format = "csv"


class ImportRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportRun

    source = factory.SubFactory(DataSourceFactory)
    sha256 = factory.Sequence(lambda n: f"{n:064d}")
    filename = "extract-2025-01.csv"
    status = "done"


class SourceRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SourceRecord

    run = factory.SubFactory(ImportRunFactory)
    source = factory.SelfAttribute("run.source")
    row_number = factory.Sequence(lambda n: n + 1)
    source_key = factory.Sequence(lambda n: f"K{n:06d}")
    content_hash = factory.Sequence(lambda n: f"{n:032d}")
    name = "김영희"
    birth_date = date(1950, 3, 1)
    sex = "F"
    rrn_masked = "500301-2******"


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("code",)

    code = "basic_pension"
    name_ko = "기초연금"
    name_en = "Basic pension"
    agency = AgencyKind.MINISTRY


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CrisisIndicator
        django_get_or_create = ("code",)

    code = "power_cut"
    label_ko = "단전"
    label_en = "Power cut-off"


def link_records(resident: Resident, n: int, *, with_benefits: bool = True) -> list:
    """``n`` source records linked to the resident, each with a benefit and a crisis signal,
    spread over two agencies."""
    city = ImportRunFactory(source=DataSourceFactory())
    ministry = ImportRunFactory(
        source=DataSourceFactory(
            code="mohw-pension", name="보건복지부 기초연금", kind=AgencyKind.MINISTRY
        )
    )
    programme, indicator = ProgrammeFactory(), IndicatorFactory()
    records = []
    for i in range(n):
        record = SourceRecordFactory(run=city if i % 2 else ministry)
        RecordLink.objects.create(record=record, resident=resident)
        if with_benefits:
            Enrollment.objects.create(
                record=record, programme=programme, start=date(2020, 1, 1 + i % 28)
            )
            CrisisSignal.objects.create(
                record=record, indicator=indicator, round="2025-1", observed_on=timezone.localdate()
            )
        records.append(record)
    return records


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    resident = factory.SubFactory(ResidentFactory)
    centre = factory.SelfAttribute("resident.home_centre")
    reason = VisitReason.CRISIS
    health_notes = "혈압 높음 (blood pressure high)"


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    resident = factory.SubFactory(ResidentFactory)
    owner_centre = factory.SelfAttribute("resident.home_centre")
    stage = Stage.INTAKE
    opened_on = factory.LazyFunction(timezone.localdate)
    stage_started = factory.SelfAttribute("opened_on")
    stage_due = factory.LazyAttribute(lambda o: stage_due(o.stage, o.opened_on, o.opened_on))
