"""The gazetteer's column code: the building DB file, votes, dates, street neighbours and the
precedence that gives a resident's home dong (matching.gazetteer)."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from matching.gazetteer import (
    dong_changes,
    empty_table,
    home_dongs,
    read_building_db,
    resolve,
    vote_dongs,
    vote_table,
)

YONGSIN, SINSEOL, YONGDU = "1123053600", "1123051500", "1123053300"


def _arr(*values):
    return np.array(values, dtype=object)


def _votes(*pairs):
    b, d = zip(*pairs, strict=True)
    return vote_dongs(_arr(*b), _arr(*d))


def _row(dong="1111051500", road="자하문로", main="94", sub="0", lot="144", lot_sub="3", **kw):
    """One build_seoul.txt line in the official 31-field layout (a published row's values)."""
    fields = [
        "1111010100", "서울특별시", kw.get("gu", "종로구"), "청운동", "", "0", lot, lot_sub,
        "111103100012", road, "0", main, sub, "", "", "1111010100101440003031291", "01",
        dong, "청운효자동", "03047", "", "", "", "", "", "", "0", "03047", "0", "", "",
    ]  # fmt: skip
    return "|".join(fields)


def _file(*lines: str) -> bytes:
    return "".join(line + "\r\n" for line in lines).encode("cp949")


def test_a_building_db_line_keys_the_road_and_the_lot_address_to_its_dong():
    db = read_building_db(_file(_row()))
    got = dict(zip(db.entries["building_key"], db.entries["dong_code"], strict=True))
    assert got == {
        "서울특별시 종로구 자하문로 94": "1111051500",
        "서울특별시 종로구 청운동 144-3": "1111051500",
    }
    assert db.lines == 1 and db.rejects.empty and db.conflicts == 0
    # A record written another way finds the same key.
    dong, origin = resolve(_arr("서울특별시 종로구 자하문로 94"), db.entries)
    assert dong.tolist() == ["1111051500"] and origin.tolist() == ["db"]


def test_malformed_lines_are_refused_with_their_line_number_and_the_rest_load():
    short = "|".join(_row().split("|")[:20])
    data = _file(_row(), short, _row(dong="11110515"), _row(road="", main="3"), _row(main="95"))
    data += "서울|".encode() + b"\xff\xfe" + ("|" * 29).encode() + b"\r\n"
    db = read_building_db(data)
    assert db.rejects.to_dict("records") == [
        {"line": 2, "reason": "필드 수가 31개가 아님"},
        {"line": 3, "reason": "행정동코드가 10자리 숫자가 아님"},
        {"line": 4, "reason": "도로명이나 건물본번이 없음"},
        {"line": 6, "reason": "CP949로 읽을 수 없음"},
    ]
    assert set(db.entries["building_key"]) >= {
        "서울특별시 종로구 자하문로 94",
        "서울특별시 종로구 자하문로 95",
    }


def test_a_key_listed_in_two_dongs_is_left_out_and_counted():
    db = read_building_db(_file(_row(lot="1"), _row(dong="1111053000", lot="2")))
    assert "서울특별시 종로구 자하문로 94" not in set(db.entries["building_key"])
    assert db.conflicts == 1


def test_the_generators_building_file_loads_whole(tmp_path):
    from seoulgen.generate import generate

    manifest = generate(600, 3, tmp_path)
    data = (tmp_path / manifest["files"]["building_db"]).read_bytes()
    db = read_building_db(data)
    assert db.rejects.empty and db.conflicts == 0
    # Every listed building's road key resolves to the dong the truth puts its residents in.
    people = pd.read_csv(tmp_path / "truth" / "residents.csv", dtype=str)
    from matching.address import address_keys

    dong, origin = resolve(address_keys(people["address"])["building_key"].to_numpy(), db.entries)
    listed = origin == "db"
    assert listed.mean() > 0.9
    assert (dong[listed] == people["dong_code"].to_numpy()[listed]).all()


def test_one_unopposed_vote_or_a_clear_majority_resolves_a_building():
    dongs = _votes(("A", "1"), ("A", "1"), ("A", "2"), ("B", "3"), ("E", "4"))
    assert dongs.to_dict() == {"A": "1", "B": "3", "E": "4"}


def test_a_tie_or_no_majority_resolves_nothing():
    dongs = _votes(
        ("B", "1"), ("B", "1"), ("B", "2"), ("B", "2"),
        ("C", "1"), ("C", "1"), ("C", "2"), ("C", "3"),
        ("D", ""), ("", "1"),
    )  # fmt: skip
    assert dongs.empty


def test_votes_carry_their_counts():
    t = vote_table(_arr("A", "A", "A"), _arr("1", "1", "2"))
    assert t[["building_key", "dong_code", "votes", "total"]].to_dict("records") == [
        {"building_key": "A", "dong_code": "1", "votes": 2, "total": 3}
    ]


def test_a_split_dongs_code_holds_until_the_split_and_not_after():
    db = read_building_db(_file(_row(dong=YONGSIN, gu="동대문구")))
    key = _arr("서울특별시 동대문구 자하문로 94")
    before, _ = resolve(key, db.entries, on=dt.date(2025, 6, 30))
    after, _ = resolve(key, db.entries, on=dt.date(2025, 7, 1))
    assert before.tolist() == [YONGSIN]
    # Which half the building went to is not in the old code: votes with a new code decide.
    assert after.tolist() == [""]
    table = pd.concat([db.entries, vote_table(key, _arr(YONGDU))], ignore_index=True)
    assert resolve(key, table, on=dt.date(2025, 7, 1))[0].tolist() == [YONGDU]


def test_a_renamed_dongs_code_becomes_its_successor_from_the_change_on():
    changes = pd.DataFrame(
        {"old_code": ["1"], "new_code": ["2"], "changed_on": [pd.Timestamp("2022-12-01")]}
    )
    t = vote_table(_arr("A", "A"), _arr("1", "1"), changes)
    assert resolve(_arr("A"), t, on=dt.date(2026, 1, 1))[0].tolist() == ["2"]
    assert set(dong_changes()["old_code"]) == {YONGSIN}
    assert set(dong_changes()["new_code"]) == {SINSEOL, YONGDU}


def test_an_unlisted_building_between_two_same_side_neighbours_of_one_dong_takes_it():
    rows = {"서울특별시 종로구 자하문로 11": "A", "서울특별시 종로구 자하문로 15": "A",
            "서울특별시 종로구 자하문로 12": "B", "서울특별시 종로구 자하문로 21": "B"}  # fmt: skip
    t = pd.DataFrame(
        {"building_key": list(rows), "dong_code": list(rows.values()), "origin": "db"}
    ).reindex(columns=empty_table().columns)
    dong, origin = resolve(
        _arr("서울특별시 종로구 자하문로 13", "서울특별시 종로구 자하문로 17"), t
    )
    # 13 lies between 11 and 15 (both A, odd side); 17 between 15 (A) and 21 (B): unknown.
    assert dong.tolist() == ["A", ""]
    assert origin.tolist() == ["street", ""]


@pytest.mark.parametrize(
    "origin, own, other, expected",
    [
        ("db", "R", "O", ("G", "db")),  # the building DB beats the record's own code
        ("votes", "R", "O", ("R", "record")),  # the record's own code beats votes
        ("votes", "", "O", ("G", "votes")),  # votes beat another record's code
        (None, "", "O", ("O", "other")),
        (None, "", "", ("", "")),
    ],
)
def test_home_dong_precedence(origin, own, other, expected):
    t = empty_table()
    if origin:
        t = pd.DataFrame({"building_key": ["K"], "dong_code": ["G"], "origin": [origin]}).reindex(
            columns=t.columns
        )
    dong, how = home_dongs(_arr("K"), _arr(own), _arr(other), t)
    assert (dong[0], how[0]) == expected
