"""Cases for the phone's rules (static/field/metrology.js) with the answers of the server's engine
(inspect_app.tolerances).

Made at test time from the engine and its tables, never kept as a fixture: when a table or a rule of the engine
changes, the expected answers change with it and the phone has to follow. There are random readings and lots (fixed
seed), and cases on the edges of every band of the tables the phone reads: a load, volume, mass or nominal quantity
exactly on a band's limit, and an error exactly at the permitted limit and just beyond it.

Decimals travel as text. Expected numbers are in the phone's canonical form (metrology.js `plain`: "0.15", "-0.05",
"0"); a case the engine refuses (outside its tables) expects {"refused": true}, which on the phone is a `Problem`.
"""

from __future__ import annotations

import json
import random
import sys
from datetime import date, timedelta
from decimal import Decimal

from inspect_app import tolerances as engine
from inspect_app.tolerances.retail import SHORTFALL_TABLE, ShortfallRefused
from inspect_app.measurements.instruments import verification_state
from inspect_app.models.metrology import Instrument
from inspect_app.tolerances.cycles import INSTRUMENT_CYCLE_KEYS, cycle_keys_as_json, instrument_expiry
from inspect_app.tolerances.weights import combine_weights

SEED = 20261121
# (class, unit, e, Max): the scales of the random weighings.
SCALES = [
    ("IIII", "kg", "0.05", "15"),
    ("IIII", "kg", "0.1", "30"),
    ("III", "g", "2", "6000"),
    ("III", "kg", "0.005", "30"),
    ("II", "g", "0.1", "2000"),
]
# Reference weights in grams, largest first (OIML R 111 nominal values).
WEIGHTS_G = [20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1]
WEIGHT_CLASSES = ["M1", "M1", "M1", "F2", "M2"]
STEP = Decimal("0.001")  # just beyond a limit


def plain(value: Decimal) -> str:
    """The phone's canonical text of a decimal: no exponent, no trailing zeros, "0" for zero."""
    value = Decimal(value)
    return format(value.normalize(), "f") if value else "0"


def _kg(grams: Decimal) -> str:
    return plain(Decimal(grams) / 1000)


def _rows(table_id: str) -> list[dict]:
    return engine.tables_as_json()["tables"][table_id]["rows"]


def _edges(table_id: str, **match) -> list[Decimal]:
    """Every finite band limit of a banded table (lower and upper), for the rows matching `match`."""
    edges = set()
    for row in _rows(table_id):
        if all(row.get(key) == value for key, value in match.items()):
            edges.update(Decimal(row[key]) for key in ("lower", "upper") if row.get(key) is not None)
    return sorted(edges)


# ---- weighings: OIML R 76-1 with R 111 weights ---------------------------------------------------------------------


def _weighing(cls, unit, e, maximum, weights, indication, in_service, standards_valid=True) -> dict:
    combination = combine_weights(
        [(Decimal(w["nominal"]) * 1000, w["accuracy_class"], w["correction_mg"]) for w in weights]
    )
    factor = Decimal(1000) if unit == "kg" else Decimal(1)
    reference = combination.total_nominal_g / factor
    args = {
        "accuracyClass": cls,
        "unit": unit,
        "e": e,
        "max": maximum,
        "weights": weights,
        "indication": str(indication),
        "inService": in_service,
        "standardsValid": standards_valid,
    }
    verdict = engine.judge_weighing(
        Decimal(indication),
        reference,
        Decimal(e),
        cls,
        in_service,
        combination,
        standards_valid=standards_valid,
        unit=unit,
    )
    expected = {
        "outcome": verdict.outcome,
        "error": plain(verdict.error),
        "permitted": plain(verdict.permitted_error),
        "standardsMpe": plain(verdict.standards_mpe),
        "rule": verdict.rule,
        "warnings": list(verdict.warnings),
    }
    return {"args": args, "expected": expected}


def _weight(nominal_g: int, rng: random.Random | None = None) -> dict:
    cls = rng.choice(WEIGHT_CLASSES) if rng else "M1"
    correction = None
    if rng and rng.random() < 0.2:
        # Sometimes a certificate correction, now and then larger than the class allows (a warning).
        mpe = engine.weight_mpe(Decimal(nominal_g), cls)
        correction = plain(mpe * Decimal(rng.choice([-3, -1, 1, 2, 5])) / 2)
    return {
        "nominal": _kg(Decimal(nominal_g)),
        "unit": "kg",
        "accuracy_class": cls,
        "correction_mg": correction,
    }


def _decompose(grams: Decimal) -> list[int] | None:
    """The load as reference weights (greedy, at most 6 pieces), or None."""
    if grams != grams.to_integral_value() or grams <= 0:
        return None
    left, pieces = int(grams), []
    for nominal in WEIGHTS_G:
        while left >= nominal and len(pieces) < 6:
            pieces.append(nominal)
            left -= nominal
    return pieces if left == 0 else None


def weighings(rng: random.Random) -> list[dict]:
    cases = []
    for _ in range(150):
        cls, unit, e, maximum = rng.choice(SCALES)
        pieces = [rng.choice([1000, 2000, 5000, 10000, 500, 200, 100]) for _ in range(rng.randint(1, 3))]
        reference = Decimal(sum(pieces)) / (1000 if unit == "kg" else 1)
        if reference > Decimal(maximum):
            continue
        indication = reference + Decimal(e) * rng.randint(-4, 4) / 2
        weights = [_weight(p, rng) for p in pieces]
        cases.append(
            _weighing(cls, unit, e, maximum, weights, indication, rng.random() < 0.5, rng.random() > 0.05)
        )
    # The band limits of Table 6 for each scale, with errors at and just beyond the permitted one.
    for cls, unit, e, maximum in SCALES:
        factor = Decimal(1000) if unit == "kg" else Decimal(1)
        for edge_e in _edges("oiml_r76_mpe", **{"class": cls}):
            reference = edge_e * Decimal(e)
            pieces = _decompose(reference * factor)
            if pieces is None or reference > Decimal(maximum):
                continue
            weights = [_weight(p) for p in pieces]
            for in_service in (True, False):
                permitted = engine.scale_band(reference, Decimal(e), cls, in_service).permitted
                for indication in (
                    reference + permitted,
                    reference - permitted,
                    reference + permitted + STEP,
                    reference - permitted - STEP,
                ):
                    cases.append(_weighing(cls, unit, e, maximum, weights, indication, in_service))
    return cases


# ---- fuel dispensers: OIML R 117 --------------------------------------------------------------------------------------


def _dispenser(reference: Decimal, indication: Decimal, cls: str, part: str, standards_valid=True) -> dict:
    verdict = engine.judge_dispenser_run(reference, indication, cls, part, standards_valid=standards_valid)
    return {
        "args": {
            "reference": plain(reference),
            "indication": plain(indication),
            "accuracyClass": cls,
            "part": part,
            "standardsValid": standards_valid,
        },
        "expected": {
            "outcome": verdict.outcome,
            "error": plain(verdict.error),
            "permitted": plain(verdict.permitted_error),
            "rule": verdict.rule,
            "warnings": list(verdict.warnings),
        },
    }


def dispensers(rng: random.Random) -> list[dict]:
    classes = [row["class"] for row in _rows("oiml_r117_mpe")]
    cases = []
    for _ in range(60):
        reference = Decimal(rng.choice(["0.05", "0.15", "0.3", "0.5", "1.5", "5", "20", "50"]))
        indication = reference + Decimal(rng.randint(-30, 30)) / 1000
        cases.append(
            _dispenser(
                reference,
                indication,
                rng.choice(classes),
                rng.choice(["system", "meter"]),
                rng.random() > 0.05,
            )
        )
    for edge in _edges("oiml_r117_small_volumes"):
        for reference in (edge, edge + STEP) if edge else (STEP,):
            for cls in classes:
                for part in ("system", "meter"):
                    permitted = engine.dispenser_limit(reference, cls, part).permitted_l
                    cases += [
                        _dispenser(reference, reference + permitted, cls, part),
                        _dispenser(reference, reference + permitted + STEP, cls, part),
                    ]
                    if reference - permitted - STEP >= 0:
                        cases += [
                            _dispenser(reference, reference - permitted, cls, part),
                            _dispenser(reference, reference - permitted - STEP, cls, part),
                        ]
    return cases


# ---- retail control measurements: TT 09/2017 Điều 5 ----------------------------------------------------------------

# Scales of the control measurements, as the phone holds instruments: (type, unit, Max, d, e, class).
CONTROL_SCALES = [
    ("spring_scale", "kg", "8", "0.02", "0.02", "IIII"),  # in Bảng 2
    ("spring_scale", "kg", "10", "0.05", "0.05", "IIII"),  # in Bảng 2, no 3 d band
    ("spring_scale", "g", "500", "2", "2", "IIII"),  # in Bảng 2, the smallest
    ("spring_scale", "kg", "100", "0.2", "0.2", "IIII"),  # in Bảng 2, the largest
    ("spring_scale", "kg", "7", "0.02", "0.02", "IIII"),  # not in Bảng 2: derived
    ("spring_scale", "kg", "25", "0.1", "", ""),  # not in Bảng 2, no class given: derived all the same
    ("electronic_scale", "kg", "6", "0.002", "0.002", "III"),  # khoản 2
    ("electronic_scale", "g", "2000", "0.1", "1", "II"),  # khoản 2, d < e
    ("platform_scale", "kg", "150", "0.05", "0.05", "III"),  # khoản 2
    ("pan_scale", "kg", "5", "0.01", "0.01", ""),  # khoản 2 without a class: refused
]


def _scale(kind, unit, maximum, d, e, cls) -> dict:
    return {
        "instrument_type": kind,
        "unit": unit,
        "max_capacity": maximum,
        "d": d,
        "e": e or None,
        "accuracy_class": cls,
    }


def _control(
    scale: dict, reference_g: Decimal, indication_g: Decimal, unit: str, direction: str, standards_valid=True
) -> dict:
    factor = Decimal(1000) if unit == "kg" else Decimal(1)
    to_g = Decimal(1000) if scale["unit"] == "kg" else Decimal(1)
    args = {
        "scale": scale,
        "reference": plain(reference_g / factor),
        "indication": plain(indication_g / factor),
        "unit": unit,
        "direction": direction,
        "standardsValid": standards_valid,
    }
    try:
        verdict = engine.judge_control_measurement(
            indication_g,
            reference_g,
            direction,
            max_g=Decimal(scale["max_capacity"]) * to_g,
            d_g=Decimal(scale["d"]) * to_g,
            spring=scale["instrument_type"] == "spring_scale",
            accuracy_class=scale["accuracy_class"] or None,
            e_g=None if scale["e"] is None else Decimal(scale["e"]) * to_g,
            standards_valid=standards_valid,
        )
    except ShortfallRefused as refused:
        return {"args": args, "expected": {"refused": True, "message": str(refused)}}
    expected = {
        "outcome": verdict.outcome,
        "error": plain(verdict.error / factor),
        "permitted": plain(verdict.permitted_error / factor),
        "rule": verdict.rule,
        "warnings": list(verdict.warnings),
        "tables": [ref.to_dict() for ref in verdict.tables],
    }
    return {"args": args, "expected": expected}


def _limit_or_one(scale: dict, reference_g: Decimal) -> Decimal:
    to_g = Decimal(1000) if scale["unit"] == "kg" else Decimal(1)
    try:
        return engine.retail_permitted_shortfall(
            reference_g,
            max_g=Decimal(scale["max_capacity"]) * to_g,
            d_g=Decimal(scale["d"]) * to_g,
            spring=scale["instrument_type"] == "spring_scale",
            accuracy_class=scale["accuracy_class"] or None,
            e_g=None if scale["e"] is None else Decimal(scale["e"]) * to_g,
        )
    except ShortfallRefused:
        return Decimal(1)  # refused: both sides must refuse


def _edge_cases(scale: dict, edges: list[Decimal]) -> list[dict]:
    """A check mass on every band limit and a gram either side, with errors at and just beyond the limit."""
    cases = []
    for edge in edges:
        for reference in (edge - 1, edge, edge + 1):
            permitted = _limit_or_one(scale, reference)
            for unit in ("g", "kg"):
                cases += [
                    _control(scale, reference, reference + permitted, unit, "sell"),
                    _control(scale, reference, reference + permitted + STEP, unit, "sell"),
                    _control(scale, reference, reference - permitted, unit, "buy"),
                    _control(scale, reference, reference - permitted - STEP, unit, "buy"),
                ]
    return cases


def controls(rng: random.Random) -> list[dict]:
    cases = []
    scales = [_scale(*row) for row in CONTROL_SCALES]
    for _ in range(120):
        scale = rng.choice(scales)
        to_g = Decimal(1000) if scale["unit"] == "kg" else Decimal(1)
        maximum = Decimal(scale["max_capacity"]) * to_g
        # From below 20 d to just above Max, in whole grams; errors of a few d either way.
        reference = Decimal(rng.randint(1, int(maximum * Decimal("1.05"))))
        d_g = Decimal(scale["d"]) * to_g
        indication = reference + d_g * Decimal(rng.randint(-40, 40)) / 10
        cases.append(
            _control(
                scale,
                reference,
                indication,
                rng.choice(["g", "kg"]),
                rng.choice(["sell", "buy"]),
                rng.random() > 0.05,
            )
        )
    # Indications far from the weights, on either side, in either direction (7 kg read as 1,95 kg; 9 kg; 7,5 kg).
    for scale in scales:
        to_g = Decimal(1000) if scale["unit"] == "kg" else Decimal(1)
        reference = (Decimal(scale["max_capacity"]) * to_g * 7 / 10).quantize(Decimal(1))
        for factor in ("0.2786", "1.2857", "1.0714", "0.95"):
            for direction in ("sell", "buy"):
                indication = (reference * Decimal(factor)).quantize(Decimal(1))
                cases.append(_control(scale, reference, indication, scale["unit"], direction))
    # Every band limit of Bảng 2, scale by scale, as the table the phone reads holds them.
    for row in _rows(SHORTFALL_TABLE):
        maximum, d = Decimal(row["max_capacity_g"]), Decimal(row["division_g"])
        scale = _scale("spring_scale", "g", plain(maximum), plain(d), plain(d), "IIII")
        cases += _edge_cases(scale, [Decimal(row["lower"]), Decimal(row["upper"])])
    # The derived spring scales and the scales of khoản 2: 20 d, 50 e, 200 e (500 e, 2000 e for class III), Max.
    for kind, unit, maximum, d, e, cls in CONTROL_SCALES:
        if kind == "spring_scale" and cls and unit == "kg" and maximum in ("8", "10", "100"):
            continue
        scale = _scale(kind, unit, maximum, d, e, cls)
        to_g = Decimal(1000) if unit == "kg" else Decimal(1)
        d_g, e_g = Decimal(d) * to_g, Decimal(e or d) * to_g
        edges = {20 * d_g, Decimal(maximum) * to_g}
        edges.update(k * e_g for k in (50, 200, 500, 2000, 5000, 20000) if k * e_g < Decimal(maximum) * to_g)
        cases += _edge_cases(scale, sorted(edges))
    return cases


# ---- pre-packaged lots: TT 21/2014 --------------------------------------------------------------------------------------


def _lot(nominal: str, unit: str, values: list[str], lot_size: int | None) -> dict:
    args = {"nominal": nominal, "unit": unit, "values": values, "lotSize": lot_size}
    try:
        verdict = engine.judge_lot(nominal, unit, values, lot_size)
    except ValueError:
        return {"args": args, "expected": {"refused": True}}
    expected = {
        "outcome": verdict.outcome,
        "rulesBroken": list(verdict.rules_broken),
        "countBeyondT": verdict.count_beyond_t,
        "countBeyond2T": verdict.count_beyond_2t,
        "tolerance": plain(verdict.tolerable_deficiency),
        "k": None if verdict.k is None else plain(verdict.k),
        "warnings": list(verdict.warnings),
    }
    return {"args": args, "expected": expected}


def lots(rng: random.Random) -> list[dict]:
    cases = []
    for _ in range(60):
        nominal, unit = rng.choice([("5", "kg"), ("500", "g"), ("1", "L"), ("12", "kg"), ("250", "mL")])
        n = rng.choice([5, 20, 30, 40, 50])
        spread = Decimal(nominal) / 100
        # Mostly close to the nominal quantity, a few well short (beyond T, sometimes 2T): the 2,5 % edge is hit.
        shorts = rng.choice([0, 1, 1, 2, 3])
        values = [plain(Decimal(nominal) + spread * rng.randint(-120, 150) / 100) for _ in range(n - shorts)]
        values += [plain(Decimal(nominal) - spread * rng.randint(160, 400) / 100) for _ in range(shorts)]
        rng.shuffle(values)
        cases.append(_lot(nominal, unit, values, rng.choice([None, n, 400, 1000])))
    # Nominal quantities on every band limit of the T table (and just outside it), with units short by exactly
    # T or 2T and by a little more, in a sample of 40 where one unit beyond T is allowed and two are not.
    for edge in _edges("tt21_2014_tolerable_deficiency"):
        for unit, factor in (("g", 1), ("L", 1000)):
            for qn_base in (edge - 1, edge, edge + 1):
                nominal = qn_base / factor
                try:
                    t = engine.tolerance(nominal, unit).tolerable_deficiency
                except ValueError:
                    cases.append(_lot(plain(nominal), unit, [plain(nominal)] * 5, None))
                    continue
                high = [plain(nominal + t)] * 38
                for shorts in (
                    [nominal - t, nominal],
                    [nominal - t - STEP, nominal],
                    [nominal - t - STEP, nominal - t - STEP],
                    [nominal - 2 * t, nominal],
                    [nominal - 2 * t - STEP, nominal],
                ):
                    cases.append(_lot(plain(nominal), unit, high + [plain(v) for v in shorts], None))
                # The mean exactly at the nominal quantity, then just below it.
                cases.append(_lot(plain(nominal), unit, [plain(nominal)] * 5, None))
                cases.append(_lot(plain(nominal), unit, [plain(nominal)] * 4 + [plain(nominal - STEP)], None))
    return cases


def stamps(rng: random.Random) -> list[dict]:
    """Verification stamps: a stamp that shows only its date gets its expiry from the TT 23/2013 cycle of the
    instrument kind (month ends and leap days included); no mark, no date, or a kind without a cycle is not valid."""
    kinds = [*INSTRUMENT_CYCLE_KEYS, ("water_meter", None), ("other", None)]
    month_ends = [
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2023, 2, 28),
        date(2024, 8, 31),
        date(2025, 12, 31),
    ]
    cases = []
    for index in range(300):
        kind, variant = kinds[index % len(kinds)]
        verified = (
            month_ends[index % 5]
            if index % 3 == 0
            else date(2019, 1, 1) + timedelta(days=rng.randrange(3000))
        )
        stated = verified + timedelta(days=rng.randrange(200, 900)) if index % 7 == 0 else None
        mark = "" if index % 11 == 0 else f"KĐ-{index}"
        expiry = stated
        if stated is None:
            computed = instrument_expiry(kind, variant, verified)
            expiry = computed.expires_on if computed else None
        # On the day of the inspection: at the expiry, the day after, or anywhere within six years.
        if expiry is not None and index % 4 == 0:
            on = expiry + timedelta(days=index % 8 // 4)
        else:
            on = verified + timedelta(days=rng.randrange(2200))
        instrument = Instrument(
            instrument_type=kind,
            variant=variant,
            verification_mark=mark,
            verified_on=verified,
            valid_until=stated,
        )
        ok, _text = verification_state(instrument, on)
        cases.append(
            {
                "args": {
                    "instrument": {
                        "instrument_type": kind,
                        "variant": variant,
                        "verification_mark": mark,
                        "verified_on": verified.isoformat(),
                        "valid_until": stated.isoformat() if stated else None,
                    },
                    "on": on.isoformat(),
                },
                "expected": {
                    "ok": ok,
                    "expiresOn": expiry.isoformat() if expiry is not None and (mark or stated) else None,
                },
            }
        )
    return cases


def build_cases(seed: int = SEED) -> dict:
    """The tables the phone reads (as GET /api/v1/metrology/tables serves them) and the cases, with answers."""
    rng = random.Random(seed)
    return {
        "tables": {**engine.tables_as_json(), "instrument_cycles": cycle_keys_as_json()},
        "weighings": weighings(rng),
        "dispensers": dispensers(rng),
        "controls": controls(rng),
        "lots": lots(rng),
        "stamps": stamps(rng),
    }


if __name__ == "__main__":
    # `python -m tests.js.engine_cases`: the cases as JSON on stdout, for running the node test by hand.
    json.dump(build_cases(), sys.stdout, ensure_ascii=False)
