"""Generated worlds shared by the synthetic-source tests (generated once per session)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from seoulgen.generate import DEFAULT_DONGS_CSV, generate


class World:
    """One generated directory with lazy readers for its files."""

    def __init__(self, out: Path, manifest: dict) -> None:
        self.out = out
        self.manifest = manifest

    def truth(self, name: str) -> pd.DataFrame:
        return pd.read_csv(self.out / "truth" / f"{name}.csv", dtype=str, keep_default_na=False)

    def city(self) -> pd.DataFrame:
        return pd.read_csv(
            self.out / "city_welfare.csv", encoding="cp949", dtype=str, keep_default_na=False
        )

    def ministry(self) -> pd.DataFrame:
        name = self.manifest["files"]["ministry"]
        if name.endswith(".xlsx"):
            return pd.read_excel(self.out / name, dtype=str, keep_default_na=False)
        return pd.read_csv(self.out / name, dtype=str, keep_default_na=False)

    def facility(self) -> pd.DataFrame:
        return pd.read_json(self.out / "facility_services.jsonl", lines=True, dtype=False)

    def crisis(self) -> pd.DataFrame:
        return pd.read_csv(
            self.out / "crisis_round.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False
        )


@pytest.fixture(scope="session")
def small_world(tmp_path_factory: pytest.TempPathFactory) -> World:
    out = tmp_path_factory.mktemp("small")
    return World(out, generate(4000, seed=11, out_dir=out, dongs_csv=DEFAULT_DONGS_CSV))


@pytest.fixture(scope="session")
def big_world(tmp_path_factory: pytest.TempPathFactory) -> World:
    out = tmp_path_factory.mktemp("big")
    return World(out, generate(50_000, seed=5, out_dir=out, dongs_csv=DEFAULT_DONGS_CSV))
