"""TT 09/2017/TT-BKHCN Bảng 1 (max division by goods mass, metrology-and-law.md §2.3) and Điều 5 (permitted
shortfall of a control measurement: Bảng 2 for spring scales, 2 × initial MPE for others, §2.4)."""

import itertools
from decimal import Decimal

import pytest

from inspect_app.tolerances import (
    judge_control_measurement,
    max_division_for_goods,
    range_suits_goods,
    retail_permitted_shortfall,
)
from inspect_app.tolerances.retail import ShortfallRefused, shortfall_limit, superseded_shortfall_table

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


# Copied from metrology-and-law.md §2.4 (TT 09/2017 Điều 5 khoản 1, Bảng 2), literally: spring scale (Max, d) | 1 d | 2 d | 3 d.
BANG_2 = """
| 500 g, d 2 g | 40 g ≤ m ≤ 100 g | 100 g < m ≤ 400 g | 400 g < m ≤ 500 g |
| 1 kg, d 5 g | 100 g ≤ m ≤ 250 g | 250 g < m ≤ 1 kg | – |
| 2 kg, d 10 g | 200 g ≤ m ≤ 500 g | 500 g < m ≤ 2 kg | – |
| 4 kg, d 10 g | 200 g ≤ m ≤ 500 g | 500 g < m ≤ 2 kg | 2 kg < m ≤ 4 kg |
| 5 kg and 8 kg, d 20 g | 400 g ≤ m ≤ 1 kg | 1 kg < m ≤ 4 kg | 4 kg < m ≤ Max |
| 10 kg, d 50 g | 1 kg ≤ m ≤ 2,5 kg | 2,5 kg < m ≤ 10 kg | – |
| 12, 15, 20 kg, d 50 g | 1 kg ≤ m ≤ 2,5 kg | 2,5 kg < m ≤ 10 kg | 10 kg < m ≤ Max |
| 30 kg, d 100 g | 2 kg ≤ m ≤ 5 kg | 5 kg < m ≤ 20 kg | 20 kg < m ≤ 30 kg |
| 60 kg and 100 kg, d 200 g | 4 kg ≤ m ≤ 10 kg | 10 kg < m ≤ 40 kg | 40 kg < m ≤ Max |
"""


def _vn_mass(text, maximum=None):
    if text == "Max":
        return maximum
    number, unit = text.split()
    return D(number.replace(",", ".")) * UNIT[unit]


def _bang_2_bands():
    """(Max, d, multiple of d, lower, lower inclusive, upper) for every scale and band of Bảng 2."""
    for line in BANG_2.strip().splitlines():
        scale, *bands = (cell.strip() for cell in line.strip().strip("|").split("|"))
        maxima, division = scale.split(", d ")
        unit = maxima.split()[-1]
        numbers = maxima.replace(" and ", ", ").replace(f" {unit}", "").split(", ")
        for maximum in (_vn_mass(f"{n} {unit}") for n in numbers):
            for multiple, band in enumerate(bands, start=1):
                if band == "–":
                    continue
                inclusive = "≤ m" in band.split(" m ")[0] + " m"
                lower, upper = (part.strip() for part in band.replace("<", "≤").split("≤ m ≤"))
                yield (
                    maximum,
                    _vn_mass(division),
                    multiple,
                    _vn_mass(lower),
                    inclusive,
                    _vn_mass(upper, maximum),
                )


BANDS = list(_bang_2_bands())


def test_bang_2_reference_parsed():
    assert len({(row[0], row[1]) for row in BANDS}) == 13  # 13 spring scales
    assert BANDS[0] == (D(500), D(2), 1, D(40), True, D(100))
    assert (D(8000), D(20), 3, D(4000), False, D(8000)) in BANDS
    assert (D(10000), D(50), 2, D(2500), False, D(10000)) in BANDS
    assert len(BANDS) == 36


@pytest.mark.parametrize(("maximum", "d", "multiple", "lower", "inclusive", "upper"), BANDS)
def test_bang_2_every_band_edge(maximum, d, multiple, lower, inclusive, upper):
    limit = lambda m: retail_permitted_shortfall(m, max_g=maximum, d_g=d)  # noqa: E731
    assert limit(upper) == multiple * d  # upper edge inclusive
    assert limit((lower + upper) / 2) == multiple * d
    if inclusive:  # the first band starts at 20 d, inclusive; just below is refused
        assert lower == 20 * d and multiple == 1
        assert limit(lower) == d
        with pytest.raises(ShortfallRefused, match="nhỏ hơn 20 d"):
            limit(lower - D("0.001"))
    else:  # the lower edge belongs to the band below
        assert limit(lower) == (multiple - 1) * d
        assert limit(lower + D("0.001")) == multiple * d
    if upper == maximum:
        with pytest.raises(ShortfallRefused, match="lớn hơn mức cân lớn nhất"):
            limit(upper + D("0.001"))


def test_bang_2_is_the_doubled_class_iiii_rule():
    # §2.4: the band bounds equal R 76 class IIII on initial verification with e = d, doubled.
    for maximum, d, multiple, _lower, _, upper in BANDS:
        assert upper == min(maximum, {1: 50, 2: 200, 3: maximum / d}[multiple] * d)


@pytest.mark.parametrize(
    ("maximum", "d", "check", "expected"),
    [
        (8000, 20, 1000, 20),  # official example: 8 kg scale, d = 20 g, 1 kg check → 1 d
        (10000, 50, 7000, 100),  # official example: 10 kg, d = 50 g, 7 kg → 2 d (the old table said 200 g)
        (100000, 200, 50000, 600),  # 3 d (old: 200 g)
        (1000, 5, 250, 5),
        (1000, 5, 260, 10),
    ],
)
def test_required_examples(maximum, d, check, expected):
    assert retail_permitted_shortfall(D(check), max_g=D(maximum), d_g=D(d)) == expected


def test_below_20_d_is_refused_naming_20_d_and_the_scale():
    with pytest.raises(ShortfallRefused) as refused:
        retail_permitted_shortfall(D(30), max_g=D(500), d_g=D(2))
    message = str(refused.value)
    assert "30 g nhỏ hơn 20 d = 40 g" in message
    assert "cân đồng hồ lò xo Max = 500 g, d = 2 g" in message
    assert "không phù hợp" in message


def test_above_max_is_refused():
    with pytest.raises(
        ShortfallRefused, match=r"5,1 kg lớn hơn mức cân lớn nhất của cân đồng hồ lò xo Max = 5 kg"
    ):
        retail_permitted_shortfall(D(5100), max_g=D(5000), d_g=D(20))
    with pytest.raises(ShortfallRefused, match="lớn hơn mức cân lớn nhất của cân Max = 6 kg, d = 2 g"):
        retail_permitted_shortfall(D(6002), max_g=D(6000), d_g=D(2), spring=False, accuracy_class="III")


def test_spring_scale_not_in_bang_2_is_derived_by_the_same_rule():
    # 7 kg, d = 20 g is not in Bảng 2: 1 d up to 50 d, 2 d up to 200 d, 3 d above (class IIII, e = d, doubled).
    for check, expected in [(400, 20), (1000, 20), (1020, 40), (4000, 40), (4020, 60), (7000, 60)]:
        assert retail_permitted_shortfall(D(check), max_g=D(7000), d_g=D(20)) == expected
    limit = shortfall_limit(D(3000), max_g=D(7000), d_g=D(20))
    assert limit.derived is True
    assert "không có trong Bảng 2: suy ra theo cùng quy tắc" in limit.basis
    verdict = judge_control_measurement(D(3040), D(3000), "sell", max_g=D(7000), d_g=D(20))
    assert verdict.outcome == "pass"
    assert "suy ra theo cùng quy tắc của Bảng 2" in verdict.rule
    assert "2 d = 40 g" in verdict.rule
    with pytest.raises(ShortfallRefused, match="nhỏ hơn 20 d = 400 g"):
        retail_permitted_shortfall(D(399), max_g=D(7000), d_g=D(20))


@pytest.mark.parametrize(
    ("check", "expected"),
    [
        (40, 2),  # 20 d, the lowest check mass
        (1000, 2),  # 500 e: 2 × 0,5 e
        (1002, 4),  # 2 × 1 e
        (4000, 4),  # 2000 e
        (4002, 6),  # 2 × 1,5 e
        (6000, 6),  # Max
    ],
)
def test_electronic_class_iii_scale_is_twice_its_initial_mpe(check, expected):
    # Khoản 2: 6 kg electronic scale, class III, e = d = 2 g (R 76 Table 6: 0,5 e ≤ 500 e < 1 e ≤ 2000 e < 1,5 e).
    limit = retail_permitted_shortfall(D(check), max_g=D(6000), d_g=D(2), spring=False, accuracy_class="III")
    assert limit == expected
    assert (
        retail_permitted_shortfall(
            D(check), max_g=D(6000), d_g=D(2), spring=False, accuracy_class="III", e_g=D(2)
        )
        == expected
    )


def test_electronic_scale_refusals_and_rule():
    kwargs = {"max_g": D(6000), "d_g": D(2), "spring": False, "accuracy_class": "III"}
    with pytest.raises(ShortfallRefused, match=r"39 g nhỏ hơn 20 d = 40 g của cân Max = 6 kg, d = 2 g"):
        retail_permitted_shortfall(D(39), **kwargs)
    with pytest.raises(ShortfallRefused, match="Cần cấp chính xác"):
        retail_permitted_shortfall(D(1000), max_g=D(6000), d_g=D(2), spring=False)
    verdict = judge_control_measurement(D(2003), D(2000), "sell", **kwargs)  # 1000 e: 2 × 1 e
    assert verdict.outcome == "pass" and verdict.permitted_error == 4
    assert "khoản 2" in verdict.rule and "cấp III" in verdict.rule
    assert verdict.provisional is False and verdict.warnings == ()
    assert verdict.table_id == "oiml_r76_mpe"
    assert judge_control_measurement(D("2004.5"), D(2000), "sell", **kwargs).outcome == "fail"


SPRING_8KG = {"max_g": D(8000), "d_g": D(20)}


def test_control_measurement_selling():
    # 1 kg check on an 8 kg / 20 g spring scale used for selling: permitted shortfall 1 d = 20 g.
    at_limit = judge_control_measurement(D(1020), D(1000), "sell", **SPRING_8KG)
    assert at_limit.outcome == "pass"
    assert at_limit.conclusion == "Phù hợp yêu cầu quy định"
    assert at_limit.shortfall == D(20) and at_limit.permitted_error == D(20)
    over = judge_control_measurement(D("1020.5"), D(1000), "sell", **SPRING_8KG)
    assert over.outcome == "fail"
    assert over.conclusion == "Không phù hợp yêu cầu quy định"
    assert over.error == D("20.5")
    # The scale reading low does not short the buyer when selling.
    assert judge_control_measurement(D(900), D(1000), "sell", **SPRING_8KG).outcome == "pass"


def test_control_measurement_buying():
    assert judge_control_measurement(D(980), D(1000), "buy", **SPRING_8KG).outcome == "pass"
    verdict = judge_control_measurement(D(979), D(1000), "buy", **SPRING_8KG)
    assert verdict.outcome == "fail"
    assert verdict.shortfall == D(21)
    assert verdict.error == D(-21)
    assert judge_control_measurement(D(1100), D(1000), "buy", **SPRING_8KG).outcome == "pass"


def test_control_measurement_is_provisional_and_names_its_table():
    verdict = judge_control_measurement(D(1000), D(1000), "sell", **SPRING_8KG)
    assert verdict.provisional is True
    assert verdict.table_id == "tt09_2017_spring_shortfall"
    assert verdict.table_version == "2026.2"
    assert "TT 09/2017/TT-BKHCN Điều 5" in verdict.rule and "tạm thời" in verdict.rule
    assert "Bảng 2, cân đồng hồ lò xo 8 kg, d = 20 g; 400 g ≤ m ≤ 1 kg: 1 d = 20 g" in verdict.rule
    assert any("tạm thời" in warning for warning in verdict.warnings)


def test_superseded_table_is_recognised():
    assert (
        superseded_shortfall_table(
            [{"id": "tt09_2017_permitted_shortfall", "version": "2026.1", "provisional": True}]
        )
        == "tt09_2017_permitted_shortfall 2026.1"
    )
    verdict = judge_control_measurement(D(1000), D(1000), "sell", **SPRING_8KG)
    assert superseded_shortfall_table([ref.to_dict() for ref in verdict.tables]) is None


def test_control_measurement_bad_input_and_expired_standard():
    with pytest.raises(ValueError, match="direction"):
        judge_control_measurement(D(1000), D(1000), "give", **SPRING_8KG)
    with pytest.raises(ValueError):
        judge_control_measurement(D(1000), D(0), "sell", **SPRING_8KG)
    with pytest.raises(ShortfallRefused):
        judge_control_measurement(D(30), D(30), "sell", **SPRING_8KG)  # 30 g: below 20 d
    verdict = judge_control_measurement(D(1100), D(1000), "sell", standards_valid=False, **SPRING_8KG)
    assert verdict.outcome == "inconclusive"
    assert verdict.conclusion.startswith("Không đủ cơ sở kết luận")
