"""Does every resident reach a caseworker? Figures against the synthetic truth (issue 13).

``python manage.py evaluate_reach --data DIR`` prints them; each figure is a function here so a
section (households, life events) can be added beside them.

- **home centre**: the share of active residents with a home centre, and the share of those
  whose centre is the true one (the true current dong of the truth person most of the
  resident's records belong to);
- **blind spots reaching a report**: the share of planted blind spots (of residents some source
  knows) that the latest screening found on a resident with a centre: on some centre's report;
- the same with the building DB withheld: home centres re-derived from current records with
  votes (and street neighbours of voted buildings) only, as a deployment without the DB would
  place them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cases.evaluate import PLANTED, resident_map
from cases.screening import _t, read_frame
from intake.models import DataSource, SourceRecord
from matching import cluster, gazetteer, places
from matching.address import address_keys
from matching.frames import read_frame as read_values
from matching.frames import records_from_db
from matching.models import RecordLink, Resident
from matching.normalize import normalize


@dataclass
class Reach:
    residents: int
    with_centre: int
    right: int
    blind_spots: int  # planted, of residents some source knows
    reported: int  # of those, found by screening on a resident with a centre
    screened: int  # of those, found by screening at all (the ceiling for ``reported``)
    knowable: int = 0  # placed residents some record of which shows their true dong

    def lines(self, title: str) -> list[str]:
        def share(a: int, b: int) -> str:
            return f"{a / b:.2%} ({a:,}/{b:,})" if b else "n/a"

        return [
            f"{title}",
            f"  residents with a home centre:        {share(self.with_centre, self.residents)}",
            f"  of those, the true centre:           {share(self.right, self.with_centre)}",
            f"    (ceiling: some record shows it:    {share(self.knowable, self.with_centre)})",
            f"  blind spots on some centre's report: {share(self.reported, self.blind_spots)}",
            f"    (found by screening at all:        {share(self.screened, self.blind_spots)})",
        ]


def true_dongs(data: Path, codes: dict[str, str] | None = None) -> pd.Series:
    """True current dong code per Big Care resident id: the dong of the truth person most of
    its current records belong to."""
    codes = codes or {}
    records = pd.read_csv(
        data / "truth" / "records.csv",
        usecols=["source", "source_record_id", "resident_id"],
        dtype=str,
    )
    records["source"] = records["source"].map(lambda s: codes.get(s, s))
    records = records.drop_duplicates(["source", "source_record_id"])
    linked = read_frame(
        f"SELECT s.code, r.source_key, l.resident_id FROM {_t(RecordLink)} l "  # noqa: S608
        f"JOIN {_t(SourceRecord)} r ON r.id = l.record_id "
        f"JOIN {_t(DataSource)} s ON s.id = r.source_id WHERE r.status = %s",
        ["source", "source_record_id", "resident"],
        ["current"],
    )
    both = records.merge(linked, on=["source", "source_record_id"])
    both["resident"] = both["resident"].astype("int64")
    owner = (
        both.groupby(["resident", "resident_id"])
        .size()
        .rename("n")
        .reset_index()
        .sort_values(["resident", "n", "resident_id"], ascending=[True, False, True])
        .drop_duplicates("resident")
        .set_index("resident")["resident_id"]
    )
    people = pd.read_csv(
        data / "truth" / "residents.csv", usecols=["resident_id", "dong_code"], dtype=str
    ).set_index("resident_id")["dong_code"]
    return owner.map(people).fillna("")


def _blind_spots(
    data: Path, with_centre: set[int], codes: dict[str, str] | None
) -> tuple[int, int, int]:
    """(planted blind spots of known residents, those found on a resident in ``with_centre``,
    those found at all)."""
    from cases.models import ScreeningResult, ScreeningRun

    truth = pd.read_csv(data / "truth" / "blind_spots.csv", dtype={"resident_id": str})
    truth = truth[truth["programme"].isin(PLANTED)].drop_duplicates(["resident_id", "programme"])
    truth = truth[truth["known"].astype(str).str.lower().isin(["true", "1"])]
    run = ScreeningRun.latest()
    if run is None:
        return len(truth), 0, 0
    predicted = read_frame(
        f"SELECT resident_id, programme FROM {_t(ScreeningResult)} "  # noqa: S608
        f"WHERE run_id = %s AND receiving = %s",
        ["resident", "programme"],
        [run.pk, False],
    )
    predicted["resident"] = predicted["resident"].astype("int64")
    pairs = resident_map(data, codes)

    def found(pred: pd.DataFrame) -> int:
        hit = pred.merge(pairs, on="resident")[["resident_id", "programme"]].drop_duplicates()
        return len(hit.merge(truth, on=["resident_id", "programme"]))

    placed = predicted[predicted["resident"].isin(with_centre)]
    return len(truth), found(placed), found(predicted)


def _record_dongs(origins: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Every current record's resident and the dong its own address resolves to (its own code,
    else the gazetteer's, of ``origins`` or all), with the golden fields' inputs."""
    records = records_from_db()
    links = read_values(
        RecordLink.objects.filter(record__status="current", resident__active=True).values_list(
            "record_id", "resident_id"
        ),
        ["rid", "resident"],
        dtype={"rid": np.int64, "resident": np.int64},
    )
    owner = pd.Series(links["resident"].to_numpy(), index=links["rid"].to_numpy())
    resident = records["rid"].map(owner)
    records = records[resident.notna().to_numpy()].reset_index(drop=True)
    records["resident"] = resident.dropna().astype("int64").to_numpy()
    table = places.table()
    if origins is not None:
        table = table[table["origin"].isin(origins)]
    records.attrs["table"] = table
    keys = address_keys(records["address"].fillna("").astype(str))["building_key"].to_numpy()
    gz, _origin = gazetteer.resolve(keys, table)
    own = records["dong_code"].fillna("").astype(str).to_numpy()
    records["place"] = np.where(own != "", own, gz)
    return records


def _score(
    centre_dong: pd.Series, truth: pd.Series, data: Path, codes, records: pd.DataFrame
) -> Reach:
    """``centre_dong``: the dong code of each active resident's centre ("" for none)."""
    placed = centre_dong[centre_dong != ""]
    true = truth.reindex(placed.index).fillna("")
    right = int((placed == true).sum())
    shown = records.assign(true=records["resident"].map(truth))
    shown = set(shown.loc[shown["place"] == shown["true"], "resident"].tolist())
    knowable = int(placed.index.isin(list(shown)).sum())
    n_bs, reported, screened = _blind_spots(data, set(placed.index.tolist()), codes)
    return Reach(len(centre_dong), len(placed), right, n_bs, reported, screened, knowable)


def stored_reach(data: Path, codes: dict[str, str] | None = None) -> Reach:
    """The figures for home centres as linkage stored them (what caseworkers see)."""
    from bigcare.models import CommunityCentre

    frame = read_frame(
        f"SELECT r.id, COALESCE(c.code, '') FROM {_t(Resident)} r "  # noqa: S608
        f"LEFT JOIN {_t(CommunityCentre)} c ON c.id = r.home_centre_id WHERE r.active = %s",
        ["id", "code"],
        [True],
    )
    centre = pd.Series(frame["code"].fillna("").to_numpy(), index=frame["id"].astype("int64"))
    return _score(centre, true_dongs(data, codes), data, codes, _record_dongs())


def rederived_reach(
    data: Path, origins: tuple[str, ...] = ("votes",), codes: dict[str, str] | None = None
) -> Reach:
    """The figures for home centres re-derived from current records with only the gazetteer
    rows of ``origins`` (``("votes",)``: the building DB withheld), by linkage's own rules."""
    records = _record_dongs(origins)
    gold = cluster.golden(records, normalize(records), records["resident"].to_numpy())
    keys = address_keys(gold["address"].astype(str))["building_key"].to_numpy()
    dong, _how = gazetteer.home_dongs(
        keys, gold["own_dong"].to_numpy(), gold["other_dong"].to_numpy(), records.attrs["table"]
    )
    has_centre = ~pd.isna(places.centre_ids(dong))
    centre = pd.Series(np.where(has_centre, dong, ""), index=gold.index.astype("int64"))
    return _score(centre, true_dongs(data, codes), data, codes, records)
