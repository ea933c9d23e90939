"""Write a synthetic Seoul: the four source extracts and the truth behind them."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from . import lifeevents, noise, sources
from .addresses import load_dongs
from .buildingdb import FILE_NAME as BUILDING_DB_FILE
from .buildingdb import write_building_db
from .formats import REFERENCE_DATE, date_strings
from .people import make_population

GENERATOR_VERSION = "1.0"
XLSX_MAX_RESIDENTS = 20_000
DEFAULT_DONGS_CSV = Path(__file__).resolve().parents[1] / "fixtures" / "seoul_admin_dongs.csv"


def generate(
    n_residents: int,
    seed: int,
    out_dir: Path,
    dongs_csv: Path = DEFAULT_DONGS_CSV,
    ministry_format: str = "auto",
    rates: dict[str, dict[str, float]] | None = None,
    progress: Callable[[str], None] | None = None,
    districts: list[str] | None = None,
) -> dict:
    """Generate ``n_residents`` residents and their source records; return the manifest.

    The same ``seed`` gives byte-identical files. ``districts`` (MOIS 구 codes such as
    ``"11110"``) keeps every resident inside those districts. ``rates`` overrides
    :data:`seoulgen.noise.NOISE_DEFAULTS` per source and defect.
    """
    if ministry_format not in ("auto", "csv", "xlsx"):
        raise ValueError(f"ministry_format must be auto, csv or xlsx, not {ministry_format!r}")
    started = time.perf_counter()

    def stage(text: str) -> None:
        if progress:
            progress(f"{time.perf_counter() - started:7.1f}s  {text}")

    noise_rates = {src: dict(v) for src, v in noise.NOISE_DEFAULTS.items()}
    for src, v in (rates or {}).items():
        noise_rates.setdefault(src, {}).update(v)
    out_dir = Path(out_dir)
    (out_dir / "truth").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)

    dongs = load_dongs(Path(dongs_csv))
    if districts:
        # A demo wants a few busy centres rather than all of Seoul thinly.
        dongs = dongs[dongs["gu_code"].isin(districts)].reset_index(drop=True)
        if dongs.empty:
            raise ValueError(f"no dongs in districts {', '.join(districts)}")
    residents, households = make_population(rng, n_residents, dongs)
    world = sources.World(residents, households, dongs)
    stage(f"{n_residents:,} residents in {len(households):,} households")
    enrolled = sources.enrol(rng, world)
    stage("enrolments drawn")

    files: dict[str, str] = {}
    counts: dict[str, int] = {}
    truth_parts = []

    def account(
        source: str, file_name: str, b: sources.Built, frame: pd.DataFrame, record_id: np.ndarray
    ) -> None:
        files[source] = file_name
        counts[source] = len(frame)
        truth_parts.append(
            pd.DataFrame(
                {
                    "source": source,
                    "source_record_id": record_id,
                    "row_number": np.arange(1, len(frame) + 1),
                    "resident_id": residents["resident_id"].to_numpy()[
                        b.ident["resident"].to_numpy()[b.rows["ident"].to_numpy()]
                    ],
                    "noise": b.record_noise,
                }
            )
        )

    events = lifeevents.draw_events(
        seed,
        len(residents),
        enrolled["ministry"]["resident"].to_numpy(),
        enrolled["city"]["resident"].to_numpy(),
    )
    hh_of = residents["hh"].to_numpy()

    def row_residents(b: sources.Built) -> np.ndarray:
        return b.ident["resident"].to_numpy()[b.rows["ident"].to_numpy()]

    # City: one row per person × city service, CP949 with CRLF as the city's system writes it.
    b = sources.build(rng, world, enrolled["city"], ["resident"], noise_rates["city"], "SC", 8)
    frame = sources.verbatim_repeats(sources.city_frame(rng, world, b), b)
    who = row_residents(b)
    frame["가구번호"] = lifeevents.household_numbers(
        "SH", hh_of[who], lifeevents.city_blanks(seed, len(frame))
    )
    frame["전출일자"] = lifeevents.event_dates(events, who, "moved_out", ".")
    frame.to_csv(out_dir / "city_welfare.csv", index=False, encoding="cp949", lineterminator="\r\n")
    account("city", "city_welfare.csv", b, frame, frame["관리번호"].to_numpy())
    stage(f"city_welfare.csv: {len(frame):,} rows")
    # The city's next full extract: who died, moved out or left its services is not in it.
    nxt, disappeared = lifeevents.next_city_extract(seed, frame, who, events)
    nxt.to_csv(
        out_dir / "city_welfare_next.csv", index=False, encoding="cp949", lineterminator="\r\n"
    )
    series = {
        "file": "city_welfare_next.csv",
        "rows": len(nxt),
        "people_gone": len(disappeared),
    }
    pd.DataFrame(
        {
            "source": "city",
            "source_record_id": disappeared["source_record_id"].to_numpy(),
            "resident_id": residents["resident_id"].to_numpy()[disappeared["resident"]],
            "why": disappeared["why"].to_numpy(),
        }
    ).to_csv(out_dir / "truth" / "disappeared.csv", index=False)
    stage(f"city_welfare_next.csv: {len(nxt):,} rows, {len(disappeared):,} people gone")

    b = sources.build(
        rng, world, enrolled["ministry"], ["resident"], noise_rates["ministry"], "M", 9
    )
    frame = sources.verbatim_repeats(sources.ministry_frame(rng, world, b), b)
    who = row_residents(b)
    frame["가구번호"] = lifeevents.household_numbers("MH", hh_of[who])
    frame["사망일자"] = lifeevents.event_dates(events, who, "deceased", "")
    use_xlsx = ministry_format == "xlsx" or (
        ministry_format == "auto" and n_residents <= XLSX_MAX_RESIDENTS
    )
    if use_xlsx:
        name = "ministry_benefits.xlsx"
        sources.write_xlsx(frame, out_dir / name)
    else:
        name = "ministry_benefits.csv"
        frame.to_csv(out_dir / name, index=False, encoding="utf-8")
    account("ministry", name, b, frame, frame["수급자번호"].to_numpy())
    stage(f"{name}: {len(frame):,} rows")

    fac = sources.facilities(rng, world)
    rows = enrolled["facility"]
    movers = households["moved"].to_numpy()[residents["hh"].to_numpy()]
    seen_old = movers & (rng.random(len(residents)) < noise_rates["facility"].get("moved", 0.0))
    rows["moved_seen"] = seen_old[rows["resident"].to_numpy()]
    rows["fidx"] = sources.assign_facility(world, fac, rows, rows["moved_seen"].to_numpy())
    b = sources.build(
        rng, world, rows, ["resident", "fidx", "moved_seen"], noise_rates["facility"], "X", 8
    )
    # Client numbers count up inside each facility, in the order the person-ids were drawn.
    order = pd.Series(b.person_id).str[1:].astype(np.int64).to_numpy()
    ranked = b.ident.assign(_o=order).sort_values(["fidx", "_o"], kind="stable")
    ranked["client_no"] = ranked.groupby("fidx").cumcount() + 1
    b.ident["client_no"] = ranked["client_no"].sort_index().to_numpy()
    frame = sources.verbatim_repeats(sources.facility_frame(rng, world, b, fac), b)
    text = frame.to_json(orient="records", lines=True, force_ascii=False)
    (out_dir / "facility_services.jsonl").write_bytes(text.replace("\\/", "/").encode("utf-8"))
    account("facility", "facility_services.jsonl", b, frame, frame["client_id"].to_numpy())
    stage(f"facility_services.jsonl: {len(frame):,} rows")

    b = sources.build(
        rng, world, enrolled["crisis"], ["resident"], noise_rates["crisis"], "D202605-", 6
    )
    frame = sources.verbatim_repeats(sources.crisis_frame(rng, world, b), b)
    frame.to_csv(out_dir / "crisis_round.csv", index=False, encoding="utf-8-sig")
    account("crisis", "crisis_round.csv", b, frame, frame["대상자번호"].to_numpy())
    stage(f"crisis_round.csv: {len(frame):,} rows")

    # The official building DB's layout, covering most (not all) buildings (issue 13 item 5).
    table = write_building_db(rng, households, world.dongs, out_dir / BUILDING_DB_FILE)
    files["building_db"] = BUILDING_DB_FILE
    stage(f"{BUILDING_DB_FILE}: {int(table['in_db'].sum()):,} of {len(table):,} buildings")

    truth = out_dir / "truth"
    records = pd.concat(truth_parts, ignore_index=True)
    records.to_csv(truth / "records.csv", index=False)
    truth_res = residents[
        [
            "resident_id",
            "name",
            "latin_name",
            "rrn",
            "birth_date",
            "sex",
            "phone",
            "household_id",
            "dong_code",
            "address",
            "previous_address",
            "moved",
            "disability",
            "is_foreigner",
        ]
    ].copy()
    truth_res["birth_date"] = date_strings(residents["birth_date"].to_numpy(), "-")
    truth_res["life_event"] = events["life_event"].to_numpy()
    truth_res["life_event_on"] = events["life_event_on"].dt.strftime("%Y-%m-%d").fillna("")
    truth_res.to_csv(truth / "residents.csv", index=False)
    households[
        ["household_id", "size", "recognised_income", "dong_code", "address", "is_couple_65"]
    ].to_csv(truth / "households.csv", index=False)
    blind = enrolled["blind_spots"]
    blind = pd.DataFrame(
        {
            "resident_id": residents["resident_id"].to_numpy()[blind["resident"].to_numpy()],
            "programme": blind["programme"].to_numpy(),
        }
    ).sort_values(["resident_id", "programme"], kind="stable")
    # The dead and those who moved out of Seoul are nobody's blind spot.
    blind = blind[
        ~blind["resident_id"].isin(truth_res.loc[events["life_event"] != "", "resident_id"])
    ]
    # A resident no source mentions is invisible to Big Care; evaluations report both figures.
    blind["known"] = blind["resident_id"].isin(records["resident_id"].unique())
    blind.to_csv(truth / "blind_spots.csv", index=False)
    stage("truth written")

    manifest = {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "residents": n_residents,
        "households": len(households),
        "reference_date": str(REFERENCE_DATE),
        "files": files,
        "counts": counts,
        "records_total": int(sum(counts.values())),
        "blind_spots": int(len(blind)),
        "noise_rates": noise_rates,
        "next_city_extract": series,
        "life_events": {
            k: int(v) for k, v in events["life_event"].value_counts().items() if k != ""
        },
    }
    (truth / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return manifest
