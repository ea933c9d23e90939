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
import pyarrow as pa
import pyarrow.compute as pc

from matching.normalize import (
    _COMMON_SURNAMES,
    _LEADS,
    _TAILS,
    _VOWELS,
    COMPOUND_SURNAMES,
    _categorical,
)

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
    """:func:`skeleton` over a column, in Arrow's string kernels (no Python loop per name)."""
    s = pc.utf8_lower(pa.array(latin.fillna("").astype(str).to_numpy(object), pa.string()))
    s = pc.replace_substring_regex(s, "[^a-z]", "")
    for a, b in _PAIRS:
        s = pc.replace_substring(s, a, b)
    for a, b in zip("vfzxqcgdl", "bpjskkktr", strict=True):
        s = pc.replace_substring(s, a, b)
    s = pc.replace_substring_regex(s, "[why]", "")
    s = pc.replace_substring_regex(s, "[aeiou]+", "a")
    # RE2 has no back-references: one pass per letter the fold leaves.
    for c in "abjkmnprst":
        s = pc.replace_substring_regex(s, f"{c}{c}+", c)
    s = pc.replace_substring_regex(s, "^a", "")
    return pd.Series(s.to_numpy(zero_copy_only=False), index=latin.index, dtype=object)


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


def _foreign_hangul(compact: pa.Array) -> np.ndarray:
    """:func:`is_foreign_hangul` over an Arrow column of spaceless Hangul names."""
    length = pc.utf8_length(compact).to_numpy(zero_copy_only=False)
    two = pc.utf8_slice_codeunits(compact, 0, 2)
    one = pc.utf8_slice_codeunits(compact, 0, 1)
    compound = (length >= 3) & pc.is_in(two, pa.array(sorted(COMPOUND_SURNAMES))).to_numpy(
        zero_copy_only=False
    )
    surname = pc.is_in(one, pa.array(sorted(KOREAN_SURNAMES))).to_numpy(zero_copy_only=False)
    given_len = length - np.where(compound, 2, 1)
    marked = pc.match_substring_regex(compact, _MARKS.pattern).to_numpy(zero_copy_only=False)
    return (~compound & ~surname) | (given_len >= 3) | marked


def foreign_forms(names: pd.Series) -> pd.DataFrame:
    """Per record: ``foreign`` (a foreign Hangul name) and ``skel`` (the skeleton of every
    Latin name and of foreign Hangul names; missing otherwise), once per distinct name."""
    codes, uniq = pd.factorize(names.fillna("").astype(str), sort=False)
    arrow = pc.utf8_trim_whitespace(
        pc.utf8_normalize(pa.array(np.asarray(uniq, dtype=object), pa.string()), "NFC")
    )
    text = pd.Series(arrow.to_numpy(zero_copy_only=False), dtype=object)
    hangul = pc.match_substring_regex(arrow, "[가-힣]").to_numpy(zero_copy_only=False)
    compact_a = pc.replace_substring_regex(arrow, "[^가-힣]", "")
    compact = pd.Series(compact_a.to_numpy(zero_copy_only=False), dtype=object)
    foreign = hangul & _foreign_hangul(compact_a)
    skel = np.full(len(uniq), "", dtype=object)
    # Only Latin names and foreign Hangul ones get a skeleton.
    sounds = [hangul_sound(compact.iat[k]) for k in np.flatnonzero(foreign)]
    skel[foreign] = skeletons(pd.Series(sounds, dtype=object)).to_numpy(object)
    latin = ~hangul & (text != "").to_numpy(bool)
    skel[latin] = skeletons(text[latin]).to_numpy(object)
    return pd.DataFrame(
        {
            "foreign": foreign[codes] if len(codes) else np.empty(0, dtype=bool),
            "skel": _categorical(skel, codes),
        }
    )
