"""Verification tokens (signed, tamper-evident) and Vietnamese number/date wording."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from decimal import Decimal

import pytest

from inspect_app.documents.tokens import (
    InvalidToken,
    make_verification_token,
    new_public_id,
    read_verification_token,
)
from inspect_app.documents.vn_format import format_vn_decimal, vn_date_words, vn_time_words

SECRET = "một bí mật đủ dài cho HMAC"


def _flip(ch: str) -> str:
    return "B" if ch == "A" else "A"


def test_round_trip_and_size() -> None:
    public_id = new_public_id()
    token = make_verification_token(public_id, SECRET)
    assert read_verification_token(token, SECRET) == public_id
    assert read_verification_token(token, SECRET.encode()) == public_id  # str and bytes secrets agree
    assert len(public_id) == 22 and len(token) == 45  # 128-bit id + 128-bit MAC: small enough for a 22 mm QR
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


def test_public_ids_are_random() -> None:
    assert len({new_public_id() for _ in range(200)}) == 200


@pytest.mark.parametrize("position", ["sig_first", "sig_last", "id_first", "id_last"])
def test_one_changed_character_is_rejected(position: str) -> None:
    token = make_verification_token(new_public_id(), SECRET)
    dot = token.index(".")
    index = {"sig_first": dot + 1, "sig_last": len(token) - 1, "id_first": 0, "id_last": dot - 1}[position]
    tampered = token[:index] + _flip(token[index]) + token[index + 1 :]
    with pytest.raises(InvalidToken):
        read_verification_token(tampered, SECRET)


def test_every_single_character_change_of_the_signature_is_rejected() -> None:
    token = make_verification_token(new_public_id(), SECRET)
    dot = token.index(".")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for index in range(dot + 1, len(token)):
        for ch in alphabet:
            if ch != token[index]:
                with pytest.raises(InvalidToken):
                    read_verification_token(token[:index] + ch + token[index + 1 :], SECRET)


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        ".",
        "abc",
        "a.b",
        "x" * 22 + ".",
        "." + "y" * 22,
        "ä" * 22 + "." + "b" * 22,
        "x" * 500,
        "Zq3v8Yp1sK0aRt5uW2xN7Q.Zq3v8Yp1sK0aRt5uW2xN7Q.extra",
        "Zq3v8Yp1sK0aRt5uW2xN7Q Zq3v8Yp1sK0aRt5uW2xN7Q",
    ],
)
def test_garbage_is_rejected(garbage: str) -> None:
    with pytest.raises(InvalidToken):
        read_verification_token(garbage, SECRET)


def test_random_garbage_is_rejected() -> None:
    for _ in range(100):
        with pytest.raises(InvalidToken):
            read_verification_token(secrets.token_urlsafe(16) + "." + secrets.token_urlsafe(16), SECRET)


def test_token_from_another_secret_is_rejected() -> None:
    token = make_verification_token(new_public_id(), "another secret")
    with pytest.raises(InvalidToken):
        read_verification_token(token, SECRET)


def test_swapped_id_with_valid_signature_is_rejected() -> None:
    a = make_verification_token(new_public_id(), SECRET)
    b = make_verification_token(new_public_id(), SECRET)
    with pytest.raises(InvalidToken):
        read_verification_token(a.split(".")[0] + "." + b.split(".")[1], SECRET)


def test_bad_inputs_to_make() -> None:
    with pytest.raises(ValueError):
        make_verification_token("short", SECRET)
    with pytest.raises(ValueError):
        make_verification_token("has.a.dot.in.the.middle.xx", SECRET)
    with pytest.raises(ValueError):
        make_verification_token(new_public_id(), b"")


@pytest.mark.parametrize(
    ("value", "places", "signed", "expected"),
    [
        (Decimal("5.15"), None, False, "5,15"),
        (Decimal(5), 3, False, "5,000"),
        (Decimal("0.15"), 3, True, "+0,150"),
        (Decimal("-0.05"), 3, True, "-0,050"),
        (Decimal(0), 3, True, "0,000"),
        (Decimal("-0.0004"), 3, True, "0,000"),
        (Decimal("1234567.891"), 2, False, "1.234.567,89"),
        (Decimal(1000), None, False, "1.000"),
        (Decimal(999), None, False, "999"),
        (Decimal("0.0005"), 3, False, "0,001"),
        (Decimal("2.5E+3"), None, False, "2.500"),
        (12, 1, False, "12,0"),
        ("0.075", None, False, "0,075"),
    ],
)
def test_format_vn_decimal(value: Decimal, places: int | None, signed: bool, expected: str) -> None:
    assert format_vn_decimal(value, places, signed=signed) == expected


def test_format_vn_decimal_without_grouping_and_rejects_nan() -> None:
    assert format_vn_decimal(Decimal("12345.5"), 1, grouping=False) == "12345,5"
    with pytest.raises(ValueError):
        format_vn_decimal(Decimal("NaN"))


def test_date_and_time_words() -> None:
    assert vn_date_words(date(2026, 11, 21)) == "ngày 21 tháng 11 năm 2026"
    assert vn_date_words(date(2026, 1, 3)) == "ngày 03 tháng 01 năm 2026"
    assert vn_date_words(date(2026, 12, 10)) == "ngày 10 tháng 12 năm 2026"
    assert vn_time_words(datetime(2026, 11, 21, 8, 5)) == "08 giờ 05 phút"
