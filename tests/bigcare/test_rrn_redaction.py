"""Every spelling of an identity number is masked before it is logged or stored (#12, item 7)."""

import pytest

from bigcare.rrn import ascii_digits, redact_rrns

SPELLINGS = [
    "500101-2345672",
    "5001012345672",
    "500101 2345672",
    "500101.2345672",
    "500101\u20132345672",  # en dash
    "500101\u20142345672",  # em dash
    "500101\u22122345672",  # minus sign
    "500101_2345672",
    "500101/2345672",
    "500101 - 2345672",
    "\uff15\uff10\uff10\uff11\uff10\uff11\uff0d\uff12\uff13\uff14\uff15\uff16\uff17\uff12",
    "5 0 0 1 0 1 - 2 3 4 5 6 7 2",
    "5 0 0 1 0 1 2 3 4 5 6 7 2",
    "500101%2D2345672",
    "500101+2345672",
]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_spelling_of_an_identity_number_is_masked(spelling):
    text = f"주민번호 {spelling} 확인"
    assert redact_rrns(text) == "주민번호 500101-2****** 확인"


@pytest.mark.parametrize(
    "text",
    [
        "500101-2******",  # already masked
        "010-1234-5678",  # a phone number
        "1234567890123456",  # 16 digits: an account, not an RRN
        "12500101-2345672",  # more digits in front than an RRN has
        "500101-9345672",  # no such sex digit
        "홍길동 ㄱ ５",
    ],
)
def test_text_that_is_not_a_full_identity_number_is_left_alone(text):
    assert redact_rrns(text) == text


def test_ascii_digits_changes_digits_only():
    assert ascii_digits("\uff15\uff10 ㄱ Ａ") == "50 ㄱ Ａ"
