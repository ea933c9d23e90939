"""evaluate_screening on a hand-made DB and truth folder: the figures are what they must be."""

from datetime import date

import pytest
from django.core.management import call_command

from cases.rules import load_rules
from cases.screening import run_screening
from intake.models import SourceRecord
from tests.cases.screening_world import ON, ministry_run, person

pytestmark = pytest.mark.django_db


def write_truth(folder, records, blind):
    (folder / "truth").mkdir()
    (folder / "truth" / "records.csv").write_text(
        "source,source_record_id,row_number,resident_id,noise\n"
        + "".join(f"ministry,{k},{i + 1},{t},\n" for i, (k, t) in enumerate(records))
    )
    (folder / "truth" / "blind_spots.csv").write_text(
        "resident_id,programme,known\n" + "".join(f"{t},{p},{k}\n" for t, p, k in blind)
    )


def test_recall_and_precision_are_printed(personas, tmp_path, capsys):
    load_rules()
    run = ministry_run()
    person(personas.centre_a, run=run, key="M1", income=800_000)  # truth 1: B01 B02 B03
    person(personas.centre_a, run=run, key="M2", income=1_200_000)  # truth 2: B02? no: B03 only
    person(personas.centre_a, run=run, key="M3", income=100_000, receives=("B01", "B02", "B03"))
    person(personas.centre_a, run=run, key="M4", birth=date(1950, 1, 1), income=5_000_000)
    run_screening(ON)
    assert SourceRecord.objects.count() == 4
    write_truth(
        tmp_path,
        [("M1", 1), ("M2", 2), ("M3", 3), ("M4", 4)],
        [
            (1, "B01", True),
            (1, "B02", True),
            (1, "B03", True),
            (2, "B03", True),
            (9, "B01", False),  # a person no source knows: counts in recall over all only
        ],
    )
    call_command("evaluate_screening", truth=str(tmp_path))
    out = capsys.readouterr().out
    # Predicted blind spots: resident 1 B01 B02 B03; resident 2 B02? 1.2 M > 1,025,695 → no;
    # B03 (1,230,834) yes. So 4 predicted, 4 correct; truth 5, known 4.
    assert "recall (known residents): 1.0000  (4/4)" in out
    assert "recall (all residents):   0.8000  (4/5)" in out
    assert "precision:                1.0000  (4/4)" in out


def test_a_false_blind_spot_lowers_precision(personas, tmp_path, capsys):
    load_rules()
    person(personas.centre_a, key="M1", income=800_000)
    run_screening(ON)
    write_truth(tmp_path, [("M1", 1)], [(1, "B01", True)])
    call_command("evaluate_screening", truth=str(tmp_path))
    out = capsys.readouterr().out
    assert "precision:                0.3333  (1/3)" in out  # B02 and B03 are not in the truth
