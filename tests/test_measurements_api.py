"""Metrology through API v1: standards, instruments, readings judged by the server, pre-packaged lots, automatic
findings — the worked example end to end (down to the biên bản PDF), bad input, idempotency, locking, scoping."""

from __future__ import annotations

import io
import uuid
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select, text

from inspect_app import measurements
from inspect_app.extensions import db
from inspect_app.models import Instrument, PrepackagedLot, Reading, ReferenceStandard
from tests.api_helpers import inspection_payload, jpeg_bytes, token_for
from tests.factories import make_instrument, make_premise, make_standard, mark_not_checked

MEASURED_AT = "2026-11-21T09:05:00+07:00"


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def auth(client, world):
    return token_for(client, world.users["inspector"])


def post_standard(client, auth, **values):
    payload = {
        "uuid": str(uuid.uuid4()),
        "kind": "weight",
        "nominal": "2",
        "unit": "kg",
        "accuracy_class": "M1",
        "serial": f"M1-{uuid.uuid4().hex[:4]}",
        "certificate_number": "125/2026/HC-TĐC",
        "certificate_type": "verification",
        "calibrated_on": "2026-01-05",
        "due_on": "2027-12-31",
    }
    payload.update(values)
    return client.post("/api/v1/standards", json=payload, headers=auth)


def post_instrument(client, auth, premise, **values):
    payload = {
        "uuid": str(uuid.uuid4()),
        "instrument_type": "spring_scale",
        "make": "Nhơn Hòa",
        "serial": "NH-15-0421",
        "accuracy_class": "IIII",
        "unit": "kg",
        "max_capacity": "15",
        "e": "0,05",
        "verification_mark": "QN-26-0815",
        "verified_on": "2026-03-01",
        "valid_until": "2027-03-01",
        "seal_state": "none",
    }
    payload.update(values)
    return client.post(f"/api/v1/premises/{premise.id}/instruments", json=payload, headers=auth)


def new_inspection(client, auth, premise) -> dict:
    response = client.post("/api/v1/inspections", json=inspection_payload(premise), headers=auth)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def reading_payload(instrument_id, standard_ids, **values) -> dict:
    payload = {
        "uuid": str(uuid.uuid4()),
        "instrument_id": instrument_id,
        "kind": "weighing",
        "standard_ids": standard_ids,
        "indication": "5.15",
        "measured_at": MEASURED_AT,
    }
    payload.update(values)
    return payload


@pytest.fixture
def kit(client, world, auth):
    """The worked example's setting: M1 weights 2 kg + 2 kg + 1 kg, a 15 kg spring scale, an inspection."""
    weights = [
        post_standard(client, auth, nominal="2", serial="M1-2a"),
        post_standard(client, auth, nominal="2", serial="M1-2b"),
        post_standard(client, auth, nominal="1", serial="M1-1"),
    ]
    assert [w.status_code for w in weights] == [201, 201, 201], [w.get_json() for w in weights]
    scale = post_instrument(client, auth, world.premise_a)
    assert scale.status_code == 201, scale.get_json()
    return {
        "standard_ids": [w.get_json()["id"] for w in weights],
        "instrument": scale.get_json(),
        "inspection": new_inspection(client, auth, world.premise_a),
    }


def test_the_worked_example_end_to_end(client, world, auth, kit, backend, login):
    from inspect_app.minutes.service import IssueRequest, issue_minutes
    from inspect_app.models import Inspection

    instrument = kit["instrument"]
    assert instrument["label"] == "Cân đồng hồ lò xo 15 kg, cấp IIII, e = 50 g, số NH-15-0421"
    assert (instrument["max_capacity"], instrument["e"]) == ("15", "0.05")
    url = f"/api/v1/inspections/{kit['inspection']['id']}/readings"
    response = client.post(url, json=reading_payload(instrument["id"], kit["standard_ids"]), headers=auth)
    assert response.status_code == 201, response.get_json()
    reading = response.get_json()
    assert reading["reference"] == "5" and reading["indication"] == "5.15" and reading["unit"] == "kg"
    assert reading["error"] == "0.15" and reading["permitted_error"] == "0.1"
    assert reading["outcome"] == "fail" and reading["outcome_label"] == "Không đạt"
    assert reading["state_check_rule"] == "in_service"
    assert "giới hạn sai số khi sử dụng" in reading["rule"]
    assert "OIML R76-1 Bảng 6, cấp IIII; 50 e < m ≤ 200 e: ±2 e" in reading["rule"]
    assert {t["id"] for t in reading["tables"]} >= {"oiml_r76_mpe", "oiml_r111_weight_mpe"}
    assert reading["details"]["load_in_e"] == "100"
    # M1 weights: 100 + 100 + 50 mg = 250 mg, far below a third of ±100 g: no warning about the standards.
    assert reading["details"]["standards_mpe"] == "0.00025" and reading["warnings"] == []
    assert [s["status"] for s in reading["standards"]] == ["valid"] * 3

    # Stored exactly, as text, the same on SQLite and PostgreSQL.
    row = db.session.execute(
        text("SELECT reference, indication, error, permitted_error, outcome FROM readings")
    ).one()
    assert tuple(row) == ("5", "5.15", "0.15", "0.1", "fail")

    # The administrator chooses verification limits for state checks: the next reading is judged at ±50 g.
    login(world.users["admin_province"])
    page = client.post("/metrology/settings", data={"state_check_rule": "verification"})
    assert page.status_code == 302
    strict = client.post(
        url, json=reading_payload(instrument["id"], kit["standard_ids"], indication="5,15"), headers=auth
    ).get_json()
    assert strict["permitted_error"] == "0.05" and strict["outcome"] == "fail"
    assert strict["state_check_rule"] == "verification"
    assert "giới hạn sai số khi kiểm định" in strict["rule"] and "±1 e" in strict["rule"]
    # The first reading keeps the rule it was judged with.
    first = client.get(url, headers=auth).get_json()["items"][0]
    assert first["permitted_error"] == "0.1" and first["state_check_rule"] == "in_service"

    # On screen: the inspection page shows the error, the permitted error and the verdict.
    login(world.users["inspector"])
    html = client.get(f"/inspections/{kit['inspection']['id']}").get_data(as_text=True)
    for expected in (
        "Kết quả đo",
        "5,15 kg",
        "+0,15 kg",
        "±0,1 kg",
        "±0,05 kg",
        "Không đạt",
        "Gợi ý tự động",
    ):
        assert expected in html, expected

    # The phone may name the instrument by its own UUID (it may have created it offline).
    by_uuid = reading_payload(
        None, kit["standard_ids"], instrument_uuid=instrument["uuid"], indication="4.95"
    )
    del by_uuid["instrument_id"]
    response = client.post(url, json=by_uuid, headers=auth)
    assert response.status_code == 201 and response.get_json()["instrument_id"] == instrument["id"]
    assert response.get_json()["outcome"] == "pass" and response.get_json()["error"] == "-0.05"
    lot = {
        "uuid": str(uuid.uuid4()),
        "product": "Khí dầu mỏ hóa lỏng, bình 12 kg",
        "nominal": "12",
        "unit": "kg",
        "tare": "14.5",
        "measured": ["26.45", "26.50", "26.10", "26.48", "26.52"],
    }
    lots_url = f"/api/v1/inspections/{kit['inspection']['id']}/lots"
    assert client.post(lots_url, json=lot, headers=auth).status_code == 201

    # The biên bản, issued after completing the inspection, carries the numbers.
    mark_not_checked(kit["inspection"]["id"], world.users["inspector"])
    inspection = db.session.get(Inspection, kit["inspection"]["id"])
    response = client.patch(
        f"/api/v1/inspections/{inspection.id}",
        json={"version": inspection.version, "status": "completed", "outcome": "reminder"},
        headers=auth,
    )
    assert response.status_code == 200, response.get_json()
    db.session.expire_all()
    inspection = db.session.get(Inspection, kit["inspection"]["id"])
    minutes = issue_minutes(
        inspection, IssueRequest("Nguyễn Thị Hường", "Chủ hộ kinh doanh"), world.users["staff"]
    )
    content = client.get(f"/minutes/{minutes.id}/pdf").get_data()
    words = " ".join(pdf_text(content).split())
    for expected in (
        "Kết quả phép đo đối chứng, kiểm tra sai số phương tiện đo",
        "Cân đồng hồ lò xo 15 kg, cấp IIII, e = 50 g",
        "5,00 kg",
        "5,15 kg",
        "+0,15 kg",
        "±0,10 kg",
        "±0,05 kg",
        "Không đạt",
        "Quả cân 2 kg cấp M1, số hiệu M1-2a",
        "hạn đến 31/12/2027 (còn hạn)",
        "-0,05 kg",
        "Kết quả kiểm tra lượng của hàng đóng gói sẵn",
        "11,91 kg",
        "0,15 kg",
        "Có đơn vị thiếu vượt 2T",
    ):
        assert expected in words, expected


def test_a_number_sent_as_json_number_or_with_a_decimal_comma_is_the_same_reading(client, auth, kit):
    url = f"/api/v1/inspections/{kit['inspection']['id']}/readings"
    ids, instrument_id = kit["standard_ids"], kit["instrument"]["id"]
    as_number = client.post(url, json=reading_payload(instrument_id, ids, indication=5.15), headers=auth)
    as_comma = client.post(url, json=reading_payload(instrument_id, ids, indication="5,150"), headers=auth)
    assert as_number.get_json()["indication"] == "5.15"
    # What was typed is kept: 5,150 stays 5.150 (a reading to the gram).
    assert as_comma.get_json()["indication"] == "5.150" and as_comma.get_json()["error"] == "0.15"
    raw = client.post(
        url,
        data=f'{{"uuid": "{uuid.uuid4()}", "instrument_id": {instrument_id}, "kind": "weighing", '
        f'"standard_ids": {ids}, "indication": 5.10}}',
        content_type="application/json",
        headers=auth,
    ).get_json()
    assert raw["indication"] == "5.10" and raw["outcome"] == "pass"


def test_a_reading_with_an_expired_standard_is_stored_as_not_conclusive(client, world, auth, kit, login):
    expired = post_standard(client, auth, nominal="1", serial="M1-1-cu", due_on="2026-06-30").get_json()
    assert expired["state"] == "overdue"
    ids = [*kit["standard_ids"][:2], expired["id"]]
    url = f"/api/v1/inspections/{kit['inspection']['id']}/readings"
    reading = client.post(url, json=reading_payload(kit["instrument"]["id"], ids), headers=auth).get_json()
    assert reading["outcome"] == "inconclusive"
    assert reading["conclusion"].startswith("Không đủ cơ sở kết luận")
    assert "hết hạn" in reading["rule"]
    assert [s["status"] for s in reading["standards"]] == ["valid", "valid", "expired"]
    assert db.session.scalars(select(Reading.outcome)).one() == "inconclusive"
    login(world.users["inspector"])
    html = client.get(f"/inspections/{kit['inspection']['id']}").get_data(as_text=True)
    assert "Không đủ cơ sở kết luận" in html and "chuẩn quá hạn" in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"reference": "-5"}, "reference", "Tải / lượng chuẩn phải lớn hơn 0."),
        ({"reference": "0"}, "reference", "Tải / lượng chuẩn phải lớn hơn 0."),
        ({"reference": 0}, "reference", "Tải / lượng chuẩn phải lớn hơn 0."),
        ({"indication": "-0.2"}, "indication", "Số chỉ không được âm."),
        ({"indication": "năm ký"}, "indication", "Số chỉ phải là số (ví dụ 5,15 hoặc 5.15)."),
        ({"indication": "1e3"}, "indication", "Số chỉ phải là số (ví dụ 5,15 hoặc 5.15)."),
        ({"indication": "1.234,5"}, "indication", "Số chỉ phải là số (ví dụ 5,15 hoặc 5.15)."),
        ({"indication": True}, "indication", "Số chỉ phải là số (ví dụ 5,15 hoặc 5.15)."),
        ({"indication": 1e28}, "indication", "Số chỉ quá lớn (tối đa 999.999.999); vui lòng kiểm tra lại số đã nhập."),
        (
            {"indication": "1000000000"},
            "indication",
            "Số chỉ quá lớn (tối đa 999.999.999); vui lòng kiểm tra lại số đã nhập.",
        ),
        (
            {"reference": "4"},
            "reference",
            "Khối lượng chuẩn 4 kg khác tổng khối lượng các quả cân đã chọn (5 kg).",
        ),
        ({"standard_ids": []}, "standard_ids", "Cần chọn từ 1 đến 30 chuẩn đo lường đã dùng."),
        ({"kind": "control"}, "direction", "Phép đo đối chứng cần chọn chiều: sell (bán) hoặc buy (mua)."),
        ({"kind": "dispenser"}, "reference", "Cần ghi lượng đọc trên bình chuẩn (L)."),
        ({"instrument_id": None}, "instrument_id", "Cần đúng một trong instrument_id hoặc instrument_uuid."),
        ({"unit": "t"}, "unit", "Đơn vị không hợp lệ; chọn một trong: g, kg, L."),
    ],
)
def test_bad_readings_are_a_clear_422_and_store_nothing(client, auth, kit, changes, field, message):
    payload = {**reading_payload(kit["instrument"]["id"], kit["standard_ids"]), **changes}
    url = f"/api/v1/inspections/{kit['inspection']['id']}/readings"
    response = client.post(url, json=payload, headers=auth)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["fields"][field] == [message]
    assert count(Reading) == 0


def test_a_load_above_max_is_refused(client, world, auth, kit):
    heavy = post_standard(client, auth, nominal="20", serial="M1-20").get_json()
    url = f"/api/v1/inspections/{kit['inspection']['id']}/readings"
    payload = reading_payload(kit["instrument"]["id"], [heavy["id"]], indication="20")
    response = client.post(url, json=payload, headers=auth)
    assert response.status_code == 422
    assert response.get_json()["fields"]["standard_ids"] == [
        "Tải kiểm 20 kg lớn hơn mức cân lớn nhất Max = 15 kg của cân."
    ]
    assert count(Reading) == 0


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"e": "2", "unit": "g", "max_capacity": "2000"},
            "e",
            "e = 2 g không phù hợp với cấp chính xác IIII (cần e ≥ 5 g; OIML R 76-1 Bảng 3)",
        ),
        (
            {"e": "0.004"},
            "e",
            "e = 0,004 kg không phù hợp với cấp chính xác IIII (cần e ≥ 5 g; OIML R 76-1 Bảng 3)",
        ),
        (
            {"max_capacity": "150"},
            "max_capacity",
            "n = Max/e = 3000 lớn hơn số độ chia tối đa 1000 của cấp IIII (OIML R 76-1 Bảng 3)",
        ),
        ({"max_capacity": "0"}, "max_capacity", "Mức cân lớn nhất (Max) phải lớn hơn 0."),
        ({"max_capacity": "-15"}, "max_capacity", "Mức cân lớn nhất (Max) phải lớn hơn 0."),
        (
            {"max_capacity": "mười lăm"},
            "max_capacity",
            "Mức cân lớn nhất (Max) phải là số (ví dụ 5,15 hoặc 5.15).",
        ),
        (
            {"accuracy_class": "V"},
            "accuracy_class",
            "Cấp chính xác của cân phải là I, II, III hoặc IIII (hoặc 1–4).",
        ),
        ({"e": None}, "e", "Cần ghi giá trị độ chia kiểm (e)."),
        ({"valid_until": "2025-01-01"}, "valid_until", "Hạn kiểm định không được trước ngày kiểm định."),
        ({"d": "0.1"}, "d", "Giá trị độ chia d không được lớn hơn độ chia kiểm e (OIML R 76-1)."),
    ],
)
def test_bad_instruments_are_refused(client, world, auth, changes, field, message):
    response = post_instrument(client, auth, world.premise_a, **changes)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["fields"][field] == [message]
    assert count(Instrument) == 0


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"nominal": "0"}, "nominal", "Giá trị danh định phải lớn hơn 0."),
        (
            {"nominal": "3"},
            "nominal",
            "Quả cân 3 kg cấp M1 không có trong dãy giá trị danh định của OIML R 111-1 Bảng 1.",
        ),
        (
            {"accuracy_class": "M9"},
            "accuracy_class",
            "Cấp chính xác quả cân không hợp lệ (ví dụ M1, M2, F2; OIML R 111).",
        ),
        ({"unit": "L"}, "unit", "Quả cân chuẩn dùng đơn vị mg, g hoặc kg."),
        ({"due_on": "31/12/2027"}, "due_on", "Ngày không hợp lệ (định dạng YYYY-MM-DD)."),
        ({"ownership": "borrowed"}, "lender", "Chuẩn mượn cần ghi đơn vị cho mượn."),
        ({"calibrated_on": "2028-01-01"}, "calibrated_on", "Ngày hiệu chuẩn không được sau ngày hết hạn."),
    ],
)
def test_bad_standards_are_refused(client, auth, changes, field, message):
    response = post_standard(client, auth, **changes)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["fields"][field] == [message]
    assert count(ReferenceStandard) == 0


def test_a_volume_standard_and_a_fuel_dispenser(client, world, auth):
    station = make_premise(world.unit_a, premise_type="fuel_station", name="Cửa hàng xăng dầu Thử")
    can = post_standard(
        client, auth, kind="volume_measure", nominal="20", unit="L", accuracy_class="0,1", serial="BC-20"
    ).get_json()
    assert can["accuracy_class"] == "0.1"
    dispenser = post_instrument(
        client,
        auth,
        station,
        instrument_type="fuel_dispenser",
        unit="L",
        accuracy_class="0.5",
        max_capacity=None,
        e=None,
        serial="TK-01",
    ).get_json()
    assert dispenser["label"] == "Cột đo xăng dầu, cấp 0,5, số TK-01"
    inspection = new_inspection(client, auth, station)
    url = f"/api/v1/inspections/{inspection['id']}/readings"
    run = reading_payload(
        dispenser["id"], [can["id"]], kind="dispenser", reference="20.00", indication="20.12"
    )
    reading = client.post(url, json=run, headers=auth).get_json()
    # ±0.5 % of 20 L = ±0.1 L in service: +0.12 L fails.
    assert (reading["error"], reading["permitted_error"], reading["outcome"]) == ("0.12", "0.1", "fail")
    assert reading["details"]["relative_error_percent"] == "0.6"
    ok = reading_payload(
        dispenser["id"], [can["id"]], kind="dispenser", reference="20.00", indication="19.95"
    )
    assert client.post(url, json=ok, headers=auth).get_json()["outcome"] == "pass"
    weights_on_a_dispenser = reading_payload(dispenser["id"], [can["id"]], kind="weighing")
    response = client.post(url, json=weights_on_a_dispenser, headers=auth)
    assert response.get_json()["fields"]["kind"] == ["Kiểm tra sai số cân chỉ áp dụng cho cân."]


def test_a_control_measurement_in_both_directions(client, auth, kit):
    url = f"/api/v1/inspections/{kit['inspection']['id']}/readings"
    one_kg = kit["standard_ids"][2:]
    sell = reading_payload(
        kit["instrument"]["id"], one_kg, kind="control", direction="sell", indication="1.06"
    )
    reading = client.post(url, json=sell, headers=auth).get_json()
    # TT 09/2017 Điều 5, Bảng 2: a 15 kg spring scale with d = 50 g checked at 1 kg may fall short by 1 d = 50 g.
    # Selling, the scale shows 60 g too much.
    assert (reading["error"], reading["permitted_error"], reading["outcome"]) == ("0.06", "0.05", "fail")
    assert reading["provisional"] is True and reading["state_check_rule"] is None
    assert "Bảng 2, cân đồng hồ lò xo 15 kg, d = 50 g; 1 kg ≤ m ≤ 2,5 kg: 1 d = 50 g" in reading["rule"]
    assert [t["id"] for t in reading["tables"]] == ["tt09_2017_spring_shortfall"]
    assert reading["superseded_table"] is None and reading["corrected"] is None
    buy = reading_payload(kit["instrument"]["id"], one_kg, kind="control", direction="buy", indication="1.06")
    assert client.post(url, json=buy, headers=auth).get_json()["outcome"] == "pass"
    at_limit = reading_payload(
        kit["instrument"]["id"], one_kg, kind="control", direction="sell", indication="1.05"
    )
    assert client.post(url, json=at_limit, headers=auth).get_json()["outcome"] == "pass"


def test_the_state_check_choice_does_not_touch_control_measurements(client, world, auth, kit):
    # TT 09/2017 Điều 5 fixes the limit: the administrator's verification/in-service choice is for the
    # instrument's own error check only.
    measurements.set_state_check_rule(world.p1.id, "verification", world.users["admin_province"])
    url = f"/api/v1/inspections/{kit['inspection']['id']}/readings"
    control = reading_payload(
        kit["instrument"]["id"], kit["standard_ids"][2:], kind="control", direction="sell", indication="1.05"
    )
    reading = client.post(url, json=control, headers=auth).get_json()
    assert (reading["permitted_error"], reading["outcome"], reading["state_check_rule"]) == (
        "0.05",
        "pass",
        None,
    )
    assert "Thiết lập kiểm tra nhà nước" not in reading["rule"]


def test_a_control_mass_the_law_does_not_cover_is_refused_with_the_reason(client, auth, kit):
    url = f"/api/v1/inspections/{kit['inspection']['id']}/readings"
    # 500 g on a 15 kg scale with d = 50 g: below 20 d = 1 kg, the scale does not suit such goods.
    half_kg = [post_standard(client, auth, nominal="0.5", serial="M1-500g").get_json()["id"]]
    before = client.get(url, headers=auth).get_json()["items"]
    response = client.post(
        url,
        json=reading_payload(
            kit["instrument"]["id"], half_kg, kind="control", direction="sell", indication="0.5"
        ),
        headers=auth,
    )
    assert response.status_code == 422
    message = " ".join(m for messages in response.get_json()["fields"].values() for m in messages)
    assert "nhỏ hơn 20 d = 1 kg" in message and "cân đồng hồ lò xo Max = 15 kg, d = 50 g" in message
    assert client.get(url, headers=auth).get_json()["items"] == before


def test_lots_are_judged_and_name_the_rules_they_broke(client, world, auth, kit):
    url = f"/api/v1/inspections/{kit['inspection']['id']}/lots"
    gas = {
        "uuid": str(uuid.uuid4()),
        "product": "Khí dầu mỏ hóa lỏng (LPG), bình 12 kg",
        "nominal": "12",
        "unit": "kg",
        "tare": "14.5",
        "measured": ["26.45", "26.50", "26.10", "26.48", "26.52"],
    }
    lot = client.post(url, json=gas, headers=auth)
    assert lot.status_code == 201, lot.get_json()
    body = lot.get_json()
    # Net 11.95, 12.00, 11.60, 11.98, 12.02 kg; T = 150 g for 10–15 kg; 11.60 is short by 0.40 kg > 2T.
    assert body["mean"] == "11.91" and body["tolerable_deficiency"] == "0.15"
    assert (body["count_beyond_t"], body["count_beyond_2t"], body["outcome"]) == (1, 1, "fail")
    assert body["rules_broken"] == [
        "Lượng trung bình nhỏ hơn lượng danh định",
        "Quá 2,5 % số đơn vị thiếu vượt T",
        "Có đơn vị thiếu vượt 2T",
    ]
    assert body["measured"] == gas["measured"]
    rice = {
        "uuid": str(uuid.uuid4()),
        "product": "Gạo ST25 túi 5 kg",
        "nominal": "5",
        "unit": "kg",
        "measured": ["5.01", "5,02", 5.00, "4.99", "5.03"],
    }
    assert client.post(url, json=rice, headers=auth).get_json()["outcome"] == "pass"
    assert [item["product"] for item in client.get(url, headers=auth).get_json()["items"]] == [
        gas["product"],
        rice["product"],
    ]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"measured": []}, "measured", "Lô hàng cần từ 1 đến 500 đơn vị mẫu đã cân/đo."),
        ({"measured": ["5", "năm"]}, "measured", {"1": ["Lượng đo được phải là số (ví dụ 5,15 hoặc 5.15)."]}),
        ({"measured": ["5", "0"]}, "measured", {"1": ["Lượng đo được phải lớn hơn 0."]}),
        ({"nominal": "-5"}, "nominal", "Lượng danh định phải lớn hơn 0."),
        (
            {"nominal": "100"},
            "nominal",
            "Lượng danh định nằm ngoài bảng lượng thiếu cho phép T (TT 21/2014 Phụ lục IV: 5 g/mL đến 50 kg/L).",
        ),
        ({"tare": "6"}, "measured", "Đơn vị mẫu thứ 1: lượng thực (sau khi trừ bì) phải lớn hơn 0."),
        ({"lot_size": 1}, "lot_size", "Cỡ lô (1) nhỏ hơn số đơn vị mẫu (2)."),
        ({"unit": "cái"}, "unit", "Đơn vị không hợp lệ; chọn một trong: g, kg, mL, L."),
    ],
)
def test_bad_lots_are_a_clear_422_and_store_nothing(client, auth, kit, changes, field, message):
    payload = {"uuid": str(uuid.uuid4()), "product": "Đường RE túi 1 kg", "nominal": "5", "unit": "kg"}
    payload["measured"] = ["5.01", "4.99"]
    payload.update(changes)
    response = client.post(f"/api/v1/inspections/{kit['inspection']['id']}/lots", json=payload, headers=auth)
    assert response.status_code == 422, response.get_json()
    expected = message if isinstance(message, dict) else [message]
    assert response.get_json()["fields"][field] == expected
    assert count(PrepackagedLot) == 0


def test_readings_and_lots_are_idempotent_conflict_aware_and_locked_with_the_minutes(
    client, world, auth, kit
):
    from inspect_app.minutes.service import IssueRequest, issue_minutes
    from inspect_app.models import Inspection

    inspection_id = kit["inspection"]["id"]
    readings, lots = (
        f"/api/v1/inspections/{inspection_id}/readings",
        f"/api/v1/inspections/{inspection_id}/lots",
    )
    payload = reading_payload(kit["instrument"]["id"], kit["standard_ids"])
    first = client.post(readings, json=payload, headers=auth)
    again = client.post(readings, json=dict(payload, indication="5,15"), headers=auth)
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"]
    clash = client.post(readings, json=dict(payload, indication="5.05"), headers=auth)
    assert clash.status_code == 409 and clash.get_json()["current"]["indication"] == "5.15"
    lot = {
        "uuid": str(uuid.uuid4()),
        "product": "Dầu ăn chai 1 L",
        "nominal": "1",
        "unit": "L",
        "measured": ["1.0"],
    }
    assert client.post(lots, json=lot, headers=auth).status_code == 201
    assert client.post(lots, json=lot, headers=auth).status_code == 200
    clash = client.post(lots, json=dict(lot, measured=["0.9"]), headers=auth)
    assert clash.status_code == 409 and clash.get_json()["current"]["measured"] == ["1.0"]
    # The same UUID sent to another unit is refused without revealing the record.
    other = token_for(client, world.other_users["inspector"])
    foreign = new_inspection(client, other, world.premise_b)
    response = client.post(f"/api/v1/inspections/{foreign['id']}/lots", json=lot, headers=other)
    assert response.status_code == 409 and "current" not in response.get_json()

    mark_not_checked(inspection_id, world.users["inspector"])
    inspection = db.session.get(Inspection, inspection_id)
    client.patch(
        f"/api/v1/inspections/{inspection_id}",
        json={"version": inspection.version, "status": "completed", "outcome": "reminder"},
        headers=auth,
    )
    db.session.expire_all()
    issue_minutes(
        db.session.get(Inspection, inspection_id), IssueRequest("Chủ sạp", "Chủ hộ"), world.users["staff"]
    )
    late = reading_payload(kit["instrument"]["id"], kit["standard_ids"])
    for url, body in ((readings, late), (lots, dict(lot, uuid=str(uuid.uuid4())))):
        response = client.post(url, json=body, headers=auth)
        assert response.status_code == 409 and response.get_json()["locked"] is True
    assert count(Reading) == 1 and count(PrepackagedLot) == 1


def test_automatic_findings_from_instruments_readings_and_lots(client, world, auth):
    premise = world.premise_a
    expired = post_instrument(client, auth, premise, serial="CU-01", valid_until="2026-06-01").get_json()
    # Goods of 300 g need d ≤ 10 g (TT 09/2017 Bảng 1); this 15 kg scale has d = e = 50 g.
    post_instrument(client, auth, premise, serial="RAU-02", verification_mark="QN-26-0816", goods_mass="0.3")
    inspection = new_inspection(client, auth, premise)
    url = f"/api/v1/inspections/{inspection['id']}/automatic-findings"
    items = {item["item_code"]: item for item in client.get(url, headers=auth).get_json()["items"]}
    assert set(items) == {"PTD-02", "PTD-04"}
    assert items["PTD-02"]["answer"] == "fail" and "hết hạn ngày 01/06/2026" in items["PTD-02"]["reason"]
    assert "số CU-01" in items["PTD-02"]["reason"] and "RAU-02" not in items["PTD-02"]["reason"]
    assert items["PTD-04"]["answer"] == "fail"
    assert "độ chia d = 50 g lớn hơn mức tối đa 10 g" in items["PTD-04"]["reason"]
    assert items["PTD-04"]["auto_source"] == "instrument_range" and items["PTD-04"]["recorded_answer"] is None

    weights = [post_standard(client, auth, nominal=n).get_json()["id"] for n in ("2", "2", "1")]
    reading_url = f"/api/v1/inspections/{inspection['id']}/readings"
    client.post(reading_url, json=reading_payload(expired["id"], weights, indication="5.05"), headers=auth)
    lot = {
        "uuid": str(uuid.uuid4()),
        "product": "Đường túi 1 kg",
        "nominal": "1",
        "unit": "kg",
        "measured": ["0.9"],
    }
    client.post(f"/api/v1/inspections/{inspection['id']}/lots", json=lot, headers=auth)
    items = {item["item_code"]: item for item in client.get(url, headers=auth).get_json()["items"]}
    assert items["PTD-06"]["answer"] == "pass" and items["CL-03"]["answer"] == "fail"
    assert "Có đơn vị thiếu vượt 2T" in items["CL-03"]["reason"]


def test_another_units_standards_and_instruments_are_404_and_cannot_be_used(client, world, auth, kit):
    other_user = world.other_users["inspector"]
    foreign_standard = make_standard(world.unit_b, other_user)
    foreign_scale = make_instrument(world.premise_b, other_user)
    for url in (
        f"/api/v1/standards/{foreign_standard.id}",
        f"/api/v1/instruments/{foreign_scale.id}",
        f"/api/v1/instruments/{foreign_scale.uuid}",
        f"/api/v1/premises/{world.premise_b.id}/instruments",
    ):
        assert client.get(url, headers=auth).status_code == 404, url
    assert (
        client.patch(
            f"/api/v1/standards/{foreign_standard.id}", json={"version": 1}, headers=auth
        ).status_code
        == 404
    )
    listed = client.get("/api/v1/standards", headers=auth).get_json()["items"]
    assert foreign_standard.id not in {s["id"] for s in listed} and len(listed) == 3
    url = f"/api/v1/inspections/{kit['inspection']['id']}/readings"
    response = client.post(
        url,
        json=reading_payload(kit["instrument"]["id"], [foreign_standard.id, *kit["standard_ids"][:1]]),
        headers=auth,
    )
    assert response.status_code == 422
    assert response.get_json()["fields"]["standard_ids"] == [
        f"Chuẩn đo lường không tồn tại hoặc không thuộc phạm vi của bạn: {foreign_standard.id}"
    ]
    response = client.post(url, json=reading_payload(foreign_scale.id, kit["standard_ids"]), headers=auth)
    assert response.status_code == 422
    assert response.get_json()["fields"]["instrument_id"] == [
        "Phương tiện đo không tồn tại hoặc không thuộc phạm vi của bạn."
    ]
    # A scale of the same unit but at another premise is not the inspected one either.
    elsewhere = make_instrument(make_premise(world.unit_a), world.users["inspector"])
    response = client.post(url, json=reading_payload(elsewhere.id, kit["standard_ids"]), headers=auth)
    assert response.get_json()["fields"]["instrument_id"] == [
        "Phương tiện đo không thuộc cơ sở đang được kiểm tra."
    ]
    assert count(Reading) == 0


def test_standards_edits_due_lists_and_certificates(client, world, auth):
    soon = post_standard(
        client, auth, nominal="5", calibrated_on=None, due_on=(date.today() + timedelta(days=30)).isoformat()
    ).get_json()
    assert soon["state"] == "due_soon"
    later = post_standard(client, auth, nominal="10").get_json()
    due = client.get("/api/v1/standards?due_within_days=60", headers=auth).get_json()["items"]
    assert [s["id"] for s in due] == [soon["id"]]
    assert client.get("/api/v1/standards?due_within_days=abc", headers=auth).status_code == 422
    edit = client.patch(
        f"/api/v1/standards/{later['id']}", json={"version": 1, "due_on": "2026-12-01"}, headers=auth
    )
    assert edit.status_code == 200 and edit.get_json()["version"] == 2
    stale = client.patch(f"/api/v1/standards/{later['id']}", json={"version": 1, "serial": "X"}, headers=auth)
    assert stale.status_code == 409 and stale.get_json()["current"]["due_on"] == "2026-12-01"
    response = client.post(
        f"/api/v1/standards/{later['id']}/certificate",
        data={"file": (io.BytesIO(jpeg_bytes()), "gcn.jpg")},
        headers=auth,
    )
    assert response.status_code == 200 and response.get_json()["certificate_url"]
    image = client.get(response.get_json()["certificate_url"], headers=auth)
    assert image.status_code == 200 and image.mimetype == "image/jpeg"


def test_instruments_can_be_listed_read_by_uuid_edited_and_photographed(client, world, auth):
    created = post_instrument(client, auth, world.premise_a).get_json()
    listed = client.get(f"/api/v1/premises/{world.premise_a.id}/instruments", headers=auth).get_json()[
        "items"
    ]
    assert [i["id"] for i in listed] == [created["id"]]
    assert (
        client.get(f"/api/v1/instruments/{created['uuid']}", headers=auth).get_json()["id"] == created["id"]
    )
    edit = client.patch(
        f"/api/v1/instruments/{created['id']}",
        json={"version": 1, "seal_state": "broken", "e": "0,1"},
        headers=auth,
    )
    assert edit.status_code == 200 and edit.get_json()["e"] == "0.1"
    bad = client.patch(
        f"/api/v1/instruments/{created['id']}", json={"version": 2, "e": "0.001"}, headers=auth
    )
    assert (
        bad.status_code == 422 and "không phù hợp với cấp chính xác IIII" in bad.get_json()["fields"]["e"][0]
    )
    photo = {"uuid": str(uuid.uuid4()), "caption": "Tem kiểm định"}
    url = f"/api/v1/instruments/{created['id']}/photos"
    first = client.post(url, data={**photo, "file": (io.BytesIO(jpeg_bytes()), "a.jpg")}, headers=auth)
    again = client.post(url, data={**photo, "file": (io.BytesIO(jpeg_bytes()), "a.jpg")}, headers=auth)
    other = client.post(
        url, data={**photo, "file": (io.BytesIO(jpeg_bytes(color=(0, 0, 200))), "b.jpg")}, headers=auth
    )
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 409)
    assert client.get(first.get_json()["thumbnail_url"], headers=auth).status_code == 200


def test_tables_are_served_with_their_versions_and_the_chosen_rule(client, auth):
    body = client.get("/api/v1/metrology/tables", headers=auth).get_json()
    assert body["versions"]["oiml_r76_mpe"] and "oiml_r76_mpe" in body["tables"]
    assert body["state_check_rule"] == "in_service"
    assert "khi sử dụng" in body["state_check_rule_text"]


def test_only_recording_roles_may_write(client, world, kit):
    staff, supervisor = (token_for(client, world.users[role]) for role in ("staff", "supervisor_unit"))
    url = f"/api/v1/inspections/{kit['inspection']['id']}/readings"
    payload = reading_payload(kit["instrument"]["id"], kit["standard_ids"])
    assert client.post(url, json=payload, headers=staff).status_code == 403
    assert post_standard(client, supervisor).status_code == 403
    assert post_instrument(client, supervisor, world.premise_a).status_code == 403
    assert client.get(url, headers=supervisor).status_code == 200
    assert count(Reading) == 0


def test_standards_not_good_enough_for_the_scale_are_warned_about(client, world, auth):
    # A class III scale, e = 2 g: at 5 kg (2 500 e) the in-service limit is ±3 e = ±6 g. An M3 5 kg weight may be
    # off by 2.5 g, more than a third of 6 g: the reading is still judged, with a warning on screen and stored.
    m3 = post_standard(client, auth, nominal="5", accuracy_class="M3", serial="M3-5").get_json()
    scale = post_instrument(
        client,
        auth,
        world.premise_a,
        instrument_type="electronic_scale",
        accuracy_class="III",
        unit="g",
        max_capacity="6000",
        e="2",
    ).get_json()
    inspection = new_inspection(client, auth, world.premise_a)
    url = f"/api/v1/inspections/{inspection['id']}/readings"
    reading = client.post(
        url, json=reading_payload(scale["id"], [m3["id"]], unit="g", indication="5004"), headers=auth
    ).get_json()
    assert (reading["reference"], reading["error"], reading["permitted_error"]) == ("5000", "4", "6")
    assert reading["outcome"] == "pass"
    assert any(w.startswith("Quả cân chuẩn không đủ độ chính xác") for w in reading["warnings"])
    assert db.session.scalars(select(Reading.warnings)).one() == reading["warnings"]


def test_standards_are_listed_by_size_not_as_text(client, world):
    from decimal import Decimal

    from inspect_app import measurements
    from tests.api_helpers import token_for

    for nominal, mass_unit in (("1", "kg"), ("10", "kg"), ("2", "kg"), ("500", "g"), ("20", "kg")):
        data = {
            "uuid": str(uuid.uuid4()),
            "unit_id": world.unit_a.id,
            "kind": "weight",
            "nominal": Decimal(nominal),
            "unit": mass_unit,
            "accuracy_class": "M1",
            "due_on": date(2027, 12, 31),
        }
        measurements.create_standard(data, world.users["inspector"])
    headers = token_for(client, world.users["inspector"])
    items = client.get("/api/v1/standards", headers=headers).get_json()["items"]
    assert [(i["nominal"], i["unit"]) for i in items] == [
        ("20", "kg"),
        ("10", "kg"),
        ("2", "kg"),
        ("1", "kg"),
        ("500", "g"),
    ]
