"""Verification cycles in use (a stamp showing only its date, reference weights' certificate type) and meter checks
(recorded, referred, never judged) through API v1 and the desk pages."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from inspect_app.extensions import db
from inspect_app.models import MeterCheck
from tests.api_helpers import token_for
from tests.test_measurements_api import (
    MEASURED_AT,
    new_inspection,
    post_instrument,
    post_standard,
    reading_payload,
)


@pytest.fixture
def auth(client, world):
    return token_for(client, world.users["inspector"])


def findings(client, auth, inspection) -> dict:
    url = f"/api/v1/inspections/{inspection['id']}/automatic-findings"
    return {item["item_code"]: item for item in client.get(url, headers=auth).get_json()["items"]}


# ---- verification cycles -----------------------------------------------------------------------------------------


def test_a_stamp_with_only_its_date_gets_the_cycle_expiry_in_ptd02(client, world, auth):
    premise = world.premise_a
    # spring scale, 24 months: verified 1/12/2024 -> valid to 30/11/2026 (inspection on 21/11/2026)
    scale = post_instrument(client, auth, premise, serial="LX-1", verified_on="2024-12-01", valid_until=None)
    assert scale.status_code == 201, scale.get_json()
    body = scale.get_json()
    assert body["valid_until"] is None
    assert body["stamp_expiry"]["expires_on"] == "2026-11-30" and body["stamp_expiry"]["months"] == 24
    assert body["stamp_expiry"]["text"] == "tính theo chu kỳ kiểm định 24 tháng (TT 23/2013)"
    items = findings(client, auth, new_inspection(client, auth, premise))
    assert items["PTD-02"]["answer"] == "pass"
    assert (
        "còn hạn đến 30/11/2026 (tính theo chu kỳ kiểm định 24 tháng (TT 23/2013)"
        in items["PTD-02"]["reason"]
    )


def test_a_computed_expiry_that_has_passed_fails_ptd02_and_electronic_scales_are_derived(client, world, auth):
    premise = world.premise_a
    # electronic scale = pan/platform scale row, 12 months: verified 21/11/2025 -> last day 20/11/2026
    post_instrument(
        client, auth, premise, instrument_type="electronic_scale", accuracy_class="III", e="0.005",
        serial="DT-1", verified_on="2025-11-21", valid_until=None,
    )  # fmt: skip
    items = findings(client, auth, new_inspection(client, auth, premise))
    reason = items["PTD-02"]["reason"]
    assert items["PTD-02"]["answer"] == "fail"
    assert "hết hạn ngày 20/11/2026 (tính theo chu kỳ kiểm định 12 tháng (TT 23/2013)" in reason
    assert "suy ra cho cân điện tử dùng như cân đĩa/cân bàn" in reason


def test_the_premise_page_shows_the_expiry_as_computed(client, world, auth, login):
    post_instrument(client, auth, world.premise_a, serial="LX-2", verified_on="2024-12-01", valid_until=None)
    login(world.users["inspector"])
    page = client.get(f"/premises/{world.premise_a.id}").get_data(as_text=True)
    assert "đến 30/11/2024" not in page
    assert "đến 30/11/2026" in page and "tính theo chu kỳ kiểm định 24 tháng (TT 23/2013)" in page


def test_a_weight_with_only_a_calibration_certificate_is_flagged_on_the_reading(client, world, auth):
    weights = [
        post_standard(client, auth, nominal="2", serial="HC-2", certificate_type="calibration").get_json()[
            "id"
        ],
        post_standard(client, auth, nominal="2", serial="KD-2").get_json()["id"],
        post_standard(client, auth, nominal="1", serial="KD-1").get_json()["id"],
    ]
    scale = post_instrument(client, auth, world.premise_a).get_json()
    inspection = new_inspection(client, auth, world.premise_a)
    url = f"/api/v1/inspections/{inspection['id']}/readings"
    reading = client.post(
        url, json=reading_payload(scale["id"], weights, indication="5.05"), headers=auth
    ).get_json()
    assert reading["outcome"] == "pass"  # the verdict stands, but it is not a silent pass
    assert any("chỉ có giấy chứng nhận hiệu chuẩn" in w and "Điều 6" in w for w in reading["warnings"])
    assert [s["certificate_type"] for s in reading["standards"]] == [
        "calibration",
        "verification",
        "verification",
    ]


def test_standards_list_and_form_flag_calibration_only_weights(client, world, auth, login):
    flagged = post_standard(client, auth, serial="HC-9", certificate_type="calibration").get_json()
    assert flagged["certificate_warning"].startswith("Quả cân chỉ có giấy chứng nhận hiệu chuẩn")
    unknown = post_standard(client, auth, serial="CR-9", certificate_type="unknown").get_json()
    assert "Chưa ghi quả cân được kiểm định hay hiệu chuẩn" in unknown["certificate_warning"]
    verified = post_standard(client, auth, serial="KD-9").get_json()
    assert verified["certificate_warning"] is None
    login(world.users["inspector"])
    page = client.get("/standards").get_data(as_text=True)
    assert page.count("Quả cân chỉ có giấy chứng nhận hiệu chuẩn") == 1
    assert page.count("Chưa ghi quả cân được kiểm định hay hiệu chuẩn") == 1
    form = client.get(f"/standards/{flagged['id']}/edit").get_data(as_text=True)
    assert "Quả cân chỉ có giấy chứng nhận hiệu chuẩn" in form


def test_a_verified_weight_without_due_date_gets_it_from_the_cycle(client, world, auth):
    response = post_standard(client, auth, serial="KD-C", calibrated_on="2026-01-05", due_on=None)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["due_on"] == "2027-01-04" and response.get_json()["due_on_computed"] is True
    # a calibration certificate has no legal cycle: the date must be given
    refused = post_standard(client, auth, serial="HC-C", certificate_type="calibration", due_on=None)
    assert refused.status_code == 422
    assert "Cần ghi ngày hết hạn" in str(refused.get_json())


# ---- meter checks ------------------------------------------------------------------------------------------------


def water_meter(client, auth, premise, **values):
    payload = dict(
        instrument_type="water_meter", variant="water_mechanical", accuracy_class="B", unit="m3",
        max_capacity=None, e=None, serial="DHN-778", owner_name="Công ty Cấp nước Quảng Ngãi",
        installation_address="12 Nguyễn Nghiêm, phường Đức Phổ", verification_mark="N-22-104",
        verified_on="2022-05-10", valid_until=None,
    )  # fmt: skip
    payload.update(values)
    response = post_instrument(client, auth, premise, **payload)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def meter_payload(instrument_id, **values) -> dict:
    payload = {
        "uuid": str(uuid.uuid4()),
        "instrument_id": instrument_id,
        "index_reading": "1234.567",
        "stamp_state": "present",
        "seal_state": "broken",
        "tampering_signs": ["seal_cut_or_replaced"],
        "complainant": "Bà Nguyễn Thị Lan",
        "complaint": "Hóa đơn tiền nước tháng 10 tăng gấp đôi.",
        "referred_to_utility_on": "2026-11-22",
        "checked_at": MEASURED_AT,
    }
    payload.update(values)
    return payload


def test_a_meter_check_is_recorded_idempotently_and_never_judged(client, world, auth, login):
    meter = water_meter(client, auth, world.premise_a)
    assert meter["stamp_expiry"]["months"] == 60 and meter["stamp_expiry"]["expires_on"] == "2027-05-09"
    litres = post_standard(client, auth, kind="volume_measure", nominal="20", unit="L", accuracy_class="0.1")
    inspection = new_inspection(client, auth, world.premise_a)
    url = f"/api/v1/inspections/{inspection['id']}/meter-checks"
    body = meter_payload(
        meter["id"],
        standard_ids=[litres.get_json()["id"]],
        indicative_reference="20",
        indicative_indication="20.9",
    )
    first = client.post(url, json=body, headers=auth)
    assert first.status_code == 201, first.get_json()
    check = first.get_json()
    assert check["validity"] == "valid" and "còn hạn đến 09/05/2027" in check["validity_text"]
    assert "Công ty Cấp nước Quảng Ngãi" in check["meter"]
    assert check["indicative"]["label"] == "Ghi nhận sơ bộ"
    assert check["indicative"]["difference_percent"] == "4.50"
    assert "không phải kết luận về sai số" in check["indicative"]["note"]
    assert "outcome" not in check and "Đạt" not in str(check)
    again = client.post(url, json=body, headers=auth)
    assert again.status_code == 200 and again.get_json()["id"] == check["id"]
    assert db.session.scalar(select(func.count()).select_from(MeterCheck)) == 1
    # meters are not in the business's automatic instrument answers
    assert "DHN-778" not in str(findings(client, auth, inspection))
    login(world.users["inspector"])
    page = client.get(f"/inspections/{inspection['id']}").get_data(as_text=True)
    assert "Công tơ điện, đồng hồ nước" in page and "Ghi nhận sơ bộ" in page
    assert "Niêm phong, kẹp chì bị cắt hoặc bị thay" in page
    assert "Chuyển đơn vị cấp điện/cấp nước ngày 22/11/2026" in page
    section = page[page.index("Công tơ điện, đồng hồ nước") :]
    section = section[: section.index("</table>")]
    assert "Đạt" not in section and "Không đạt" not in section


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"referred_to_utility_on": None, "referred_to_department_on": "2026-11-23"}, "referred_to_department_on",
         "chuyển đơn vị cấp điện/cấp nước trước"),
        ({"referred_to_department_on": "2026-11-20"}, "referred_to_department_on", "không được trước"),
        ({"stamp_state": "gone"}, "stamp_state", "không hợp lệ"),
        ({"tampering_signs": ["magic"]}, "tampering_signs", "không hợp lệ"),
        ({"indicative_reference": "20"}, "standard_ids", "Cần chọn bình chuẩn"),
    ],
)  # fmt: skip
def test_bad_meter_checks_are_refused_in_vietnamese_and_nothing_is_stored(
    client, world, auth, changes, field, message
):
    meter = water_meter(client, auth, world.premise_a)
    inspection = new_inspection(client, auth, world.premise_a)
    url = f"/api/v1/inspections/{inspection['id']}/meter-checks"
    response = client.post(url, json=meter_payload(meter["id"], **changes), headers=auth)
    assert response.status_code == 422, response.get_json()
    assert message in str(response.get_json()), response.get_json()
    assert field in str(response.get_json())
    assert db.session.scalar(select(func.count()).select_from(MeterCheck)) == 0


def test_meter_checks_only_for_meters_and_indicative_only_for_water(client, world, auth):
    scale = post_instrument(client, auth, world.premise_a).get_json()
    power = post_instrument(
        client, auth, world.premise_a, instrument_type="electricity_meter", variant="elec_1p_electronic",
        accuracy_class="1", unit="kWh", max_capacity=None, e=None, serial="CT-1", verified_on=None, valid_until=None,
    ).get_json()  # fmt: skip
    assert power["variant"] == "elec_1p_electronic"
    litres = post_standard(client, auth, kind="volume_measure", nominal="20", unit="L", accuracy_class="0.1")
    inspection = new_inspection(client, auth, world.premise_a)
    url = f"/api/v1/inspections/{inspection['id']}/meter-checks"
    refused = client.post(url, json=meter_payload(scale["id"]), headers=auth)
    assert refused.status_code == 422 and "công tơ điện hoặc đồng hồ nước" in str(refused.get_json())
    body = meter_payload(power["id"], standard_ids=[litres.get_json()["id"]], indicative_reference="20",
                         indicative_indication="20")  # fmt: skip
    refused = client.post(url, json=body, headers=auth)
    assert refused.status_code == 422 and "chỉ áp dụng cho đồng hồ nước" in str(refused.get_json())
    # no verification date and no expiry: validity unknown, said plainly
    ok = client.post(url, json=meter_payload(power["id"]), headers=auth)
    assert ok.status_code == 201 and ok.get_json()["validity"] == "unknown"


def test_a_variant_must_match_the_meter_type(client, world, auth):
    response = post_instrument(client, auth, world.premise_a, variant="water_mechanical")
    assert response.status_code == 422
    assert "Chỉ ghi kiểu cho công tơ điện hoặc đồng hồ nước" in str(response.get_json())


@pytest.mark.parametrize(
    "reference, indication, field, message",
    [
        ("0.000000000001", "99999", "indicative_indication", "số liệu không hợp lý"),
        ("1", "99999999999999", "indicative_indication", "quá lớn (tối đa 999.999.999)"),
        ("500", "500", "indicative_reference", "lớn hơn nhiều so với dung tích"),
    ],
)
def test_implausible_water_checks_are_refused_not_crashed(
    client, world, auth, reference, indication, field, message
):
    meter = water_meter(client, auth, world.premise_a)
    litres = post_standard(client, auth, kind="volume_measure", nominal="20", unit="L", accuracy_class="0.1")
    inspection = new_inspection(client, auth, world.premise_a)
    body = meter_payload(meter["id"], standard_ids=[litres.get_json()["id"]], indicative_reference=reference,
                         indicative_indication=indication)  # fmt: skip
    response = client.post(f"/api/v1/inspections/{inspection['id']}/meter-checks", json=body, headers=auth)
    assert response.status_code == 422, response.get_json()
    assert message in str(response.get_json()) and field in str(response.get_json())
    assert db.session.scalar(select(func.count()).select_from(MeterCheck)) == 0
