"""Screening from the database over a small world: inputs read in bulk, results stored."""

from datetime import date

import pytest

from cases.models import ScreeningCount, ScreeningResult, ScreeningRun
from cases.rules import load_rules
from cases.screening import run_screening
from intake.models import AgencyKind, RecordStatus
from matching.models import RecordLink
from tests.cases.factories import DataSourceFactory, ImportRunFactory, SourceRecordFactory
from tests.cases.screening_world import ON, ministry_run, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules(db):
    load_rules()


def results(run, **filters):
    return {
        (r.resident_id, r.programme): r for r in ScreeningResult.objects.filter(run=run, **filters)
    }


def test_a_poor_single_person_is_a_livelihood_blind_spot(rules, personas):
    poor = person(personas.centre_a, income=800_000)
    run = run_screening(ON)
    assert run.status == "done" and run.year == 2026 and run.residents == 1
    got = results(run)
    row = got[(poor.pk, "B01")]
    assert not row.receiving and row.priority == 1
    assert (row.household_size, row.income, row.line, row.percent) == (1, 800_000, 820_556, 32)
    assert row.centre_id == personas.centre_a.pk


def test_receiving_is_not_a_blind_spot_and_a00_is_not_a_benefit(rules, personas):
    r = person(personas.centre_a, income=800_000, receives=("B01", "A00"))
    run = run_screening(ON)
    got = results(run)
    assert got[(r.pk, "B01")].receiving
    assert not got[(r.pk, "B02")].receiving  # eligible for medical too, receives it nowhere
    assert run.blind_spots == len([x for x in got.values() if not x.receiving])


def test_a_crisis_signal_raises_the_priority(rules, personas):
    r = person(personas.centre_a, income=800_000, crisis=True)
    got = results(run_screening(ON))
    assert got[(r.pk, "B01")].priority == 2
    assert got[(r.pk, "EMERGENCY")].priority == 2


def test_the_most_recent_run_wins_and_superseded_records_are_ignored(rules, personas):
    r = person(personas.centre_a, income=5_000_000)
    city = ImportRunFactory(source=DataSourceFactory(code="city", kind=AgencyKind.CITY))
    newer = SourceRecordFactory(run=city, recognised_income=700_000, household_size=1)
    RecordLink.objects.create(record=newer, resident=r)
    old = SourceRecordFactory(
        run=city, recognised_income=9, household_size=1, status=RecordStatus.SUPERSEDED
    )
    RecordLink.objects.create(record=old, resident=r)
    got = results(run_screening(ON))
    assert got[(r.pk, "B01")].income == 700_000


def test_missing_income_counts_as_unknown_per_centre(rules, personas):
    person(personas.centre_a, income=None)
    run = run_screening(ON)
    assert not ScreeningResult.objects.filter(run=run).exists()
    unknown = dict(
        ScreeningCount.objects.filter(run=run, centre=personas.centre_a).values_list(
            "programme", "unknown"
        )
    )
    assert unknown["B01"] == 1 and unknown["B03"] == 1
    assert run.unknown >= 2


def test_couples_are_derived_from_the_dwelling(rules, personas):
    run = ministry_run()
    home = "서울특별시 종로구 자하문로 9, 101동 202호"
    # Both 70, household income between the single and the couple line.
    husband = person(
        personas.centre_a,
        run=run,
        birth=date(1955, 1, 1),
        sex="M",
        address=home,
        size=2,
        income=3_500_000,
    )
    wife = person(
        personas.centre_a,
        run=run,
        birth=date(1955, 2, 1),
        sex="F",
        address=" 서울 종로구  자하문로 9, 101동 202호",
        size=2,
        income=3_500_000,
    )
    alone = person(
        personas.centre_a, run=run, birth=date(1955, 1, 1), sex="M", size=2, income=3_500_000
    )
    got = results(run_screening(ON))
    assert (husband.pk, "P01") in got and (wife.pk, "P01") in got
    assert (alone.pk, "P01") not in got  # unknown: no partner found, size says 2


def test_a_failed_run_is_recorded(rules, personas, monkeypatch):
    import cases.screening as s

    def broken(*a, **k):
        raise RuntimeError("boom")

    monkeypatch.setattr(s, "read_inputs", broken)
    with pytest.raises(RuntimeError):
        run_screening(ON)
    assert ScreeningRun.objects.get().status == "failed"


def test_the_command_loads_rules_and_screens(personas, capsys):
    from django.core.management import call_command

    person(personas.centre_a, income=800_000)
    call_command("screen_eligibility", on="2026-06-01")
    assert "1 residents" in capsys.readouterr().out
    assert ScreeningRun.objects.get().status == "done"


def test_the_nightly_task_is_scheduled_and_runs_eagerly(personas, settings):
    from cases.tasks import screen_eligibility

    assert (
        settings.CELERY_BEAT_SCHEDULE["screen-eligibility-nightly"]["task"]
        == "cases.screen_eligibility"
    )
    person(personas.centre_a, income=800_000)
    run_id = screen_eligibility.delay().get()
    assert ScreeningRun.objects.get(pk=run_id).status == "done"


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_outside_a_transaction_the_reads_run_at_once(personas):
    from tests.conftest import on_postgres

    if not on_postgres():
        pytest.skip("the parallel reads are PostgreSQL's")
    load_rules()
    poor = person(personas.centre_a, income=800_000, crisis=True)
    run = run_screening(ON)
    row = ScreeningResult.objects.get(run=run, resident=poor, programme="B01")
    assert (row.priority, row.income, row.receiving) == (2, 800_000, False)


def test_old_runs_lose_their_rows_but_keep_their_counts(rules, personas):
    from cases.screening import prune_results

    person(personas.centre_a, income=800_000)
    runs = [run_screening(ON) for _ in range(3)]
    assert prune_results(keep=2) > 0
    assert not ScreeningResult.objects.filter(run=runs[0]).exists()
    assert ScreeningResult.objects.filter(run=runs[2]).exists()
    assert ScreeningCount.objects.filter(run=runs[0]).exists()
    assert prune_results(keep=2) == 0


def test_pilots_and_city_top_ups_are_nobodys_blind_spot(rules, personas):
    # Under 48 % of median: eligible for 서울형기초보장 and 서울디딤돌소득 by income, but the
    # rules say blind_spot = false — the national benefits are what a caseworker pursues.
    poor = person(personas.centre_a, size=2, income=1_500_000)
    got = results(run_screening(ON))
    assert (poor.pk, "B03") in got
    assert (poor.pk, "SEOUL_BASIC") not in got
    assert (poor.pk, "SEOUL_DIDIMDOL") not in got
