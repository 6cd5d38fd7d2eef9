"""Retail weighing, TT 09/2017/TT-BKHCN: maximum scale division by goods mass (Bảng 1), permitted shortfall (Bảng 2)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .common import Number, band_contains, format_mass_g, to_decimal
from .table_data import get_table

DIVISION_TABLE = "tt09_2017_max_division"
SHORTFALL_TABLE = "tt09_2017_permitted_shortfall"


def _band_for_goods(table_id: str, goods_mass_g: Number) -> tuple[Decimal, Mapping[str, Any]]:
    mass = to_decimal(goods_mass_g, "goods_mass_g")
    rows = get_table(table_id).rows
    for row in rows:
        if band_contains(row, mass):
            return mass, row
    name = "Bảng 1" if table_id == DIVISION_TABLE else "Bảng 2"
    raise ValueError(
        f"goods mass {format_mass_g(mass)} is outside TT 09/2017 {name} "
        f"(covers more than {format_mass_g(rows[0]['lower'])} up to {format_mass_g(rows[-1]['upper'])})"
    )


def goods_band_text(goods_mass_g: Number) -> str:
    """The Bảng 1 row a goods mass falls in, as Vietnamese text, e.g. '> 400 g – 1 kg'."""
    _, row = _band_for_goods(DIVISION_TABLE, goods_mass_g)
    return f"> {format_mass_g(row['lower'], True)} – {format_mass_g(row['upper'], True)}"


def max_division_for_goods(goods_mass_g: Number) -> Decimal:
    """Largest scale division d (g) allowed for weighing goods of this mass (g), TT 09/2017 Bảng 1."""
    _, row = _band_for_goods(DIVISION_TABLE, goods_mass_g)
    return row["max_division_g"]


def range_suits_goods(max_capacity_g: Number, d_g: Number, goods_mass_g: Number) -> tuple[bool, str]:
    """Whether a scale (Max, d in g) suits goods of this mass (g), TT 09/2017 Bảng 1, with the reason in Vietnamese.

    Raises ValueError when the goods mass is outside Bảng 1 (40 g or less, or above 100 kg).
    """
    maximum = to_decimal(max_capacity_g, "max_capacity_g")
    division = to_decimal(d_g, "d_g")
    if maximum <= 0 or division <= 0:
        raise ValueError("max_capacity_g and d_g must be greater than 0")
    mass = to_decimal(goods_mass_g, "goods_mass_g")
    limit = max_division_for_goods(mass)
    band = goods_band_text(mass)
    reasons = []
    if mass > maximum:
        reasons.append(
            f"khối lượng hàng {format_mass_g(mass, True)} lớn hơn mức cân lớn nhất "
            f"Max = {format_mass_g(maximum, True)}"
        )
    if division > limit:
        reasons.append(
            f"độ chia d = {format_mass_g(division, True)} lớn hơn mức tối đa {format_mass_g(limit, True)} "
            f"cho hàng {band}"
        )
    basis = "(TT 09/2017/TT-BKHCN Bảng 1)"
    if reasons:
        text = "; ".join(reasons)
        return False, f"Phạm vi đo không phù hợp: {text} {basis}"
    return True, (
        f"Phạm vi đo phù hợp: d = {format_mass_g(division, True)} ≤ {format_mass_g(limit, True)} cho hàng {band}, "
        f"hàng {format_mass_g(mass, True)} ≤ Max = {format_mass_g(maximum, True)} {basis}"
    )


def retail_permitted_shortfall(goods_mass_g: Number) -> Decimal:
    """Permitted shortfall (g) of one retail weighing, TT 09/2017 Bảng 2 — PROVISIONAL (values = Bảng 1 d column)."""
    _, row = _band_for_goods(SHORTFALL_TABLE, goods_mass_g)
    return row["permitted_shortfall_g"]
