"""Rows whose code means "a person, no benefit" (the ministry's A00 income investigations)."""

import pytest

from intake.errors import MappingError
from intake.mapping import parse_mapping
from intake.models import Enrollment, RunStatus, SourceRecord
from tests.intake.conftest import import_file

MAPPING = {
    "key": {"columns": ["id"]},
    "person": {
        "name": {"columns": ["name"], "transform": "name", "required": True},
        "household_size": {"columns": ["size"], "transform": "int"},
        "recognised_income": {"columns": ["income"], "transform": "int"},
    },
    "enrollment": {
        "programme": {
            "columns": ["code"],
            "transform": "programme",
            "required": True,
            "person_only": ["A00"],
        }
    },
}


def test_a_person_only_row_keeps_its_person_and_makes_no_benefit(sources, tmp_path):
    from intake.actions import define_source

    source, _ = define_source(
        {
            "code": "mohw-test",
            "name": "test",
            "kind": "ministry",
            "file_format": "csv",
            "mapping": MAPPING,
        }
    )
    path = tmp_path / "extract.csv"
    path.write_text(
        "id,name,size,income,code\n"
        "M1,김영숙,1,700000,A00\n"
        "M2,이철수,2,900000,B01\n"
        "M3,박민수,1,100,ZZZ\n",
        encoding="utf-8",
    )
    run = import_file(source, path)
    assert run.status == RunStatus.DONE
    assert (run.rows_in, run.accepted, run.rejected) == (3, 2, 1)
    assert SourceRecord.objects.get(run=run, source_key="M1").recognised_income == 700000
    assert list(
        Enrollment.objects.filter(record__run=run).values_list(
            "record__source_key", "programme__code"
        )
    ) == [("M2", "B01")]


def test_person_only_fits_only_codes():
    bad = {
        **MAPPING,
        "person": {
            **MAPPING["person"],
            "name": {"columns": ["name"], "transform": "name", "person_only": ["X"]},
        },
    }
    with pytest.raises(MappingError, match="person_only fits only"):
        parse_mapping(bad)
