"""The normalisers are idempotent: a normalised value normalises to itself (Hypothesis)."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from intake import normalize as nz

HANGUL = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
LATIN = st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz -'.")
NAMES = st.lists(
    st.text(alphabet=st.one_of(HANGUL, LATIN, st.sampled_from(" \t\u3000")), max_size=12),
    min_size=1,
    max_size=20,
)
ANY_TEXT = st.lists(st.text(max_size=20), min_size=1, max_size=20)
DIGITS = st.text(alphabet="0123456789-*xX ", max_size=16)


def _series(values):
    return pd.Series(values, dtype="str")


@settings(max_examples=200, deadline=None)
@given(NAMES)
def test_names_normalise_idempotently(values):
    once, _ = nz.name(_series(values))
    twice, _ = nz.name(once)
    assert once.tolist() == twice.tolist()
    assert not once.str.contains("  ").any()


@settings(max_examples=200, deadline=None)
@given(ANY_TEXT)
def test_text_normalises_idempotently(values):
    once = nz.text(_series(values))
    assert nz.text(once).tolist() == once.tolist()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="0123456789- ()+", max_size=16), min_size=1, max_size=20))
def test_phones_normalise_idempotently(values):
    once, _ = nz.phone(_series(values))
    twice, bad = nz.phone(once)
    assert once.tolist() == twice.tolist()
    assert not bad.any()


@settings(max_examples=200, deadline=None)
@given(st.lists(DIGITS, min_size=1, max_size=20))
def test_rrns_canonicalise_idempotently(values):
    once = nz.rrn_canonical(_series(values))
    assert nz.rrn_canonical(once).tolist() == once.tolist()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.dates(min_value=date(1000, 1, 1)), min_size=1, max_size=20))
def test_dates_read_back_as_themselves(values):
    text = _series([d.strftime("%Y%m%d") for d in values])
    once, bad = nz.dates(text, ["%Y%m%d"])
    again, _ = nz.dates(_series(once.dt.strftime("%Y%m%d").tolist()), ["%Y%m%d"])
    assert not bad.any()
    assert once.tolist() == again.tolist()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet="0123456789,원 -", max_size=12), min_size=1, max_size=20))
def test_integers_normalise_idempotently(values):
    once, _ = nz.integer(_series(values))
    text = once.astype("str").where(once.notna(), "")
    twice, bad = nz.integer(_series(text.tolist()))
    assert once.tolist() == twice.tolist()
    assert not bad.any()


def test_hangul_names_lose_inner_spaces_and_romanised_names_are_upper_cased():
    out, bad = nz.name(_series([" 김 영숙 ", "Lee  Young-hee", "이\u3000영희", "=1+1"]))
    assert out.tolist() == ["김영숙", "LEE YOUNG-HEE", "이영희", "=1+1"]
    assert bad.tolist() == [False, False, False, True]


def test_a_masked_rrn_is_not_an_error_and_a_checksum_failure_is_not_either():
    parsed = nz.rrn(_series(["850101-1******", "8501011234567", "851301-1234567", ""]))
    assert parsed.bad.tolist() == [False, False, True, False]
    assert parsed.digits.tolist() == ["", "8501011234567", "", ""]
    assert parsed.masked.tolist() == ["850101-1******", "850101-1******", "", ""]
    assert parsed.sex.tolist()[:2] == ["M", "M"]


_RRN_LIKE = st.one_of(
    DIGITS,
    st.from_regex(r"\A[0-9]{2}(0[0-9]|1[0-3])[0-3][0-9]-?[0-9]([0-9]{6}|\*{6}|[xX]{6})\Z"),
    st.from_regex(r"\A ?[0-9]{6} ?- ?[0-9]{7}\u3000?\Z"),
)


def _one_rrn(value: str) -> tuple[str, str, date | None, str, bool]:
    """The rule of DOMAIN.md §6 for one value: (digits, masked, birth date, sex, bad)."""
    clean = re.sub("[ \t\r\n\x0b\x0c\xa0\u3000]", "", value)
    if not re.fullmatch(r"[0-9]{6}-?[0-9]([0-9]{6}|[*xX]{6})", clean):
        return "", "", None, "", clean != ""
    compact = clean.replace("-", "")
    century = {"9": 1800, "0": 1800, "1": 1900, "2": 1900, "5": 1900, "6": 1900}.get(
        compact[6], 2000
    )
    try:
        born = date(century + int(compact[:2]), int(compact[2:4]), int(compact[4:6]))
    except ValueError:
        return "", "", None, "", True
    digits = compact if compact[7:].isdigit() else ""
    sex = "M" if int(compact[6]) % 2 else "F"
    return digits, f"{compact[:6]}-{compact[6]}******", born, sex, False


@settings(max_examples=300, deadline=None)
@given(st.lists(_RRN_LIKE, min_size=1, max_size=30))
def test_rrns_parse_as_the_rule_says(values):
    parsed = nz.rrn(_series(values))
    got = list(
        zip(
            parsed.digits,
            parsed.masked,
            [None if pd.isna(b) else b.date() for b in parsed.birth_date],
            parsed.sex,
            parsed.bad.tolist(),
            strict=True,
        )
    )
    assert got == [_one_rrn(v) for v in values]
