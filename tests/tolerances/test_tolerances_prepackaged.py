"""Pre-packaged goods (TT 21/2014, OIML R 87): T band by band and lot verdicts, metrology-and-law.md §4."""

from decimal import Decimal

import pytest

from inspect_app.tolerances import judge_lot, prepackage_tolerance

D = Decimal

# metrology-and-law.md §4, read as "lower exclusive, upper inclusive" except 5 ≤ Qn ≤ 50:
# | 0 (5) – 50 | 9 % | — |
# | 50 – 100 | — | 4.5 |
# | 100 – 200 | 4.5 % | — |
# | 200 – 300 | — | 9 |
# | 300 – 500 | 3 % | — |
# | 500 – 1 000 | — | 15 |
# | 1 000 – 10 000 | 1.5 % | — |
# | 10 000 – 15 000 | — | 150 |
# | > 15 000 (to 50 000) | 1 % | — |
T_EDGES = [
    # (Qn in g or mL, expected T)
    ("5", "0.45"),  # 9 % of 5
    ("20", "1.8"),
    ("50", "4.5"),  # 9 % of 50 (upper edge inclusive)
    ("50.001", "4.5"),  # 4.5 g
    ("100", "4.5"),
    ("100.001", "4.500045"),  # 4.5 %
    ("200", "9"),  # 4.5 % of 200
    ("200.001", "9"),  # 9 g
    ("300", "9"),
    ("300.001", "9.00003"),  # 3 %
    ("500", "15"),  # 3 % of 500
    ("500.001", "15"),  # 15 g
    ("1000", "15"),
    ("1000.001", "15.000015"),  # 1.5 %
    ("10000", "150"),  # 1.5 % of 10 000
    ("10000.001", "150"),  # 150 g
    ("15000", "150"),
    ("15000.001", "150.00001"),  # 1 %
    ("50000", "500"),  # 1 % of 50 000
]


@pytest.mark.parametrize(("qn", "expected"), T_EDGES)
@pytest.mark.parametrize("unit", ["g", "mL", "ml", "ML"])
def test_t_band_edges_in_base_units(qn, expected, unit):
    assert prepackage_tolerance(D(qn), unit) == D(expected)


@pytest.mark.parametrize(("qn", "expected"), T_EDGES)
@pytest.mark.parametrize("unit", ["kg", "L", "l", "KG"])
def test_t_band_edges_in_kilo_units(qn, expected, unit):
    assert prepackage_tolerance(D(qn) / 1000, unit) == D(expected) / 1000


@pytest.mark.parametrize(
    ("qn", "unit", "expected"),
    [
        ("12", "kg", "0.15"),  # LPG cylinder: 12 000 g -> 150 g
        ("1", "kg", "0.015"),  # sugar bag: 1 000 g -> 15 g
        ("500", "mL", "15"),  # oil bottle: 3 % of 500 mL
        ("1", "L", "0.015"),
        ("45", "kg", "0.45"),  # 45 kg LPG: 1 %
    ],
)
def test_t_common_market_goods(qn, unit, expected):
    assert prepackage_tolerance(D(qn), unit) == D(expected)


@pytest.mark.parametrize(
    ("qn", "unit"),
    [
        ("4.999", "g"),
        ("0", "g"),
        ("-10", "g"),
        ("50000.001", "g"),
        ("50.001", "kg"),
        ("0.004", "L"),
        ("60", "L"),
    ],
)
def test_t_outside_table_raises(qn, unit):
    with pytest.raises(ValueError, match="outside the table of T"):
        prepackage_tolerance(D(qn), unit)


@pytest.mark.parametrize("unit", ["cm", "lb", "", "m3"])
def test_t_unknown_unit(unit):
    with pytest.raises(ValueError, match="unit"):
        prepackage_tolerance(D(100), unit)


# ---------------------------------------------------------------- lots


def test_lpg_cylinders_whole_lot_pass():
    # 10 cylinders of 12 kg, all checked (lot_size None = whole lot). T = 0.15 kg.
    measured = ["12.05", "12.00", "11.95", "12.10", "12.02", "11.90", "12.08", "12.00", "11.99", "12.01"]
    verdict = judge_lot(D(12), "kg", [D(x) for x in measured])
    assert verdict.outcome == "pass"
    assert verdict.whole_lot is True
    assert verdict.mean == D("12.01")
    assert verdict.tolerable_deficiency == D("0.15")
    assert verdict.count_beyond_t == 0 and verdict.count_beyond_2t == 0
    assert verdict.rules_broken == ()
    assert verdict.error == D("0.01")
    assert verdict.mean_limit == D(12) and verdict.permitted_error == 0
    assert verdict.provisional is True  # VN Phụ lục IV values are UNCONFIRMED
    assert verdict.table_id == "tt21_2014_tolerable_deficiency"


def test_lpg_cylinders_one_short_beyond_t_in_ten_fails():
    measured = [D("12.1")] * 9 + [D("11.8")]  # 0.2 kg short > T = 0.15 kg; 1/10 = 10 % > 2.5 %
    verdict = judge_lot(D(12), "kg", measured)
    assert verdict.outcome == "fail"
    assert verdict.count_beyond_t == 1
    assert verdict.units_beyond_t == (10,)
    assert verdict.rules_broken == ("Quá 2,5 % số đơn vị thiếu vượt T",)
    assert verdict.conclusion == "Lô hàng không đạt yêu cầu về lượng hàng đóng gói sẵn"


def test_lpg_cylinder_beyond_2t():
    measured = [D("12.2")] * 39 + [D("11.69")]  # 0.31 kg short > 2T = 0.30 kg
    verdict = judge_lot(D(12), "kg", measured)
    assert verdict.count_beyond_t == 1  # 1/40 = 2.5 %: allowed
    assert verdict.count_beyond_2t == 1
    assert verdict.units_beyond_2t == (40,)
    assert verdict.rules_broken == ("Có đơn vị thiếu vượt 2T",)
    assert verdict.outcome == "fail"


def test_sugar_bags_exactly_2_5_percent_beyond_t_passes():
    measured = [D("1.005")] * 39 + [D("0.980")]  # 20 g short > T = 15 g; 1/40 = 2.5 % (≤ 2.5 % allowed)
    verdict = judge_lot(D(1), "kg", measured)
    assert verdict.count_beyond_t == 1
    assert verdict.outcome == "pass"
    assert verdict.mean == D("1.004375")


def test_sugar_bags_two_beyond_t_in_forty_fails():
    measured = [D("1.010")] * 38 + [D("0.980")] * 2  # 2/40 = 5 %
    verdict = judge_lot(D(1), "kg", measured)
    assert verdict.count_beyond_t == 2
    assert verdict.rules_broken == ("Quá 2,5 % số đơn vị thiếu vượt T",)


def test_sugar_bag_short_by_exactly_t_is_not_beyond_t():
    measured = [D("0.985")] + [D("1.002")] * 9  # the first is exactly T = 15 g short
    verdict = judge_lot(D(1), "kg", measured)
    assert verdict.count_beyond_t == 0
    assert verdict.outcome == "pass"


def test_sugar_bags_mean_below_nominal_whole_lot():
    verdict = judge_lot(D(1), "kg", [D("0.999")] * 10)
    assert verdict.outcome == "fail"
    assert verdict.rules_broken == ("Lượng trung bình nhỏ hơn lượng danh định",)
    assert verdict.error == D("-0.001")


def _oil_sample():
    return [D(497)] * 15 + [D(502)] * 15  # mean 499.5 mL, s = 2.5 * sqrt(30/29)


def test_oil_bottles_sample_uses_k():
    # 30 bottles of 500 mL from a lot of 300: Xtb ≥ Qn − 0.503·s (provisional k).
    verdict = judge_lot(D(500), "mL", _oil_sample(), lot_size=300)
    assert verdict.whole_lot is False
    assert verdict.k == D("0.503")
    assert verdict.mean == D("499.5")
    assert abs(verdict.std_dev - D("2.542738")) < D("0.000001")
    assert abs(verdict.mean_limit - (D(500) - D("0.503") * verdict.std_dev)) < D("1e-20")
    assert verdict.tolerable_deficiency == D(15)
    assert verdict.outcome == "pass"
    assert verdict.provisional is True
    assert "tt21_2014_sample_k" in [ref.id for ref in verdict.tables]
    assert any("k = 0,503" in rule for rule in verdict.rules_checked)


def test_oil_bottles_same_values_as_whole_lot_fail_mean():
    verdict = judge_lot(D(500), "mL", _oil_sample(), lot_size=30)
    assert verdict.whole_lot is True
    assert verdict.k is None
    assert verdict.rules_broken == ("Lượng trung bình nhỏ hơn lượng danh định",)


def test_sample_mean_below_k_limit():
    sample = [D(490)] * 15 + [D(500)] * 15  # mean 495, s ≈ 5.085, limit ≈ 497.44
    verdict = judge_lot(D(500), "mL", sample, lot_size=1000)
    assert verdict.rules_broken == ("Lượng trung bình nhỏ hơn Qn − k·s",)
    assert verdict.outcome == "fail"


@pytest.mark.parametrize(("n", "k"), [(20, D("0.640")), (30, D("0.503")), (50, D("0.379"))])
def test_k_table_from_reference(n, k):
    sample = [D(1001), D(999)] * (n // 2)
    verdict = judge_lot(D(1000), "g", sample, lot_size=5000)
    assert verdict.k == k
    assert verdict.outcome == "pass"


def test_sample_size_without_k_falls_back_to_mean_rule():
    sample = [D(1001), D(999)] * 12 + [D(998)]  # n = 25, mean < 1000
    verdict = judge_lot(D(1000), "g", sample, lot_size=200)
    assert verdict.k is None
    assert "không có hệ số k cho cỡ mẫu n = 25" in verdict.rules_checked[0]
    assert "không có hệ số k" in verdict.rule
    assert verdict.rules_broken == ("Lượng trung bình nhỏ hơn lượng danh định",)
    assert any("n = 25" in warning for warning in verdict.warnings)


def test_single_unit_sample_of_bigger_lot():
    verdict = judge_lot(D(500), "g", [D(501)], lot_size=100)
    assert verdict.std_dev is None and verdict.k is None
    assert verdict.outcome == "pass"


def test_lot_bad_input():
    with pytest.raises(ValueError, match="no units"):
        judge_lot(D(1), "kg", [])
    with pytest.raises(ValueError, match="greater than 0"):
        judge_lot(D(1), "kg", [D(1), D(0)])
    with pytest.raises(ValueError, match="greater than 0"):
        judge_lot(D(1), "kg", [D("-1")])
    with pytest.raises(ValueError, match="larger than the lot size"):
        judge_lot(D(1), "kg", [D(1)] * 5, lot_size=4)
    with pytest.raises(TypeError):
        judge_lot(D(1), "kg", "1.0, 1.0")
    with pytest.raises(TypeError):
        judge_lot(D(1), "kg", [D(1)], lot_size="10")
    with pytest.raises(ValueError):
        judge_lot(D(4), "g", [D(4)])  # Qn below 5 g
    with pytest.raises(ValueError):
        judge_lot(D(1), "m", [D(1)])  # length is not covered
    with pytest.raises(ValueError):
        judge_lot(D(1), "kg", [D(1), "abc"])


def test_lot_with_expired_standard_is_inconclusive():
    verdict = judge_lot(D(1), "kg", [D("0.9")] * 5, standards_valid=False)
    assert verdict.outcome == "inconclusive"
    assert verdict.rules_broken  # the numbers are still reported
    assert verdict.conclusion.startswith("Không đủ cơ sở kết luận")


def test_lot_verdict_is_json_ready():
    import json

    verdict = judge_lot(D(1), "kg", [D("1.01"), D("0.99"), D("1.02")])
    data = verdict.to_dict()
    json.dumps(data, ensure_ascii=False)
    assert data["mean"] == "1.006666666666666666666666667"
    assert data["passed"] is True
    assert data["tables"][0]["provisional"] is True
