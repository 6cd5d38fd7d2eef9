"""Fuel dispensers: permitted errors of OIML R 117-1 / MID MI-005 Tables 2 and 3 (small volumes), in litres."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .common import Number, band_contains, band_text, plain_vi, to_decimal
from .table_data import TableRef, get_table

MPE_TABLE = "oiml_r117_mpe"
SMALL_VOLUME_TABLE = "oiml_r117_small_volumes"

PARTS = {"system": "system_percent", "meter": "meter_percent"}
_PART_ALIASES = {"system": "system", "a": "system", "meter": "meter", "b": "meter"}
_PART_TEXT = {"system": "hệ thống đo, hàng A", "meter": "đồng hồ đo, hàng B"}


def normalize_dispenser_class(accuracy_class: Number) -> str:
    """Canonical R 117 class as written in the table ('0.3', '0.5', '1.0', '1.5', '2.5'); '1' -> '1.0'."""
    value = to_decimal(accuracy_class, "accuracy_class")
    for row in get_table(MPE_TABLE).rows:
        if to_decimal(row["class"]) == value:
            return row["class"]
    known = ", ".join(row["class"] for row in get_table(MPE_TABLE).rows)
    raise ValueError(f"unknown dispenser accuracy class {accuracy_class!r} (known: {known})")


def normalize_part(part: str) -> str:
    """'system' (Table 2 row A) or 'meter' (row B)."""
    key = part.strip().lower() if isinstance(part, str) else part
    if key not in _PART_ALIASES:
        raise ValueError(f"part must be 'system' or 'meter', got {part!r}")
    return _PART_ALIASES[key]


@dataclass(frozen=True)
class DispenserLimit:
    """The permitted error for one volume, and how it was obtained."""

    volume_l: Decimal
    accuracy_class: str
    part: str
    table_percent: Decimal  # Table 2 value, % of the measured quantity
    factor: Decimal  # Table 3 multiplier (4, 2 or 1)
    applied_to_l: Decimal  # the volume the percentage is applied to
    permitted_l: Decimal  # absolute MPE in litres
    permitted_percent: Decimal  # the same as a percentage of volume_l
    rule: str
    tables: tuple[TableRef, ...]


def dispenser_limit(volume_l: Number, accuracy_class: Number = "0.5", part: str = "system") -> DispenserLimit:
    """MPE of a fuel dispenser for a measured quantity, with the rule text (Tables 2 and 3)."""
    volume = to_decimal(volume_l, "volume_l")
    if volume <= 0:
        raise ValueError(f"volume must be greater than 0 L, got {volume}")
    name = normalize_dispenser_class(accuracy_class)
    part_name = normalize_part(part)
    mpe_table = get_table(MPE_TABLE)
    small_table = get_table(SMALL_VOLUME_TABLE)
    percent = next(row for row in mpe_table.rows if row["class"] == name)[PARTS[part_name]]
    row = next(row for row in small_table.rows if band_contains(row, volume))
    applied_to = volume if row["applied_to_l"] is None else row["applied_to_l"]
    permitted = row["factor"] * percent * applied_to / 100
    head = (
        f"Giới hạn sai số cho phép ±{plain_vi(percent)} % ({_PART_TEXT[part_name]}), "
        f"cấp chính xác {plain_vi(to_decimal(name))}, OIML R 117-1 / MID MI-005 Bảng 2"
    )
    if row["upper"] is None:
        rule = head
    else:
        target = "V" if row["applied_to_l"] is None else f"{plain_vi(applied_to)} L"
        factor_text = "" if row["factor"] == 1 else f"{plain_vi(row['factor'])} × "
        rule = (
            f"{head}; lượng nhỏ {band_text(row, 'V', 'L')} (Bảng 3): "
            f"{factor_text}giá trị Bảng 2 tính trên {target} = ±{plain_vi(permitted)} L"
        )
    return DispenserLimit(
        volume_l=volume,
        accuracy_class=name,
        part=part_name,
        table_percent=percent,
        factor=row["factor"],
        applied_to_l=applied_to,
        permitted_l=permitted,
        permitted_percent=permitted * 100 / volume,
        rule=rule,
        tables=(mpe_table.ref, small_table.ref),
    )


def dispenser_mpe(volume_l: Number, accuracy_class: Number = "0.5", part: str = "system") -> Decimal:
    """Permitted error (litres, positive) for a measured quantity of ``volume_l`` litres, R 117 / MI-005."""
    return dispenser_limit(volume_l, accuracy_class, part).permitted_l


def dispenser_mpe_percent(volume_l: Number, accuracy_class: Number = "0.5", part: str = "system") -> Decimal:
    """The same permitted error as a percentage of ``volume_l`` (equals the Table 2 value from 2 L up)."""
    return dispenser_limit(volume_l, accuracy_class, part).permitted_percent
