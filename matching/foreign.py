"""Foreign names: telling a foreign resident's name from a Korean one, and comparing it across
scripts.

Seoul's foreign residents are registered under their Latin name (``NGUYEN THI MAI``, family name
first) and written by other agencies in Hangul transcription (``응우옌티마이``, 외래어 표기법).
Korean sound rules cannot join the two (the romanisation key splits ``TRAN VAN NAM`` at a
Korean surname, ``NAM``), so such pairs are compared on a *skeleton* of how the name sounds:
both scripts are brought to Latin letters (Hangul syllable by syllable, dropping the ``eu``
that transcription inserts between consonants: 스미스 → ``smis``), consonants that Korean
transcription merges are folded (tr/ch/zh/j → j, th → t, ph/f → p, v → b, x → s, g → k,
d → t, l → r; ng → n; w, h, y dropped), vowel runs become one ``a`` and doubled letters one.
``NGUYEN THI MAI`` and ``응우옌티마이`` both give ``nantama``, ``TRAN VAN NAM`` and ``쩐반남``
``janbanam``.

A Hangul name is foreign when its first syllable is no Korean surname or its given name is
longer than three syllables. A Latin name is not classified (a romanised Korean name and a
foreign one look alike): the skeleton is compared only when its Hangul partner is foreign.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from matching.normalize import _COMMON_SURNAMES, _LEADS, _TAILS, _VOWELS, COMPOUND_SURNAMES

KOREAN_SURNAMES = (
    frozenset(_COMMON_SURNAMES) | COMPOUND_SURNAMES | frozenset("리류림라로량렴려룡뢰")
)
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_PAIRS = (
    ("tr", "j"),
    ("jj", "j"),
    ("ch", "j"),
    ("zh", "j"),
    ("ph", "p"),
    ("th", "t"),
    ("sh", "s"),
    ("kh", "k"),
    ("ng", "n"),
    ("kk", "k"),
    ("tt", "t"),
    ("pp", "p"),
    ("ss", "s"),
)
_SINGLE = str.maketrans("vfzxqcgdl", "bpjskkktr", "why")


def skeleton(latin: str) -> str:
    """How a name sounds, reduced so that its Latin spelling and its Hangul transcription (in
    Revised Romanization) meet."""
    return str(skeletons(pd.Series([latin], dtype=object)).iloc[0])


def skeletons(latin: pd.Series) -> pd.Series:
    """:func:`skeleton` over a column (pandas string methods, no Python loop per name)."""
    s = latin.str.lower().str.replace(r"[^a-z]", "", regex=True)
    for a, b in _PAIRS:
        s = s.str.replace(a, b, regex=False)
    s = s.str.translate(_SINGLE)
    s = s.str.replace(r"[aeiou]+", "a", regex=True)
    s = s.str.replace(r"(.)\1+", r"\1", regex=True)
    return s.str.replace(r"^a", "", regex=True)


def _jamo(syllable: str) -> tuple[int, int, int]:
    s = ord(syllable) - 0xAC00
    return s // 588, (s % 588) // 28, s % 28


_EU = 18  # the vowel ㅡ
_TENSE = frozenset({1, 4, 8, 10, 13})  # ㄲ ㄸ ㅃ ㅆ ㅉ


def is_foreign_hangul(name: str) -> bool:
    """A Hangul name that does not read as a Korean surname and given name: its first syllable
    is no surname, its given name is three syllables or more, or it holds what transcription
    makes and Korean names avoid: a bare ㅡ syllable (스, 트, 르: the vowel inserted between
    foreign consonants) or a tense initial (쩐, 뚜, 짱)."""
    if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES:
        given = name[2:]
    else:
        if name[:1] not in KOREAN_SURNAMES:
            return True
        given = name[1:]
    if len(given) >= 3:
        return True
    for ch in name:
        lead, vowel, tail = _jamo(ch)
        if (vowel == _EU and tail == 0) or lead in _TENSE:
            return True
    return False


def hangul_sound(name: str) -> str:
    """A transcribed name read back into Latin letters syllable by syllable, a bare ㅡ syllable
    giving its consonant alone (스미스 → ``smis``, but 득 → ``deuk``)."""
    out = []
    for ch in name:
        lead, vowel, tail = _jamo(ch)
        out.append(_LEADS[lead])
        if not (vowel == _EU and tail == 0):
            out.append(_VOWELS[vowel] + _TAILS[tail])
    return "".join(out)


# Syllables that mark a transcription (see is_foreign_hangul), as one character class: a bare
# ㅡ syllable for each initial, and every syllable of each tense initial (a contiguous block).
_MARKS = re.compile(
    "["
    + "".join(chr(0xAC00 + lead * 588 + _EU * 28) for lead in range(19))
    + "".join(f"{chr(0xAC00 + lead * 588)}-{chr(0xAC00 + lead * 588 + 587)}" for lead in _TENSE)
    + "]"
)


def _foreign_hangul(compact: pd.Series) -> np.ndarray:
    """:func:`is_foreign_hangul` over a column of spaceless Hangul names."""
    compound = (compact.str.len() >= 3) & compact.str[:2].isin(COMPOUND_SURNAMES)
    given_len = compact.str.len() - np.where(compound, 2, 1)
    no_surname = ~compound & ~compact.str[:1].isin(KOREAN_SURNAMES)
    marked = compact.str.contains(_MARKS, regex=True)
    return (no_surname | (given_len >= 3) | marked).to_numpy(bool)


def foreign_forms(names: pd.Series) -> pd.DataFrame:
    """Per record: ``foreign`` (a foreign Hangul name) and ``skel`` (the skeleton of every
    Latin name and of foreign Hangul names; missing otherwise), once per distinct name."""
    codes, uniq = pd.factorize(names.fillna("").astype(str), sort=False)
    text = pd.Series(np.asarray(uniq, dtype=object)).str.normalize("NFC").str.strip()
    hangul = text.str.contains(_HANGUL).to_numpy(bool)
    compact = text.str.replace(r"[^\uac00-\ud7a3]", "", regex=True)
    foreign = hangul & _foreign_hangul(compact)
    skel = np.full(len(uniq), "", dtype=object)
    # Only Latin names and foreign Hangul ones get a skeleton.
    sounds = [hangul_sound(compact.iat[k]) for k in np.flatnonzero(foreign)]
    skel[foreign] = skeletons(pd.Series(sounds, dtype=object)).to_numpy(object)
    latin = ~hangul & (text != "").to_numpy(bool)
    skel[latin] = skeletons(text[latin]).to_numpy(object)
    t, cats = pd.factorize(skel)
    cats = np.asarray(cats, dtype=object)
    empty = np.flatnonzero(cats == "")
    if len(empty):
        e = int(empty[0])
        t = np.where(t == e, -1, t - (t > e))
        cats = np.delete(cats, e)
    per_record = t[codes] if len(codes) else np.empty(0, dtype=np.int64)
    return pd.DataFrame(
        {
            "foreign": foreign[codes] if len(codes) else np.empty(0, dtype=bool),
            "skel": pd.Categorical.from_codes(
                per_record.astype(np.int32), categories=pd.Index(cats, dtype=object)
            ),
        }
    )
