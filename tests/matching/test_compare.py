import numpy as np
import pandas as pd

from matching.compare import FIELDS, compare, rrn_slip, with_derived
from matching.foreign import foreign_forms, hangul_sound, skeleton
from matching.normalize import normalize


def frame(*rows):
    cols = ["name", "birth_date", "sex", "phone", "rrn_index", "rrn_masked", "address", "dong_code"]
    f = pd.DataFrame(rows, columns=cols)
    f.insert(0, "rid", np.arange(1, len(f) + 1))
    f["birth_date"] = pd.to_datetime(f["birth_date"])
    return normalize(f)


def levels(*rows):
    forms = frame(*rows)
    return compare(forms, np.array([0]), np.array([1])).iloc[0]


def label(lv, field: str) -> str:
    """The level's name ("missing" for -1), so tests read as the comparator's words."""
    return "missing" if lv[field] < 0 else FIELDS[field][lv[field]]


BASE = (
    "김영숙",
    "1950-03-02",
    "F",
    "01012345678",
    "",
    "500302-2******",
    "서울특별시 성북구 보문로 12",
    "1129052500",
)


def test_a_jamo_typo_is_close_not_far():
    lv = levels(BASE, ("김영슥", *BASE[1:]))
    assert label(lv, "given") == "close"


def test_a_romanised_name_is_an_exact_given_name():
    lv = levels(BASE, ("Kim Young-sook", *BASE[1:]))
    assert lv["given"] == 0 and lv["surname"] == 0


def test_day_and_month_swapped_is_its_own_level():
    lv = levels(BASE, (BASE[0], "1950-02-03", *BASE[2:]))
    assert label(lv, "birth") == "day-month swap"


def test_one_field_off_in_a_birth_date():
    lv = levels(BASE, (BASE[0], "1950-07-02", *BASE[2:]))
    assert label(lv, "birth") == "one field off"


def test_a_lunar_birthday_of_1948_meets_its_solar_date():
    # 1948-03-15 by the lunar calendar is 1948-04-23 by the solar one (KARI).
    lv = levels((BASE[0], "1948-04-23", *BASE[2:]), (BASE[0], "1948-03-15", *BASE[2:]))
    assert label(lv, "birth") == "lunar"
    # A day later than the lunar reading is not "lunar": month and day both differ.
    lv = levels((BASE[0], "1948-04-24", *BASE[2:]), (BASE[0], "1948-03-15", *BASE[2:]))
    assert label(lv, "birth") == "far"


def test_one_day_off_across_a_month_end():
    lv = levels((BASE[0], "1950-02-28", *BASE[2:]), (BASE[0], "1950-03-01", *BASE[2:]))
    assert label(lv, "birth") == "one day off"


def test_a_year_digit():
    assert label(levels(BASE, (BASE[0], "1951-03-02", *BASE[2:])), "birth") == "year digit"
    assert label(levels(BASE, (BASE[0], "1960-03-02", *BASE[2:])), "birth") == "year digit"
    assert label(levels(BASE, (BASE[0], "1961-03-02", *BASE[2:])), "birth") == "one field off"


def test_a_transposed_two_syllable_given_name():
    lv = levels(BASE, ("김숙영", *BASE[1:]))
    assert label(lv, "given") == "transposed"
    # 영숙 and 영희 share a syllable but are not a transposition.
    assert label(levels(BASE, ("김영희", *BASE[1:])), "given") != "transposed"


def test_an_rrn_slip_with_the_same_birth_date_is_a_slip_not_different():
    digits = np.array([5003022123456, 5003022123456, 5003022123456, 5003022123456])
    other = np.array([5003022123457, 5003022124356, 5003022125556, 5003021123457])
    # one digit wrong; two neighbours swapped; two digits wrong; sex digit differs
    assert rrn_slip(digits, other).tolist() == [True, True, False, False]
    forms = frame(
        (*BASE[:4], "idx-a", "500302-2******", *BASE[6:]),
        (*BASE[:4], "idx-b", "500302-2******", *BASE[6:]),
        (*BASE[:4], "idx-c", "500302-2******", *BASE[6:]),
    )
    forms["rrn_digits"] = [5003022123456, 5003022123457, 5003022987654]
    lv = compare(forms, np.array([0, 0]), np.array([1, 2]))
    assert [FIELDS["rrn"][k] for k in lv["rrn"]] == ["slip", "different"]


def test_sex_comes_from_the_rrn_digit_when_the_record_has_none():
    lv = levels(BASE, (BASE[0], BASE[1], "", BASE[3], "", "500302-1******", *BASE[6:]))
    assert lv["sex"] == 1


def test_same_building_from_differently_written_addresses():
    lv = levels(BASE, (*BASE[:6], "서울 성북구 보문로 12 101동 202호", ""))
    assert lv["address"] == 0 and lv["dong"] == -1


def test_a_missing_phone_is_no_evidence():
    lv = levels(BASE, (*BASE[:3], "", *BASE[4:]))
    assert lv["phone"] == -1


def test_the_name_and_birthday_count_says_how_crowded_a_source_is():
    from matching.compare import with_combo

    other = ("김영숙", *BASE[1:3], "01099998888", *BASE[4:])
    forms = frame(BASE, BASE, other, ("김영희", *BASE[1:]))
    # Records 0 and 2 come from one source: two people of that name and birthday there.
    forms = with_combo(forms, np.array(["city", "ministry", "city", "city"]))
    lv = compare(forms, np.array([0, 0, 0]), np.array([1, 2, 3]))
    assert lv["combo"].tolist() == [1, 1, -1]  # "two in a source"; missing when names differ
    alone = with_combo(frame(BASE, BASE), np.array(["city", "ministry"]))
    assert compare(alone, np.array([0]), np.array([1]))["combo"].tolist() == [0]


def test_buildings_on_one_side_street_are_not_the_main_roads_building():
    side = levels(BASE, (*BASE[:6], "서울특별시 성북구 보문로12길 34", ""))
    assert side["address"] == 2  # same district only: 보문로12길 is not 보문로 (and 34 is not 12)
    other = levels(
        (*BASE[:6], "서울특별시 성북구 보문로12길 34", ""),
        (*BASE[:6], "서울 성북구 보문로12길 56 101호", ""),
    )
    assert other["address"] == 1  # same street, another building


def test_a_transposed_name_meets_its_romanised_spelling():
    lv = levels(BASE, ("Sook-young Kim", *BASE[1:]))
    assert label(lv, "given") == "transposed"


def _named(*names: str):
    forms = with_derived(frame(*[(n, *BASE[1:]) for n in names]), pd.Series(names))
    return compare(forms, np.zeros(len(names) - 1, dtype=int), np.arange(1, len(names)))


def test_a_foreign_name_in_both_scripts():
    # The registered Latin name against the Hangul transcription another agency writes.
    lv = _named("응우옌티투", "NGUYEN THI THU", "NGUYEN VAN NAM", "TRAN THI THU")
    got = [FIELDS["given"][k] for k in lv["given"]]
    assert got[0] == "exact"
    assert got[1] not in ("exact", "close") and got[2] not in ("exact", "close")
    assert (lv["surname"] == -1).all()  # no Korean surname split of a Vietnamese name
    lv = _named("스미스존", "SMITH JOHN")
    assert FIELDS["given"][lv["given"].iloc[0]] in ("exact", "close")


def test_romanised_korean_names_are_not_read_as_foreign():
    ff = foreign_forms(
        pd.Series(["김영숙", "남궁민", "이서윤", "응우옌티투", "쩐반남", "스미스존"])
    )
    assert ff["foreign"].tolist() == [False, False, False, True, True, True]
    # A foreign name and its transcription share a skeleton; a Korean name and a foreign one
    # born the same day do not.
    assert skeleton("TRAN VAN NAM") == skeleton(hangul_sound("쩐반남"))
    assert skeleton("NGUYEN THI THU") != skeleton(hangul_sound("김영숙"))
