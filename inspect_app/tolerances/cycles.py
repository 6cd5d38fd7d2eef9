"""Verification cycles (chu kỳ kiểm định) of group-2 measuring instruments and reference weights, and the stamp
expiry they give from a last verification date.

The confirmed cycles are TT 23/2013 as amended (table ``tt23_2013_verification_cycles``); they are the ones used.
TT 04/2026 (in force 15/4/2026) is kept as provisional data (``tt04_2026_verification_cycles``): when a verification
made on or after its effective date would get a different cycle under it, the answer carries a warning with that
value and the date it would give. Provisional values are never used silently in place of the confirmed ones.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from .table_data import TableRef, get_table

CYCLES_TABLE = "tt23_2013_verification_cycles"
PROVISIONAL_CYCLES_TABLE = "tt04_2026_verification_cycles"

# Instrument types and meter variants of the app -> the row of the cycles table. electronic_scale is derived:
# at a market a cân điện tử is used as a pan or platform scale, so it takes that row.
INSTRUMENT_CYCLE_KEYS: dict[tuple[str, str | None], str] = {
    ("spring_scale", None): "spring_scale",
    ("pan_scale", None): "pan_platform_steelyard_scale",
    ("platform_scale", None): "pan_platform_steelyard_scale",
    ("electronic_scale", None): "pan_platform_steelyard_scale",
    ("fuel_dispenser", None): "fuel_dispenser",
    ("water_meter", "water_mechanical"): "water_meter_mechanical",
    ("water_meter", "water_electronic"): "water_meter_electronic",
    ("electricity_meter", "elec_1p_induction"): "electricity_meter_1p_induction",
    ("electricity_meter", "elec_1p_electronic"): "electricity_meter_1p_electronic",
    ("electricity_meter", "elec_3p_induction"): "electricity_meter_3p_induction",
    ("electricity_meter", "elec_3p_electronic"): "electricity_meter_3p_electronic",
}
DERIVED_KEYS = {("electronic_scale", None)}

# Reference weights: E2 has its own row; F1 and every coarser class (M1 included) share one.
WEIGHT_CYCLE_KEYS = {
    "E2": "weight_e2",
    **{name: "weight_f1_and_coarser" for name in ("F1", "F2", "M1", "M1-2", "M2", "M2-3", "M3")},
}


@dataclass(frozen=True)
class CycleExpiry:
    """The last day a verification stays valid, computed from its date and the cycle of the instrument kind."""

    key: str
    instrument: str
    months: int
    verified_on: datetime.date
    expires_on: datetime.date
    source: str
    derived: bool
    tables: tuple[TableRef, ...]
    warnings: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """e.g. 'tính theo chu kỳ kiểm định 24 tháng (TT 23/2013)'."""
        return f"tính theo chu kỳ kiểm định {self.months} tháng (TT 23/2013)"


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later, clamped to the end of a shorter month (31/1 + 1 -> 28/2 or 29/2)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def cycle_expiry_date(verified_on: datetime.date, months: int) -> datetime.date:
    """The last valid day of a verification made on ``verified_on`` for a cycle of ``months``: the day before the
    same date ``months`` later (15/3/2024 + 12 -> 14/3/2025; 1/3/2023 + 12 -> 29/2/2024). When that month is too
    short for the date, the cycle ends on its last day (31/1/2024 + 1 -> 29/2/2024; 29/2/2024 + 12 -> 28/2/2025)."""
    if months <= 0:
        raise ValueError("a cycle is a positive number of months")
    anniversary = add_months(verified_on, months)
    if anniversary.day != verified_on.day:
        return anniversary  # clamped to the end of a shorter month
    return anniversary - datetime.timedelta(days=1)


def _row(table_id: str, key: str):
    for row in get_table(table_id).rows:
        if row["key"] == key:
            return row
    return None


def cycle_key(instrument_type: str, variant: str | None = None) -> str | None:
    """The cycles-table row of an instrument type (and meter variant); None when the list gives no cycle for it
    (a meter whose variant is not known, an 'other' instrument)."""
    return INSTRUMENT_CYCLE_KEYS.get((instrument_type, variant or None))


def cycle_keys_as_json() -> dict:
    """The instrument-type → cycle-row mapping for the phone: {"keys": {"type|variant": row}, "derived": [...]}."""
    return {
        "keys": {f"{kind}|{variant or ''}": key for (kind, variant), key in INSTRUMENT_CYCLE_KEYS.items()},
        "derived": sorted(f"{kind}|{variant or ''}" for kind, variant in DERIVED_KEYS),
    }


def weight_cycle_key(accuracy_class: str) -> str | None:
    return WEIGHT_CYCLE_KEYS.get(accuracy_class.strip().upper().replace("–", "-"))


def expiry_for_key(key: str, verified_on: datetime.date, *, derived: bool = False) -> CycleExpiry:
    """The expiry of a verification made on ``verified_on`` for the cycles-table row ``key``."""
    if not isinstance(verified_on, datetime.date):
        raise TypeError("verified_on must be a date")
    row = _row(CYCLES_TABLE, key)
    if row is None:
        raise KeyError(f"no verification cycle for {key!r}")
    months = int(row["months"])
    tables = [get_table(CYCLES_TABLE).ref]
    warnings = []
    provisional = get_table(PROVISIONAL_CYCLES_TABLE)
    other = _row(PROVISIONAL_CYCLES_TABLE, key)
    if verified_on >= provisional.applies_from:
        tables.append(provisional.ref)
        if other is not None and int(other["months"]) != months:
            other_months = int(other["months"])
            warnings.append(
                f"TT 04/2026/TT-BKHCN (hiệu lực {provisional.applies_from:%d/%m/%Y}, số liệu tạm thời chưa đối "
                f"chiếu văn bản chính thức) ghi chu kỳ {other_months} tháng, tức hạn đến "
                f"{cycle_expiry_date(verified_on, other_months):%d/%m/%Y}; hạn trên tính theo chu kỳ đã xác nhận."
            )
    return CycleExpiry(
        key=key,
        instrument=row["instrument"],
        months=months,
        verified_on=verified_on,
        expires_on=cycle_expiry_date(verified_on, months),
        source=row["source"],
        derived=derived,
        tables=tuple(tables),
        warnings=tuple(warnings),
    )


def instrument_cycle_months() -> dict[tuple[str, str | None], int]:
    """The cycle in months of every (instrument type, meter variant) the confirmed table gives one for: what a
    set-based query needs to compute stamp expiries in SQL (``premises.state``)."""
    return {
        kind: int(row["months"])
        for kind, key in INSTRUMENT_CYCLE_KEYS.items()
        if (row := _row(CYCLES_TABLE, key)) is not None
    }


def instrument_expiry(
    instrument_type: str, variant: str | None, verified_on: datetime.date
) -> CycleExpiry | None:
    """The stamp expiry of an instrument from its last verification date; None when no cycle is known for it."""
    key = cycle_key(instrument_type, variant)
    if key is None:
        return None
    return expiry_for_key(key, verified_on, derived=(instrument_type, variant or None) in DERIVED_KEYS)


def weight_expiry(accuracy_class: str, verified_on: datetime.date) -> CycleExpiry | None:
    """The verification expiry of a reference weight (E2: 24 months; F1 and coarser: 12); None for other classes."""
    key = weight_cycle_key(accuracy_class)
    return None if key is None else expiry_for_key(key, verified_on)
