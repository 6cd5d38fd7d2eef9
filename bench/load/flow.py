"""Choices the simulated inspector makes as a person on the phone would, kept apart from Locust so the driver
(``load_test.py``) picks the premises with the same rule: which scale to check with which weight, which checklist
items to answer."""

from __future__ import annotations

from decimal import Decimal

GRAMS = {"mg": Decimal("0.001"), "g": Decimal(1), "kg": Decimal(1000)}
# inspect_app.domain.vocabulary.SCALE_TYPES
SCALES = {"spring_scale", "pan_scale", "platform_scale", "electronic_scale"}


def grams(value, unit: str) -> Decimal:
    return Decimal(str(value)) * GRAMS[unit]


def mass(weight: dict) -> Decimal:
    """A weight's conventional mass in grams: its nominal value and its correction (the server compares this with
    the scale's Max, and refuses a load above it)."""
    return grams(weight["nominal"], weight["unit"]) + Decimal(str(weight.get("correction_mg") or 0)) / 1000


def scale_and_weight(instruments: list[dict], standards: list[dict]) -> tuple[dict, dict] | None:
    """A scale in use and one weight of the unit it can be checked with (20 e up to Max), or None.

    ``instruments`` and ``standards`` are the API's answers (or rows with the same keys)."""
    weights = sorted(
        (s for s in standards if s["kind"] == "weight" and s.get("active", True) and s["unit"] in GRAMS),
        key=mass,
    )
    for instrument in instruments:
        if not instrument.get("in_use", True) or instrument.get("max_capacity") in (None, ""):
            continue
        if instrument["instrument_type"] not in SCALES or instrument.get("e") in (None, ""):
            continue
        if instrument["unit"] not in GRAMS:
            continue
        top = grams(instrument["max_capacity"], instrument["unit"])
        low = 20 * grams(instrument["e"], instrument["unit"])
        fitting = [w for w in weights if low <= mass(w) <= top]
        if fitting:
            # The largest weight that fits: a check near the scale's working range.
            return instrument, fitting[-1]
    return None


def reference_of(instrument: dict, weight: dict) -> Decimal:
    """The weight's mass in the scale's unit."""
    return grams(weight["nominal"], weight["unit"]) / GRAMS[instrument["unit"]]


def items_for(catalogue: dict, premise_type: str) -> list[dict]:
    """The checklist items that apply to a premise of this type, in the catalogue's order."""
    return [
        item
        for group in catalogue["groups"]
        for item in group["items"]
        if "*" in item["premise_types"] or premise_type in item["premise_types"]
    ]
