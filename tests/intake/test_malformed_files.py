"""Every malformed file gives a typed error or rejected rows with reasons, never a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from intake.models import RejectedRow, RunStatus, SourceRecord
from tests.intake.conftest import import_file

CORPUS = Path(__file__).resolve().parent / "malformed"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))


def test_the_corpus_has_at_least_thirty_files():
    assert len(EXPECTED) >= 30
    assert all((CORPUS / name).exists() for name in EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_malformed_file_is_handled(sources, name):
    expect = EXPECTED[name]
    run = import_file(sources[expect["source"]], CORPUS / name)

    assert run.status == expect["status"], run.error
    assert run.rows_in == run.accepted + run.rejected
    if run.status == RunStatus.FAILED:
        assert run.error_code == expect["error_code"], run.error
        assert run.error
        assert not SourceRecord.objects.filter(run=run).exists()  # nothing half-loaded
        return
    assert run.rejected == expect["rejected"]
    rejected = list(RejectedRow.objects.filter(run=run))
    assert len(rejected) == run.rejected
    assert all(r.reasons for r in rejected)
    if "reason" in expect:
        assert all(expect["reason"] in r.reasons for r in rejected)
    if "reasons_at_least" in expect:
        assert len(rejected[0].reasons) >= expect["reasons_at_least"]
