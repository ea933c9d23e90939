"""Intake fixtures: reference data, the four sources from their shipped mappings, and helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake.actions import define_source, read_mapping_file
from intake.imports import run_import, start_import
from intake.models import DataSource, ImportRun
from intake.reference import load_reference

MAPPINGS = Path(__file__).resolve().parents[2] / "intake" / "mappings"
SOURCE_FILES = {
    "city": "city_welfare.csv",
    "ministry": "ministry_benefits.xlsx",
    "facility": "facility_services.jsonl",
    "crisis": "crisis_round.csv",
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def sources(db) -> dict[str, DataSource]:
    load_reference()
    return {
        code: define_source(read_mapping_file(MAPPINGS / f"{code}.toml"))[0]
        for code in SOURCE_FILES
    }


@pytest.fixture
def no_linkage(monkeypatch):
    """The link that follows an import (matching's, tested there) is not run."""
    from intake.signals import records_changed

    monkeypatch.setattr(records_changed, "receivers", [])


def import_file(source: DataSource, path: Path, user=None) -> ImportRun:
    """Start and run an import in this process, as import_source does."""
    run = start_import(source, path, user=user, dispatch=False)
    return run_import(run.pk)


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory) -> Path:
    """2,000 synthetic residents and their four source files, generated once per session."""
    from seoulgen import generate

    out = tmp_path_factory.mktemp("synthetic")
    generate(2000, 11, out)
    return out


@pytest.fixture
def manager(personas, sources, client):
    """The data administrator, granted the city source only, signed in."""
    from intake.actions import grant_source

    grant_source(personas.data_admin, sources["city"], acting_user=None)
    client.force_login(personas.data_admin)
    return personas.data_admin


def city_file(tmp_path: Path, *rows: str, name: str = "city.csv") -> Path:
    from tests.intake.malformed.make_corpus import city

    path = tmp_path / name
    path.write_bytes(city(*rows).encode("cp949"))
    return path
