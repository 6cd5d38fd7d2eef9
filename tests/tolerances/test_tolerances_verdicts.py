"""Scale verdicts (worked example, practitioner example), reference-standard status and verdict serialisation."""

import datetime
import json
from decimal import Decimal

import pytest

from inspect_app.tolerances import (
    CombinedWeights,
    WeighingVerdict,
    combine_weights,
    judge_control_measurement,
    judge_weighing,
    standard_status,
)

D = Decimal


def _worked_example_weights() -> CombinedWeights:
    return combine_weights([(D(2000), "M1"), (D(2000), "M1"), (D(1000), "M1")])


def test_worked_example_spring_scale_in_service_fails():
    # 15 kg spring scale, class IIII, e = 50 g, tested at 5 kg with 2 + 2 + 1 kg M1 weights (250 mg),
    # reads 5.15 kg: error +0.15 kg, in-service limit ±0.1 kg -> fail.
    verdict = judge_weighing(
        D("5.15"),
        D("5"),
        D("0.05"),
        "IIII",
        in_service=True,
        standards_mpe=_worked_example_weights(),
        unit="kg",
    )
    assert isinstance(verdict, WeighingVerdict)
    assert verdict.error == D("0.15")
    assert verdict.permitted_error == D("0.1")
    assert verdict.outcome == "fail"
    assert verdict.passed is False
    assert verdict.conclusion == "Không đạt yêu cầu kỹ thuật đo lường"
    assert verdict.load_in_e == D(100)
    assert verdict.rule.startswith(
        "Giới hạn sai số khi sử dụng (2 × kiểm định ban đầu), OIML R76-1 Bảng 6, cấp IIII"
    )
    assert verdict.table_id == "oiml_r76_mpe"
    assert verdict.table_version == "2026.1"
    assert verdict.provisional is False
    assert verdict.standards_mpe == D("0.00025")  # 250 mg in kg
    assert verdict.warnings == ()  # 250 mg is far below 1/3 of 0.1 kg


def test_worked_example_verification_fails():
    verdict = judge_weighing(
        D("5.15"), D("5"), D("0.05"), "IIII", in_service=False, standards_mpe=D(250), unit="kg"
    )
    assert verdict.permitted_error == D("0.05")
    assert verdict.outcome == "fail"
    assert verdict.rule.startswith("Giới hạn sai số kiểm định ban đầu, OIML R76-1 Bảng 6, cấp IIII")
    assert verdict.in_service is False


def test_worked_example_in_grams():
    verdict = judge_weighing(D(5150), D(5000), D(50), "IIII", standards_mpe=_worked_example_weights())
    assert verdict.error == D(150)
    assert verdict.permitted_error == D(100)
    assert verdict.unit == "g"
    assert verdict.outcome == "fail"


@pytest.mark.parametrize(
    ("load", "mpe"), [("0.5", "0.025"), ("2.5", "0.025"), ("7.5", "0.05"), ("10", "0.05"), ("15", "0.075")]
)
def test_practitioner_example_at_the_limit_passes_and_beyond_fails(load, mpe):
    # §2.3: verification MPE 0.025/0.025/0.05/0.05/0.075 kg at 0.5/2.5/7.5/10/15 kg.
    reference, permitted = D(load), D(mpe)
    for indication in (reference + permitted, reference - permitted):
        verdict = judge_weighing(indication, reference, D("0.05"), "IIII", in_service=False, unit="kg")
        assert verdict.permitted_error == permitted
        assert verdict.outcome == "pass"
        assert verdict.conclusion == "Đạt yêu cầu kỹ thuật đo lường"
    beyond = judge_weighing(
        reference + permitted + D("0.001"), reference, D("0.05"), "IIII", in_service=False, unit="kg"
    )
    assert beyond.outcome == "fail"


def test_in_service_is_a_parameter_not_a_setting():
    a = judge_weighing(D("5.08"), D("5"), D("0.05"), "IIII", in_service=True, unit="kg")
    b = judge_weighing(D("5.08"), D("5"), D("0.05"), "IIII", in_service=False, unit="kg")
    assert (a.outcome, b.outcome) == ("pass", "fail")
    assert "khi sử dụng" in a.rule and "kiểm định ban đầu" in b.rule


def test_standards_not_accurate_enough_warns():
    # Class II scale, e = 0.01 g, 100 g load = 10 000 e: verification 1 e = 10 mg, in service 20 mg.
    # An M2 100 g weight (16 mg) is more than 20/3 mg; an F2 100 g weight (1.6 mg) is not.
    weights = combine_weights([(D(100), "M2")])
    verdict = judge_weighing(D("100.01"), D(100), D("0.01"), "II", standards_mpe=weights)
    assert verdict.outcome == "pass"  # a warning, not a change of verdict
    assert any("Quả cân chuẩn không đủ độ chính xác" in warning for warning in verdict.warnings)
    assert "oiml_r76_test_weights" in [ref.id for ref in verdict.tables]
    assert verdict.provisional is False  # the 1/3 rule is provisional but only warns
    fine = judge_weighing(
        D("100.01"), D(100), D("0.01"), "II", standards_mpe=combine_weights([(D(100), "F2")])
    )
    assert not any("không đủ độ chính xác" in warning for warning in fine.warnings)


def test_standards_exactly_one_third_is_enough():
    # Class III, e = 0.3 g, 30 g = 100 e: in service 2 × 0.5 e = 0.3 g = 300 mg; one third = 100 mg.
    assert not judge_weighing(D(30), D(30), D("0.3"), "III", standards_mpe=D(100)).warnings
    over = judge_weighing(D(30), D(30), D("0.3"), "III", standards_mpe=D("100.1"))
    assert any("không đủ độ chính xác" in warning for warning in over.warnings)


def test_standards_mpe_must_not_be_negative():
    with pytest.raises(ValueError):
        judge_weighing(D(100), D(100), D("0.1"), "III", standards_mpe=D(-1))


def test_weights_that_do_not_add_up_to_the_reference_warn():
    verdict = judge_weighing(
        D("5.0"), D("5"), D("0.05"), "IIII", standards_mpe=combine_weights([(D(2000), "M1")]), unit="kg"
    )
    assert any("khác tổng khối lượng các quả cân" in warning for warning in verdict.warnings)


def test_e_invalid_for_class_is_a_warning():
    verdict = judge_weighing(D(100), D(100), D(1), "IIII")
    assert any("không phù hợp với cấp chính xác IIII" in warning for warning in verdict.warnings)


def test_expired_standard_gives_inconclusive():
    verdict = judge_weighing(D("5.15"), D("5"), D("0.05"), "IIII", unit="kg", standards_valid=False)
    assert verdict.outcome == "inconclusive"
    assert verdict.passed is False
    assert verdict.conclusion.startswith("Không đủ cơ sở kết luận")
    assert verdict.error == D("0.15") and verdict.permitted_error == D("0.1")
    assert "không đủ cơ sở kết luận" in verdict.rule


def test_judge_weighing_bad_input():
    with pytest.raises(ValueError):
        judge_weighing(D(1), D(-1), D(1), "IIII")
    with pytest.raises(ValueError):
        judge_weighing(D(1), D(1), D(0), "IIII")
    with pytest.raises(ValueError):
        judge_weighing(D(1), D(1), D(1), "V")
    with pytest.raises(ValueError):
        judge_weighing(D(60), D(60), D("0.05"), "IIII", unit="kg")  # 1200 e > 1000 e
    with pytest.raises(ValueError):
        judge_weighing(D(1), D(1), D(1), "IIII", unit="pound")


def test_verdict_is_frozen_and_json_ready():
    verdict = judge_weighing(
        D("5.15"), D("5"), D("0.05"), "IIII", standards_mpe=_worked_example_weights(), unit="kg"
    )
    with pytest.raises(AttributeError):
        verdict.outcome = "pass"
    data = verdict.to_dict()
    text = json.dumps(data, ensure_ascii=False)
    assert data["error"] == "0.15"
    assert data["passed"] is False
    assert data["tables"][0] == {"id": "oiml_r76_mpe", "version": "2026.1", "provisional": False}
    assert "Giới hạn sai số khi sử dụng" in text


@pytest.mark.parametrize(
    ("due", "on", "expected"),
    [
        (datetime.date(2026, 6, 30), datetime.date(2026, 6, 29), "valid"),
        # the due date itself is still valid
        (datetime.date(2026, 6, 30), datetime.date(2026, 6, 30), "valid"),
        (datetime.date(2026, 6, 30), datetime.date(2026, 7, 1), "expired"),
        ("2026-06-30", "2027-01-01", "expired"),
        (datetime.datetime(2026, 6, 30, 8, 0), datetime.datetime(2026, 6, 30, 17, 0), "valid"),
    ],
)
def test_standard_status(due, on, expected):
    assert standard_status(due, on) == expected


def test_standard_status_bad_input():
    with pytest.raises(TypeError):
        standard_status(None, datetime.date(2026, 1, 1))
    with pytest.raises(ValueError):
        standard_status("30/06/2026", datetime.date(2026, 1, 1))


def test_expired_standard_status_feeds_the_verdict():
    status = standard_status(datetime.date(2025, 12, 31), datetime.date(2026, 3, 1))
    verdict = judge_weighing(D(1000), D(1000), D(5), "IIII", standards_valid=status == "valid")
    assert verdict.outcome == "inconclusive"


def test_an_indication_far_from_the_weights_is_never_judged_phu_hop():
    """Issue 13.3: 7 kg of weights on a 10 kg / 50 g spring scale reading 1,95 kg was "phù hợp" when selling,
    because Điều 5 is one-sided. Far from the load (beyond 10 × the permitted shortfall and 10 % of the load) it is
    said, and on the side that is never short there is no basis to conclude; an ordinary error is untouched."""
    scale = {"max_g": Decimal(10000), "d_g": Decimal(50)}
    far = judge_control_measurement(Decimal(1950), Decimal(7000), "sell", **scale)
    assert far.outcome == "inconclusive" and not far.passed
    assert far.conclusion == "Không đủ cơ sở kết luận (số chỉ khác xa khối lượng quả cân đối chứng, cần kiểm tra lại cân)"
    assert far.warnings[0] == (
        "Số chỉ 1,95 kg khác xa tải 7 kg (lệch 5,05 kg, quá 10 lần lượng thiếu cho phép và quá 10 % tải): "
        "kiểm tra lại số chỉ và cân"
    )
    assert "implausible_reading" in [ref.id for ref in far.tables]
    # Far on the side that is short: still "không phù hợp", with the same warning.
    over = judge_control_measurement(Decimal(9000), Decimal(7000), "sell", **scale)
    assert over.outcome == "fail" and over.warnings[0].startswith("Số chỉ 9 kg khác xa tải 7 kg")
    assert judge_control_measurement(Decimal(1950), Decimal(7000), "buy", **scale).outcome == "fail"
    # Within both bounds (1 kg = 10 × 100 g, 700 g = 10 % of 7 kg): judged by Điều 5 alone.
    for indication in (Decimal(6000), Decimal(6950), Decimal(7100)):
        verdict = judge_control_measurement(indication, Decimal(7000), "sell", **scale)
        assert not any("khác xa" in w for w in verdict.warnings), indication
        assert "implausible_reading" not in [ref.id for ref in verdict.tables]
