"""Vietnamese number, date and time wording for administrative documents (decimal comma, "ngày … tháng … năm …")."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext

__all__ = [
    "format_vn_decimal",
    "rounded",
    "vn_date_words",
    "vn_numeric_date",
    "vn_place_date",
    "vn_short_date",
    "vn_time_words",
]


def rounded(value: Decimal, quantum: Decimal, rounding: str = ROUND_HALF_UP) -> Decimal:
    """``value`` rounded to ``quantum`` (Decimal("0.01")), however many digits that takes: Decimal's default 28
    would refuse 1e28 to four places, a number a stored record may hold."""
    with localcontext() as context:
        context.prec = max(context.prec, value.adjusted() - quantum.as_tuple().exponent + 2)
        return value.quantize(quantum, rounding=rounding)


def format_vn_decimal(
    value: Decimal | int | str, places: int | None = None, *, signed: bool = False, grouping: bool = True
) -> str:
    """Format a number the Vietnamese way: ``Decimal("1234.5"), 2`` → ``"1.234,50"``.

    ``places=None`` keeps the value's own precision (``Decimal("5.15")`` → ``"5,15"``); otherwise it is rounded
    half-up. ``signed`` writes an explicit ``+`` for positive values (errors of indication); zero gets no sign.
    """
    dec = value if isinstance(value, Decimal) else Decimal(str(value))
    if not dec.is_finite():
        raise ValueError(f"cannot format {dec!r}")
    if places is not None:
        dec = rounded(dec, Decimal(1).scaleb(-places))
    sign, digits, exponent = dec.as_tuple()
    assert isinstance(exponent, int)
    text = "".join(map(str, digits))
    if exponent > 0:
        text += "0" * exponent
        frac = ""
    elif exponent < 0:
        text = text.rjust(-exponent + 1, "0")
        text, frac = text[:exponent], text[exponent:]
    else:
        frac = ""
    if grouping and len(text) > 3:
        head = len(text) % 3 or 3
        text = ".".join([text[:head]] + [text[i : i + 3] for i in range(head, len(text), 3)])
    out = f"{text},{frac}" if frac else text
    is_zero = not any(digits)
    if sign and not is_zero:
        out = "-" + out
    elif signed and not is_zero:
        out = "+" + out
    return out


def _day(d: int) -> str:
    return f"{d:02d}"


def _month(m: int) -> str:
    # NĐ 30/2020: a zero is written before days below 10 and before months 1 and 2 only.
    return f"{m:02d}" if m <= 2 else str(m)


def vn_date_words(d: date) -> str:
    """``date(2026, 11, 21)`` → ``"ngày 21 tháng 11 năm 2026"`` (zero-padded per NĐ 30/2020)."""
    return f"ngày {_day(d.day)} tháng {_month(d.month)} năm {d.year}"


def vn_place_date(place_name: str, d: date) -> str:
    """``"Đức Phổ", date(2026, 11, 21)`` → ``"Đức Phổ, ngày 21 tháng 11 năm 2026"``."""
    return f"{place_name}, {vn_date_words(d)}"


def vn_numeric_date(d: date) -> str:
    """``date(2025, 9, 9)`` → ``"09/9/2025"``: a document cited in a text, zero-padded per NĐ 30/2020."""
    return f"{_day(d.day)}/{_month(d.month)}/{d.year}"


def vn_short_date(d: date) -> str:
    """``date(2026, 11, 21)`` → ``"21/11/2026"``."""
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def vn_time_words(t: datetime) -> str:
    """``08:30`` → ``"08 giờ 30 phút"``."""
    return f"{t.hour:02d} giờ {t.minute:02d} phút"
