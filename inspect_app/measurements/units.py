"""Quantities at the boundary between stored records and the tolerance engine: the engine takes masses in grams,
records keep the unit the person typed; this is the one place that converts between them."""

from __future__ import annotations

from decimal import Decimal

from ..tolerances.common import mass_unit_factor, plain

MASS_UNITS = ("mg", "g", "kg")
VOLUME_UNITS = ("mL", "L")
VOLUME_FACTORS = {"mL": Decimal("0.001"), "L": Decimal(1)}


def tidy(value: Decimal | None) -> Decimal | None:
    """A computed value without trailing zeros and without an exponent: 0.100 -> 0.1, 1E+2 -> 100."""
    return None if value is None else Decimal(plain(value))


def to_grams(value: Decimal, unit: str) -> Decimal:
    """A mass in ``unit`` (mg, g, kg) as grams, exactly (the factors are powers of ten): what the engine takes."""
    return value if unit == "g" else value * mass_unit_factor(unit)


def from_grams(value_g: Decimal, unit: str) -> Decimal:
    """A mass the engine answered in grams, in ``unit`` (mg, g, kg) again, exactly."""
    return value_g if unit == "g" else value_g / mass_unit_factor(unit)


def convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """Exact conversion between mass units, through grams."""
    return value if from_unit == to_unit else from_grams(to_grams(value, from_unit), to_unit)
