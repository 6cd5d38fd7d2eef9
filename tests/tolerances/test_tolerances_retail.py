"""TT 09/2017/TT-BKHCN Bảng 1 (max division by goods mass) and the provisional Bảng 2, metrology-and-law.md §2.3."""

import itertools
from decimal import Decimal

import pytest

from inspect_app.tolerances import (
    judge_control_measurement,
    max_division_for_goods,
    range_suits_goods,
    retail_permitted_shortfall,
)

D = Decimal

# Copied from metrology-and-law.md §2.3 (TT 09/2017 Bảng 1):
BANG_1 = """
| >40 g – 100 g | 2 g | 500 g |
| >100 g – 200 g | 5 g | 500 g; 1 kg |
| >200 g – 400 g | 10 g | 500 g; 1; 2; 4 kg |
| >400 g – 1 kg | 20 g | 500 g*; 1; 2; 4; 5; 8 kg |
| >1 kg – 2 kg | 50 g | 2; 4; 5; 8; 10; 12; 15; 20 kg |
| >2 kg – 4 kg | 100 g | 4; 5; 8; 10; 12; 15; 20; 30 kg |
| >4 kg – 100 kg | 200 g | 5*–60* kg; 100 kg |
"""
UNIT = {"g": D(1), "kg": D(1000)}


def _mass(text):
    number, unit = text.split()
    return D(number) * UNIT[unit]


def _rows():
    for line in BANG_1.strip().splitlines():
        goods, division, _ = (cell.strip() for cell in line.strip().strip("|").split("|"))
        lower, upper = (part.strip() for part in goods.lstrip(">").split("–"))
        yield _mass(lower), _mass(upper), _mass(division)


ROWS = list(_rows())


def test_reference_rows_parsed():
    assert ROWS[0] == (D(40), D(100), D(2))
    assert ROWS[-1] == (D(4000), D(100000), D(200))
    assert len(ROWS) == 7


@pytest.mark.parametrize(("lower", "upper", "division"), ROWS)
def test_bang_1_row_edges(lower, upper, division):
    assert max_division_for_goods(lower + D("0.001")) == division  # "> lower": just above belongs here
    assert max_division_for_goods((lower + upper) / 2) == division
    assert max_division_for_goods(upper) == division  # upper edge inclusive


def test_bang_1_lower_edge_belongs_to_previous_row():
    for (_, _, previous_division), (lower, _, division) in itertools.pairwise(ROWS):
        assert max_division_for_goods(lower) == previous_division
        assert previous_division < division


@pytest.mark.parametrize("goods_g", ["40", "10", "0", "-5", "100000.001", "200000"])
def test_bang_1_outside_table_raises(goods_g):
    with pytest.raises(ValueError, match="outside TT 09/2017 Bảng 1"):
        max_division_for_goods(D(goods_g))


def test_range_suits_goods():
    ok, reason = range_suits_goods(D(8000), D(20), D(1000))  # official example: 8 kg scale, d = 20 g, 1 kg
    assert ok is True
    assert "TT 09/2017/TT-BKHCN Bảng 1" in reason
    ok, reason = range_suits_goods(D(15000), D(50), D(1000))  # d = 50 g too coarse for 1 kg of goods
    assert ok is False
    assert "độ chia d = 50 g lớn hơn mức tối đa 20 g" in reason
    ok, reason = range_suits_goods(D(500), D(20), D(1000))  # (*) goods above Max
    assert ok is False
    assert "lớn hơn mức cân lớn nhất" in reason
    ok, reason = range_suits_goods(D(500), D(50), D(1000))  # both problems reported
    assert ok is False and ";" in reason
    assert range_suits_goods(D(1000), D(20), D(1000))[0] is True  # goods = Max is allowed
    with pytest.raises(ValueError):
        range_suits_goods(D(1000), D(1), D(30))  # 30 g: not covered by Bảng 1
    with pytest.raises(ValueError):
        range_suits_goods(D(0), D(1), D(300))


@pytest.mark.parametrize(("lower", "upper", "division"), ROWS)
def test_provisional_bang_2_equals_d_column(lower, upper, division):
    # metrology-and-law.md §2.3: Bảng 2 UNCONFIRMED; the provisional guess is the d column of Bảng 1.
    assert retail_permitted_shortfall(upper) == division
    assert retail_permitted_shortfall(lower + D("0.001")) == division
    with pytest.raises(ValueError):
        retail_permitted_shortfall(D(40))


def test_control_measurement_selling():
    # 1 kg check on a scale used for selling: permitted shortfall 20 g (provisional).
    at_limit = judge_control_measurement(D(1020), D(1000), "sell")
    assert at_limit.outcome == "pass"
    assert at_limit.conclusion == "Phù hợp yêu cầu quy định"
    assert at_limit.shortfall == D(20) and at_limit.permitted_error == D(20)
    over = judge_control_measurement(D("1020.5"), D(1000), "sell")
    assert over.outcome == "fail"
    assert over.conclusion == "Không phù hợp yêu cầu quy định"
    assert over.error == D("20.5")
    # The scale reading low does not short the buyer when selling.
    assert judge_control_measurement(D(900), D(1000), "sell").outcome == "pass"


def test_control_measurement_buying():
    assert judge_control_measurement(D(980), D(1000), "buy").outcome == "pass"
    verdict = judge_control_measurement(D(979), D(1000), "buy")
    assert verdict.outcome == "fail"
    assert verdict.shortfall == D(21)
    assert verdict.error == D(-21)
    assert judge_control_measurement(D(1100), D(1000), "buy").outcome == "pass"


def test_control_measurement_is_provisional_and_names_its_table():
    verdict = judge_control_measurement(D(1000), D(1000), "sell")
    assert verdict.provisional is True
    assert verdict.table_id == "tt09_2017_permitted_shortfall"
    assert verdict.table_version
    assert "TT 09/2017/TT-BKHCN" in verdict.rule and "tạm thời" in verdict.rule
    assert any("tạm thời" in warning for warning in verdict.warnings)


def test_control_measurement_bad_input_and_expired_standard():
    with pytest.raises(ValueError, match="direction"):
        judge_control_measurement(D(1000), D(1000), "give")
    with pytest.raises(ValueError):
        judge_control_measurement(D(1000), D(0), "sell")
    with pytest.raises(ValueError):
        judge_control_measurement(D(30), D(30), "sell")  # 30 g: outside Bảng 2
    verdict = judge_control_measurement(D(1100), D(1000), "sell", standards_valid=False)
    assert verdict.outcome == "inconclusive"
    assert verdict.conclusion.startswith("Không đủ cơ sở kết luận")
