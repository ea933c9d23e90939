"""Every malformed file gives a typed result, accounts for every row, and is never a 500.

The corpus (tests/intake/malformed/make_corpus.py) covers every trigger of issue 12 items 7, 9,
11 and 13. Each file is uploaded through the screen, as an administrator would: the upload
answers with a redirect to its run, the run is done (rows rejected or kept with warnings, as
expected) or failed with a typed error code, ``rows_in = accepted + warned + rejected``, and no
identity number is left in clear in anything stored for it.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bigcare.rrn import redact_rrns
from intake.actions import define_source, grant_source, read_mapping_file
from intake.errors import SUMMARIES
from intake.models import RejectedRow, RowWarning, RunStatus, SourceRecord
from tests.intake.conftest import MAPPINGS
from tests.intake.malformed.make_corpus import corpus

CORPUS = Path(__file__).resolve().parent / "malformed"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
FILES = corpus()


pytestmark = pytest.mark.usefixtures("no_linkage")


@pytest.fixture
def all_sources(sources, personas, client):
    """The four sources, one whose birth dates may be month-first or day-first, and an
    administrator granted them all, signed in."""
    definition = read_mapping_file(MAPPINGS / "facility.toml")
    two = copy.deepcopy(definition)
    two["code"] = "facility_two_date_formats"
    two["mapping"]["person"]["birth_date"]["formats"] = ["%m/%d/%Y", "%d/%m/%Y"]
    sources = {**sources, two["code"]: define_source(two)[0]}
    for source in sources.values():
        grant_source(personas.data_admin, source, acting_user=None)
    client.force_login(personas.data_admin)
    return sources


def test_the_corpus_has_at_least_sixty_files():
    assert len(FILES) >= 60
    assert set(EXPECTED) == set(FILES)  # expected.json is make_corpus.py's latest output


@pytest.mark.parametrize("name", sorted(FILES))
def test_a_malformed_file_gives_a_typed_result_and_loses_no_row(
    all_sources, client, django_capture_on_commit_callbacks, name
):
    data, expect = FILES[name]
    source = all_sources[expect["source"]]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("intake:upload", args=[source.pk]), {"file": SimpleUploadedFile(name, data)}
        )
    assert response.status_code == 302, response.content[:500]
    run = source.runs.get()

    assert run.status == expect["status"], run.error
    assert run.rows_in == run.accepted + run.warned + run.rejected
    page = client.get(response.url)
    assert page.status_code == 200
    if run.status == RunStatus.FAILED:
        assert run.error_code == expect["error_code"], run.error
        assert run.error_code in SUMMARIES
        assert run.error and run.error_summary
        assert not SourceRecord.objects.filter(run=run).exists()  # nothing half-loaded
        return
    assert run.rejected == expect["rejected"]
    assert run.warned == expect.get("warned", 0)
    rejected = list(RejectedRow.objects.filter(run=run))
    warned = list(RowWarning.objects.filter(run=run))
    assert len(rejected) == run.rejected and len(warned) == run.warned
    assert all(r.reasons for r in rejected) and all(w.warnings for w in warned)
    if "reason" in expect:
        assert all(expect["reason"] in r.reasons for r in rejected)
    if "reasons_at_least" in expect:
        assert len(rejected[0].reasons) >= expect["reasons_at_least"]
    stored = json.dumps(
        [[r.raw, r.reasons] for r in rejected]
        + [w.warnings for w in warned]
        + list(SourceRecord.objects.filter(run=run).values_list("raw", "name")),
        ensure_ascii=False,
    )
    assert redact_rrns(stored) == stored  # no identity number in clear, in any spelling
