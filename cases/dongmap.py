"""Seoul's administrative dongs as SVG paths, drawn on the server (issue 6 §4: no CDN, no JS).

Longitude and latitude are projected simply (equirectangular, x scaled by cos of Seoul's
latitude), which at the city's scale is indistinguishable from a proper projection. The path
strings are computed once per process and cached: the GeoJSON never changes while running.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

GEOJSON = Path(__file__).resolve().parent.parent / "fixtures" / "seoul_admin_dongs.geojson"
ATTRIBUTION = (
    "본 데이터는 통계청 통계지리정보서비스(SGIS)에서 공공누리 제1유형으로 개방한 행정동 "
    "경계를 가공한 것이며(가공: vuski/admdongkor), CC BY 4.0으로 배포됩니다."
)
WIDTH = 640
# Five sequential blues (ColorBrewer "Blues"), light to dark; grey for no figure.
SHADES = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"]
NO_DATA = "#e5e5e5"


@lru_cache(maxsize=1)
def dong_paths() -> tuple[dict[str, tuple[str, str]], int]:
    """dong code → (SVG path, Korean name), and the drawing's height for ``WIDTH``."""
    features = json.loads(GEOJSON.read_text(encoding="utf-8"))["features"]
    rings = []
    for f in features:
        if f["properties"].get("status", "current") != "current":
            continue
        geom = f["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        rings.append(
            (
                f["properties"]["adm_cd2"],
                f["properties"]["dong_name_ko"],
                [ring for poly in polys for ring in poly],
            )
        )
    lons = [p[0] for _, _, rs in rings for r in rs for p in r]
    lats = [p[1] for _, _, rs in rings for r in rs for p in r]
    k = math.cos(math.radians((min(lats) + max(lats)) / 2))
    scale = WIDTH / ((max(lons) - min(lons)) * k)
    height = int((max(lats) - min(lats)) * scale) + 1
    x0, y0 = min(lons), max(lats)
    out = {}
    for code, name, rs in rings:
        parts = []
        for ring in rs:
            pts = " ".join(
                f"{(lon - x0) * k * scale:.1f},{(y0 - lat) * scale:.1f}" for lon, lat in ring
            )
            parts.append(f"M{pts}Z")
        out[code] = ("".join(parts), name)
    return out, height


def shaded(values: dict[str, float]) -> tuple[list[dict], int, list[tuple[str, str]]]:
    """Each dong with its fill for ``values`` (dong code → figure; missing = no data), quintile
    classes over the dongs that have a figure, and the legend."""
    paths, height = dong_paths()
    present = sorted(v for v in values.values() if v is not None)
    cuts = [present[int(len(present) * q / 5)] for q in range(1, 5)] if present else []
    dongs = []
    for code, (d, name) in paths.items():
        v = values.get(code)
        fill = NO_DATA if v is None else SHADES[sum(v > c for c in cuts)]
        dongs.append({"code": code, "d": d, "name": name, "value": v, "fill": fill})
    legend = []
    bounds = [present[0]] + cuts + [present[-1]] if present else []
    for i in range(len(bounds) - 1):
        legend.append((SHADES[i], f"{bounds[i]:g}–{bounds[i + 1]:g}"))
    return dongs, height, legend
