"""Importing the four synthetic sources gives exactly the truth's records, once."""

from __future__ import annotations

import shutil
from collections import Counter

import pandas as pd
import pytest

from intake.models import (
    CrisisSignal,
    Enrollment,
    ImportRun,
    RejectedRow,
    RunStatus,
    SourceRecord,
)
from tests.intake.conftest import SOURCE_FILES, import_file


def _snapshot() -> dict:
    return {
        "counts": [
            m.objects.count()
            for m in (ImportRun, SourceRecord, Enrollment, CrisisSignal, RejectedRow)
        ],
        "records": sorted(
            SourceRecord.objects.values_list(
                "source__code",
                "source_key",
                "version",
                "status",
                "content_hash",
                "name",
                "birth_date",
                "sex",
                "phone",
                "rrn_enc",
                "rrn_index",
                "rrn_masked",
                "address",
                "dong_code",
                "household_size",
                "recognised_income",
                "disability",
                "row_number",
            )
        ),
        "enrollments": sorted(
            Enrollment.objects.values_list(
                "record__source_key", "programme__code", "active", "start", "end", "monthly_amount"
            )
        ),
        "signals": sorted(
            CrisisSignal.objects.values_list(
                "record__source_key", "indicator__code", "round", "observed_on", "months", "amount"
            )
        ),
    }


def _accepted_keys(run: ImportRun) -> Counter:
    """Source key of every accepted row: the record's key for each of its items (or itself)."""
    items = list(
        Enrollment.objects.filter(record__run=run).values_list("row_number", "record__source_key")
    )
    items += list(
        CrisisSignal.objects.filter(record__run=run).values_list("row_number", "record__source_key")
    )
    return Counter(key for _, key in items)


def _person_only_rows(path) -> set[int]:
    read = pd.read_excel if path.suffix == ".xlsx" else pd.read_csv
    codes = read(path, dtype=str)["급여코드"]
    return {i + 1 for i in range(len(codes)) if codes.iloc[i] == "A00"}


def _verbatim_repeats(path, source: str) -> int:
    if source == "facility":
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        return len(lines) - len(set(lines))
    if path.suffix == ".xlsx":
        frame = pd.read_excel(path, dtype=str)
    else:
        frame = pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            encoding="cp949" if source == "city" else "utf-8-sig",
        )
    return int(frame.duplicated().sum())


@pytest.mark.slow
def test_the_four_sources_import_as_the_truth_says(sources, synthetic):
    truth = pd.read_csv(synthetic / "truth" / "records.csv", dtype=str, keep_default_na=False)
    for code, name in SOURCE_FILES.items():
        path = synthetic / name
        if not path.exists():  # large sets ship the ministry as CSV
            path = synthetic / "ministry_benefits.csv"
        run = import_file(sources[code], path)
        assert run.status == RunStatus.DONE, run.error
        assert run.rows_in == run.accepted + run.rejected
        rows = truth[truth["source"] == code]
        assert run.rows_in == len(rows)
        # Only verbatim copies are repeats; every rejected row is one and says which row, and
        # every other row is accepted under the truth's source_record_id.
        assert run.rejected == _verbatim_repeats(path, code)
        rejected = dict(RejectedRow.objects.filter(run=run).values_list("row_number", "reasons"))
        assert all(len(r) == 1 and r[0].startswith("repeats row ") for r in rejected.values())
        by_row = dict(zip(rows["row_number"].astype(int), rows["source_record_id"], strict=True))
        for row, reasons in rejected.items():
            assert by_row[int(reasons[0].split()[-1])] == by_row[row]
        # Ministry rows coded A00 are income investigations: accepted, their person kept, no item.
        person_only = _person_only_rows(path) if code == "ministry" else set()
        expected = Counter(
            key for row, key in by_row.items() if row not in rejected and row not in person_only
        )
        assert _accepted_keys(run) == expected
        # One record per source key, each as the truth's source_record_id.
        keys = set(SourceRecord.objects.filter(run=run).values_list("source_key", flat=True))
        assert keys == set(rows["source_record_id"])


@pytest.mark.parametrize("code", ["city", "crisis"])
def test_the_truths_repeated_rows_are_verbatim(synthetic, code):
    _assert_repeats_are_verbatim(synthetic, code)


def test_the_facility_truths_repeated_rows_are_verbatim(synthetic):
    _assert_repeats_are_verbatim(synthetic, "facility")


def _assert_repeats_are_verbatim(synthetic, code):
    truth = pd.read_csv(synthetic / "truth" / "records.csv", dtype=str, keep_default_na=False)
    rows = truth[truth["source"] == code]
    assert _verbatim_repeats(synthetic / SOURCE_FILES[code], code) == int(
        rows["noise"].str.contains("repeated_row").sum()
    )


@pytest.mark.slow
def test_importing_the_same_files_again_changes_nothing(sources, synthetic, tmp_path):
    for code, name in SOURCE_FILES.items():
        if (synthetic / name).exists():
            import_file(sources[code], synthetic / name)
    before = _snapshot()
    for code, name in SOURCE_FILES.items():
        if not (synthetic / name).exists():
            continue
        copy = tmp_path / f"again_{name}"  # another name, the same bytes: the same run
        shutil.copyfile(synthetic / name, copy)
        run = import_file(sources[code], copy)
        assert run.status == RunStatus.DONE
    assert _snapshot() == before
