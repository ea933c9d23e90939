"""The review queue: who sees an uncertain pair, who decides it, and what a refusal looks like."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation

from intake.models import SourceRecord
from matching.actions import ChangedMeanwhile, decide_review_item, run_linkage
from matching.models import LinkDecision, RecordLink, Resident, ResidentChange, ReviewItem
from tests.cases.factories import ResidentFactory, SourceRecordFactory, link_records, rrn_fields
from tests.matching.conftest import load_records


@pytest.fixture
def item(personas, small_sources):
    """An open item on two records of a linked small Seoul, both residents in centre A."""
    from matching.frames import records_from_sources

    frame, _ = records_from_sources(small_sources)
    load_records(frame.head(300))
    run_linkage(full=True)
    a, b = SourceRecord.objects.order_by("pk")[:2]
    owners = RecordLink.objects.filter(record__in=[a, b]).values("resident_id")
    Resident.objects.filter(pk__in=owners).update(home_centre=personas.centre_a)
    return ReviewItem.objects.create(
        record_a=a, record_b=b, total=1.0, weights={"given": 2.0}, levels={"given": "close"}
    )


@pytest.fixture
def straddling(personas):
    """An open item pairing a record of centre A's resident with one of another district's."""
    near = ResidentFactory(name="김영희", home_centre=personas.centre_a)
    far = ResidentFactory(name="최먼곳", home_centre=personas.centre_other_district)
    (a,), (b,) = link_records(near, 1), link_records(far, 1)
    SourceRecord.objects.filter(pk=b.pk).update(name="최먼곳")
    return ReviewItem.objects.create(record_a=a, record_b=b, total=1.0), near, far


def test_a_supervisor_sees_items_of_their_centres(
    client, personas, item, django_assert_max_num_queries
):
    client.force_login(personas.supervisor_district_a)
    with django_assert_max_num_queries(15):
        r = client.get(reverse("matching:queue"))
    assert r.status_code == 200 and item.record_a.name in r.content.decode()


def test_review_queue_hides_pairs_reaching_outside_scope(client, personas, straddling):
    item, near, far = straddling
    client.force_login(personas.supervisor_district_a)
    page = client.get(reverse("matching:queue")).content.decode()
    assert "최먼곳" not in page and reverse("matching:decide", args=[item.pk]) not in page


def test_decide_refuses_a_pair_reaching_outside_scope(client, personas, straddling):
    item, near, far = straddling
    client.force_login(personas.supervisor_district_a)
    r = client.post(reverse("matching:decide", args=[item.pk]), {"decision": "same"})
    assert r.status_code == 404
    assert (
        Resident.objects.get(pk=far.pk).active
        and RecordLink.objects.filter(resident=far).count() == 1
    )
    assert not LinkDecision.objects.exists() and not ResidentChange.objects.exists()
    assert ReviewItem.objects.get(pk=item.pk).status == ReviewItem.Status.OPEN


def test_no_global_permission_or_superuser_status_widens_the_queue(client, personas, straddling):
    item, *_ = straddling
    assert not Permission.objects.filter(codename="review_links").exists()
    admin = personas.data_admin
    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])
    admin.user_permissions.add(*Permission.objects.filter(content_type__app_label="matching"))
    client.force_login(admin)
    assert "최먼곳" not in client.get(reverse("matching:queue")).content.decode()
    assert (
        client.post(reverse("matching:decide", args=[item.pk]), {"decision": "same"}).status_code
        == 404
    )


def test_conflicting_identity_numbers_give_a_message_not_a_500(client, personas):
    a = ResidentFactory(home_centre=personas.centre_a)
    b = ResidentFactory(home_centre=personas.centre_b)
    records = []
    for resident, number in ((a, "500301-2345678"), (b, "500301-2999999")):
        record = SourceRecordFactory(**rrn_fields(number))
        RecordLink.objects.create(record=record, resident=resident)
        records.append(record)
    item = ReviewItem.objects.create(record_a=records[0], record_b=records[1], total=1.0)
    client.force_login(personas.supervisor_district_a)
    r = client.post(reverse("matching:decide", args=[item.pk]), {"decision": "same"}, follow=True)
    assert r.status_code == 200
    assert "두 주민의 주민등록번호가 다릅니다" in r.content.decode()
    assert Resident.objects.get(pk=b.pk).active and not ResidentChange.objects.exists()
    assert not LinkDecision.objects.exists()
    assert ReviewItem.objects.get(pk=item.pk).status == ReviewItem.Status.OPEN


def test_an_item_decided_meanwhile_is_refused_in_korean(personas):
    a = ResidentFactory(home_centre=personas.centre_a)
    first, second = link_records(a, 2, with_benefits=False)
    item = ReviewItem.objects.create(
        record_a=first, record_b=second, total=1.0, status=ReviewItem.Status.DECIDED
    )
    with translation.override("ko"), pytest.raises(ChangedMeanwhile, match="이미 결정"):
        decide_review_item(item, acting_user=personas.supervisor_district_a, same=False)
    assert not LinkDecision.objects.exists()


@pytest.mark.parametrize(
    ("persona", "offered"),
    [("supervisor_district_a", True), ("caseworker_a", False), ("data_admin", False)],
)
def test_the_queue_is_in_the_menu_of_those_who_decide(client, personas, persona, offered):
    client.force_login(getattr(personas, persona))
    page = client.get(reverse("cases:worklist")).content.decode()
    assert (f'href="{reverse("matching:queue")}"' in page) is offered


def test_a_supervisor_decides_different_and_it_applies(client, personas, item):
    client.force_login(personas.supervisor_district_a)
    # Put both records in one resident first, so "different" has something to undo.
    ra = RecordLink.objects.get(record=item.record_a).resident_id
    RecordLink.objects.filter(record=item.record_b).update(resident_id=ra)
    r = client.post(reverse("matching:decide", args=[item.pk]), {"decision": "different"})
    assert r.status_code == 302
    assert not LinkDecision.objects.get().same
    assert (
        RecordLink.objects.get(record=item.record_a).resident_id
        != RecordLink.objects.get(record=item.record_b).resident_id
    )
    # A later full run respects the decision.
    run_linkage(full=True, retrain=False)
    assert (
        RecordLink.objects.get(record=item.record_a).resident_id
        != RecordLink.objects.get(record=item.record_b).resident_id
    )


def test_the_parts_shown_add_up_to_the_total_of_real_pairs(
    client, personas, small_sources, django_assert_max_num_queries
):
    """Every field's weight, the combination term and the prior sum to the score: exactly
    (float rounding aside) in the stored parts, and to the hundredth on the screen."""
    import re
    from decimal import Decimal

    from matching.frames import records_from_sources

    frame, _ = records_from_sources(small_sources)
    load_records(frame)
    run_linkage(full=True)
    # A small Seoul leaves its review band nearly empty: widen the band of the trained model so
    # that many real scored pairs reach the queue, and link again with it.
    from matching.models import LinkageModel

    model = LinkageModel.current()
    model.params["review_threshold"] = model.review_threshold = -30.0
    model.save()
    run_linkage(full=True, retrain=False)
    items = list(ReviewItem.objects.filter(status="open"))
    assert len(items) >= 20
    for i in items:
        assert {"dong", "combo", "prior", "given", "surname"} <= set(i.weights)
        assert sum(i.weights.values()) == pytest.approx(i.total, abs=2e-3)
    owners = RecordLink.objects.filter(
        record__in=[r for i in items for r in (i.record_a_id, i.record_b_id)]
    ).values("resident_id")
    Resident.objects.filter(pk__in=owners).update(home_centre=personas.centre_a)
    client.force_login(personas.supervisor_district_a)
    with translation.override("ko"), django_assert_max_num_queries(15):
        page = client.get(reverse("matching:queue")).content.decode()
    tables = re.findall(r'<table class="score-parts">(.*?)</table>', page, re.S)
    assert len(tables) == min(len(items), 50)
    for table in tables:
        bits = [Decimal(b) for b in re.findall(r'<td class="bits">(-?[\d.]+)</td>', table)]
        *parts, total = bits
        assert len(parts) == len(items[0].weights) and sum(parts) == total
    assert "사전" in page  # the prior, named in Korean
