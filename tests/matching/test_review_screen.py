import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from intake.models import SourceRecord
from matching.actions import run_linkage
from matching.models import LinkDecision, RecordLink, Resident, ReviewItem
from tests.matching.conftest import load_records


@pytest.fixture
def item(personas, small_sources):
    from matching.frames import records_from_sources

    frame, _ = records_from_sources(small_sources)
    load_records(frame.head(300))
    run_linkage(full=True)
    a, b = SourceRecord.objects.order_by("pk")[:2]
    ra = RecordLink.objects.get(record=a).resident
    Resident.objects.filter(pk=ra.pk).update(home_centre=personas.centre_a)
    return ReviewItem.objects.create(record_a=a, record_b=b, total=1.0,
                                     weights={"given": 2.0}, levels={"given": "close"})


def test_a_supervisor_sees_items_of_their_centres(client, personas, item,
                                                  django_assert_max_num_queries):
    client.force_login(personas.supervisor_district_a)
    with django_assert_max_num_queries(15):
        r = client.get(reverse("matching:queue"))
    assert r.status_code == 200 and item.record_a.name in r.content.decode()


def test_an_outsider_sees_nothing_and_cannot_decide(client, personas, item):
    client.force_login(personas.outsider)
    assert item.record_a.name not in client.get(reverse("matching:queue")).content.decode()
    r = client.post(reverse("matching:decide", args=[item.pk]), {"decision": "same"})
    assert r.status_code == 404
    assert not LinkDecision.objects.exists()


def test_a_data_admin_with_the_permission_decides_different_and_it_applies(client, personas,
                                                                            item):
    personas.data_admin.user_permissions.add(Permission.objects.get(codename="review_links"))
    client.force_login(personas.data_admin)
    # Put both records in one resident first, so "different" has something to undo.
    ra = RecordLink.objects.get(record=item.record_a).resident_id
    RecordLink.objects.filter(record=item.record_b).update(resident_id=ra)
    r = client.post(reverse("matching:decide", args=[item.pk]), {"decision": "different"})
    assert r.status_code == 302
    assert not LinkDecision.objects.get().same
    assert (RecordLink.objects.get(record=item.record_a).resident_id
            != RecordLink.objects.get(record=item.record_b).resident_id)
    # A later full run respects the decision.
    run_linkage(full=True, retrain=False)
    assert (RecordLink.objects.get(record=item.record_a).resident_id
            != RecordLink.objects.get(record=item.record_b).resident_id)
