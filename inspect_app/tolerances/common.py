"""Shared helpers of the tolerance engine: Decimal coercion, units, table bands and number formatting."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

Number = Decimal | int | str | float

PASS = "pass"
FAIL = "fail"
INCONCLUSIVE = "inconclusive"
OUTCOMES = (PASS, FAIL, INCONCLUSIVE)

# Units of mass accepted where a caller states the unit, as a factor to grams.
MASS_UNITS_TO_G: dict[str, Decimal] = {
    "mg": Decimal("0.001"),
    "g": Decimal(1),
    "kg": Decimal(1000),
    "t": Decimal(1000000),
}


def to_decimal(value: Number, name: str = "value") -> Decimal:
    """Return ``value`` as a finite Decimal.

    Decimal, int and str are taken exactly. A float is taken through its shortest repr
    (``0.1`` -> ``Decimal("0.1")``), which is what the user typed; no arithmetic is ever done in float.
    """
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a number, not a bool")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"{name} is not a number: {value!r}") from None
    else:
        raise TypeError(f"{name} must be a Decimal, int or str, not {type(value).__name__}")
    if not result.is_finite():
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return result


def mass_unit_factor(unit: str) -> Decimal:
    """Factor that converts a mass in ``unit`` (mg, g, kg, t) to grams."""
    key = unit.strip().lower() if isinstance(unit, str) else unit
    if key not in MASS_UNITS_TO_G:
        raise ValueError(f"unknown mass unit {unit!r} (known: {', '.join(MASS_UNITS_TO_G)})")
    return MASS_UNITS_TO_G[key]


def plain(value: Decimal) -> str:
    """Decimal as plain text without exponent or trailing zeros: Decimal('5.000E+3') -> '5000'."""
    if value == 0:
        return "0"
    text = format(value.normalize(), "f")
    return text


def plain_vi(value: Decimal) -> str:
    """Decimal as plain text with the Vietnamese decimal comma: Decimal('2.5') -> '2,5'."""
    return plain(value).replace(".", ",")


def format_mass_g(grams: Decimal, vietnamese: bool = False) -> str:
    """A mass given in grams as text in the most natural unit: 0.5 -> '500 mg', 20000 -> '20 kg'."""
    fmt = plain_vi if vietnamese else plain
    magnitude = abs(grams)
    if magnitude >= 1000:
        return f"{fmt(grams / 1000)} kg"
    if magnitude < 1 and grams != 0:
        return f"{fmt(grams * 1000)} mg"
    return f"{fmt(grams)} g"


def band_contains(row: Mapping[str, Any], value: Decimal, scale: Decimal = Decimal(1)) -> bool:
    """True when ``value`` lies in the band ``row`` (lower/upper/inclusive flags), bounds multiplied by ``scale``.

    Bounds are scaled instead of dividing ``value`` so the comparison stays exact.
    """
    lower = row["lower"] * scale
    if row["lower_inclusive"]:
        if value < lower:
            return False
    elif value <= lower:
        return False
    upper = row["upper"]
    if upper is None:
        return True
    upper = upper * scale
    return value <= upper if row["upper_inclusive"] else value < upper


def band_text(row: Mapping[str, Any], symbol: str, unit: str = "") -> str:
    """Band as Vietnamese text, e.g. '50 e < m ≤ 200 e' or '0,1 L ≤ V < 0,2 L'."""
    suffix = f" {unit}" if unit else ""
    lower = f"{plain_vi(row['lower'])}{suffix} {'≤' if row['lower_inclusive'] else '<'} {symbol}"
    if row["upper"] is None:
        return lower
    return f"{lower} {'≤' if row['upper_inclusive'] else '<'} {plain_vi(row['upper'])}{suffix}"
