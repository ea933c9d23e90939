"""Source records in the database from a small generated Seoul, as intake would load them."""

from __future__ import annotations

from pathlib import Path

import pytest

from matching.frames import FILE_TRUST, records_from_sources


@pytest.fixture(scope="session")
def small_sources(tmp_path_factory) -> Path:
    from seoulgen.generate import generate

    out = tmp_path_factory.mktemp("sources")
    generate(1500, 5, out)
    return out


def load_records(frame, sources=FILE_TRUST) -> dict:
    """Bulk-create the DataSources ``sources`` (those not there yet), one ImportRun each and the
    SourceRecords of ``frame`` (whose records all belong to ``sources``)."""
    from intake.models import DataSource, ImportRun, SourceRecord

    runs = {}
    for code in sources:
        src, _ = DataSource.objects.get_or_create(
            code=code,
            defaults={"name": code, "kind": code, "file_format": "csv", "trust": FILE_TRUST[code]},
        )
        runs[code] = ImportRun.objects.create(
            source=src, sha256=code * 4 + str(ImportRun.objects.count()), filename=code
        )
    objs = [
        SourceRecord(
            source=runs[r.source].source,
            run=runs[r.source],
            row_number=k + 1,
            source_key=r.source_key,
            content_hash="x",
            name=r.name,
            birth_date=None
            if r.birth_date is None or str(r.birth_date) == "NaT"
            else r.birth_date.date(),
            sex=r.sex,
            phone=r.phone,
            rrn_index=r.rrn_index,
            rrn_masked=r.rrn_masked,
            address=r.address,
            dong_code=r.dong_code,
        )
        for k, r in enumerate(frame.itertuples())
    ]
    made = SourceRecord.objects.bulk_create(objs, batch_size=2000)
    return {(o.source.code, o.source_key): o.pk for o in made}


@pytest.fixture
def linked_db(db, small_sources):
    frame, truth = records_from_sources(small_sources)
    keys = load_records(frame)
    return frame, truth, keys
