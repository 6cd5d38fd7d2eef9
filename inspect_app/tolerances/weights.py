"""Reference weights: OIML R 111-1 maximum permissible errors and the combined MPE of a set of weights."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .common import Number, format_mass_g, plain_vi, to_decimal
from .table_data import TableRef, get_table

R111_TABLE = "oiml_r111_weight_mpe"

_DASHES = str.maketrans({"–": "-", "—": "-", "‑": "-", "−": "-"})


def weight_classes() -> tuple[str, ...]:
    """The weight classes carried by the R 111 table, e.g. ('F2', 'M1', 'M1-2', 'M2', 'M2-3', 'M3')."""
    return tuple(get_table(R111_TABLE).rows[0]["mpe_mg"])


def normalize_weight_class(accuracy_class: str) -> str:
    """Canonical class name: 'm1–2' -> 'M1-2'. Raises ValueError for an unknown class."""
    if not isinstance(accuracy_class, str):
        raise TypeError("accuracy_class must be a string such as 'M1'")
    name = accuracy_class.strip().translate(_DASHES).upper().replace(" ", "")
    known = weight_classes()
    if name not in known:
        raise ValueError(f"unknown weight class {accuracy_class!r} (known: {', '.join(known)})")
    return name


def weight_mpe(nominal_g: Number, accuracy_class: str) -> Decimal:
    """MPE ±δm in mg of one weight of nominal value ``nominal_g`` (grams), OIML R 111-1 Table 1."""
    nominal = to_decimal(nominal_g, "nominal_g")
    name = normalize_weight_class(accuracy_class)
    rows = get_table(R111_TABLE).rows
    for row in rows:
        if row["nominal_g"] == nominal:
            mpe = row["mpe_mg"][name]
            if mpe is None:
                defined = [r["nominal_g"] for r in rows if r["mpe_mg"][name] is not None]
                raise ValueError(
                    f"class {name} is not defined for {format_mass_g(nominal)} "
                    f"(defined from {format_mass_g(min(defined))} to {format_mass_g(max(defined))})"
                )
            return mpe
    raise ValueError(f"{format_mass_g(nominal)} is not in the OIML R111 nominal series")


@dataclass(frozen=True)
class WeightItem:
    """One weight of a combination, with its MPE and optional conventional-mass correction (mg)."""

    nominal_g: Decimal
    accuracy_class: str
    mpe_mg: Decimal
    correction_mg: Decimal | None = None


@dataclass(frozen=True)
class CombinedWeights:
    """A set of reference weights placed together: total mass and combined MPE (linear sum)."""

    items: tuple[WeightItem, ...]
    total_nominal_g: Decimal
    total_correction_mg: Decimal
    conventional_mass_g: Decimal
    mpe_mg: Decimal
    mpe_g: Decimal
    method: str
    table: TableRef
    warnings: tuple[str, ...] = ()

    @property
    def provisional(self) -> bool:
        return self.table.provisional


def combine_weights(weights: Sequence[Sequence[Any]]) -> CombinedWeights:
    """Combine weights given as (nominal_g, class) or (nominal_g, class, correction_mg or None).

    The combined MPE is the plain sum of the R 111 MPEs (worst case, conservative; no root-sum-square).
    ``conventional_mass_g`` = total nominal + sum of the given corrections (mc - m0, in mg).
    """
    if isinstance(weights, str | bytes) or not weights:
        raise ValueError("no weights given")
    items = []
    warnings = []
    for index, weight in enumerate(weights, start=1):
        if isinstance(weight, str | bytes) or len(weight) not in (2, 3):
            raise ValueError(
                f"weight {index}: expected (nominal_g, class) or (nominal_g, class, correction_mg)"
            )
        nominal = to_decimal(weight[0], f"weight {index} nominal_g")
        name = normalize_weight_class(weight[1])
        mpe = weight_mpe(nominal, name)
        correction = None
        if len(weight) == 3 and weight[2] is not None:
            correction = to_decimal(weight[2], f"weight {index} correction_mg")
            if abs(correction) > mpe:
                warnings.append(
                    f"Quả cân {format_mass_g(nominal, vietnamese=True)} cấp {name} có số hiệu chính "
                    f"{plain_vi(correction)} mg vượt giới hạn sai số cho phép ±{plain_vi(mpe)} mg của cấp"
                )
        items.append(WeightItem(nominal, name, mpe, correction))
    total_nominal = sum((item.nominal_g for item in items), Decimal(0))
    total_correction = sum((item.correction_mg or Decimal(0) for item in items), Decimal(0))
    total_mpe = sum((item.mpe_mg for item in items), Decimal(0))
    table = get_table(R111_TABLE)
    return CombinedWeights(
        items=tuple(items),
        total_nominal_g=total_nominal,
        total_correction_mg=total_correction,
        conventional_mass_g=total_nominal + total_correction / 1000,
        mpe_mg=total_mpe,
        mpe_g=total_mpe / 1000,
        method="Cộng tuyến tính giới hạn sai số của các quả cân (OIML R 111-1 Bảng 1), cách tính thận trọng",
        table=table.ref,
        warnings=tuple(warnings),
    )
