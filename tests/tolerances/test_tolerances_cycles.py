"""Verification cycles (TT 23/2013 as amended), row by row against the law's list, and the expiries they give."""

import datetime

import pytest

from inspect_app.tolerances import get_table, instrument_expiry, weight_expiry
from inspect_app.tolerances.cycles import INSTRUMENT_CYCLE_KEYS, cycle_expiry_date, expiry_for_key

D = datetime.date

# metrology-and-law.md §5.2, copied: instrument -> cycle in months (TT 23/2013 Phụ lục as amended by TT 07/2019;
# the last two rows from TT 03/2024).
LAW_TT23 = {
    "spring_scale": 24,  # Cân đồng hồ lò xo
    "pan_platform_steelyard_scale": 12,  # Cân bàn, cân đĩa, cân đòn
    "hook_scale": 12,  # Cân treo
    "truck_scale": 12,  # Cân ô tô
    "weight_e2": 24,  # Quả cân E2
    "weight_f1_and_coarser": 12,  # Quả cân F1 and coarser (M1 included)
    "fuel_dispenser": 12,  # Cột đo xăng dầu
    "lpg_dispenser": 12,  # cột đo LPG
    "water_meter_mechanical": 60,  # Đồng hồ nước lạnh: mechanical
    "water_meter_electronic": 36,  # with electronics
    "electricity_meter_1p_induction": 60,  # Công tơ điện 1 pha: induction
    "electricity_meter_1p_electronic": 72,  # electronic
    "electricity_meter_3p_induction": 48,  # Công tơ điện 3 pha: induction
    "electricity_meter_3p_electronic": 36,  # electronic
    "taximeter": 18,  # TT 03/2024
    "analytical_scale": 12,  # Cân phân tích, cân kỹ thuật (TT 03/2024)
}
# §5.2: TT 04/2026 Điều 4 (machine-read, provisional): hook 24, truck 24, electronic water meter 60, analytical 24.
LAW_TT04_PROVISIONAL = {
    "hook_scale": 24,
    "truck_scale": 24,
    "water_meter_electronic": 60,
    "analytical_scale": 24,
}


def test_tt23_rows_match_the_law_one_by_one():
    table = get_table("tt23_2013_verification_cycles")
    assert not table.provisional
    assert {row["key"]: int(row["months"]) for row in table.rows} == LAW_TT23
    assert len(table.rows) == len(LAW_TT23)
    for row in table.rows:
        assert row["source"].startswith(("TT 23/2013", "TT 03/2024")), row
        assert row["months"] == int(row["months"])


def test_tt04_2026_is_provisional_with_its_effective_date():
    table = get_table("tt04_2026_verification_cycles")
    assert table.provisional
    assert table.applies_from == D(2026, 4, 15)
    assert {row["key"]: int(row["months"]) for row in table.rows} == LAW_TT04_PROVISIONAL


@pytest.mark.parametrize(
    ("instrument_type", "variant", "months"),
    [
        ("spring_scale", None, 24),
        ("pan_scale", None, 12),
        ("platform_scale", None, 12),
        ("electronic_scale", None, 12),  # derived: used as a pan/platform scale
        ("fuel_dispenser", None, 12),
        ("water_meter", "water_mechanical", 60),
        ("water_meter", "water_electronic", 36),
        ("electricity_meter", "elec_1p_induction", 60),
        ("electricity_meter", "elec_1p_electronic", 72),
        ("electricity_meter", "elec_3p_induction", 48),
        ("electricity_meter", "elec_3p_electronic", 36),
    ],
)
def test_each_instrument_kind_gets_its_cycle(instrument_type, variant, months):
    expiry = instrument_expiry(instrument_type, variant, D(2024, 3, 15))
    assert expiry.months == months
    assert expiry.expires_on == cycle_expiry_date(D(2024, 3, 15), months)
    assert expiry.derived is (instrument_type == "electronic_scale")
    assert expiry.text == f"tính theo chu kỳ kiểm định {months} tháng (TT 23/2013)"


def test_no_cycle_without_a_known_variant_or_for_other_instruments():
    assert instrument_expiry("water_meter", None, D(2024, 1, 1)) is None
    assert instrument_expiry("electricity_meter", None, D(2024, 1, 1)) is None
    assert instrument_expiry("other", None, D(2024, 1, 1)) is None
    assert set(INSTRUMENT_CYCLE_KEYS.values()) <= set(LAW_TT23)


@pytest.mark.parametrize(
    ("verified_on", "months", "last_valid_day"),
    [
        (D(2024, 3, 15), 12, D(2025, 3, 14)),
        (D(2024, 1, 1), 12, D(2024, 12, 31)),
        (D(2024, 3, 1), 12, D(2025, 2, 28)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2023, 3, 1), 12, D(2024, 2, 29)),  # leap year
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2024, 3, 31), 1, D(2024, 4, 30)),
        (D(2020, 6, 10), 72, D(2026, 6, 9)),
    ],
)
def test_expiry_is_the_day_before_the_same_date_n_months_later(verified_on, months, last_valid_day):
    assert cycle_expiry_date(verified_on, months) == last_valid_day


def test_a_cycle_must_be_positive():
    with pytest.raises(ValueError):
        cycle_expiry_date(D(2024, 1, 1), 0)


def test_weights_f1_and_coarser_12_months_e2_24():
    for name in ("F1", "F2", "M1", "m1", "M1-2", "M2", "M2-3", "M3"):
        assert weight_expiry(name, D(2025, 6, 1)).months == 12
    assert weight_expiry("E2", D(2025, 6, 1)).months == 24
    assert weight_expiry("E1", D(2025, 6, 1)) is None
    assert weight_expiry("M1", D(2025, 6, 1)).expires_on == D(2026, 5, 31)


def test_provisional_tt04_value_is_a_warning_not_the_answer():
    # before 15/4/2026: TT 04/2026 is not in force, nothing to say
    before = instrument_expiry("water_meter", "water_electronic", D(2026, 4, 14))
    assert before.months == 36 and before.warnings == ()
    assert [ref.id for ref in before.tables] == ["tt23_2013_verification_cycles"]
    # from 15/4/2026: the confirmed value is still used, the provisional one is named next to it
    on = instrument_expiry("water_meter", "water_electronic", D(2026, 4, 15))
    assert on.months == 36
    assert on.expires_on == D(2029, 4, 14)
    assert len(on.warnings) == 1
    assert "60 tháng" in on.warnings[0] and "14/04/2031" in on.warnings[0] and "tạm thời" in on.warnings[0]
    assert any(ref.provisional for ref in on.tables)
    # same cycle under both: no warning
    assert instrument_expiry("water_meter", "water_mechanical", D(2026, 5, 1)).warnings == ()
    assert expiry_for_key("hook_scale", D(2026, 5, 1)).warnings


def test_unknown_key_is_refused():
    with pytest.raises(KeyError):
        expiry_for_key("nothing", D(2024, 1, 1))
