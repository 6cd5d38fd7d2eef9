"""Automatic findings: suggested answers for checklist items, computed from the metrology records (never stored)."""

from __future__ import annotations

from collections import OrderedDict
from typing import NamedTuple

from ..checklists import load_catalogue
from ..domain.time import in_vn
from ..tolerances import INCONCLUSIVE
from ..tolerances.common import plain_vi
from ..models import Inspection
from ..models.metrology import PrepackagedLot, Reading
from .instruments import instruments_of, range_state, verification_state
from .lots import lots_of
from .readings import readings_of
from .rules import instrument_label


class AutoFinding(NamedTuple):
    """A suggested answer for a checklist item, computed from the metrology records (never stored)."""

    answer: str  # "pass" or "fail"
    reason: str


def _judged(records, describe) -> AutoFinding | None:
    failed = [r for r in records if r.outcome == "fail"]
    passed = [r for r in records if r.outcome == "pass"]
    unsure = [r for r in records if r.outcome == INCONCLUSIVE]
    # Results the team may not conclude on say so: "sơ bộ", not counted as violations.
    indicative = (
        " (sơ bộ: đoàn không có cán bộ Sở Khoa học và Công nghệ)"
        if any(r.indicative for r in records)
        else ""
    )
    if failed:
        return AutoFinding(
            "fail", f"{len(failed)}/{len(records)} không đạt{indicative}: " + "; ".join(map(describe, failed))
        )
    if passed:
        reason = f"{len(passed)}/{len(records)} đạt{indicative}"
        if unsure:
            reason += f"; {len(unsure)} không đủ cơ sở kết luận (chuẩn quá hạn)"
        return AutoFinding("pass", reason)
    return None


def _describe_reading(reading: Reading) -> str:
    return (
        f"{reading.instrument_label}: chuẩn {plain_vi(reading.reference)} {reading.unit}, "
        f"số chỉ {plain_vi(reading.indication)} {reading.unit}, sai số {plain_vi(reading.error)} {reading.unit} "
        f"(cho phép {plain_vi(reading.permitted_error)} {reading.unit})"
    )


def _describe_lot(lot: PrepackagedLot) -> str:
    return f"{lot.product} {plain_vi(lot.nominal)} {lot.unit}: " + "; ".join(lot.rules_broken)


def automatic_findings(inspection: Inspection) -> dict[str, AutoFinding]:
    """Suggested answers for the catalogue items whose ``auto_source`` is metrology data, in catalogue order."""
    catalogue = load_catalogue(inspection.catalogue_version)
    premise_type = inspection.premise.premise_type
    on_date = in_vn(inspection.started_at).date()
    # Meters belong to the utility: their stamps are recorded in meter checks, not judged for the business.
    instruments = [i for i in instruments_of(inspection.premise_id, in_use_only=True) if not i.is_meter]
    readings = readings_of(inspection)
    found: dict[str, AutoFinding | None] = {}

    checks = [(i, *verification_state(i, on_date)) for i in instruments]
    if checks:
        bad = [f"{instrument_label(i)}: {why}" for i, ok, why in checks if not ok]
        if bad:
            found["instrument_verification"] = AutoFinding("fail", "; ".join(bad))
        else:
            found["instrument_verification"] = AutoFinding(
                "pass", "; ".join(f"{instrument_label(i)}: {why}" for i, _ok, why in checks)
            )
    ranges = [(i, state) for i in instruments if (state := range_state(i)) is not None]
    if ranges:
        bad = [f"{instrument_label(i)}: {why}" for i, (ok, why) in ranges if not ok]
        found["instrument_range"] = (
            AutoFinding("fail", "; ".join(bad))
            if bad
            else AutoFinding("pass", "; ".join(f"{instrument_label(i)}: {why}" for i, (_ok, why) in ranges))
        )
    found["instrument_readings"] = _judged([r for r in readings if r.kind != "control"], _describe_reading)
    found["control_measurement"] = _judged([r for r in readings if r.kind == "control"], _describe_reading)
    found["prepackage_lots"] = _judged(lots_of(inspection), _describe_lot)

    result: OrderedDict[str, AutoFinding] = OrderedDict()
    for item in catalogue.items:
        suggestion = found.get(item.auto_source) if item.auto_source else None
        if suggestion is not None and item.applies_to(premise_type):
            result[item.code] = suggestion
    return dict(result)
