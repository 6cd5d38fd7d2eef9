"""Input rules shared by the desk forms and the API: exact decimals (decimal comma accepted), units, labels.

Each rule takes raw input and returns the clean value or raises RuleError with a Vietnamese message.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from ..tolerances.common import format_mass_g, plain_vi
from ..domain.vocabulary import INSTRUMENT_TYPES
from ..domain.errors import RuleError
from .units import MASS_UNITS, to_grams

__all__ = [
    "MAX_DIGITS",
    "RuleError",
    "date_value",
    "decimal_value",
    "display_quantity",
    "instrument_label",
    "standard_label",
]

MAX_DIGITS = 20
# No instrument inspected here shows a billion of anything (grams, litres, kWh, m³ on a totaliser): a larger
# number is a typo or an attack (1e28 once made a biên bản impossible to print).
MAX_MAGNITUDE = Decimal(10) ** 9

_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


def decimal_value(
    value: object,
    label: str,
    *,
    required: bool = True,
    positive: bool = False,
    non_negative: bool = False,
) -> Decimal | None:
    """An exact Decimal from text ("5,15", "5.15"), an int, a Decimal, or a JSON float (through its repr).

    No float arithmetic is ever done; "1.234,5", "1e3", "NaN" and text are refused with a Vietnamese message.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise RuleError(f"{label}: cần nhập giá trị.")
        return None
    if isinstance(value, bool):
        raise RuleError(f"{label} phải là số (ví dụ 5,15 hoặc 5.15).")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip().replace(" ", "")
        if not _NUMBER.match(text):
            raise RuleError(f"{label} phải là số (ví dụ 5,15 hoặc 5.15).")
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the pattern already refused it
            raise RuleError(f"{label} phải là số (ví dụ 5,15 hoặc 5.15).") from None
    else:
        raise RuleError(f"{label} phải là số (ví dụ 5,15 hoặc 5.15).")
    if not number.is_finite():
        raise RuleError(f"{label} phải là số hữu hạn.")
    if len(number.as_tuple().digits) > MAX_DIGITS or number.as_tuple().exponent < -12:
        raise RuleError(f"{label} có quá nhiều chữ số.")
    if abs(number) >= MAX_MAGNITUDE:
        raise RuleError(f"{label} quá lớn (tối đa 999.999.999); vui lòng kiểm tra lại số đã nhập.")
    if positive and number <= 0:
        raise RuleError(f"{label} phải lớn hơn 0.")
    if non_negative and number < 0:
        raise RuleError(f"{label} không được âm.")
    return number


def date_value(value: object, label: str, *, required: bool = False) -> date | None:
    """A date typed as YYYY-MM-DD (the browser's date input) or dd/mm/yyyy."""
    if isinstance(value, date):
        return value
    text = (str(value) if value is not None else "").strip()
    if not text:
        if required:
            raise RuleError(f"{label}: cần nhập ngày.")
        return None
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    try:
        if match:
            day, month, year = (int(part) for part in match.groups())
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError:
        raise RuleError(f"{label} không hợp lệ (ví dụ 31/12/2026).") from None


def display_quantity(value: Decimal | None, unit: str) -> str:
    """A quantity for people: mass in its most natural unit ('50 g'), other units as given ('20 L')."""
    if value is None:
        return ""
    if unit in MASS_UNITS:
        return format_mass_g(to_grams(value, unit), vietnamese=True)
    return f"{plain_vi(value)} {unit}"


def instrument_label(instrument) -> str:
    """E.g. "Cân đồng hồ lò xo 15 kg, cấp IIII, e = 50 g" or "Cột đo xăng dầu, cấp 0,5, số 1234"."""
    parts = [INSTRUMENT_TYPES.get(instrument.instrument_type, "Phương tiện đo")]
    if instrument.max_capacity is not None and instrument.is_scale:
        parts[0] += " " + display_quantity(instrument.max_capacity, instrument.unit)
    if instrument.accuracy_class:
        parts.append(f"cấp {instrument.accuracy_class.replace('.', ',')}")
    if instrument.is_scale and instrument.e is not None:
        parts.append(f"e = {display_quantity(instrument.e, instrument.unit)}")
        if instrument.d is not None and instrument.d != instrument.e:
            parts.append(f"d = {display_quantity(instrument.d, instrument.unit)}")
    if instrument.serial:
        parts.append(f"số {instrument.serial}")
    return ", ".join(parts)


def standard_label(snapshot: dict, on_date: date | None = None) -> str:
    """One line of the biên bản's "Chuẩn đo lường sử dụng", from a reading's snapshot of the standard."""
    kind = "Quả cân" if snapshot["kind"] == "weight" else "Bình chuẩn dung tích"
    nominal = display_quantity(Decimal(snapshot["nominal"]), snapshot["unit"])
    text = f"{kind} {nominal} cấp {snapshot['accuracy_class'].replace('.', ',')}"
    if snapshot.get("serial"):
        text += f", số hiệu {snapshot['serial']}"
    if snapshot.get("certificate_number"):
        text += f", giấy chứng nhận số {snapshot['certificate_number']}"
    due = date.fromisoformat(snapshot["due_on"])
    text += f", hạn đến {due:%d/%m/%Y}"
    status = snapshot.get("status")
    if on_date is not None:
        status = "valid" if on_date <= due else "expired"
    return text + (" (còn hạn)" if status == "valid" else " (quá hạn)")
