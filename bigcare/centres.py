"""Loading Seoul's districts and community centres from the reference CSV in ``fixtures/``."""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction
from korean_romanizer.romanizer import Romanizer

from bigcare.models import CommunityCentre, District

DONGS_CSV = Path(settings.BASE_DIR) / "fixtures" / "seoul_admin_dongs.csv"
_NUMBERED = re.compile(r"^(.*?)([\d·.]+)$")


def english_dong_name(name_ko: str) -> str:
    """청운효자동 → Cheongunhyoja-dong, 상일1동 → Sangil 1-dong (Revised Romanization).

    The romaniser does not apply every sound change (종로 → Jongro, not Jongno); the Korean name
    and the code are authoritative, the English name is a reading aid.
    """
    stem = name_ko.removesuffix("동")
    match = _NUMBERED.match(stem)
    base, number = (match.group(1), match.group(2)) if match else (stem, "")
    roman = Romanizer(base).romanize().capitalize()
    return f"{roman} {number}-dong" if number else f"{roman}-dong"


@transaction.atomic
def load_centres(path: Path = DONGS_CSV) -> tuple[int, int]:
    """Create or refresh every district and centre from the CSV; safe to run again."""
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    districts = {
        r["gu_code"]: District(
            code=r["gu_code"],
            code_kostat=r["gu_code_kostat"],
            name_ko=r["gu_name_ko"],
            name_en=r["gu_name_en"],
        )
        for r in rows
    }
    District.objects.bulk_create(
        districts.values(),
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["code_kostat", "name_ko", "name_en"],
    )
    district_ids = dict(District.objects.values_list("code", "pk"))
    centres = [
        CommunityCentre(
            code=r["dong_code"],
            code8=r["dong_code8"],
            district_id=district_ids[r["gu_code"]],
            name_ko=r["dong_name_ko"],
            name_en=english_dong_name(r["dong_name_ko"]),
            lat=float(r["lat"]),
            lon=float(r["lon"]),
            area_km2=float(r["area_km2"]) if r["area_km2"] else None,
            valid_from=date(2000, 1, 1),
        )
        for r in rows
    ]
    CommunityCentre.objects.bulk_create(
        centres,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["code8", "district", "name_ko", "name_en", "lat", "lon", "area_km2"],
    )
    return len(districts), len(centres)
