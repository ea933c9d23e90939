import pandas as pd

from intake.models import SourceRecord
from matching.actions import run_linkage
from matching.models import LinkageModel, RecordLink
from tests.matching.conftest import load_records


def partition() -> dict[int, int]:
    return dict(RecordLink.objects.values_list("record_id", "resident_id"))


def test_incremental_gives_the_residents_a_full_rebuild_gives(db, small_sources):
    from matching.frames import records_from_sources

    frame, _ = records_from_sources(small_sources)
    cut = len(frame) - 200
    load_records(frame.iloc[:cut])
    run_linkage(full=True)
    # The delta arrives in a later import: same sources, new records.
    from intake.models import DataSource, ImportRun

    later = frame.iloc[cut:]
    runs = {s.code: ImportRun.objects.create(source=s, sha256="later" + s.code, filename="l")
            for s in DataSource.objects.all()}
    SourceRecord.objects.bulk_create([SourceRecord(
        source=runs[r.source].source, run=runs[r.source], row_number=1, source_key=r.source_key,
        content_hash="x", name=r.name,
        birth_date=None if pd.isna(r.birth_date) else r.birth_date.date(), sex=r.sex,
        phone=r.phone, rrn_index=r.rrn_index, rrn_masked=r.rrn_masked, address=r.address,
        dong_code=r.dong_code) for r in later.itertuples()])
    incremental = run_linkage(full=False)
    assert not incremental.full and incremental.records == len(frame)
    after_delta = partition()
    models = LinkageModel.objects.count()
    run_linkage(full=True, retrain=False)
    assert LinkageModel.objects.count() == models
    assert partition() == after_delta  # same records, same resident ids
