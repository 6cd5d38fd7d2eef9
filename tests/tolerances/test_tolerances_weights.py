"""OIML R 111-1 weight MPEs, row by row against metrology-and-law.md §1, and combined weights."""

from decimal import Decimal

import pytest

from inspect_app.tolerances import CombinedWeights, combine_weights, weight_mpe

# Copied verbatim from metrology-and-law.md §1, tests/tolerances/reference/ (values in mg, "—" = not defined).
R111_TABLE_1 = """
| 5000 kg | 80 000 | **250 000** | 500 000 | 800 000 | 1 600 000 | 2 500 000 |
| 2000 kg | 30 000 | **100 000** | 200 000 | 300 000 | 600 000 | 1 000 000 |
| 1000 kg | 16 000 | **50 000** | 100 000 | 160 000 | 300 000 | 500 000 |
| 500 kg | 8 000 | **25 000** | 50 000 | 80 000 | 160 000 | 250 000 |
| 200 kg | 3 000 | **10 000** | 20 000 | 30 000 | 60 000 | 100 000 |
| 100 kg | 1 600 | **5 000** | 10 000 | 16 000 | 30 000 | 50 000 |
| 50 kg | 800 | **2 500** | 5 000 | 8 000 | 16 000 | 25 000 |
| 20 kg | 300 | **1 000** | — | 3 000 | — | 10 000 |
| 10 kg | 160 | **500** | — | 1 600 | — | 5 000 |
| 5 kg | 80 | **250** | — | 800 | — | 2 500 |
| 2 kg | 30 | **100** | — | 300 | — | 1 000 |
| 1 kg | 16 | **50** | — | 160 | — | 500 |
| 500 g | 8.0 | **25** | — | 80 | — | 250 |
| 200 g | 3.0 | **10** | — | 30 | — | 100 |
| 100 g | 1.6 | **5** | — | 16 | — | 50 |
| 50 g | 1.0 | **3.0** | — | 10 | — | 30 |
| 20 g | 0.8 | **2.5** | — | 8.0 | — | 25 |
| 10 g | 0.6 | **2.0** | — | 6.0 | — | 20 |
| 5 g | 0.5 | **1.6** | — | 5.0 | — | 16 |
| 2 g | 0.4 | **1.2** | — | 4.0 | — | 12 |
| 1 g | 0.3 | **1.0** | — | 3.0 | — | 10 |
| 500 mg | 0.25 | **0.8** | — | 2.5 | — | — |
| 200 mg | 0.20 | **0.6** | — | 2.0 | — | — |
| 100 mg | 0.16 | **0.5** | — | 1.6 | — | — |
| 50 mg | 0.12 | **0.4** | — | — | — | — |
| 20 mg | 0.10 | **0.3** | — | — | — | — |
| 10 mg | 0.08 | **0.25** | — | — | — | — |
| 5 mg | 0.06 | **0.20** | — | — | — | — |
| 2 mg | 0.06 | **0.20** | — | — | — | — |
| 1 mg | 0.06 | **0.20** | — | — | — | — |
"""
CLASSES = ["F2", "M1", "M1–2", "M2", "M2–3", "M3"]
TO_GRAMS = {"kg": Decimal(1000), "g": Decimal(1), "mg": Decimal("0.001")}


def _cells():
    for line in R111_TABLE_1.strip().splitlines():
        cells = [cell.strip().replace("**", "") for cell in line.strip().strip("|").split("|")]
        number, unit = cells[0].split()
        nominal_g = Decimal(number) * TO_GRAMS[unit]
        for name, value in zip(CLASSES, cells[1:], strict=True):
            yield cells[0], nominal_g, name, None if value == "—" else Decimal(value.replace(" ", ""))


CELLS = list(_cells())
DEFINED = [cell for cell in CELLS if cell[3] is not None]
UNDEFINED = [cell for cell in CELLS if cell[3] is None]


def test_reference_table_has_every_row_and_class():
    assert len(CELLS) == 30 * 6
    assert len(UNDEFINED) == 23 * 2 + 9 + 6  # M1-2, M2-3 below 50 kg; M3 below 1 g; M2 below 100 mg


@pytest.mark.parametrize(
    ("label", "nominal_g", "accuracy_class", "expected"), DEFINED, ids=[f"{c[0]}-{c[2]}" for c in DEFINED]
)
def test_weight_mpe_row_by_row(label, nominal_g, accuracy_class, expected):
    result = weight_mpe(nominal_g, accuracy_class)
    assert isinstance(result, Decimal)
    assert result == expected


@pytest.mark.parametrize(
    ("label", "nominal_g", "accuracy_class", "expected"), UNDEFINED, ids=[f"{c[0]}-{c[2]}" for c in UNDEFINED]
)
def test_weight_mpe_undefined_cells_raise(label, nominal_g, accuracy_class, expected):
    with pytest.raises(ValueError, match="is not defined for"):
        weight_mpe(nominal_g, accuracy_class)


def test_class_spelled_with_hyphen_or_en_dash():
    assert weight_mpe(Decimal(50000), "M1-2") == Decimal(5000)
    assert weight_mpe(Decimal(50000), "M1–2") == Decimal(5000)
    assert weight_mpe(Decimal(5000000), "m2-3") == Decimal(1600000)
    assert weight_mpe(Decimal(1000), " m1 ") == Decimal(50)


def test_undefined_message_names_the_defined_range():
    with pytest.raises(ValueError) as info:
        weight_mpe(Decimal(20000), "M1-2")
    assert str(info.value) == "class M1-2 is not defined for 20 kg (defined from 50 kg to 5000 kg)"
    with pytest.raises(
        ValueError, match=r"class M3 is not defined for 500 mg \(defined from 1 g to 5000 kg\)"
    ):
        weight_mpe(Decimal("0.5"), "M3")
    with pytest.raises(
        ValueError, match=r"class M2 is not defined for 50 mg \(defined from 100 mg to 5000 kg\)"
    ):
        weight_mpe(Decimal("0.05"), "M2")


@pytest.mark.parametrize("nominal_g", ["20.5", "3000", "0", "-1", "10000000", "0.0005", "25"])
def test_nominal_outside_the_series_raises(nominal_g):
    with pytest.raises(ValueError, match="is not in the OIML R111 nominal series"):
        weight_mpe(Decimal(nominal_g), "M1")


def test_nominal_outside_series_message():
    with pytest.raises(ValueError) as info:
        weight_mpe(Decimal("20.5"), "M1")
    assert str(info.value) == "20.5 g is not in the OIML R111 nominal series"


@pytest.mark.parametrize("accuracy_class", ["E2", "F1", "M4", "", "M12"])
def test_unknown_class_raises(accuracy_class):
    with pytest.raises(ValueError, match="unknown weight class"):
        weight_mpe(Decimal(1000), accuracy_class)


def test_nominal_accepts_int_and_str_and_trailing_zeros():
    assert weight_mpe(1000, "M1") == Decimal(50)
    assert weight_mpe("1000.000", "M1") == Decimal(50)
    assert weight_mpe("0.001", "F2") == Decimal("0.06")


def test_nominal_rejects_garbage():
    with pytest.raises(ValueError):
        weight_mpe("abc", "M1")
    with pytest.raises(TypeError):
        weight_mpe(None, "M1")
    with pytest.raises(TypeError):
        weight_mpe(True, "M1")


def test_combine_weights_worked_example():
    # 2 kg + 2 kg + 1 kg M1 = 5 kg, combined MPE 100 + 100 + 50 = 250 mg (metrology brief).
    combined = combine_weights([(Decimal(2000), "M1"), (Decimal(2000), "M1"), (Decimal(1000), "M1")])
    assert isinstance(combined, CombinedWeights)
    assert combined.total_nominal_g == Decimal(5000)
    assert combined.mpe_mg == Decimal(250)
    assert combined.mpe_g == Decimal("0.25")
    assert combined.conventional_mass_g == Decimal(5000)
    assert [item.mpe_mg for item in combined.items] == [Decimal(100), Decimal(100), Decimal(50)]
    assert combined.table.id == "oiml_r111_weight_mpe"
    assert combined.provisional is False
    assert combined.warnings == ()


def test_combine_weights_mixed_classes_and_corrections():
    combined = combine_weights(
        [
            (Decimal(10000), "M2", Decimal(-400)),
            (Decimal(500), "M1", None),
            (Decimal(20), "F2", Decimal("0.1")),
        ]
    )
    assert combined.total_nominal_g == Decimal(10520)
    assert combined.mpe_mg == Decimal(1600) + Decimal(25) + Decimal("0.8")
    assert combined.total_correction_mg == Decimal("-399.9")
    assert combined.conventional_mass_g == Decimal(10520) - Decimal("0.3999")
    assert combined.warnings == ()


def test_combine_weights_warns_when_correction_exceeds_class_mpe():
    combined = combine_weights([(Decimal(2000), "M1", Decimal(120))])
    assert combined.mpe_mg == Decimal(100)
    assert len(combined.warnings) == 1
    assert "vượt giới hạn sai số cho phép" in combined.warnings[0]


@pytest.mark.parametrize("weights", [[], [(Decimal(2000),)], [(Decimal(2000), "M1", 0, 1)], ["2000"]])
def test_combine_weights_bad_input(weights):
    with pytest.raises(ValueError):
        combine_weights(weights)


def test_combine_weights_propagates_undefined_class():
    with pytest.raises(ValueError, match="not defined"):
        combine_weights([(Decimal(2000), "M1-2")])
