"""A small synthetic Seoul through the real imports and linkage: the city's next full extract
retires exactly who the truth says disappeared, rollback brings them back, and evaluate_reach
prints the household grouping against the true households."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from django.core.management import call_command

from intake.actions import rollback_run
from intake.models import RecordStatus, Retirement, SourceRecord
from matching.actions import run_linkage

from .conftest import SOURCE_FILES, import_file

pytestmark = pytest.mark.django_db


def test_the_next_city_extract_retires_who_disappeared_and_rollback_undoes_it(
    sources, centres, synthetic, capsys
):
    for code, name in SOURCE_FILES.items():
        import_file(sources[code], synthetic / name)
    run_linkage(full=True)

    call_command("evaluate_reach", "--data", str(synthetic))
    out = capsys.readouterr().out
    found = dict(re.findall(r"by (dwelling[^:]*):.*F1 ([0-9.]+)", out))
    assert float(found["dwelling and 가구번호"]) > float(found["dwelling (baseline)"]) > 0.5

    gone = pd.read_csv(synthetic / "truth" / "disappeared.csv", dtype=str)
    nxt = import_file(sources["city"], synthetic / "city_welfare_next.csv")
    retired = set(Retirement.objects.filter(run=nxt).values_list("record__source_key", flat=True))
    assert retired == set(gone["source_record_id"]) and nxt.retired == len(gone)
    assert not SourceRecord.objects.filter(
        source=sources["city"], source_key__in=retired, status=RecordStatus.CURRENT
    ).exists()
    rollback_run(nxt, None)
    assert SourceRecord.objects.filter(
        source=sources["city"], source_key__in=retired, status=RecordStatus.CURRENT
    ).count() == len(retired)
