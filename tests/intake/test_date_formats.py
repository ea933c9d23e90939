"""A mapping's date formats never swap day and month without a word (issue 12 item 11).

When more than one of a field's formats reads some of the file's values, as different dates,
the import is refused with a typed error giving the counts; a file only one format reads, or
whose values every format reads alike, is imported.
"""

from __future__ import annotations

import copy

import pytest

from intake.actions import define_source, read_mapping_file
from intake.models import RunStatus, SourceRecord
from tests.intake.conftest import MAPPINGS, import_file
from tests.intake.malformed.make_corpus import FACILITY_GOOD, jsonl


@pytest.fixture
def two_formats(sources):
    definition = copy.deepcopy(read_mapping_file(MAPPINGS / "facility.toml"))
    definition["code"] = "facility_eu"
    definition["mapping"]["person"]["birth_date"]["formats"] = ["%m/%d/%Y", "%d/%m/%Y"]
    return define_source(definition)[0]


def _file(tmp_path, *dobs: str):
    path = tmp_path / "clients.jsonl"
    path.write_text(
        jsonl(
            *[{**FACILITY_GOOD, "client_id": f"F1-{i}", "dob": dob} for i, dob in enumerate(dobs)]
        ),
        encoding="utf-8",
    )
    return path


def test_formats_that_read_a_date_two_ways_refuse_the_import_with_counts(two_formats, tmp_path):
    # 03/02/1950 is 2 March by the first format and 3 February by the second.
    path = _file(tmp_path, "03/02/1950", "03/02/1950", "12/25/1950", "25/12/1950", "04/04/1950")
    run = import_file(two_formats, path)

    assert run.status == RunStatus.FAILED
    assert run.error_code == "ambiguous_dates"
    assert run.error == (
        "dob: 2 rows are read as different dates by more than one of the mapping's formats "
        "(%m/%d/%Y reads 4, %d/%m/%Y reads 4, %Y-%m-%d reads 0 rows): keep only the format "
        "the file uses"
    )
    assert run.error_summary  # and in plain words on the run's page
    assert not SourceRecord.objects.exists()

    # A file only one of the formats reads is imported, read by that one.
    run = import_file(two_formats, _file(tmp_path, "25/12/1950", "31/01/1950", "05/05/1950"))
    assert (run.status, run.accepted) == (RunStatus.DONE, 3)
    assert sorted(str(r.birth_date) for r in SourceRecord.objects.all()) == [
        "1950-01-31",
        "1950-05-05",
        "1950-12-25",
    ]
