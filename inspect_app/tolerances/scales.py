"""Non-automatic weighing instruments: OIML R 76-1 accuracy classes (Table 3) and permitted errors (Table 6)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .common import Number, band_contains, band_text, mass_unit_factor, plain, plain_vi, to_decimal
from .table_data import TableRef, get_table

CLASSES_TABLE = "oiml_r76_accuracy_classes"
MPE_TABLE = "oiml_r76_mpe"

SCALE_CLASSES = ("I", "II", "III", "IIII")
_ARABIC = {"1": "I", "2": "II", "3": "III", "4": "IIII"}


def normalize_scale_class(accuracy_class: str) -> str:
    """Canonical R 76 class: 'I', 'II', 'III' or 'IIII' (also accepts '1'..'4' and lower case)."""
    if not isinstance(accuracy_class, str):
        raise TypeError("accuracy_class must be a string such as 'IIII'")
    name = accuracy_class.strip().upper()
    name = _ARABIC.get(name, name)
    if name not in SCALE_CLASSES:
        raise ValueError(f"unknown scale accuracy class {accuracy_class!r} (known: I, II, III, IIII)")
    return name


@dataclass(frozen=True)
class ScaleBand:
    """The R 76-1 Table 6 band a load falls in, and the permitted error it gives."""

    accuracy_class: str
    in_service: bool
    mpe_e: Decimal  # band value in e, initial verification (0.5, 1.0 or 1.5)
    factor: Decimal  # 1 for verification, the in-service factor (2) otherwise
    permitted: Decimal  # mpe_e * factor * e, in the unit of the load
    band: str  # e.g. "50 e < m ≤ 200 e"
    rule: str  # Vietnamese rule text
    table: TableRef


def _validated_load_and_e(load: Number, e: Number) -> tuple[Decimal, Decimal]:
    load_d = to_decimal(load, "load")
    e_d = to_decimal(e, "e")
    if e_d <= 0:
        raise ValueError(f"e must be greater than 0, got {e_d}")
    if load_d < 0:
        raise ValueError(f"load must not be negative, got {load_d}")
    return load_d, e_d


def scale_band(load: Number, e: Number, accuracy_class: str, in_service: bool = True) -> ScaleBand:
    """The Table 6 band for ``load`` (same unit as ``e``) and the permitted error with its rule text."""
    load_d, e_d = _validated_load_and_e(load, e)
    name = normalize_scale_class(accuracy_class)
    table = get_table(MPE_TABLE)
    bands = [row for row in table.rows if row["class"] == name]
    for row in bands:
        if band_contains(row, load_d, scale=e_d):
            break
    else:
        top = bands[-1]["upper"]
        raise ValueError(
            f"load {load_d} exceeds {plain(top)} e for class {name} "
            f"(e = {e_d}; the OIML R76-1 Table 6 ends there)"
        )
    factor = table.parameters["in_service_factor"] if in_service else Decimal(1)
    mpe_e = row["mpe_e"]
    band = band_text(row, "m", "e")
    if in_service:
        head = f"Giới hạn sai số khi sử dụng ({plain_vi(factor)} × kiểm định ban đầu), OIML R76-1 Bảng 6, cấp {name}"
    else:
        head = f"Giới hạn sai số kiểm định ban đầu, OIML R76-1 Bảng 6, cấp {name}"
    rule = f"{head}; {band}: ±{plain_vi(mpe_e * factor)} e"
    return ScaleBand(
        accuracy_class=name,
        in_service=in_service,
        mpe_e=mpe_e,
        factor=factor,
        permitted=mpe_e * factor * e_d,
        band=band,
        rule=rule,
        table=table.ref,
    )


def scale_mpe(
    load_g: Number, e_g: Number, accuracy_class: str, in_service: bool = True, *, check_e: bool = False
) -> Decimal:
    """Permitted error (±, in grams) of a non-automatic scale at a load, OIML R 76-1 Table 6; load and e in grams.

    ``in_service=True``: in-service limit = 2 × initial verification. With ``check_e=True`` ``e_g`` is also
    checked against the class's e range (Table 3) and a ValueError is raised if it does not fit.
    """
    if check_e:
        _, e_d = _validated_load_and_e(load_g, e_g)
        name = normalize_scale_class(accuracy_class)
        if _class_row_for_e(name, e_d) is None:
            raise ValueError(
                f"e = {e_d} g is not valid for class {name} ({_e_ranges_text(name, vietnamese=False)})"
            )
    return scale_band(load_g, e_g, accuracy_class, in_service).permitted


def _class_rows(name: str) -> list[Mapping[str, Any]]:
    return [row for row in get_table(CLASSES_TABLE).rows if row["class"] == name]


def _class_row_for_e(name: str, e_g: Decimal) -> Mapping[str, Any] | None:
    for row in _class_rows(name):
        if e_g >= row["e_min_g"] and (row["e_max_g"] is None or e_g <= row["e_max_g"]):
            return row
    return None


def _e_ranges_text(name: str, vietnamese: bool = True) -> str:
    fmt = plain_vi if vietnamese else plain
    parts = []
    for row in _class_rows(name):
        if row["e_max_g"] is None:
            parts.append(f"e ≥ {fmt(row['e_min_g'])} g")
        else:
            parts.append(f"{fmt(row['e_min_g'])} g ≤ e ≤ {fmt(row['e_max_g'])} g")
    joiner = " hoặc " if vietnamese else " or "
    return joiner.join(parts)


def validate_scale(max_capacity_g: Number, e_g: Number, accuracy_class: str, *, unit: str = "g") -> list[str]:
    """Problems (Vietnamese texts) of a scale's e and n = Max/e against OIML R 76-1 Table 3; empty when fine.

    ``max_capacity_g`` and ``e_g`` are in grams; ``unit`` (mg, g, kg or t) is only how the texts write e.
    """
    name = normalize_scale_class(accuracy_class)
    factor = mass_unit_factor(unit)
    maximum = to_decimal(max_capacity_g, "max_capacity_g")
    e_d = to_decimal(e_g, "e_g")
    problems = []
    if maximum <= 0:
        problems.append("Mức cân lớn nhất (Max) phải lớn hơn 0")
    if e_d <= 0:
        problems.append("Giá trị độ chia kiểm (e) phải lớn hơn 0")
    if problems:
        return problems
    row = _class_row_for_e(name, e_d)
    if row is None:
        problems.append(
            f"e = {plain_vi(e_d / factor)} {unit} không phù hợp với cấp chính xác {name} "
            f"(cần {_e_ranges_text(name)}; OIML R 76-1 Bảng 3)"
        )
        return problems
    n_min, n_max = row["n_min"], row["n_max"]
    n_text = f"n = Max/e = {plain_vi(maximum / e_d)}"
    if maximum < n_min * e_d:
        problems.append(
            f"{n_text} nhỏ hơn số độ chia tối thiểu {plain_vi(n_min)} của cấp {name} (OIML R 76-1 Bảng 3)"
        )
    if n_max is not None and maximum > n_max * e_d:
        problems.append(
            f"{n_text} lớn hơn số độ chia tối đa {plain_vi(n_max)} của cấp {name} (OIML R 76-1 Bảng 3)"
        )
    return problems


def min_capacity(e_g: Number, accuracy_class: str) -> Decimal:
    """Minimum capacity (Min) of a scale, in grams, from OIML R 76-1 Table 3 (e.g. 10 e for class IIII)."""
    name = normalize_scale_class(accuracy_class)
    e_d = to_decimal(e_g, "e_g")
    if e_d <= 0:
        raise ValueError(f"e must be greater than 0, got {e_d}")
    row = _class_row_for_e(name, e_d)
    if row is None:
        raise ValueError(
            f"e = {e_d} g is not valid for class {name} ({_e_ranges_text(name, vietnamese=False)})"
        )
    return row["min_capacity_e"] * e_d
