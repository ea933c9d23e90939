"""The auditor exports the filtered access log to Excel, with a reason; the export is logged."""

import io

import openpyxl
import pytest
from django.test import RequestFactory
from django.urls import reverse

from bigcare.accesslog import log_access
from bigcare.models import AccessLog

pytestmark = pytest.mark.django_db


def _log(user, action, ids, **kw):
    request = RequestFactory().get("/x")
    request.user = user
    return log_access(request, action, ids, **kw)


def _export(client, **data):
    return client.post(reverse("cases:access_log_xlsx"), data)


def test_the_export_holds_the_filtered_rows_in_korean_and_is_logged(client, personas, world):
    _log(personas.caseworker_a, "view_profile", [world.inside.pk])
    _log(personas.caseworker_a, "search", [], detail=f"worklist centre={personas.centre_a.code}")
    _log(personas.caseworker_b, "search", [], detail="name=박")
    client.force_login(personas.auditor)
    response = _export(client, user="caseworker_a", reason="2026년 12월 정기 점검")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    block = {r[0]: r[1] for r in rows[1:8] if r[0]}
    assert block["사용자"] == "caseworker_a" and block["사유"] == "2026년 12월 정기 점검"
    assert block["내보낸 사람"] == "auditor"
    header = rows.index(next(r for r in rows if r[0] == "일시"))
    lines = [dict(zip(rows[header], r, strict=True)) for r in rows[header + 1 :]]
    assert {line["사용자"] for line in lines} == {"caseworker_a"}
    details = {line["내용"] for line in lines}
    centre = personas.centre_a
    assert f"{centre.district.name_ko} {centre.name_ko} 대상자 목록" in details
    assert "프로필 조회" in {line["행위"] for line in lines}
    entry = AccessLog.objects.get(action="export", username="auditor")
    assert entry.reason == "2026년 12월 정기 점검" and entry.detail == "access log xlsx"


def test_an_export_without_a_reason_is_refused_and_not_logged(client, personas, world):
    client.force_login(personas.auditor)
    response = _export(client, reason="  ")
    assert response.status_code == 302
    assert not AccessLog.objects.filter(action="export").exists()


@pytest.mark.parametrize("persona", ["caseworker_a", "supervisor_district_a", "data_admin"])
def test_only_an_auditor_may_export_the_log(client, personas, world, persona):
    client.force_login(getattr(personas, persona))
    assert _export(client, reason="curious about it").status_code == 404
    assert not AccessLog.objects.filter(action="export").exists()
