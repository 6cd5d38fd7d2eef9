"""Retail weighing, TT 09/2017/TT-BKHCN: maximum scale division by goods mass (Bảng 1), permitted shortfall of a
control measurement (Điều 5: Bảng 2 for spring dial scales, 2 × the initial MPE for other scales)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .common import Number, band_contains, format_mass_g, plain_vi, to_decimal
from .scales import normalize_scale_class, scale_band
from .table_data import TableRef, get_table

DIVISION_TABLE = "tt09_2017_max_division"
# TT 09/2017 Điều 5 as the law says it: Bảng 2 for spring dial scales, with the parameters of khoản 2.
SHORTFALL_TABLE = "tt09_2017_spring_shortfall"
# The earlier guess (Bảng 2 = the d column of Bảng 1), superseded; readings judged with it name this id.
SUPERSEDED_SHORTFALL_TABLE = "tt09_2017_permitted_shortfall"


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


class ShortfallRefused(ValueError):
    """A control measurement TT 09/2017 Điều 5 cannot judge (check mass below 20 d or above Max, scale data
    missing); the message is Vietnamese and says why."""


@dataclass(frozen=True)
class ShortfallLimit:
    """The permitted shortfall of one control measurement (TT 09/2017 Điều 5) and where it comes from."""

    permitted: Decimal  # g
    basis: str  # Vietnamese: which rule, band and multiple gave it
    derived: bool  # a spring scale not in Bảng 2: the same rule applied, not a row of the table
    provisional: bool
    table: TableRef  # the table that decided it
    tables: tuple[TableRef, ...]  # every table consulted


def scale_text(max_g: Decimal, d_g: Decimal, spring: bool) -> str:
    """'cân đồng hồ lò xo Max = 8 kg, d = 20 g' / 'cân Max = 6 kg, d = 2 g'."""
    kind = "cân đồng hồ lò xo" if spring else "cân"
    return f"{kind} Max = {format_mass_g(max_g, True)}, d = {format_mass_g(d_g, True)}"


def superseded_shortfall_table(tables: Iterable[Mapping[str, Any]]) -> str | None:
    """'tt09_2017_permitted_shortfall 2026.1' when a stored verdict's tables name the superseded guess, else None."""
    for ref in tables or ():
        if isinstance(ref, Mapping) and ref.get("id") == SUPERSEDED_SHORTFALL_TABLE:
            return f"{ref['id']} {ref.get('version', '')}".strip()
    return None


def shortfall_limit(
    check_mass_g: Number,
    *,
    max_g: Number,
    d_g: Number,
    spring: bool = True,
    accuracy_class: str | None = None,
    e_g: Number | None = None,
) -> ShortfallLimit:
    """TT 09/2017 Điều 5: how much a control measurement of ``check_mass_g`` may fall short, in g.

    Khoản 1, spring dial scales: Bảng 2 by the scale's Max and d (1 d, 2 d or 3 d by the check mass); a spring scale
    whose (Max, d) is not in Bảng 2 gets the same rule, derived (2 × R 76 class IIII initial MPE, e = d).
    Khoản 2, every other scale: 2 × its MPE on initial verification (R 76 Table 6) for its class and e (e = d when
    ``e_g`` is not given). A check mass below 20 d or above Max raises ``ShortfallRefused``.
    """
    mass = to_decimal(check_mass_g, "check_mass_g")
    maximum = to_decimal(max_g, "max_g")
    division = to_decimal(d_g, "d_g")
    if maximum <= 0 or division <= 0:
        raise ShortfallRefused("Mức cân lớn nhất (Max) và độ chia d của cân phải lớn hơn 0.")
    if mass <= 0:
        raise ShortfallRefused("Khối lượng kiểm phải lớn hơn 0.")
    table = get_table(SHORTFALL_TABLE)
    lowest = table.parameters["lowest_check_d"]
    factor = table.parameters["initial_mpe_factor"]
    scale = scale_text(maximum, division, spring)
    if mass < lowest * division:
        raise ShortfallRefused(
            f"Khối lượng kiểm {format_mass_g(mass, True)} nhỏ hơn {plain_vi(lowest)} d = "
            f"{format_mass_g(lowest * division, True)} của {scale}: cân không phù hợp để cân lượng hàng này "
            f"(TT 09/2017/TT-BKHCN Điều 5, Bảng 2 bắt đầu từ {plain_vi(lowest)} d)."
        )
    if mass > maximum:
        raise ShortfallRefused(
            f"Khối lượng kiểm {format_mass_g(mass, True)} lớn hơn mức cân lớn nhất của {scale} "
            f"(TT 09/2017/TT-BKHCN Điều 5)."
        )
    if spring:
        group = [
            row for row in table.rows if row["max_capacity_g"] == maximum and row["division_g"] == division
        ]
        for row in group:
            if band_contains(row, mass):
                multiple = row["permitted_d"]
                permitted = multiple * division
                basis = (
                    f"Bảng 2, cân đồng hồ lò xo {row['scale'].replace(' d ', ' d = ')}; "
                    f"{band_text_g(row)}: {plain_vi(multiple)} d = {format_mass_g(permitted, True)}"
                )
                return ShortfallLimit(permitted, basis, False, table.provisional, table.ref, (table.ref,))
        name, e_value = "IIII", division
        head = (
            f"{scale} không có trong Bảng 2: suy ra theo cùng quy tắc của Bảng 2 "
            f"({plain_vi(factor)} × giới hạn sai số kiểm định ban đầu, OIML R 76-1 Bảng 6, cấp IIII, e = d)"
        )
    else:
        if not accuracy_class:
            raise ShortfallRefused(
                f"Cần cấp chính xác của {scale} để tính lượng thiếu cho phép (TT 09/2017/TT-BKHCN Điều 5 khoản 2)."
            )
        e_value = division if e_g is None else to_decimal(e_g, "e_g")
        if e_value <= 0:
            raise ShortfallRefused("Giá trị độ chia kiểm e của cân phải lớn hơn 0.")
        try:
            name = normalize_scale_class(accuracy_class)
        except (TypeError, ValueError):
            raise ShortfallRefused(
                f"Cấp chính xác {accuracy_class!s} của {scale} không hợp lệ (cần I, II, III hoặc IIII)."
            ) from None
        head = (
            f"khoản 2, {scale}: {plain_vi(factor)} × giới hạn sai số kiểm định ban đầu, OIML R 76-1 Bảng 6, "
            f"cấp {name}, e = {format_mass_g(e_value, True)}"
        )
    try:
        band = scale_band(mass, e_value, name, in_service=False)
    except ValueError:
        raise ShortfallRefused(
            f"Khối lượng kiểm {format_mass_g(mass, True)} vượt phạm vi OIML R 76-1 Bảng 6 cấp {name} "
            f"với e = {format_mass_g(e_value, True)} ({scale})."
        ) from None
    permitted = factor * band.permitted
    unit = "d" if spring else "e"
    basis = (
        f"{head}; {band.band}: {plain_vi(factor)} × {plain_vi(band.mpe_e)} e = "
        f"{plain_vi(factor * band.mpe_e)} {unit} = {format_mass_g(permitted, True)}"
    )
    tables = (band.table, table.ref)
    provisional = spring and table.provisional
    return ShortfallLimit(permitted, basis, spring, provisional, band.table, tables)


def band_text_g(row: Mapping[str, Any]) -> str:
    """A Bảng 2 band as Vietnamese text in natural units: '100 g < m ≤ 400 g', '1 kg < m ≤ 4 kg'."""
    lower = f"{format_mass_g(row['lower'], True)} {'≤' if row['lower_inclusive'] else '<'} m"
    return f"{lower} {'≤' if row['upper_inclusive'] else '<'} {format_mass_g(row['upper'], True)}"


def retail_permitted_shortfall(
    check_mass_g: Number,
    *,
    max_g: Number,
    d_g: Number,
    spring: bool = True,
    accuracy_class: str | None = None,
    e_g: Number | None = None,
) -> Decimal:
    """Permitted shortfall (g) of a control measurement, TT 09/2017 Điều 5 (see ``shortfall_limit``)."""
    return shortfall_limit(
        check_mass_g, max_g=max_g, d_g=d_g, spring=spring, accuracy_class=accuracy_class, e_g=e_g
    ).permitted
