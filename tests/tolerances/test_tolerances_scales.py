"""OIML R 76-1 Table 6 band edges and Table 3 class limits, against metrology-and-law.md §2.1-2.3."""

from decimal import Decimal

import pytest

from inspect_app.tolerances import min_capacity, scale_band, scale_mpe, validate_scale

D = Decimal
KG = D(1000)  # the engine takes masses in grams

# metrology-and-law.md §2.2, R76-1 Table 6 (initial verification), load m in e:
# | ±0.5 e | 0 ≤ m ≤ 50 000 | 0 ≤ m ≤ 5 000 | 0 ≤ m ≤ 500 | 0 ≤ m ≤ 50 |
# | ±1.0 e | 50 000 < m ≤ 200 000 | 5 000 < m ≤ 20 000 | 500 < m ≤ 2 000 | 50 < m ≤ 200 |
# | ±1.5 e | 200 000 < m | 20 000 < m ≤ 100 000 | 2 000 < m ≤ 10 000 | 200 < m ≤ 1 000 |
TABLE_6 = {
    "I": [(D("0.5"), D(0), D(50000)), (D("1.0"), D(50000), D(200000)), (D("1.5"), D(200000), None)],
    "II": [(D("0.5"), D(0), D(5000)), (D("1.0"), D(5000), D(20000)), (D("1.5"), D(20000), D(100000))],
    "III": [(D("0.5"), D(0), D(500)), (D("1.0"), D(500), D(2000)), (D("1.5"), D(2000), D(10000))],
    "IIII": [(D("0.5"), D(0), D(50)), (D("1.0"), D(50), D(200)), (D("1.5"), D(200), D(1000))],
}
IN_SERVICE_FACTOR = D(2)  # §2.2: in-service MPE = 2 × initial-verification MPE
JUST_ABOVE = D("0.001")


def _edge_cases():
    for name, bands in TABLE_6.items():
        previous_mpe = None
        for mpe, lower, upper in bands:
            if previous_mpe is None:
                yield name, lower, mpe  # at 0
            else:
                yield name, lower, previous_mpe  # the edge belongs to the band below
                yield name, lower + JUST_ABOVE, mpe  # just above the edge
            if upper is not None:
                yield name, upper, mpe  # at the inclusive upper edge
            previous_mpe = mpe


EDGES = list(_edge_cases())


@pytest.mark.parametrize(("accuracy_class", "m", "mpe_e"), EDGES, ids=[f"{c}-{m}e" for c, m, _ in EDGES])
@pytest.mark.parametrize("e", [D(1), D("0.05"), D(5)])
def test_table_6_band_edges_verification(accuracy_class, m, mpe_e, e):
    assert scale_mpe(m * e, e, accuracy_class, in_service=False) == mpe_e * e


@pytest.mark.parametrize(("accuracy_class", "m", "mpe_e"), EDGES, ids=[f"{c}-{m}e" for c, m, _ in EDGES])
@pytest.mark.parametrize("e", [D(1), D("0.05"), D(5)])
def test_table_6_band_edges_in_service(accuracy_class, m, mpe_e, e):
    assert scale_mpe(m * e, e, accuracy_class, in_service=True) == IN_SERVICE_FACTOR * mpe_e * e
    assert scale_mpe(m * e, e, accuracy_class) == IN_SERVICE_FACTOR * mpe_e * e  # in service is the default


@pytest.mark.parametrize(("accuracy_class", "top"), [("II", D(100000)), ("III", D(10000)), ("IIII", D(1000))])
def test_load_above_last_band_raises(accuracy_class, top):
    e = D("0.05")
    assert scale_mpe(top * e, e, accuracy_class, in_service=False) == D("1.5") * e
    with pytest.raises(ValueError, match=f"exceeds {top} e"):
        scale_mpe((top + JUST_ABOVE) * e, e, accuracy_class)


def test_class_i_has_no_upper_bound():
    assert scale_mpe(D(10) ** 9, D(1), "I", in_service=False) == D("1.5")
    assert scale_mpe(D(10) ** 9, D(1), "I") == D(3)


def test_practitioner_example_15_kg_spring_scale():
    # §2.3: 15 kg, e = d = 50 g, loads 0.5/2.5/7.5/10/15 kg -> MPE 0.025/0.025/0.05/0.05/0.075 kg (class IIII).
    expected = {
        D("0.5"): D("0.025"),
        D("2.5"): D("0.025"),
        D("7.5"): D("0.05"),
        D("10"): D("0.05"),
        D("15"): D("0.075"),
    }
    for load, mpe in expected.items():
        assert scale_mpe(load, D("0.05"), "IIII", in_service=False) == mpe
        assert scale_mpe(load, D("0.05"), "IIII", in_service=True) == 2 * mpe


def test_accuracy_class_spellings():
    assert scale_mpe(D(100), D(1), "iiii", in_service=False) == D(1)
    assert scale_mpe(D(100), D(1), "4", in_service=False) == D(1)
    assert scale_mpe(D(100), D(1), " III ", in_service=False) == D("0.5")


@pytest.mark.parametrize("accuracy_class", ["V", "IIIII", "", "cấp 4"])
def test_unknown_scale_class(accuracy_class):
    with pytest.raises(ValueError, match="unknown scale accuracy class"):
        scale_mpe(D(1), D(1), accuracy_class)


def test_bad_load_and_e():
    with pytest.raises(ValueError, match="load must not be negative"):
        scale_mpe(D("-0.001"), D(1), "IIII")
    with pytest.raises(ValueError, match="e must be greater than 0"):
        scale_mpe(D(1), D(0), "IIII")
    with pytest.raises(ValueError, match="e must be greater than 0"):
        scale_mpe(D(1), D(-5), "IIII")
    with pytest.raises(ValueError):
        scale_mpe("NaN", D(1), "IIII")


def test_scale_mpe_optionally_checks_e_for_class():
    # 5 kg at e = 0.05 kg, in grams: ±100 g = ±0.1 kg.
    assert scale_mpe(D("5") * KG, D("0.05") * KG, "IIII", check_e=True) == D("0.1") * KG
    assert scale_mpe(D("5000"), D("50"), "IIII", check_e=True) == D("100")
    with pytest.raises(ValueError, match="not valid for class IIII"):
        scale_mpe(D("100"), D("1"), "IIII", check_e=True)  # class IIII needs e >= 5 g
    assert scale_mpe(D("100"), D("1"), "IIII", in_service=False) == D(1)  # no check unless asked


def test_scale_band_rule_text():
    band = scale_band(D("5"), D("0.05"), "IIII", in_service=True)
    assert band.rule.startswith(
        "Giới hạn sai số khi sử dụng (2 × kiểm định ban đầu), OIML R76-1 Bảng 6, cấp IIII"
    )
    assert "50 e < m ≤ 200 e" in band.rule
    verification = scale_band(D("5"), D("0.05"), "IIII", in_service=False)
    assert verification.rule.startswith("Giới hạn sai số kiểm định ban đầu, OIML R76-1 Bảng 6, cấp IIII")
    assert verification.table.id == "oiml_r76_mpe"
    assert verification.table.provisional is False


# metrology-and-law.md §2.1, R76-1 Table 3: (class, e_min g, e_max g or None, n min, n max or None, Min in e)
TABLE_3 = [
    ("I", D("0.001"), None, D(50000), None, D(100)),
    ("II", D("0.001"), D("0.05"), D(100), D(100000), D(20)),
    ("II", D("0.1"), None, D(5000), D(100000), D(50)),
    ("III", D("0.1"), D("2"), D(100), D(10000), D(20)),
    ("III", D("5"), None, D(500), D(10000), D(20)),
    ("IIII", D("5"), None, D(100), D(1000), D(10)),
]


@pytest.mark.parametrize(("accuracy_class", "e_min", "e_max", "n_min", "n_max", "min_e"), TABLE_3)
def test_table_3_rows(accuracy_class, e_min, e_max, n_min, n_max, min_e):
    for e in [e_min] + ([e_max] if e_max is not None else [e_min * 1000]):
        assert validate_scale(n_min * e, e, accuracy_class) == []
        problems = validate_scale((n_min - 1) * e, e, accuracy_class)
        assert len(problems) == 1 and "nhỏ hơn số độ chia tối thiểu" in problems[0]
        if n_max is not None:
            assert validate_scale(n_max * e, e, accuracy_class) == []
            problems = validate_scale((n_max + 1) * e, e, accuracy_class)
            assert len(problems) == 1 and "lớn hơn số độ chia tối đa" in problems[0]
        else:
            assert validate_scale(n_min * 1000 * e, e, accuracy_class) == []
        assert min_capacity(e, accuracy_class) == min_e * e


@pytest.mark.parametrize(
    ("accuracy_class", "e_g"),
    [
        ("I", D("0.0005")),
        ("II", D("0.0005")),
        ("II", D("0.07")),
        ("III", D("0.05")),
        ("III", D("3")),
        ("IIII", D("2")),
        ("IIII", D("4.99")),
    ],
)
def test_table_3_e_not_valid_for_class(accuracy_class, e_g):
    problems = validate_scale(e_g * 500, e_g, accuracy_class)
    assert len(problems) == 1
    assert "không phù hợp với cấp chính xác" in problems[0]
    with pytest.raises(ValueError):
        min_capacity(e_g, accuracy_class)


def test_validate_scale_in_grams_and_spring_scale():
    assert validate_scale(D(15) * KG, D("0.05") * KG, "IIII", unit="kg") == []  # 15 kg, e = 50 g, n = 300
    assert validate_scale(D(15000), D(50), "IIII") == []
    assert validate_scale(D(200) * KG, D("0.5") * KG, "IIII", unit="kg") == []  # 200 kg, e = 500 g, n = 400
    problems = validate_scale(D(15) * KG, D("0.001") * KG, "IIII", unit="kg")  # e = 1 g: too fine for IIII
    assert problems and "e ≥ 5 g" in problems[0]
    assert problems[0].startswith("e = 0,001 kg ")  # the texts write e in the unit the person uses
    assert min_capacity(D("0.05") * KG, "IIII") == D("0.5") * KG


def test_validate_scale_non_positive_values():
    assert validate_scale(0, 5, "IIII") == ["Mức cân lớn nhất (Max) phải lớn hơn 0"]
    assert validate_scale(100, 0, "IIII") == ["Giá trị độ chia kiểm (e) phải lớn hơn 0"]
    with pytest.raises(ValueError):
        validate_scale(100, 5, "IIII", unit="oz")  # a display unit that is not a mass
