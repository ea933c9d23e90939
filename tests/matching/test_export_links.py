"""export_links: record links leave the system only for a named user, with a reason, logged."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from bigcare.models import AccessLog
from intake.actions import grant_source
from tests.cases.factories import ResidentFactory, link_records


@pytest.fixture
def links(personas):
    person = ResidentFactory(home_centre=personas.centre_a)
    records = link_records(person, 2, with_benefits=False)  # one city, one ministry record
    grant_source(personas.data_admin, records[1].source, acting_user=None)
    return person, records


@pytest.mark.parametrize("args", [[], ["--user", "data_admin"], ["--reason", "quarterly check"]])
def test_the_export_needs_a_user_and_a_reason(links, args):
    with pytest.raises(CommandError):
        call_command("export_links", *args, stdout=io.StringIO())
    assert not AccessLog.objects.exists()


def test_a_blank_reason_or_an_unknown_user_is_refused(links):
    with pytest.raises(CommandError):
        call_command("export_links", "--user", "data_admin", "--reason", "  ")
    with pytest.raises(CommandError):
        call_command("export_links", "--user", "nobody", "--reason", "quarterly check")
    assert not AccessLog.objects.exists()


def test_the_export_is_logged_and_holds_the_users_sources_only(links, capsys):
    person, (ministry_record, city_record) = links
    call_command("export_links", "--user", "data_admin", "--reason", "quarterly linkage check")
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "source,source_record_id,resident_id",
        f"{city_record.source.code},{city_record.source_key},{person.pk}",
    ]
    entry = AccessLog.objects.get()
    assert (entry.action, entry.username, entry.reason) == (
        "export",
        "data_admin",
        "quarterly linkage check",
    )
    assert list(entry.subjects.values_list("resident_id", flat=True)) == [person.pk]
