"""add_source is idempotent and takes a fifth source with no code; import_source reports counts."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from intake.models import DataSource, LinkStatus, RunStatus, SourceRecord
from tests.intake.conftest import MAPPINGS, city_file
from tests.intake.malformed.make_corpus import city_row, xlsx

FIFTH = """
code = "gangnam-care"
name = "강남 돌봄센터 엑셀"
kind = "facility"
file_format = "xlsx"

[mapping.key]
columns = ["회원번호"]

[mapping.person]
name = { columns = ["이름"], transform = "name", required = true }
birth_date = { columns = ["생일"], transform = "date", formats = ["%Y/%m/%d"] }
sex = { columns = ["성별"], transform = "sex", codes = { "남" = "M", "여" = "F" } }
address = { columns = ["주소", "상세주소"], transform = "text", combine = "join" }
phone = { columns = ["휴대폰", "집전화"], transform = "phone" }

[mapping.enrollment]
programme = { columns = ["서비스"], transform = "programme", codes = { "도시락" = "FAC_MEAL" } }
"""


def test_add_source_is_idempotent(db):
    out = StringIO()
    call_command("add_source", "--mapping", str(MAPPINGS / "city.toml"), stdout=out)
    call_command("add_source", "--mapping", str(MAPPINGS / "city.toml"), stdout=out)
    assert DataSource.objects.filter(code="city").count() == 1
    assert out.getvalue().splitlines() == ["created source city", "updated source city"]


def test_a_broken_mapping_file_is_refused(db, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('code = "x"\nkind = "city"\n[mapping.key]\ncolumns = []\n', encoding="utf-8")
    with pytest.raises(CommandError, match="key.columns"):
        call_command("add_source", "--mapping", str(path))


def test_a_fifth_source_needs_no_code(sources, tmp_path):
    mapping = tmp_path / "gangnam.toml"
    mapping.write_text(FIFTH, encoding="utf-8")
    call_command("add_source", "--mapping", str(mapping), stdout=StringIO())
    sheet = tmp_path / "members.xlsx"
    sheet.write_bytes(
        xlsx(
            [
                [
                    "회원번호",
                    "이름",
                    "생일",
                    "성별",
                    "주소",
                    "상세주소",
                    "휴대폰",
                    "집전화",
                    "서비스",
                ],
                [
                    "G-1",
                    "홍 길동",
                    "1950/03/04",
                    "남",
                    "서울특별시 강남구 테헤란로 1",
                    "101호",
                    "",
                    "02-123-4567",
                    "도시락",
                ],
            ]
        )
    )
    out = StringIO()
    call_command("import_source", "gangnam-care", str(sheet), stdout=out, stderr=StringIO())
    record = SourceRecord.objects.get(source__code="gangnam-care")
    assert (record.name, record.phone, record.address) == (
        "홍길동",
        "021234567",
        "서울특별시 강남구 테헤란로 1 101호",
    )
    assert record.enrollments.get().programme.code == "FAC_MEAL"


def test_import_source_prints_the_counts(sources, tmp_path):
    out = StringIO()
    path = city_file(tmp_path, city_row(1), city_row(2, 생년월일="1950.02.30"))
    call_command("import_source", "city", str(path), stdout=out, stderr=StringIO())
    assert "2 rows in, 1 accepted, 1 rejected" in out.getvalue()
    call_command("import_source", "city", str(path), stdout=out, stderr=StringIO())
    assert "already imported" in out.getvalue()


def test_import_source_exits_non_zero_on_failure(sources, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(CommandError, match="empty"):
        call_command("import_source", "city", str(path), stdout=StringIO(), stderr=StringIO())
    assert sources["city"].runs.get().status == RunStatus.FAILED


def test_a_failed_link_leaves_the_import_done_and_import_source_exits_zero(
    transactional_db, sources, tmp_path, monkeypatch
):
    """At 1.9 M records the link after an import failed and the run said failed, its records
    committed (#12 item 12): the link has its own status and the import's stands."""
    from django.db import OperationalError

    def too_many(*args, **kwargs):
        raise OperationalError("too many SQL variables")

    monkeypatch.setattr("matching.actions.run_linkage", too_many)
    path = city_file(tmp_path, city_row(1), city_row(2))
    out, err = StringIO(), StringIO()
    call_command("import_source", "city", str(path), stdout=out, stderr=err)  # no CommandError
    run = sources["city"].runs.get()
    assert (run.status, run.accepted) == (RunStatus.DONE, 2)
    assert run.link_status == LinkStatus.FAILED
    assert "too many SQL variables" in run.link_error and not run.error
    assert SourceRecord.objects.filter(run=run, status="current").count() == 2
    assert "2 rows in, 2 accepted" in out.getvalue()
    assert "linking its records failed" in err.getvalue()


def test_import_source_exits_zero_when_the_link_succeeds(transactional_db, sources, tmp_path):
    path = city_file(tmp_path, city_row(1), city_row(2))
    out = StringIO()
    call_command("import_source", "city", str(path), stdout=out, stderr=StringIO())
    run = sources["city"].runs.get()
    assert (run.status, run.link_status) == (RunStatus.DONE, LinkStatus.DONE)


def test_a_first_import_of_one_record_links_it(transactional_db, sources, tmp_path):
    """A first import too small to give linkage any candidate pair still links: training on no
    pairs stored a NaN prior that the model's JSON column refused, and the link failed."""
    from matching.models import LinkageModel

    path = city_file(tmp_path, city_row(1))
    call_command("import_source", "city", str(path), stdout=StringIO(), stderr=StringIO())
    run = sources["city"].runs.get()
    assert (run.status, run.link_status) == (RunStatus.DONE, LinkStatus.DONE), run.link_error
    params = LinkageModel.objects.latest("pk").params
    assert json.loads(json.dumps(params, allow_nan=False)) == params
