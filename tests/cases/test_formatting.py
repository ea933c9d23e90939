"""How the screens write phone numbers, amounts and sex."""

import pytest
from django.utils import translation

from cases.templatetags.cases_tags import phone, sex_label, won


@pytest.mark.parametrize(
    ("digits", "shown"),
    [
        ("01012345678", "010-1234-5678"),
        ("021234567", "02-123-4567"),
        ("0212345678", "02-1234-5678"),
        ("0311234567", "031-123-4567"),
        ("", "—"),
        ("12345", "12345"),
    ],
)
def test_phone_numbers_are_written_the_korean_way(digits, shown):
    assert phone(digits) == shown


def test_amounts_carry_the_won_sign_and_thousands():
    assert won(671880) == "₩671,880"
    assert won(None) == ""


def test_sex_is_a_word_in_the_current_language():
    with translation.override("ko"):
        assert (sex_label("M"), sex_label("F"), sex_label("")) == ("남", "여", "—")
    with translation.override("en"):
        assert sex_label("F") == "Female"
