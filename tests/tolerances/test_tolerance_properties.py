"""Properties of the tolerance engine and the lot rules, checked on generated values (hypothesis, derandomized and
bounded, so every run tries the same cases): verdicts are monotone in the error, limits come from the law's rows
with its boundaries, units scale exactly, and every number is an exact Decimal.

The law's tables are written out here again, from the texts (OIML R 76-1 Table 6, TT 21/2014 Phụ lục IV / OIML
R 87), rather than read from the engine's data files, so a wrong data file fails these tests."""

from __future__ import annotations

from decimal import Decimal, localcontext

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspect_app.tolerances.verdicts import (
    RULE_MEAN_BELOW_NOMINAL,
    RULE_TOO_MANY_BEYOND_T,
    RULE_UNIT_BEYOND_2T,
)
from inspect_app.tolerances import (
    FAIL,
    PASS,
    judge_control_measurement,
    judge_dispenser_run,
    judge_lot,
    judge_weighing,
    prepackage_tolerance,
    scale_mpe,
)

D = Decimal
BOUNDED = settings(
    max_examples=100,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# OIML R 76-1 Table 6, initial verification, loads in e: (lower exclusive — except 0 —, upper inclusive, mpe in e).
R76 = {
    "III": [(0, 500, D("0.5")), (500, 2000, D(1)), (2000, 10000, D("1.5"))],
    "IIII": [(0, 50, D("0.5")), (50, 200, D(1)), (200, 1000, D("1.5"))],
}
E_VALUES = [D(v) for v in ("0.1", "0.2", "0.5", "1", "2", "5", "10", "20", "50")]


def r76_mpe(load_e: Decimal, accuracy_class: str) -> Decimal:
    for lower, upper, mpe in R76[accuracy_class]:
        if (load_e >= lower if lower == 0 else load_e > lower) and load_e <= upper:
            return mpe
    raise AssertionError(f"{load_e} e beyond the table")


# TT 21/2014 Phụ lục IV (OIML R 87 Table 1), Qn in g or mL: (lower, upper inclusive, percent of Qn, absolute).
R87 = [
    (D(5), D(50), D(9), None),
    (D(50), D(100), None, D("4.5")),
    (D(100), D(200), D("4.5"), None),
    (D(200), D(300), None, D(9)),
    (D(300), D(500), D(3), None),
    (D(500), D(1000), None, D(15)),
    (D(1000), D(10000), D("1.5"), None),
    (D(10000), D(15000), None, D(150)),
    (D(15000), D(50000), D(1), None),
]


def r87_t(qn: Decimal) -> Decimal:
    for lower, upper, percent, absolute in R87:
        if (qn >= lower if lower == 5 else qn > lower) and qn <= upper:
            return percent * qn / 100 if percent is not None else absolute
    raise AssertionError(f"{qn} beyond the table")


def decimals(low: str, high: str, places: int):
    return st.decimals(
        min_value=D(low), max_value=D(high), places=places, allow_nan=False, allow_infinity=False
    )


scales = st.tuples(st.sampled_from(["III", "IIII"]), st.sampled_from(E_VALUES)).flatmap(
    lambda ce: st.tuples(
        st.just(ce[0]),
        st.just(ce[1]),
        # A load as a whole number of e within the class's table (exact multiples keep the boundaries reachable).
        st.integers(min_value=0, max_value=R76[ce[0]][-1][1]).map(lambda n: ce[1] * n),
    )
)


# ---- scales (OIML R 76-1) --------------------------------------------------------------------------------------


@BOUNDED
@given(scale=scales, in_service=st.booleans())
def test_the_scale_limit_is_the_laws_row_with_its_boundaries(scale, in_service):
    accuracy_class, e, load = scale
    expected = r76_mpe(load / e, accuracy_class) * e * (2 if in_service else 1)
    assert scale_mpe(load, e, accuracy_class, in_service) == expected


@BOUNDED
@given(scale=scales, error_e=decimals("-4", "4", 3), smaller=st.fractions(min_value=0, max_value=1))
def test_a_weighing_verdict_is_monotone_in_the_error(scale, error_e, smaller):
    """Within the limit passes, beyond fails; and any smaller |error| passes if this one did."""
    accuracy_class, e, load = scale
    error = error_e * e
    verdict = judge_weighing(load + error, load, e, accuracy_class)
    assert verdict.outcome == (PASS if abs(error) <= verdict.permitted_error else FAIL)
    assert verdict.error == error  # exact: no float in between
    closer = error * D(smaller.numerator) / D(smaller.denominator)
    if verdict.outcome == PASS:
        assert judge_weighing(load + closer, load, e, accuracy_class).outcome == PASS


@BOUNDED
@given(scale=scales)
def test_a_weighing_exactly_at_the_limit_passes_and_one_step_beyond_fails(scale):
    accuracy_class, e, load = scale
    permitted = scale_mpe(load, e, accuracy_class)
    step = D("0.0001") * e
    for sign in (1, -1):
        assert judge_weighing(load + sign * permitted, load, e, accuracy_class).outcome == PASS
        assert judge_weighing(load + sign * (permitted + step), load, e, accuracy_class).outcome == FAIL


@BOUNDED
@given(scale=scales, error_e=decimals("-4", "4", 3))
def test_a_weighing_in_kilograms_is_the_same_weighing_in_grams(scale, error_e):
    accuracy_class, e, load = scale
    in_g = judge_weighing(load + error_e * e, load, e, accuracy_class, unit="g")
    in_kg = judge_weighing((load + error_e * e) / 1000, load / 1000, e / 1000, accuracy_class, unit="kg")
    assert in_kg.outcome == in_g.outcome
    assert in_kg.error * 1000 == in_g.error and in_kg.permitted_error * 1000 == in_g.permitted_error
    assert in_kg.rule == in_g.rule


# ---- control measurements (TT 09/2017 Điều 5) and fuel dispensers (OIML R 117) ----------------------------------

SPRING_8KG = {"max_g": D(8000), "d_g": D(20)}


@BOUNDED
@given(
    reference=st.integers(min_value=400, max_value=8000).map(D),
    shortfall=decimals("0", "80", 2),
    smaller=st.fractions(min_value=0, max_value=1),
    direction=st.sampled_from(["sell", "buy"]),
)
def test_a_control_measurement_is_monotone_in_the_shortfall(reference, shortfall, smaller, direction):
    sign = 1 if direction == "sell" else -1
    verdict = judge_control_measurement(reference + sign * shortfall, reference, direction, **SPRING_8KG)
    assert verdict.shortfall == shortfall
    assert verdict.outcome == (PASS if shortfall <= verdict.permitted_error else FAIL)
    less = shortfall * D(smaller.numerator) / D(smaller.denominator)
    if verdict.outcome == PASS:
        again = judge_control_measurement(reference + sign * less, reference, direction, **SPRING_8KG)
        assert again.outcome == PASS


@BOUNDED
@given(
    volume=decimals("2", "100", 2),
    error_percent=decimals("-2", "2", 3),
    accuracy_class=st.sampled_from(["0.3", "0.5", "1.0"]),
)
def test_a_dispenser_run_passes_exactly_within_its_limit(volume, error_percent, accuracy_class):
    error = volume * error_percent / 100
    verdict = judge_dispenser_run(volume, volume + error, accuracy_class)
    assert verdict.error == error
    assert verdict.outcome == (PASS if abs(error) <= verdict.permitted_error else FAIL)
    at_limit = judge_dispenser_run(volume, volume - verdict.permitted_error, accuracy_class)
    assert at_limit.outcome == PASS


# ---- pre-packaged goods (TT 21/2014) ---------------------------------------------------------------------------

nominals = decimals("5", "50000", 3)


@BOUNDED
@given(qn=nominals)
def test_t_is_the_laws_row_for_the_nominal_quantity(qn):
    assert prepackage_tolerance(qn, "g") == r87_t(qn)
    assert prepackage_tolerance(qn, "mL") == r87_t(qn)


@BOUNDED
@given(qn=nominals, more=decimals("0", "10000", 3))
def test_t_never_decreases_as_the_nominal_quantity_grows(qn, more):
    bigger = min(qn + more, D(50000))
    assert prepackage_tolerance(bigger, "g") >= prepackage_tolerance(qn, "g")


@BOUNDED
@given(qn=nominals)
def test_t_in_kilograms_and_litres_is_t_in_grams_and_millilitres_scaled(qn):
    assert prepackage_tolerance(qn / 1000, "kg") * 1000 == prepackage_tolerance(qn, "g")
    assert prepackage_tolerance(qn / 1000, "L") * 1000 == prepackage_tolerance(qn, "mL")


@st.composite
def lots(draw, min_size=1, max_size=30):
    """A nominal quantity and a sample around it, from well over to well under (more than 2T short)."""
    qn = draw(st.sampled_from([D(100), D(250), D(500), D(1000), D(5000)]))
    t = prepackage_tolerance(qn, "g")
    offsets = st.decimals(min_value=-3 * t, max_value=t, places=2, allow_nan=False, allow_infinity=False)
    sample = draw(st.lists(offsets, min_size=min_size, max_size=max_size))
    return qn, [qn + offset for offset in sample]


@BOUNDED
@given(lot=lots(), worse_by=decimals("0", "50", 2))
def test_adding_a_worse_package_never_turns_a_failed_whole_lot_into_a_pass(lot, worse_by):
    """n = N (the whole lot measured): mean ≥ Qn, ≤ 2.5 % beyond T, none beyond 2T."""
    qn, measured = lot
    before = judge_lot(qn, "g", measured)
    worst = max(min(measured) - worse_by, D("0.01"))
    after = judge_lot(qn, "g", [*measured, worst])
    if before.outcome == FAIL:
        assert after.outcome == FAIL, (before, after)


@BOUNDED
@given(lot=lots(min_size=2), index=st.integers(min_value=0), lighter_by=decimals("0", "50", 2))
def test_a_lighter_package_never_turns_a_failed_whole_lot_into_a_pass(lot, index, lighter_by):
    qn, measured = lot
    index %= len(measured)
    lighter = list(measured)
    lighter[index] = max(lighter[index] - lighter_by, D("0.01"))
    if judge_lot(qn, "g", measured).outcome == FAIL:
        assert judge_lot(qn, "g", lighter).outcome == FAIL


@BOUNDED
@given(lot=lots(min_size=20, max_size=20), worse_by=decimals("0", "50", 2))
def test_in_a_sampled_lot_the_counts_of_short_packages_never_improve_with_a_worse_package(lot, worse_by):
    """n < N: the mean rule Xtb ≥ Qn − k·s may move either way when s grows (the law's rule, with k for the
    sample size), but the units short by more than T and 2T only add up."""
    qn, measured = lot
    before = judge_lot(qn, "g", measured, lot_size=1000)
    worst = max(min(measured) - worse_by, D("0.01"))
    after = judge_lot(qn, "g", [*measured, worst], lot_size=1000)
    assert after.count_beyond_t >= before.count_beyond_t and after.count_beyond_2t >= before.count_beyond_2t
    if RULE_TOO_MANY_BEYOND_T in before.rules_broken or RULE_UNIT_BEYOND_2T in before.rules_broken:
        assert after.outcome == FAIL


@BOUNDED
@given(lot=lots())
def test_a_lot_verdict_is_decimal_exact(lot):
    qn, measured = lot
    verdict = judge_lot(qn, "g", measured)
    assert all(isinstance(v, Decimal) for v in (verdict.error, verdict.permitted_error, verdict.mean))
    with localcontext() as context:
        context.prec = 40
        exact_mean = sum(measured, D(0)) / len(measured)
    assert verdict.mean == +exact_mean  # the quotient to Decimal's 28 digits, never a float's 17
    assert verdict.error == verdict.mean - qn
    # Whole lot: the mean rule is Xtb ≥ Qn, compared on the exact sum (no rounding of the mean decides it).
    assert (RULE_MEAN_BELOW_NOMINAL in verdict.rules_broken) == (sum(measured, D(0)) < qn * len(measured))


@BOUNDED
@given(n=st.integers(min_value=1, max_value=200), short=st.integers(min_value=0, max_value=10))
def test_the_share_of_units_beyond_t_is_counted_exactly(n, short):
    """No more than 2.5 % of the sample may be short by more than T: 1 in 40 passes, 1 in 39 does not."""
    qn = D(1000)
    t = prepackage_tolerance(qn, "g")
    short = min(short, n)
    measured = [qn - t - D("0.01")] * short + [qn + 2 * t] * (n - short)
    verdict = judge_lot(qn, "g", measured)
    assert verdict.count_beyond_t == short
    assert (RULE_TOO_MANY_BEYOND_T in verdict.rules_broken) == (D(short) / D(n) > D("0.025"))
