"""A file loaded in parts (validation of one overlapping the COPY of the last) loads exactly what
it loads in one piece: the same records, hashes, items, rejections and reasons."""

from __future__ import annotations

import pytest

from intake import imports
from intake.models import CrisisSignal, Enrollment, RejectedRow, SourceRecord
from tests.intake.conftest import SOURCE_FILES, import_file


def _loaded(source) -> dict:
    return {
        "records": sorted(
            SourceRecord.objects.filter(source=source).values_list(
                "source_key",
                "version",
                "status",
                "content_hash",
                "name",
                "birth_date",
                "sex",
                "phone",
                "rrn_index",
                "rrn_masked",
                "address",
                "dong_code",
                "household_size",
                "recognised_income",
                "disability",
                "row_number",
                "raw",
            )
        ),
        "enrollments": sorted(
            Enrollment.objects.filter(record__source=source).values_list(
                "row_number",
                "record__source_key",
                "programme__code",
                "active",
                "start",
                "end",
                "monthly_amount",
            )
        ),
        "signals": sorted(
            CrisisSignal.objects.filter(record__source=source).values_list(
                "row_number",
                "record__source_key",
                "indicator__code",
                "round",
                "observed_on",
                "months",
                "amount",
            )
        ),
        "rejected": sorted(
            (r, str(raw), tuple(reasons))
            for r, raw, reasons in RejectedRow.objects.filter(run__source=source).values_list(
                "row_number", "raw", "reasons"
            )
        ),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("workers", [0, 2], ids=["thread", "processes"])
@pytest.mark.parametrize("code", sorted(SOURCE_FILES))
def test_parts_load_what_one_piece_loads(code, workers, sources, synthetic, monkeypatch, settings):
    from intake.actions import define_source, read_mapping_file
    from tests.intake.conftest import MAPPINGS

    settings.INTAKE_WORKERS = workers

    path = synthetic / SOURCE_FILES[code]
    whole = import_file(sources[code], path)
    definition = read_mapping_file(MAPPINGS / f"{code}.toml")
    definition["code"] = f"{code}-parts"
    parted_source, _ = define_source(definition)
    # A dozen parts or more, so many keys (and their repeated rows) have rows far apart in
    # the file and in different places of their part.
    monkeypatch.setattr(imports, "ROWS_PER_PART", max(3, whole.rows_in // 12))
    parted = import_file(parted_source, path)

    assert parted.status == whole.status == "done"
    assert (parted.rows_in, parted.accepted, parted.rejected, parted.records_added) == (
        whole.rows_in,
        whole.accepted,
        whole.rejected,
        whole.records_added,
    )
    assert parted.rows_in == parted.accepted + parted.rejected
    assert parted.columns == whole.columns
    assert _loaded(parted_source) == _loaded(sources[code])


@pytest.mark.django_db
def test_a_second_extract_in_parts_adds_versions_only_for_changes(
    sources, synthetic, monkeypatch, tmp_path
):
    """The version diff is per key, so parts see the same current versions as one piece."""
    monkeypatch.setattr(imports, "ROWS_PER_PART", 29)
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


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["write", "stage"])
def test_a_failure_in_a_later_part_leaves_nothing(where, sources, synthetic, monkeypatch, settings):
    """Parts are not commits: a part failing after others were COPYed rolls all of them back,
    whether the COPY (write) or the staging of a part (stage, here in a thread) fails."""
    from intake import load as loader
    from intake import staging

    settings.INTAKE_WORKERS = 0  # a patched function does not reach a worker process
    monkeypatch.setattr(imports, "ROWS_PER_PART", 23)
    module = loader if where == "write" else staging
    real = getattr(module, where)
    calls = []

    def failing_on_the_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("the disk is full")
        return real(*args, **kwargs)

    monkeypatch.setattr(module, where, failing_on_the_third)
    with pytest.raises(RuntimeError):
        import_file(sources["city"], synthetic / SOURCE_FILES["city"])
    run = sources["city"].runs.get()
    assert run.status == "failed" and "the disk is full" in run.error
    # It stops there: the only later part begun is the one that was staged ahead.
    assert 3 <= len(calls) <= 4
    assert SourceRecord.objects.count() == Enrollment.objects.count() == 0
    assert RejectedRow.objects.count() == 0


@pytest.mark.django_db
def test_a_staging_worker_killed_mid_import_leaves_nothing(
    sources, synthetic, monkeypatch, settings
):
    """A worker process that dies (the kernel's OOM killer, an operator) fails the run, and
    the parts already COPYed go with the transaction."""
    import os
    import signal

    from intake import load as loader
    from intake import staging

    settings.INTAKE_WORKERS = 2
    monkeypatch.setattr(imports, "ROWS_PER_PART", 23)
    pools = []
    real_executor, real_write = staging.executor, loader.write

    def kept(*args, **kwargs):
        pools.append(real_executor(*args, **kwargs))
        return pools[-1]

    def killing_on_the_second(*args, **kwargs):
        if len(written) == 1:
            for process in list(pools[0]._processes.values()):
                os.kill(process.pid, signal.SIGKILL)
        written.append(1)
        return real_write(*args, **kwargs)

    written: list[int] = []
    monkeypatch.setattr(staging, "executor", kept)
    monkeypatch.setattr(loader, "write", killing_on_the_second)
    with pytest.raises(Exception, match="terminated abruptly"):
        import_file(sources["city"], synthetic / SOURCE_FILES["city"])
    run = sources["city"].runs.get()
    assert run.status == "failed" and "BrokenProcessPool" in run.error
    assert len(written) >= 2  # parts were COPYed before the pool broke
    assert SourceRecord.objects.count() == Enrollment.objects.count() == 0
    assert RejectedRow.objects.count() == 0
