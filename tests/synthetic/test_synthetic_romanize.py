from __future__ import annotations

import numpy as np
from jamo import h2j
from rapidfuzz.distance import Levenshtein

from seoulgen import noise
from seoulgen.romanize import popular_syllables, rr_syllables


def test_revised_romanization_spells_each_syllable() -> None:
    assert rr_syllables("영숙") == ["yeong", "suk"]
    assert rr_syllables("길동") == ["gil", "dong"]
    assert rr_syllables("희") == ["hui"]
    assert rr_syllables("철수") == ["cheol", "su"]
    assert rr_syllables("빛") == ["bit"]


def test_popular_spelling_uses_the_passport_habit() -> None:
    assert popular_syllables("영희") == ["young", "hee"]
    assert popular_syllables("뽀") == ["ppo"]


def test_romanised_names_take_known_surname_spellings() -> None:
    rng = np.random.default_rng(0)
    names = np.array(["이영희"] * 400, dtype=object)
    out = noise.romanise_names(rng, names, np.ones(400, dtype=int))
    surnames = {
        w.upper() for name in out for w in name.split() if w.upper() in {"LEE", "YI", "RHEE", "RI"}
    }
    assert surnames == {"LEE", "YI", "RHEE", "RI"}
    assert "Lee Young-hee" in set(out)
    assert "LEE YOUNG HEE" in set(out)


def test_a_typo_changes_exactly_one_jamo() -> None:
    rng = np.random.default_rng(1)
    names = np.array(["김민준", "박서연", "남궁민", "이영숙"] * 50, dtype=object)
    sl = np.array([1, 1, 2, 1] * 50)
    out = noise.jamo_typos(rng, names, sl)
    for before, after, k in zip(names, out, sl, strict=True):
        assert after[:k] == before[:k], "the surname is kept"
        assert Levenshtein.distance(h2j(before), h2j(after)) == 1, (before, after)


def test_variants_swap_the_initial_sound_forms() -> None:
    out = noise.variant_surnames(np.array(["이영희", "류정민", "임꺽정"], dtype=object))
    assert out.tolist() == ["리영희", "유정민", "림꺽정"]
