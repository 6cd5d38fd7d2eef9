"""OIML R 117-1 / MID MI-005 Tables 2-3 (fuel dispensers), against metrology-and-law.md §3.1."""

from decimal import Decimal

import pytest

from inspect_app.tolerances import dispenser_limit, dispenser_mpe, dispenser_mpe_percent, judge_dispenser_run

D = Decimal

# metrology-and-law.md §3.1:
# | Accuracy class | 0.3 | 0.5 | 1.0 | 1.5 | 2.5 |
# | A: measuring system MPE | 0.3 % | 0.5 % | 1.0 % | 1.5 % | 2.5 % |
# | B: meter MPE | 0.2 % | 0.3 % | 0.6 % | 1.0 % | 1.5 % |
TABLE_2 = {
    "0.3": {"system": D("0.3"), "meter": D("0.2")},
    "0.5": {"system": D("0.5"), "meter": D("0.3")},
    "1.0": {"system": D("1.0"), "meter": D("0.6")},
    "1.5": {"system": D("1.5"), "meter": D("1.0")},
    "2.5": {"system": D("2.5"), "meter": D("1.5")},
}
CASES = [(name, part, percent) for name, parts in TABLE_2.items() for part, percent in parts.items()]


@pytest.mark.parametrize(("accuracy_class", "part", "percent"), CASES)
@pytest.mark.parametrize("volume", [D(2), D(5), D(20), D(50), D("1000")])
def test_table_2_from_2_litres(accuracy_class, part, percent, volume):
    assert dispenser_mpe(volume, accuracy_class, part) == percent * volume / 100
    assert dispenser_mpe_percent(volume, accuracy_class, part) == percent


# Small-volume rules of §3.1, worked by hand for class 0.5, measuring system (0.5 %):
#   V < 0.1 L        -> 4 × 0.5 % of 0.1 L = 0.002 L
#   0.1 ≤ V < 0.2 L  -> 4 × 0.5 % of V
#   0.2 ≤ V < 0.4 L  -> 2 × 0.5 % of 0.4 L = 0.004 L
#   0.4 ≤ V < 1 L    -> 2 × 0.5 % of V
#   1 ≤ V < 2 L      -> 0.5 % of 2 L = 0.01 L
#   V ≥ 2 L          -> 0.5 % of V
SMALL_VOLUMES_CLASS_05_SYSTEM = [
    ("0.001", "0.002"),
    ("0.05", "0.002"),
    ("0.0999", "0.002"),
    ("0.1", "0.002"),
    ("0.15", "0.003"),
    ("0.1999", "0.003998"),
    ("0.2", "0.004"),
    ("0.3", "0.004"),
    ("0.3999", "0.004"),
    ("0.4", "0.004"),
    ("0.5", "0.005"),
    ("0.999", "0.00999"),
    ("1", "0.01"),
    ("1.5", "0.01"),
    ("1.999", "0.01"),
    ("2", "0.01"),
    ("2.001", "0.010005"),
    ("20", "0.1"),
]


@pytest.mark.parametrize(("volume", "expected"), SMALL_VOLUMES_CLASS_05_SYSTEM)
def test_small_volume_rules_class_05_system(volume, expected):
    assert dispenser_mpe(D(volume)) == D(expected)  # defaults: class 0.5, system
    assert dispenser_mpe(D(volume), "0.5", "system") == D(expected)


# The same band edges for class 0.5, meter (0.3 %).
SMALL_VOLUMES_CLASS_05_METER = [
    ("0.05", "0.0012"),
    ("0.1", "0.0012"),
    ("0.15", "0.0018"),
    ("0.2", "0.0024"),
    ("0.3999", "0.0024"),
    ("0.4", "0.0024"),
    ("0.5", "0.003"),
    ("1", "0.006"),
    ("1.999", "0.006"),
    ("2", "0.006"),
    ("20", "0.06"),
]


@pytest.mark.parametrize(("volume", "expected"), SMALL_VOLUMES_CLASS_05_METER)
def test_small_volume_rules_class_05_meter(volume, expected):
    assert dispenser_mpe(D(volume), "0.5", "meter") == D(expected)


@pytest.mark.parametrize(("accuracy_class", "part", "percent"), CASES)
def test_small_volume_rules_every_class(accuracy_class, part, percent):
    value = percent / 100
    assert dispenser_mpe(D("0.05"), accuracy_class, part) == 4 * value * D("0.1")
    assert dispenser_mpe(D("0.1"), accuracy_class, part) == 4 * value * D("0.1")
    assert dispenser_mpe(D("0.15"), accuracy_class, part) == 4 * value * D("0.15")
    assert dispenser_mpe(D("0.2"), accuracy_class, part) == 2 * value * D("0.4")
    assert dispenser_mpe(D("0.4"), accuracy_class, part) == 2 * value * D("0.4")
    assert dispenser_mpe(D("0.7"), accuracy_class, part) == 2 * value * D("0.7")
    assert dispenser_mpe(D("1"), accuracy_class, part) == value * D(2)
    assert dispenser_mpe(D("1.9"), accuracy_class, part) == value * D(2)
    assert dispenser_mpe(D("2"), accuracy_class, part) == value * D(2)


def test_class_spellings_and_parts():
    assert dispenser_mpe(D(20), "1", "system") == D("0.2")
    assert dispenser_mpe(D(20), D("1.0"), "meter") == D("0.12")
    assert dispenser_mpe(D(20), "0.50", "A") == D("0.1")
    assert dispenser_mpe(D(20), "0.5", "B") == D("0.06")
    assert dispenser_limit(D(20), "1").accuracy_class == "1.0"


@pytest.mark.parametrize("accuracy_class", ["0.2", "2", "abc"])
def test_unknown_class(accuracy_class):
    with pytest.raises(ValueError):
        dispenser_mpe(D(20), accuracy_class)


def test_bad_volume_and_part():
    with pytest.raises(ValueError, match="greater than 0"):
        dispenser_mpe(D(0))
    with pytest.raises(ValueError, match="greater than 0"):
        dispenser_mpe(D("-1"))
    with pytest.raises(ValueError, match="part"):
        dispenser_mpe(D(20), "0.5", "nozzle")


def test_rule_text_names_tables():
    limit = dispenser_limit(D("0.3"))
    assert "OIML R 117-1 / MID MI-005 Bảng 2" in limit.rule
    assert "Bảng 3" in limit.rule
    assert [ref.id for ref in limit.tables] == ["oiml_r117_mpe", "oiml_r117_small_volumes"]
    assert "Bảng 3" not in dispenser_limit(D(20)).rule


def test_judge_dispenser_run_pass_fail_and_sign():
    verdict = judge_dispenser_run(D(20), D("20.08"))
    assert verdict.outcome == "pass"
    assert verdict.error == D("0.08")
    assert verdict.relative_error_percent == D("0.4")  # 100·(V_ind − V_ref)/V_ref
    assert verdict.permitted_error == D("0.1")
    assert verdict.permitted_percent == D("0.5")
    assert verdict.unit == "L"
    assert verdict.conclusion == "Đạt yêu cầu kỹ thuật đo lường"
    assert verdict.table_id == "oiml_r117_mpe" and verdict.provisional is False

    short = judge_dispenser_run(D(20), D("19.9"))  # exactly at the limit, dispenser gives too little
    assert short.outcome == "pass"
    assert short.error == D("-0.1")
    assert short.relative_error_percent == D("-0.5")

    over = judge_dispenser_run(D(20), D("20.12"))
    assert over.outcome == "fail"
    assert over.conclusion == "Không đạt yêu cầu kỹ thuật đo lường"

    meter = judge_dispenser_run(D(20), D("20.07"), "0.5", "meter")  # 0.3 % of 20 L = 0.06 L
    assert meter.outcome == "fail"
    assert meter.permitted_error == D("0.06")


def test_judge_dispenser_run_bad_input_and_expired_standard():
    with pytest.raises(ValueError):
        judge_dispenser_run(D(0), D(1))
    with pytest.raises(ValueError):
        judge_dispenser_run(D(20), D(-1))
    verdict = judge_dispenser_run(D(20), D(21), standards_valid=False)
    assert verdict.outcome == "inconclusive"
    assert verdict.error == D(1)
    assert "không đủ cơ sở kết luận" in verdict.rule
