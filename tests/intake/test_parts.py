"""A file loaded in parts (validation of one overlapping the COPY of the last) loads exactly what
it loads in one piece: the same records, hashes, items, rejections and reasons."""

from __future__ import annotations

import pytest

from intake import imports
from intake.models import CrisisSignal, Enrollment, RejectedRow, SourceRecord
from tests.intake.conftest import SOURCE_FILES, import_file


def _loaded(source) -> dict:
    return {
        "records": sorted(SourceRecord.objects.filter(source=source).values_list(
            "source_key", "version", "status", "content_hash", "name", "birth_date", "sex",
            "phone", "rrn_index", "rrn_masked", "address", "dong_code", "household_size",
            "recognised_income", "disability", "row_number", "raw")),
        "enrollments": sorted(Enrollment.objects.filter(record__source=source).values_list(
            "row_number", "record__source_key", "programme__code", "active", "start", "end",
            "monthly_amount")),
        "signals": sorted(CrisisSignal.objects.filter(record__source=source).values_list(
            "row_number", "record__source_key", "indicator__code", "round", "observed_on",
            "months", "amount")),
        "rejected": sorted((r, str(raw), tuple(reasons)) for r, raw, reasons in
                           RejectedRow.objects.filter(run__source=source).values_list(
                               "row_number", "raw", "reasons")),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("code", sorted(SOURCE_FILES))
def test_parts_load_what_one_piece_loads(code, sources, synthetic, monkeypatch):
    from intake.actions import define_source, read_mapping_file
    from tests.intake.conftest import MAPPINGS

    path = synthetic / SOURCE_FILES[code]
    whole = import_file(sources[code], path)
    definition = read_mapping_file(MAPPINGS / f"{code}.toml")
    definition["code"] = f"{code}-parts"
    parted_source, _ = define_source(definition)
    # A few hundred rows per part: thousands of rows become a dozen parts or more, and many
    # keys (and their repeated rows) have rows far apart in the file.
    monkeypatch.setattr(imports, "ROWS_PER_PART", 211)
    parted = import_file(parted_source, path)

    assert parted.status == whole.status == "done"
    assert (parted.rows_in, parted.accepted, parted.rejected, parted.records_added) == (
        whole.rows_in, whole.accepted, whole.rejected, whole.records_added)
    assert parted.rows_in == parted.accepted + parted.rejected
    assert parted.columns == whole.columns
    assert _loaded(parted_source) == _loaded(sources[code])


@pytest.mark.django_db
def test_a_second_extract_in_parts_adds_versions_only_for_changes(sources, synthetic,
                                                                   monkeypatch, tmp_path):
    """The version diff is per key, so parts see the same current versions as one piece."""
    monkeypatch.setattr(imports, "ROWS_PER_PART", 173)
    path = synthetic / SOURCE_FILES["city"]
    first = import_file(sources["city"], path)
    text = path.read_bytes()
    second_path = tmp_path / "city_second.csv"
    # The same extract plus one blank line at the end: a different file, the same content.
    second_path.write_bytes(text + b"\r\n")
    second = import_file(sources["city"], second_path)
    assert first.status == second.status == "done"
    assert second.records_added == 0
    assert SourceRecord.objects.filter(source=sources["city"], version=2).count() == 0
