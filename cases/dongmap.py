"""Seoul's administrative dongs as SVG paths, drawn on the server (issue 6 §4: no CDN, no JS).

The supervisor sees the district or centres they oversee first: the drawing's viewBox is the box
around those dongs, neighbours drawn around them in grey, the rest of Seoul left out. Each
supervised dong is a link that opens its figures below the map, so a tap on a tablet shows the
numbers that a mouse's hover title alone would hide.

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


Box = tuple[float, float, float, float]  # min x, min y, max x, max y in drawing units


@lru_cache(maxsize=1)
def dong_paths() -> tuple[dict[str, tuple[str, str, Box]], int]:
    """dong code → (SVG path, Korean name, bounding box), and the drawing's height."""
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
        parts, xs, ys = [], [], []
        for ring in rs:
            xy = [((lon - x0) * k * scale, (y0 - lat) * scale) for lon, lat in ring]
            xs += [x for x, _ in xy]
            ys += [y for _, y in xy]
            parts.append("M" + " ".join(f"{x:.1f},{y:.1f}" for x, y in xy) + "Z")
        out[code] = ("".join(parts), name, (min(xs), min(ys), max(xs), max(ys)))
    return out, height


def focus_box(codes, margin: float = 0.08) -> Box | None:
    """The box around the given dongs (a supervisor's centres), widened by ``margin`` of its
    size so that the neighbouring dongs frame it; None when none of them is on the map."""
    paths, _ = dong_paths()
    boxes = [paths[c][2] for c in codes if c in paths]
    if not boxes:
        return None
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    pad = max(x1 - x0, y1 - y0, 1.0) * margin
    return (x0 - pad, y0 - pad, x1 + pad, y1 + pad)


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def shaded(
    values: dict[str, float], focus: Box | None = None
) -> tuple[list[dict], str, list[tuple[str, str]]]:
    """The dongs inside ``focus`` (all of Seoul without one), each with its fill for
    ``values`` (dong code → figure; missing = no data) in quintile classes over the dongs that
    have a figure; the SVG viewBox; the legend."""
    paths, height = dong_paths()
    box = focus or (0.0, 0.0, float(WIDTH), float(height))
    present = sorted(v for v in values.values() if v is not None)
    cuts = [present[int(len(present) * q / 5)] for q in range(1, 5)] if present else []
    dongs = []
    for code, (d, name, bounds) in paths.items():
        if not _overlaps(bounds, box):
            continue
        v = values.get(code)
        fill = NO_DATA if v is None else SHADES[sum(v > c for c in cuts)]
        dongs.append({"code": code, "d": d, "name": name, "value": v, "fill": fill})
    view_box = f"{box[0]:.1f} {box[1]:.1f} {box[2] - box[0]:.1f} {box[3] - box[1]:.1f}"
    legend = []
    bounds = [present[0]] + cuts + [present[-1]] if present else []
    for i in range(len(bounds) - 1):
        lo, hi = bounds[i], bounds[i + 1]
        label = f"{lo:g}" if lo == hi else f"{lo:g}–{hi:g}"
        # Many dongs on one value (often 0) make empty classes: each label is shown once.
        if all(label != seen for _, seen in legend):
            legend.append((SHADES[i], label))
    return dongs, view_box, legend
