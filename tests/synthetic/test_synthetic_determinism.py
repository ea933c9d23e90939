from __future__ import annotations

from pathlib import Path

import pandas as pd

from seoulgen.generate import generate


def _files(root: Path) -> dict[str, bytes]:
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return {str(p.relative_to(root)): p.read_bytes() for p in files}


def test_the_same_seed_writes_byte_identical_files(tmp_path: Path) -> None:
    generate(1500, seed=3, out_dir=tmp_path / "a")
    generate(1500, seed=3, out_dir=tmp_path / "b")
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert "ministry_benefits.xlsx" in a
    assert a == b


def test_the_same_seed_writes_byte_identical_csv_above_the_xlsx_limit(tmp_path: Path) -> None:
    generate(1500, seed=3, out_dir=tmp_path / "a", ministry_format="csv")
    generate(1500, seed=3, out_dir=tmp_path / "b", ministry_format="csv")
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


def test_another_seed_writes_other_files(tmp_path: Path) -> None:
    generate(1500, seed=3, out_dir=tmp_path / "a")
    generate(1500, seed=4, out_dir=tmp_path / "b")
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert a.keys() == b.keys()
    for name in ("city_welfare.csv", "facility_services.jsonl", "truth/residents.csv"):
        assert a[name] != b[name], name


def test_residents_can_be_kept_inside_chosen_districts(tmp_path: Path) -> None:
    generate(300, 7, tmp_path, districts=["11110"])
    residents = pd.read_csv(tmp_path / "truth" / "residents.csv", dtype=str)
    assert residents["dong_code"].str.startswith("11110").all()
