"""Cells for spreadsheets: whatever a spreadsheet would evaluate leaves as text (#12 item 15)."""

import pytest

from bigcare.cells import neutralise


@pytest.mark.parametrize(
    "value",
    [
        "=1+1",
        " =1+1",
        '   =HYPERLINK("http://x")',
        "\u3000=1+1",
        "\xa0@SUM(A1)",
        " +82",
        "\t=1",
        "\r=1",
        "\n-2",
        "＝1+1",
        " ＠SUM(A1)",
    ],
)
def test_formulas_are_neutralised_even_after_leading_whitespace(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["김영희", "서울 종로구 1-2", " 12", "", 42, None, 1.5])
def test_other_cells_pass_unchanged(value):
    assert neutralise(value) == value
