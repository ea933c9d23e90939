"""The documented noise rates hold on 50 k residents (each against where it can apply)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from seoulgen.noise import NOISE_DEFAULTS, VARIANTS

IDENTITY_KINDS = (
    "typo",
    "space",
    "variant",
    "romanised",
    "date_swap",
    "moved",
    "phone_changed",
    "phone_missing",
    "masked_rrn",
    "duplicate_id",
    "lunar",
    "syllable_swap",
    "rrn_slip",
    "latin_script",
)


def _has(noise: pd.Series, kind: str) -> pd.Series:
    return noise.str.split(";").apply(lambda parts: kind in parts)


def _two_syllables(names: pd.Series) -> pd.Series:
    """Korean names whose given name is two different syllables (a compound surname takes 2)."""
    from seoulgen.names import COMPOUND_SURNAMES

    given = names.str[1:].where(~names.str[:2].isin(list(COMPOUND_SURNAMES)), names.str[2:])
    return (given.str.len() == 2) & (given.str[0] != given.str[1])


def _within(measured: float, rate: float, n: int) -> bool:
    return abs(measured - rate) <= 4 * np.sqrt(rate * (1 - rate) / max(n, 1)) + 0.003


@pytest.mark.slow
def test_each_source_carries_its_documented_rates(big_world) -> None:
    residents = big_world.truth("residents").set_index("resident_id")
    records = big_world.truth("records")
    checked = 0
    for source, rates in NOISE_DEFAULTS.items():
        rows = records[records["source"] == source]
        repeated = _has(rows["noise"], "repeated_row")
        if "repeated_row" in rates:
            assert _within(
                repeated.sum() / (~repeated).sum(), rates["repeated_row"], int((~repeated).sum())
            ), source
        rows = rows[~repeated]
        if "dong_missing" in rates:
            got = _has(rows["noise"], "dong_missing")
            assert _within(got.mean(), rates["dong_missing"], len(rows)), source
        ident = rows.drop_duplicates("source_record_id").reset_index(drop=True)
        truth = residents.loc[ident["resident_id"]].reset_index()
        foreign = truth["is_foreigner"] == "True"
        birth = pd.to_datetime(truth["birth_date"])
        romanised = _has(ident["noise"], "romanised")
        applies = {
            "typo": pd.Series(True, index=ident.index),
            "space": ~foreign & ~romanised,
            "variant": ~foreign & truth["name"].str[0].isin(list(VARIANTS)),
            "romanised": ~foreign,
            "date_swap": (birth.dt.day <= 12) & (birth.dt.day != birth.dt.month),
            "moved": truth["moved"] == "True",
            "phone_changed": truth["phone"] != "",
            "phone_missing": truth["phone"] != "",
            "masked_rrn": pd.Series(True, index=ident.index),
            "duplicate_id": ~_has(ident["noise"], "duplicate_id"),
            # Born before 1960; the few whose lunar date is no calendar date (2월 30일, a leap
            # month) cannot carry it, which the tolerance absorbs.
            "lunar": ~_has(ident["noise"], "date_swap") & (birth.dt.year < 1960),
            "syllable_swap": ~foreign & _two_syllables(truth["name"]),
            "rrn_slip": ~_has(ident["noise"], "masked_rrn"),
            "latin_script": foreign,
        }
        for kind in IDENTITY_KINDS:
            got = _has(ident["noise"], kind)
            rate = rates.get(kind, 0.0)
            if kind == "duplicate_id":
                n = int(applies[kind].sum())
                measured = got.sum() / n
            else:
                n = int(applies[kind].sum())
                measured = got[applies[kind]].mean() if n else 0.0
                assert not (got & ~applies[kind]).any(), (source, kind)
            assert _within(measured, rate, n), (source, kind, measured, rate, n)
            checked += 1
    assert checked == 4 * len(IDENTITY_KINDS)
