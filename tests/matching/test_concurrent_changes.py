"""Concurrent merges, splits, undos and review decisions on PostgreSQL: one winner, and a database
that still makes sense, every time.

Each contender runs in its own thread with its own connection, released together by a barrier;
each scenario is played ROUNDS times on fresh residents. The loser gets ChangedMeanwhile (a
Korean message on the screens), never a deadlock, a 500 or a half-done change.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from matching.actions import (
    ChangedMeanwhile,
    decide_review_item,
    merge_residents,
    split_resident,
    undo_change,
)
from matching.models import LinkDecision, RecordLink, Resident, ResidentChange, ReviewItem
from tests.cases.factories import ResidentFactory, link_records
from tests.conftest import requires_postgres

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]
ROUNDS = 20


def race(*calls: Callable[..., object], user) -> list[str]:
    """Run each call (``acting_user=`` its own copy of ``user``) in its own thread and
    connection, all released at once; "won" or "refused" per call, in order. Anything else
    fails the test."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str | BaseException] = [""] * len(calls)
    users = [get_user_model().objects.get(pk=user.pk) for _ in calls]

    def run(k: int) -> None:
        try:
            barrier.wait(timeout=30)
            calls[k](acting_user=users[k])
            outcomes[k] = "won"
        except ChangedMeanwhile:
            outcomes[k] = "refused"
        except BaseException as exc:  # noqa: BLE001 — reported by the assertion below
            outcomes[k] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(k,)) for k in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert all(o in ("won", "refused") for o in outcomes), outcomes
    return outcomes


def one_winner(outcomes: list[str]) -> None:
    assert sorted(outcomes) == ["refused", "won"], outcomes


def two_residents(personas, n: int = 1) -> tuple[Resident, Resident]:
    a = ResidentFactory(home_centre=personas.centre_a)
    b = ResidentFactory(home_centre=personas.centre_b)
    link_records(a, n, with_benefits=False)
    link_records(b, n, with_benefits=False)
    return a, b


def merged_once(a: Resident, b: Resident) -> None:
    """Exactly one of the two is active, holds every record, and one merge is recorded."""
    active = list(Resident.objects.filter(pk__in=[a.pk, b.pk], active=True))
    assert len(active) == 1
    assert set(
        RecordLink.objects.filter(resident__in=[a.pk, b.pk]).values_list("resident_id", flat=True)
    ) == {active[0].pk}
    assert ResidentChange.objects.filter(kind="merge", residents=a).count() == 1


@pytest.mark.parametrize("opposite", [True, False], ids=["opposite", "identical"])
def test_concurrent_merges_have_one_winner(personas, opposite):
    for _ in range(ROUNDS):
        a, b = two_residents(personas)
        one_winner(
            race(
                partial(merge_residents, a, b),
                partial(merge_residents, b, a) if opposite else partial(merge_residents, a, b),
                user=personas.supervisor_district_a,
            )
        )
        merged_once(a, b)


def test_concurrent_splits_have_one_winner(personas):
    for _ in range(ROUNDS):
        a = ResidentFactory(home_centre=personas.centre_a)
        first, second, third = link_records(a, 3, with_benefits=False)
        one_winner(
            race(
                partial(split_resident, a, [third.pk]),
                partial(split_resident, a, [third.pk]),
                user=personas.supervisor_district_a,
            )
        )
        assert ResidentChange.objects.filter(kind="split", residents=a).count() == 1
        new = RecordLink.objects.get(record=third).resident_id
        assert set(RecordLink.objects.filter(resident=a).values_list("record_id", flat=True)) == {
            first.pk,
            second.pk,
        }
        assert new != a.pk and Resident.objects.get(pk=new).active


@pytest.mark.parametrize("second", ["same", "different"])
def test_concurrent_decisions_on_one_item_have_one_winner(personas, second):
    for _ in range(ROUNDS):
        a, b = two_residents(personas)
        item = ReviewItem.objects.create(
            record_a=RecordLink.objects.filter(resident=a).first().record,
            record_b=RecordLink.objects.filter(resident=b).first().record,
            total=1.0,
        )
        one_winner(
            race(
                partial(decide_review_item, item, same=True),
                partial(decide_review_item, item, same=second == "same"),
                user=personas.supervisor_district_a,
            )
        )
        item.refresh_from_db()
        assert item.status == ReviewItem.Status.DECIDED
        assert (
            LinkDecision.objects.filter(
                record_a=item.record_a_id, record_b=item.record_b_id
            ).count()
            == 1
        )
        if item.decision == "same":
            merged_once(a, b)
        else:
            assert Resident.objects.filter(pk__in=[a.pk, b.pk], active=True).count() == 2
            assert not ResidentChange.objects.filter(residents=a).exists()


def test_concurrent_undos_of_one_merge_have_one_winner(personas):
    user = personas.supervisor_district_a
    for _ in range(ROUNDS):
        a, b = two_residents(personas)
        change = merge_residents(a, b, acting_user=user)
        one_winner(race(partial(undo_change, change), partial(undo_change, change), user=user))
        assert Resident.objects.filter(pk__in=[a.pk, b.pk], active=True).count() == 2
        assert ResidentChange.objects.filter(kind="undo", residents=a).count() == 1
        assert RecordLink.objects.filter(resident=b).count() == 1


def test_a_change_during_a_linkage_run_is_refused_and_changes_nothing(personas):
    """While a linkage run holds its lock, a merge is refused with a message, not interleaved."""
    from matching.actions import LINKAGE_LOCK

    a, b = two_residents(personas)
    held, release = threading.Event(), threading.Event()

    def linkage() -> None:
        try:
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_lock(%s)", [LINKAGE_LOCK])
                held.set()
                release.wait(timeout=30)
                cur.execute("SELECT pg_advisory_unlock(%s)", [LINKAGE_LOCK])
        finally:
            connection.close()

    thread = threading.Thread(target=linkage)
    thread.start()
    try:
        assert held.wait(timeout=30)
        with pytest.raises(ChangedMeanwhile, match="연계 작업"):
            merge_residents(a, b, acting_user=personas.supervisor_district_a)
        assert Resident.objects.filter(pk__in=[a.pk, b.pk], active=True).count() == 2
        assert not ResidentChange.objects.exists()
    finally:
        release.set()
        thread.join(timeout=30)
    merge_residents(a, b, acting_user=personas.supervisor_district_a)
    merged_once(a, b)
