"""Pre-packaged goods, TT 21/2014/TT-BKHCN: tolerable deficiency T (Phụ lục IV / OIML R 87) and sample factors k."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .common import Number, band_contains, band_text, plain, plain_vi, to_decimal
from .table_data import TableRef, get_table

T_TABLE = "tt21_2014_tolerable_deficiency"
K_TABLE = "tt21_2014_sample_k"

# unit (lower case) -> (display name, factor to the table's base unit g or mL, base unit)
_UNITS: dict[str, tuple[str, Decimal, str]] = {
    "g": ("g", Decimal(1), "g"),
    "kg": ("kg", Decimal(1000), "g"),
    "ml": ("mL", Decimal(1), "mL"),
    "l": ("L", Decimal(1000), "mL"),
}


def normalize_quantity_unit(unit: str) -> tuple[str, Decimal, str]:
    """(display unit, factor to g or mL, base unit) for 'g', 'kg', 'mL', 'L' in any letter case."""
    key = unit.strip().lower() if isinstance(unit, str) else unit
    if key not in _UNITS:
        raise ValueError(f"unit must be one of g, kg, mL, L; got {unit!r}")
    return _UNITS[key]


@dataclass(frozen=True)
class Tolerance:
    """T for one nominal quantity, with the band and rule it came from."""

    nominal: Decimal
    unit: str
    tolerable_deficiency: Decimal  # T, in ``unit``
    percent: Decimal | None  # T as % of Qn when the band gives a percentage
    band: str
    rule: str
    table: TableRef


def tolerance(nominal: Number, unit: str) -> Tolerance:
    """T for a nominal quantity, with the band and Vietnamese rule text (TT 21/2014 Phụ lục IV, OIML R 87)."""
    display, factor, base = normalize_quantity_unit(unit)
    qn = to_decimal(nominal, "nominal")
    base_qn = qn * factor
    table = get_table(T_TABLE)
    rows = table.rows
    row = next((r for r in rows if band_contains(r, base_qn)), None)
    if row is None:
        raise ValueError(
            f"nominal quantity {plain(qn)} {display} is outside the table of T "
            f"({plain(rows[0]['lower'])} to {plain(rows[-1]['upper'])} {base})"
        )
    if row["percent"] is not None:
        base_t = row["percent"] * base_qn / 100
        value_text = f"{plain_vi(row['percent'])} % của Qn"
    else:
        base_t = row["absolute"]
        value_text = f"{plain_vi(row['absolute'])} {base}"
    t = base_t / factor
    band = band_text(row, "Qn", base)
    rule = f"Lượng thiếu cho phép T = {value_text} ({band}), TT 21/2014/TT-BKHCN Phụ lục IV (OIML R 87)"
    return Tolerance(qn, display, t, row["percent"], band, rule, table.ref)


def prepackage_tolerance(nominal: Number, unit: str) -> Decimal:
    """Tolerable deficiency T of one pre-packaged unit, in ``unit`` (g, kg, mL, L); not rounded."""
    return tolerance(nominal, unit).tolerable_deficiency


def sample_k(sample_size: int) -> Decimal | None:
    """Factor k of Xtb ≥ Qn − k·s for this sample size, or None when the (provisional) table has none."""
    for row in get_table(K_TABLE).rows:
        if row["sample_size"] == sample_size:
            return row["k"]
    return None


def sample_size_for_lot(lot_size: int) -> int:
    """How many units a lot of this size needs in its sample (the plan of the k table): a small lot is measured
    whole (n = N), a bigger one by the sample size of its row."""
    table = get_table(K_TABLE)
    if lot_size < table.parameters["whole_lot_below"]:
        return lot_size
    for row in table.rows:
        if (
            row["lot_from"] is not None
            and row["lot_from"] <= lot_size
            and (row["lot_to"] is None or lot_size <= row["lot_to"])
        ):
            return int(row["sample_size"])
    raise ValueError(
        f"no sample plan for a lot of {lot_size} units"
    )  # pragma: no cover - the table covers all


def sample_plan_text() -> str:
    """The plan in words, for the lot forms: how many units each lot size needs."""
    table = get_table(K_TABLE)
    below = plain_vi(table.parameters["whole_lot_below"])
    parts = [f"lô dưới {below} đơn vị: cân/đo cả lô"]
    for row in table.rows:
        if row["lot_from"] is None:
            continue
        span = (
            f"lô trên {plain_vi(row['lot_from'] - 1)} đơn vị"
            if row["lot_to"] is None
            else f"lô {plain_vi(row['lot_from'])}–{plain_vi(row['lot_to'])} đơn vị"
        )
        parts.append(f"{span}: {plain_vi(row['sample_size'])} đơn vị mẫu")
    return (
        "Số đơn vị mẫu cần cân/đo: " + "; ".join(parts) + " (TT 21/2014/TT-BKHCN Phụ lục III, bảng tạm thời)."
    )
