"""Pure verdicts on readings: scales, fuel dispensers, retail control measurements and pre-packaged lots."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any

from .common import FAIL, INCONCLUSIVE, PASS, Number, format_mass_g, mass_unit_factor, plain_vi, to_decimal
from .dispensers import dispenser_limit
from .prepackaged import K_TABLE, sample_k, tolerance
from .retail import shortfall_limit
from .scales import _class_row_for_e, _e_ranges_text, scale_band
from .table_data import TableRef, get_table
from .weights import CombinedWeights

TEST_WEIGHTS_TABLE = "oiml_r76_test_weights"
IMPLAUSIBLE_TABLE = "implausible_reading"

STANDARD_VALID = "valid"
STANDARD_EXPIRED = "expired"

INSTRUMENT_CONCLUSIONS = {
    PASS: "Đạt yêu cầu kỹ thuật đo lường",
    FAIL: "Không đạt yêu cầu kỹ thuật đo lường",
}
MEASUREMENT_CONCLUSIONS = {
    PASS: "Phù hợp yêu cầu quy định",
    FAIL: "Không phù hợp yêu cầu quy định",
}
LOT_CONCLUSIONS = {
    PASS: "Lô hàng đạt yêu cầu về lượng hàng đóng gói sẵn",
    FAIL: "Lô hàng không đạt yêu cầu về lượng hàng đóng gói sẵn",
}
INCONCLUSIVE_CONCLUSION = "Không đủ cơ sở kết luận (chuẩn đo lường đã hết hạn kiểm định/hiệu chuẩn)"
IMPLAUSIBLE_CONCLUSION = "Không đủ cơ sở kết luận (số chỉ khác xa khối lượng quả cân đối chứng, cần kiểm tra lại cân)"
IMPLAUSIBLE_RULE = "số chỉ khác xa khối lượng quả cân đối chứng nên không kết luận phù hợp"
EXPIRED_STANDARD_RULE = "chuẩn đo lường đã hết hạn nên không đủ cơ sở kết luận"

RULE_MEAN_BELOW_NOMINAL = "Lượng trung bình nhỏ hơn lượng danh định"
RULE_MEAN_BELOW_LIMIT = "Lượng trung bình nhỏ hơn Qn − k·s"
RULE_TOO_MANY_BEYOND_T = "Quá 2,5 % số đơn vị thiếu vượt T"
RULE_UNIT_BEYOND_2T = "Có đơn vị thiếu vượt 2T"


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, TableRef):
        return value.to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: _jsonable(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


@dataclass(frozen=True, kw_only=True)
class Verdict:
    """What every verdict carries: the numbers judged, the outcome, the rule and the tables used.

    ``outcome`` is "pass", "fail" or "inconclusive"; ``conclusion`` is its Vietnamese wording;
    ``table_id``/``table_version`` name the table that decided the outcome, ``tables`` every table consulted;
    ``provisional`` is True when a table that decided the outcome is provisional (not confirmed in the official text).
    """

    outcome: str
    conclusion: str
    error: Decimal
    permitted_error: Decimal
    unit: str
    rule: str
    table_id: str
    table_version: str
    provisional: bool
    tables: tuple[TableRef, ...]
    warnings: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return self.outcome == PASS

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dict (Decimals as plain strings), including ``passed``."""
        data = _jsonable(self)
        data["passed"] = self.passed
        return data


@dataclass(frozen=True, kw_only=True)
class WeighingVerdict(Verdict):
    """A scale reading judged against OIML R 76-1 Table 6 (error = indication − reference)."""

    indication: Decimal
    reference: Decimal
    e: Decimal
    accuracy_class: str
    in_service: bool
    load_in_e: Decimal
    standards_mpe: Decimal | None  # combined MPE of the reference weights, in ``unit``
    standards_valid: bool


@dataclass(frozen=True, kw_only=True)
class DispenserVerdict(Verdict):
    """A fuel-dispenser run judged against OIML R 117 / MI-005 (error in L, relative error as in ĐLVN 10)."""

    reference_l: Decimal
    indication_l: Decimal
    relative_error_percent: Decimal
    permitted_percent: Decimal
    accuracy_class: str
    part: str
    standards_valid: bool


@dataclass(frozen=True, kw_only=True)
class ControlMeasurementVerdict(Verdict):
    """A TT 09/2017 control measurement (phép đo đối chứng) with reference weights, in grams."""

    indication: Decimal
    reference: Decimal
    direction: str
    # What the other party is short: sell = indication − reference; buy = reference − indication.
    shortfall: Decimal
    standards_valid: bool


@dataclass(frozen=True, kw_only=True)
class LotVerdict(Verdict):
    """A pre-packaged lot judged by TT 21/2014 (mean, T, 2T rules).

    ``error`` = mean − Qn; ``permitted_error`` = how far the mean may lie below Qn (k·s, or 0 when Xtb ≥ Qn applies).
    """

    nominal: Decimal
    sample_size: int
    lot_size: int | None
    whole_lot: bool
    mean: Decimal
    std_dev: Decimal | None
    k: Decimal | None
    mean_limit: Decimal
    tolerable_deficiency: Decimal
    count_beyond_t: int
    count_beyond_2t: int
    units_beyond_t: tuple[int, ...]  # 1-based positions in ``measured``
    units_beyond_2t: tuple[int, ...]
    rules_checked: tuple[str, ...]
    rules_broken: tuple[str, ...]
    standards_valid: bool


def _as_date(value: datetime.date | str, name: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{name} is not an ISO date: {value!r}") from None
    raise TypeError(f"{name} must be a date, got {type(value).__name__}")


def standard_status(due_date: datetime.date | str, on_date: datetime.date | str) -> str:
    """'valid' when a reference standard's calibration/verification is still in force on ``on_date``
    (the due date itself included), else 'expired'."""
    due = _as_date(due_date, "due_date")
    on = _as_date(on_date, "on_date")
    return STANDARD_VALID if on <= due else STANDARD_EXPIRED


def _provisional_warning(tables: Iterable[TableRef]) -> list[str]:
    names = [get_table(ref.id).cited_as for ref in tables if ref.provisional]
    if not names:
        return []
    return ["Kết luận dựa trên bảng số liệu tạm thời, chưa đối chiếu văn bản chính thức: " + "; ".join(names)]


def _outcome(ok: bool, standards_valid: bool) -> str:
    if not standards_valid:
        return INCONCLUSIVE
    return PASS if ok else FAIL


def _conclusion(outcome: str, texts: dict[str, str]) -> str:
    return INCONCLUSIVE_CONCLUSION if outcome == INCONCLUSIVE else texts[outcome]


def judge_weighing(
    indication: Number,
    reference: Number,
    e: Number,
    accuracy_class: str,
    in_service: bool = True,
    standards_mpe: Number | CombinedWeights | None = None,
    *,
    standards_valid: bool = True,
    unit: str = "g",
) -> WeighingVerdict:
    """Judge one scale reading: error = indication − reference, permitted = R 76-1 MPE at the reference load.

    ``indication``, ``reference`` and ``e`` are in ``unit`` (mg, g, kg, t). ``standards_mpe`` is the combined MPE of
    the reference weights, either a ``CombinedWeights`` or a number in **mg**; when it exceeds 1/3 of the permitted
    error a warning is added (the verdict itself is unchanged). ``standards_valid=False`` (an expired standard)
    makes the outcome "inconclusive".
    """
    indication_d = to_decimal(indication, "indication")
    reference_d = to_decimal(reference, "reference")
    factor_to_g = mass_unit_factor(unit)
    band = scale_band(reference_d, e, accuracy_class, in_service)
    e_d = to_decimal(e, "e")
    error = indication_d - reference_d
    warnings: list[str] = []
    tables = [band.table]

    if _class_row_for_e(band.accuracy_class, e_d * factor_to_g) is None:
        warnings.append(
            f"e = {plain_vi(e_d)} {unit} không phù hợp với cấp chính xác {band.accuracy_class} "
            f"(cần {_e_ranges_text(band.accuracy_class)}; OIML R 76-1 Bảng 3)"
        )

    standards_in_unit = None
    if standards_mpe is not None:
        if isinstance(standards_mpe, CombinedWeights):
            mpe_mg = standards_mpe.mpe_mg
            tables.append(standards_mpe.table)
            warnings.extend(standards_mpe.warnings)
            reference_g = reference_d * factor_to_g
            if reference_g not in (standards_mpe.total_nominal_g, standards_mpe.conventional_mass_g):
                warnings.append(
                    f"Khối lượng chuẩn nhập ({format_mass_g(reference_g, True)}) khác tổng khối lượng các quả cân "
                    f"({format_mass_g(standards_mpe.total_nominal_g, True)})"
                )
        else:
            mpe_mg = to_decimal(standards_mpe, "standards_mpe")
            if mpe_mg < 0:
                raise ValueError("standards_mpe must not be negative")
        standards_in_unit = mpe_mg / 1000 / factor_to_g
        test_weights = get_table(TEST_WEIGHTS_TABLE)
        tables.append(test_weights.ref)
        divisor = test_weights.rows[0]["mpe_divisor"]
        if standards_in_unit * divisor > band.permitted:
            warnings.append(
                f"Quả cân chuẩn không đủ độ chính xác: sai số cho phép tổng {plain_vi(mpe_mg)} mg lớn hơn "
                f"1/{plain_vi(divisor)} giới hạn sai số cho phép của cân ({plain_vi(band.permitted)} {unit}) "
                f"(OIML R 76-1 §3.7.1, giá trị tạm thời)"
            )

    outcome = _outcome(abs(error) <= band.permitted, standards_valid)
    rule = band.rule if standards_valid else f"{band.rule}; {EXPIRED_STANDARD_RULE}"
    deciding = [band.table]
    warnings.extend(_provisional_warning(deciding))
    return WeighingVerdict(
        outcome=outcome,
        conclusion=_conclusion(outcome, INSTRUMENT_CONCLUSIONS),
        error=error,
        permitted_error=band.permitted,
        unit=unit,
        rule=rule,
        table_id=band.table.id,
        table_version=band.table.version,
        provisional=any(ref.provisional for ref in deciding),
        tables=tuple(tables),
        warnings=tuple(warnings),
        indication=indication_d,
        reference=reference_d,
        e=e_d,
        accuracy_class=band.accuracy_class,
        in_service=in_service,
        load_in_e=reference_d / e_d,
        standards_mpe=standards_in_unit,
        standards_valid=standards_valid,
    )


def judge_dispenser_run(
    delivered_standard_l: Number,
    indication_l: Number,
    accuracy_class: Number = "0.5",
    part: str = "system",
    *,
    standards_valid: bool = True,
) -> DispenserVerdict:
    """Judge one dispenser run: error = V_ind − V_ref (L), relative error 100·(V_ind − V_ref)/V_ref (%, ĐLVN 10).

    The permitted error is taken at the reference (standard) volume; the verdict compares litres exactly.
    """
    reference = to_decimal(delivered_standard_l, "delivered_standard_l")
    indication = to_decimal(indication_l, "indication_l")
    if indication < 0:
        raise ValueError(f"indication must not be negative, got {indication}")
    limit = dispenser_limit(reference, accuracy_class, part)
    error = indication - reference
    outcome = _outcome(abs(error) <= limit.permitted_l, standards_valid)
    rule = limit.rule if standards_valid else f"{limit.rule}; {EXPIRED_STANDARD_RULE}"
    deciding = list(limit.tables)
    return DispenserVerdict(
        outcome=outcome,
        conclusion=_conclusion(outcome, INSTRUMENT_CONCLUSIONS),
        error=error,
        permitted_error=limit.permitted_l,
        unit="L",
        rule=rule,
        table_id=limit.tables[0].id,
        table_version=limit.tables[0].version,
        provisional=any(ref.provisional for ref in deciding),
        tables=limit.tables,
        warnings=tuple(_provisional_warning(deciding)),
        reference_l=reference,
        indication_l=indication,
        relative_error_percent=100 * error / reference,
        permitted_percent=limit.permitted_percent,
        accuracy_class=limit.accuracy_class,
        part=limit.part,
        standards_valid=standards_valid,
    )


def implausible_indication(error_g: Decimal, permitted_g: Decimal, reference_g: Decimal) -> str | None:
    """Why a control measurement's indication is too far from the weights to be believed (Vietnamese), or None:
    |error| beyond ``mpe_multiple`` × the permitted shortfall and beyond ``load_fraction`` of the load (the
    app's own rule, table ``implausible_reading``)."""
    row = get_table(IMPLAUSIBLE_TABLE).rows[0]
    off = abs(error_g)
    if off <= row["mpe_multiple"] * permitted_g or off <= row["load_fraction"] * reference_g:
        return None
    return (
        f"Số chỉ {format_mass_g(reference_g + error_g, True)} khác xa tải {format_mass_g(reference_g, True)} "
        f"(lệch {format_mass_g(off, True)}, quá {plain_vi(row['mpe_multiple'])} lần lượng thiếu cho phép và quá "
        f"{plain_vi(row['load_fraction'] * 100)} % tải): kiểm tra lại số chỉ và cân"
    )


_DIRECTIONS = {"sell": "sell", "bán": "sell", "ban": "sell", "buy": "buy", "mua": "buy"}


def judge_control_measurement(
    indication_g: Number,
    reference_g: Number,
    direction: str,
    *,
    max_g: Number,
    d_g: Number,
    spring: bool = True,
    accuracy_class: str | None = None,
    e_g: Number | None = None,
    standards_valid: bool = True,
) -> ControlMeasurementVerdict:
    """TT 09/2017 phép đo đối chứng: selling fails when indication − reference > permitted shortfall, buying fails
    when reference − indication > permitted shortfall (Điều 5, one-sided). The scale's Max, d (and, for a scale that
    is not a spring dial scale, its class and e) decide the permitted shortfall, see ``retail.shortfall_limit``;
    a check mass the rule does not cover raises ``ShortfallRefused`` (a ValueError with a Vietnamese message)."""
    indication = to_decimal(indication_g, "indication_g")
    reference = to_decimal(reference_g, "reference_g")
    key = direction.strip().lower() if isinstance(direction, str) else direction
    if key not in _DIRECTIONS:
        raise ValueError(f"direction must be 'sell' or 'buy', got {direction!r}")
    direction_name = _DIRECTIONS[key]
    if reference <= 0:
        raise ValueError(f"reference mass must be greater than 0 g, got {reference}")
    limit = shortfall_limit(
        reference, max_g=max_g, d_g=d_g, spring=spring, accuracy_class=accuracy_class, e_g=e_g
    )
    permitted = limit.permitted
    error = indication - reference
    shortfall = error if direction_name == "sell" else -error
    if direction_name == "sell":
        what = "bán hàng: số chỉ của cân − khối lượng quả cân đối chứng"
    else:
        what = "mua hàng: khối lượng quả cân đối chứng − số chỉ của cân"
    rule = (
        f"Phép đo đối chứng, TT 09/2017/TT-BKHCN Điều 5 ({what}) không vượt lượng thiếu cho phép "
        f"{format_mass_g(permitted, True)} ({limit.basis}{', giá trị tạm thời' if limit.provisional else ''})"
    )
    if not standards_valid:
        rule = f"{rule}; {EXPIRED_STANDARD_RULE}"
    outcome = _outcome(shortfall <= permitted, standards_valid)
    conclusion = _conclusion(outcome, MEASUREMENT_CONCLUSIONS)
    deciding = [ref for ref in limit.tables if ref.provisional] if limit.provisional else []
    warnings = _provisional_warning(deciding)
    tables = limit.tables
    # The rule is one-sided: an indication far below the weights (selling) or far above them (buying) is never
    # short, yet it is a mistyped number or a scale that does not weigh. Said, and never "phù hợp".
    if (far := implausible_indication(error, permitted, reference)) is not None:
        warnings.insert(0, far)
        tables = (*tables, get_table(IMPLAUSIBLE_TABLE).ref)
        if outcome == PASS:
            outcome, conclusion, rule = INCONCLUSIVE, IMPLAUSIBLE_CONCLUSION, f"{rule}; {IMPLAUSIBLE_RULE}"
    return ControlMeasurementVerdict(
        outcome=outcome,
        conclusion=conclusion,
        error=error,
        permitted_error=permitted,
        unit="g",
        rule=rule,
        table_id=limit.table.id,
        table_version=limit.table.version,
        provisional=limit.provisional,
        tables=tables,
        warnings=tuple(warnings),
        indication=indication,
        reference=reference,
        direction=direction_name,
        shortfall=shortfall,
        standards_valid=standards_valid,
    )


def judge_lot(
    nominal: Number,
    unit: str,
    measured: Iterable[Number],
    lot_size: int | None = None,
    *,
    standards_valid: bool = True,
) -> LotVerdict:
    """Judge a sample of a pre-packaged lot by TT 21/2014: mean rule, ≤ 2.5 % of units short by more than T,
    no unit short by more than 2T. ``measured`` are actual quantities in ``unit``; ``lot_size`` None = whole lot.

    n = N: Xtb ≥ Qn. n < N: Xtb ≥ Qn − k·s with k from the provisional table; for a sample size without k
    the engine falls back to Xtb ≥ Qn and says so.
    """
    tol = tolerance(nominal, unit)
    qn, unit_name, t = tol.nominal, tol.unit, tol.tolerable_deficiency
    if measured is None or isinstance(measured, str | bytes):
        raise TypeError("measured must be a list of quantities")
    values = [to_decimal(value, f"measured[{index}]") for index, value in enumerate(measured, start=1)]
    if not values:
        raise ValueError("the lot sample has no units (lô không có đơn vị mẫu nào)")
    for index, value in enumerate(values, start=1):
        if value <= 0:
            raise ValueError(f"measured[{index}] must be greater than 0, got {value}")
    n = len(values)
    if lot_size is not None:
        if isinstance(lot_size, bool) or not isinstance(lot_size, int):
            raise TypeError("lot_size must be an int or None")
        if lot_size < n:
            raise ValueError(f"sample size {n} is larger than the lot size {lot_size}")
    whole_lot = lot_size is None or lot_size == n

    with localcontext() as ctx:
        ctx.prec = 40
        total = sum(values, Decimal(0))
        mean_precise = total / n
        std_precise = None
        if n >= 2:
            squares = sum((value * value for value in values), Decimal(0))
            std_precise = ((n * squares - total * total) / (n * (n - 1))).sqrt()

    t2 = 2 * t
    beyond_t = tuple(index for index, value in enumerate(values, start=1) if qn - value > t)
    beyond_2t = tuple(index for index, value in enumerate(values, start=1) if qn - value > t2)

    tables = [tol.table]
    warnings: list[str] = []
    k = None
    if whole_lot:
        mean_rule = "Lượng trung bình Xtb ≥ Qn (n = N, kiểm toàn bộ lô)"
        mean_limit = qn
        mean_ok = total >= qn * n
        mean_broken = RULE_MEAN_BELOW_NOMINAL
    else:
        k = sample_k(n) if std_precise is not None else None
        if k is None:
            mean_rule = (
                f"Lượng trung bình Xtb ≥ Qn (không có hệ số k cho cỡ mẫu n = {n} trong bảng k tạm thời, "
                "áp dụng Xtb ≥ Qn)"
            )
            warnings.append(
                f"Không có hệ số k cho cỡ mẫu n = {n}; đã áp dụng quy tắc Xtb ≥ Qn (chặt hơn Xtb ≥ Qn − k·s)"
            )
            mean_limit = qn
            mean_ok = total >= qn * n
            mean_broken = RULE_MEAN_BELOW_NOMINAL
        else:
            k_table = get_table(K_TABLE)
            tables.append(k_table.ref)
            with localcontext() as ctx:
                ctx.prec = 40
                mean_limit_precise = qn - k * std_precise
                mean_ok = mean_precise >= mean_limit_precise
            mean_limit = +mean_limit_precise
            mean_rule = (
                f"Lượng trung bình Xtb ≥ Qn − k·s (n = {n} < N = {lot_size}, k = {plain_vi(k)}, "
                f"TT 21/2014/TT-BKHCN Phụ lục III, giá trị tạm thời)"
            )
            mean_broken = RULE_MEAN_BELOW_LIMIT

    rules_checked = (
        mean_rule,
        "Số đơn vị thiếu vượt T không quá 2,5 % số đơn vị mẫu",
        "Không có đơn vị nào thiếu vượt 2T",
        tol.rule,
    )
    broken = []
    if not mean_ok:
        broken.append(mean_broken)
    if len(beyond_t) * 40 > n:  # count / n > 2.5 %
        broken.append(RULE_TOO_MANY_BEYOND_T)
    if beyond_2t:
        broken.append(RULE_UNIT_BEYOND_2T)

    outcome = _outcome(not broken, standards_valid)
    rule = "TT 21/2014/TT-BKHCN: " + "; ".join(rules_checked)
    if not standards_valid:
        rule = f"{rule}; {EXPIRED_STANDARD_RULE}"
    warnings.extend(_provisional_warning(tables))
    mean = +mean_precise
    return LotVerdict(
        outcome=outcome,
        conclusion=_conclusion(outcome, LOT_CONCLUSIONS),
        error=mean - qn,
        permitted_error=qn - mean_limit,
        unit=unit_name,
        rule=rule,
        table_id=tol.table.id,
        table_version=tol.table.version,
        provisional=any(ref.provisional for ref in tables),
        tables=tuple(tables),
        warnings=tuple(warnings),
        nominal=qn,
        sample_size=n,
        lot_size=lot_size,
        whole_lot=whole_lot,
        mean=mean,
        std_dev=None if std_precise is None else +std_precise,
        k=k,
        mean_limit=mean_limit,
        tolerable_deficiency=t,
        count_beyond_t=len(beyond_t),
        count_beyond_2t=len(beyond_2t),
        units_beyond_t=beyond_t,
        units_beyond_2t=beyond_2t,
        rules_checked=rules_checked,
        rules_broken=tuple(broken),
        standards_valid=standards_valid,
    )
