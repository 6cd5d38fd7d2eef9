"""Validation rules for a premise's fields, shared by the web form and the CSV import (one set of rules).

Each rule takes raw text and returns the clean value or raises RuleError with a Vietnamese message.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from ..domain.vocabulary import PREMISE_TYPES
from ..domain.vocabulary import PREMISE_STATUSES
from ..domain.text import fold, nfc
from ..domain.errors import RuleError


FIELD_LABELS = {
    "name": "Tên cơ sở",
    "owner_name": "Chủ cơ sở / hộ kinh doanh",
    "business_reg_no": "Số đăng ký kinh doanh",
    "premise_type": "Loại hình",
    "market_id": "Chợ",
    "stall_number": "Số sạp / ki-ốt",
    "address": "Địa chỉ",
    "latitude": "Vĩ độ",
    "longitude": "Kinh độ",
    "phone": "Điện thoại",
    "status": "Trạng thái",
}

_PHONE = re.compile(r"^\+?[0-9][0-9 .\-]{7,14}[0-9]$")
_REG_NO = re.compile(r"^[0-9A-Za-z./\-]{1,40}$")


def text(value: str | None, label: str, max_length: int, required: bool = False, example: str = "") -> str:
    cleaned = nfc(value)
    if required and not cleaned:
        raise RuleError(f"{label} không được để trống{f' (ví dụ {example})' if example else ''}.")
    if len(cleaned) > max_length:
        raise RuleError(f"{label} dài quá {max_length} ký tự.")
    return cleaned


def check_all(checks: dict[str, Callable[[], object]]) -> tuple[dict, list[str]]:
    """Run every rule (key → a call that returns the clean value or raises RuleError): the clean values, and each
    problem found, in order, so that a row or form with three mistakes is told all three at once."""
    values: dict = {}
    problems: list[str] = []
    for key, check in checks.items():
        try:
            values[key] = check()
        except RuleError as error:
            problems.append(str(error))
    return values, problems


def name(value: str | None) -> str:
    return text(value, "Tên cơ sở", 200, required=True, example="Sạp cân Nguyễn Thị Hường")


def coordinate(value: str | float | None, kind: str) -> float | None:
    """Latitude or longitude in decimal degrees; a decimal comma is accepted ("14,8123")."""
    label, limit, example = ("Vĩ độ", 90, "14.8105") if kind == "latitude" else ("Kinh độ", 180, "108.9551")
    if value is None:
        return None
    raw = str(value).strip().replace(",", ".")
    if raw == "":
        return None
    try:
        number = float(raw)
    except ValueError:
        raise RuleError(f"{label} phải là số thập phân (ví dụ {example}), không phải “{raw}”.") from None
    if not math.isfinite(number) or not -limit <= number <= limit:
        raise RuleError(f"{label} phải nằm trong khoảng −{limit} đến {limit} độ (ví dụ {example}).")
    return round(number, 7)


def location(
    latitude: str | float | None, longitude: str | float | None
) -> tuple[float | None, float | None]:
    lat = coordinate(latitude, "latitude")
    lon = coordinate(longitude, "longitude")
    if (lat is None) != (lon is None):
        raise RuleError("Cần nhập đủ cả vĩ độ và kinh độ, hoặc để trống cả hai.")
    return lat, lon


def phone(value: str | None) -> str:
    cleaned = nfc(value)
    if cleaned and not _PHONE.match(cleaned):
        raise RuleError(
            f"Số điện thoại không hợp lệ: “{cleaned}” (chỉ gồm chữ số, 9–16 ký tự; ví dụ 0905123456)."
        )
    return cleaned


def business_reg_no(value: str | None) -> str:
    cleaned = nfc(value)
    if cleaned and not _REG_NO.match(cleaned):
        raise RuleError(
            f"Số đăng ký kinh doanh chỉ gồm chữ, số và các ký tự . / - (ví dụ 4300123456 hoặc 34A8001234), "
            f"không phải “{cleaned}”."
        )
    return cleaned


def _lookup(value: str | None, options: dict[str, str], label: str, default: str | None) -> str:
    raw = nfc(value)
    if not raw:
        if default is None:
            raise RuleError(f"{label} không được để trống.")
        return default
    key = fold(raw)
    for code, option_label in options.items():
        if key in (fold(code), fold(option_label)):
            return code
    allowed = "; ".join(options.values())
    raise RuleError(f"{label} “{raw}” không hợp lệ. Chọn một trong: {allowed}.")


def premise_type(value: str | None) -> str:
    return _lookup(value, PREMISE_TYPES, "Loại hình", default="other")


def status(value: str | None) -> str:
    return _lookup(value, PREMISE_STATUSES, "Trạng thái", default="active")
