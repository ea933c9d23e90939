import pandas as pd
import pytest

from matching.normalize import fold_latin, name_forms, split_hangul


@pytest.mark.parametrize(
    "name",
    [
        "이영희",
        "리영희",
        "Lee Young-hee",
        "YI YOUNGHEE",
        "Younghee Rhee",
        "LEE YOUNG HEE",
        "Lee Yeonghui",
    ],
)
def test_every_spelling_of_lee_young_hee_meets_on_one_key(name):
    assert name_forms(pd.Series([name]))["rom"].iloc[0] == "i yonghi"


@pytest.mark.parametrize(
    "a, b",
    [
        ("유정훈", "류정훈"),
        ("임수진", "림수진"),
        ("나영수", "라영수"),
        ("노민호", "로민호"),
        ("양지은", "량지은"),
    ],
)
def test_initial_sound_variants_fold_to_one_jamo_form(a, b):
    f = name_forms(pd.Series([a, b]))
    assert f["jamo"].iloc[0] == f["jamo"].iloc[1]


@pytest.mark.parametrize(
    "a, b",
    [
        ("박철수", "Chulsoo Park"),
        ("최은정", "CHOE EUNJEONG"),
        ("정성훈", "Seonghun Chung"),
        ("남궁민", "NAMGOONG MIN"),
        ("장영호", "Youngho Chang"),
        ("한민정", "HAN MIN JUNG"),
        ("윤서연", "YUN SEOYEON"),
        ("신동욱", "Sin Dong-wook"),
    ],
)
def test_romanised_names_meet_their_hangul(a, b):
    f = name_forms(pd.Series([a, b]))
    assert f["rom"].iloc[0] == f["rom"].iloc[1]


def test_compound_surnames_take_two_syllables():
    assert split_hangul("황보민") == ("황보", "민")
    assert split_hangul("김영숙") == ("김", "영숙")


def test_vowel_and_consonant_folding():
    assert fold_latin("Kyung") == fold_latin("gyeong")
    assert fold_latin("Soo") == fold_latin("su")
    assert fold_latin("Hee") == fold_latin("hui")
