"""Reference code lists (programmes, crisis indicators, dongs) as data, and their lookups."""

from __future__ import annotations

import tomllib
from pathlib import Path

from django.conf import settings
from django.db import transaction

from bigcare.models import CommunityCentre
from intake.models import CrisisIndicator, Programme
from intake.normalize import dong_name_key
from intake.pipeline import Reference

REFERENCE_FILE = Path(__file__).with_name("reference.toml")
DONGS_CSV = Path(settings.BASE_DIR) / "fixtures" / "seoul_admin_dongs.csv"


@transaction.atomic
def load_reference(path: Path = REFERENCE_FILE) -> tuple[int, int]:
    """Upsert programmes and crisis indicators by code; idempotent. Returns their counts."""
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    for row in data.get("programme", []):
        Programme.objects.update_or_create(
            code=row["code"],
            defaults={k: row[k] for k in ("name_ko", "name_en", "agency")},
        )
    for row in data.get("indicator", []):
        CrisisIndicator.objects.update_or_create(
            code=row["code"],
            defaults={k: row.get(k) for k in ("label_ko", "label_en", "agency", "added", "retired")}
            | {"agency": row.get("agency", "")},
        )
    return len(data.get("programme", [])), len(data.get("indicator", []))


def _dongs() -> list[tuple[str, str, str]]:
    """(code, district, dong) from the centres table, or from the fixture before it is loaded."""
    rows = list(CommunityCentre.objects.values_list("code", "district__name_ko", "name_ko"))
    if rows:
        return rows
    import pandas as pd

    frame = pd.read_csv(DONGS_CSV, dtype=str)
    return list(frame[["dong_code", "gu_name_ko", "dong_name_ko"]].itertuples(index=False))


def reference() -> Reference:
    """Everything a mapping resolves codes against: four queries, whatever the file's size."""
    import pandas as pd

    dongs = _dongs()
    keys = dong_name_key(pd.Series([d[2] for d in dongs], dtype="str"))
    names: dict[tuple[str, str], str] = {}
    for (code, gu, _), key in zip(dongs, keys, strict=True):
        names[(gu, key)] = code
    return Reference(
        programmes=dict(Programme.objects.values_list("code", "id")),
        indicators=dict(CrisisIndicator.objects.values_list("code", "id")),
        dong_codes=frozenset(d[0] for d in dongs),
        dong_names=names,
    )
