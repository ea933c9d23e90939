"""RRN parsing, encryption and the blind index (DESIGN.md principle 6)."""

import logging
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bigcare import crypto, rrn
from bigcare.logs import redact


def test_a_legacy_number_parses_with_its_checksum():
    first12 = "850101123456"
    number = f"{first12[:6]}-{first12[6:]}{rrn.checksum_digit(first12)}"
    parsed = rrn.parse(number)
    assert parsed.birth_date == date(1985, 1, 1)
    assert parsed.sex == "M" and not parsed.is_foreigner
    assert parsed.checksum_ok is True
    assert parsed.masked == "850101-1******"


def test_a_checksum_failure_is_only_a_signal():
    wrong = (rrn.checksum_digit("850101123456") + 1) % 10
    parsed = rrn.parse(f"850101123456{wrong}")
    assert parsed.checksum_ok is False  # parsed, not rejected


def test_numbers_issued_since_october_2020_have_no_checksum():
    parsed = rrn.parse("210315-4987654")
    assert parsed.birth_date == date(2021, 3, 15) and parsed.sex == "F"
    assert parsed.checksum_ok is None


def test_a_masked_number_is_not_an_error():
    parsed = rrn.parse("500302-2******")
    assert parsed.is_masked and parsed.digits is None
    assert parsed.birth_date == date(1950, 3, 2)


@pytest.mark.parametrize(
    ("value", "reason"),
    [("12345", "shape"), ("850230-1234567", "does not exist"), ("85010112345678", "shape")],
)
def test_malformed_numbers_say_why(value, reason):
    with pytest.raises(rrn.InvalidRRN, match=reason):
        rrn.parse(value)


def test_century_follows_the_sex_digit():
    assert rrn.parse("000101-3******").birth_date == date(2000, 1, 1)
    assert rrn.parse("000101-1******").birth_date == date(1900, 1, 1)
    assert rrn.parse("991231-6******").is_foreigner


def test_encryption_round_trips_and_never_repeats_a_ciphertext():
    a, b = crypto.encrypt("8501011234567"), crypto.encrypt("8501011234567")
    assert a != b
    assert "8501011234567" not in a
    assert crypto.decrypt(a) == crypto.decrypt(b) == "8501011234567"
    assert crypto.encrypt_many(["8501011234567", None])[1] is None


def test_a_tampered_token_does_not_decrypt():
    from cryptography.exceptions import InvalidTag

    token = crypto.encrypt("8501011234567")
    key_id, body = token.split(":")
    flipped = body[:-4] + ("AAAA" if body[-4:] != "AAAA" else "BBBB")
    with pytest.raises((InvalidTag, ValueError)):
        crypto.decrypt(f"{key_id}:{flipped}")


def test_old_keys_still_decrypt_after_rotation(settings):
    old = crypto.encrypt("8501011234567")
    settings.BIGCARE_FIELD_KEYS = {"k2": b"\x01" * 32, **settings.BIGCARE_FIELD_KEYS}
    settings.BIGCARE_FIELD_KEY_ID = "k2"
    crypto._cipher.cache_clear()
    try:
        new = crypto.encrypt("8501011234567")
        assert new.startswith("k2:")
        assert crypto.decrypt(old) == crypto.decrypt(new) == "8501011234567"
    finally:
        crypto._cipher.cache_clear()


@given(st.from_regex(r"\d{13}", fullmatch=True))
def test_the_blind_index_is_deterministic_and_hides_the_number(digits):
    index = crypto.blind_index(digits)
    assert index == crypto.blind_index(digits) == crypto.blind_index_many([digits])[0]
    assert digits not in index and len(index) == 32


def test_the_blind_index_depends_on_the_key(settings):
    before = crypto.blind_index("8501011234567")
    settings.BIGCARE_INDEX_KEY = b"\x02" * 32
    assert crypto.blind_index("8501011234567") != before


def test_logs_never_carry_a_full_number(caplog):
    logger = logging.getLogger("bigcare.test")
    from bigcare.logs import RedactRRN

    logger.addFilter(RedactRRN())
    with caplog.at_level(logging.INFO, logger="bigcare.test"):
        logger.info("looked up %s and %s", "850101-1234567", "5001012345678")
    assert "1234567" not in caplog.text and "2345678" not in caplog.text
    assert "850101-1******" in caplog.text
    assert redact("phone 01012345678") == "phone 01012345678"  # an 11-digit phone is not an RRN
