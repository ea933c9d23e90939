"""evaluate_linkage reads any truth layout, and counts rows rejected at import as missed."""

from io import StringIO

import numpy as np
import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from matching.evaluate import evaluate
from matching.truth import align, read_truth


def test_rejected_rows_are_missed_not_absent():
    # Person P has three records; intake rejected c2 (a birth date that does not exist).
    truth = pd.DataFrame(
        {
            "source": ["city", "ministry", "city", "city"],
            "record": ["c1", "m1", "c2", "c3"],
            "truth": ["P", "P", "P", "Q"],
            "noise": "",
        }
    )
    links = pd.DataFrame(
        {
            "source": ["city", "ministry", "city"],
            "record": ["c1", "m1", "c3"],
            "resident": [7, 7, 8],
        }
    )
    a = align(truth, links)
    assert (a.linked, a.missed) == (3, 1)
    figures = evaluate(a.predicted, a.truth)
    # P's three records make three true pairs; linkage found one, the two through c2 are missed.
    assert (figures["true_pairs"], figures["tp"], figures["fn"]) == (3, 1, 2)
    assert figures["recall"] == pytest.approx(1 / 3)
    # Dropping the rejected row (what the command did) would have reported recall 1.0.
    kept = a.predicted > 0
    assert evaluate(a.predicted[kept], a.truth[kept])["recall"] == 1.0


def test_sources_never_imported_are_left_out_and_named():
    truth = pd.DataFrame(
        {"source": ["city", "city", "facility"], "record": ["1", "2", "9"], "truth": ["P"] * 3}
    ).assign(noise="")
    links = pd.DataFrame({"source": ["city", "city"], "record": ["1", "2"], "resident": [5, 5]})
    a = align(truth, links)
    assert a.skipped_sources == ["facility"] and a.missed == 0 and len(a.truth) == 2


def test_a_truth_file_with_its_own_column_names_and_delimiter(tmp_path):
    path = tmp_path / "정답.tsv"
    path.write_text("기관\t기관ID\t사람\n시청\t A-1\tp1\n시청\tA-1\tp1\n복지부\tB-7\tp1\n", "utf-8")
    t = read_truth(path, source="기관", record="기관ID", truth="사람")
    assert t[["source", "record", "truth"]].to_numpy().tolist() == [
        ["시청", "A-1", "p1"],
        ["복지부", "B-7", "p1"],
    ]
    assert (t["noise"] == "").all()


def test_a_missing_column_is_named(tmp_path):
    path = tmp_path / "truth.csv"
    path.write_text("src,id,person\ncity,1,p\n", "utf-8")
    with pytest.raises(ValueError, match="source_record_id"):
        read_truth(path, source="src", truth="person")


@pytest.mark.django_db
def test_command_reads_another_layout_and_counts_rejected_rows(linked_db, tmp_path):
    from intake.models import SourceRecord
    from matching.actions import run_linkage

    frame, truth, keys = linked_db
    # Rows intake rejected never reach the database: three records of people with other records.
    who = truth["resident"].to_numpy()
    shared = np.flatnonzero(pd.Series(who).duplicated(keep=False))[:3]
    SourceRecord.objects.filter(
        pk__in=[keys[(frame["source"].iat[k], frame["source_key"].iat[k])] for k in shared]
    ).delete()
    run_linkage(full=True)
    other = pd.DataFrame({"agency": frame["source"], "rec": frame["source_key"], "who": who})
    path = tmp_path / "truth.txt"
    other.to_csv(path, sep=";", index=False)
    out = StringIO()
    call_command(
        "evaluate_linkage",
        truth=path,
        source_column="agency",
        record_column="rec",
        truth_column="who",
        stdout=out,
    )
    text = out.getvalue()
    assert f"not linked (rejected at import; counted as missed) {3}" in text
    assert f"truth records {len(frame.drop_duplicates(['source', 'source_key'])):,}" in text
    with pytest.raises(CommandError, match="who"):
        call_command("evaluate_linkage", truth=path, stdout=StringIO())
