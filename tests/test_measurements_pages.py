"""Desk pages for metrology: the standards register with due and overdue badges, instrument forms on the premise
page, readings and lots on the inspection page, and the administrator's state-check setting."""

from __future__ import annotations

import io
import uuid
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from inspect_app.extensions import db
from inspect_app import measurements
from inspect_app.models import Instrument, ReferenceStandard
from tests.api_helpers import jpeg_bytes
from tests.factories import make_control_reading, make_instrument, make_records, make_standard


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def standard_form(**values) -> dict:
    data = {
        "kind": "weight",
        "nominal": "0,5",
        "unit": "kg",
        "accuracy_class": "M1",
        "serial": "M1-500",
        "certificate_number": "88/2026/HC",
        "certificate_type": "verification",
        "calibrated_on": "2026-01-05",
        "due_on": "31/12/2027",
        "ownership": "own",
        "active": "y",
    }
    data.update(values)
    return data


def instrument_form(**values) -> dict:
    data = {
        "instrument_type": "spring_scale",
        "make": "Nhơn Hòa",
        "serial": "NH-15-0421",
        "accuracy_class": "IIII",
        "unit": "kg",
        "max_capacity": "15",
        "e": "0,05",
        "goods_mass": "2",
        "verification_mark": "QN-26-0815",
        "verified_on": "2026-03-01",
        "valid_until": "2027-03-01",
        "seal_state": "none",
        "in_use": "y",
    }
    data.update(values)
    return data


def test_the_standards_register_marks_what_falls_due(client, login, world):
    inspector = world.users["inspector"]
    today = date.today()
    make_standard(world.unit_a, inspector, serial="M1-CON-HAN")
    make_standard(
        world.unit_a, inspector, serial="M1-SAP-HAN", calibrated_on=None, due_on=today + timedelta(days=20)
    )
    make_standard(
        world.unit_a, inspector, serial="M1-QUA-HAN", calibrated_on=None, due_on=today - timedelta(days=3)
    )
    make_standard(world.unit_b, world.other_users["inspector"], serial="M1-DON-VI-KHAC")
    login(inspector)
    page = client.get("/standards").get_data(as_text=True)
    assert "Chuẩn đo lường" in page and 'href="/standards"' in page
    for serial in ("M1-CON-HAN", "M1-SAP-HAN", "M1-QUA-HAN"):
        assert serial in page
    assert "M1-DON-VI-KHAC" not in page
    assert page.count('badge badge-warn">Sắp đến hạn') == 1 and page.count('answer-fail">Quá hạn') == 1
    due = client.get("/standards?show=due").get_data(as_text=True)
    assert "M1-SAP-HAN" in due and "M1-QUA-HAN" in due and "M1-CON-HAN" not in due
    assert "Sắp đến hạn / quá hạn (2)" in due


def test_a_standard_is_added_with_a_decimal_comma_and_its_certificate(client, login, world):
    login(world.users["staff"])
    form = standard_form(certificate=(io.BytesIO(jpeg_bytes()), "gcn.jpg"))
    response = client.post("/standards/new", data=form, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    standard = db.session.scalars(select(ReferenceStandard)).one()
    assert standard.nominal == Decimal("0.5") and standard.due_on == date(2027, 12, 31)
    assert standard.unit_id == world.unit_a.id and standard.certificate_key
    page = client.get("/standards").get_data(as_text=True)
    assert "Quả cân chuẩn 500 g" in page and "Ảnh giấy chứng nhận" in page
    edit = client.post(f"/standards/{standard.id}/edit", data=standard_form(due_on="2026-12-10"))
    assert edit.status_code == 302
    db.session.expire_all()
    assert db.session.get(ReferenceStandard, standard.id).due_on == date(2026, 12, 10)
    assert client.get(f"/standards/{standard.id}/edit").status_code == 200


def test_bad_standards_are_shown_back_in_vietnamese_and_nothing_is_stored(client, login, world):
    login(world.users["inspector"])
    cases = [
        ({"nominal": "hai"}, "Giá trị danh định phải là số (ví dụ 5,15 hoặc 5.15)."),
        ({"nominal": "-2"}, "Giá trị danh định phải lớn hơn 0."),
        (
            {"nominal": "3"},
            "Quả cân 3 kg cấp M1 không có trong dãy giá trị danh định của OIML R 111-1 Bảng 1.",
        ),
        ({"due_on": "31/02/2027"}, "Hạn kiểm định/hiệu chuẩn không hợp lệ (ví dụ 31/12/2026)."),
        ({"ownership": "borrowed"}, "Chuẩn mượn cần ghi đơn vị cho mượn."),
        ({"kind": "volume_measure"}, "Bình chuẩn dung tích dùng đơn vị mL hoặc L."),
    ]
    for changes, message in cases:
        response = client.post("/standards/new", data=standard_form(**changes))
        assert response.status_code == 422, changes
        page = response.get_data(as_text=True)
        assert message in page and "Chưa có gì được lưu" in page, changes
    assert count(ReferenceStandard) == 0


def test_instruments_are_added_and_shown_on_the_premise_page(client, login, world):
    login(world.users["inspector"])
    premise_url = f"/premises/{world.premise_a.id}"
    assert "Chưa ghi phương tiện đo nào." in client.get(premise_url).get_data(as_text=True)
    form = instrument_form(photo=(io.BytesIO(jpeg_bytes()), "tem.jpg"), photo_caption="Tem kiểm định")
    response = client.post(
        f"/premises/{world.premise_a.id}/instruments/new", data=form, content_type="multipart/form-data"
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    instrument = db.session.scalars(select(Instrument)).one()
    assert (instrument.e, instrument.goods_mass, len(instrument.photos)) == (Decimal("0.05"), Decimal("2"), 1)
    page = client.get(premise_url).get_data(as_text=True)
    assert "Cân đồng hồ lò xo 15 kg, cấp IIII, e = 50 g, số NH-15-0421" in page and "QN-26-0815" in page
    edit_url = f"/instruments/{instrument.id}/edit"
    form = client.get(edit_url).get_data(as_text=True)
    assert 'value="0,05"' in form and "Tem kiểm định" in form
    response = client.post(edit_url, data=instrument_form(valid_until="2026-06-01"))
    assert response.status_code == 302
    page = client.get(premise_url).get_data(as_text=True)
    assert "Tem kiểm định số QN-26-0815 hết hạn ngày 01/06/2026" in page


def test_bad_instruments_are_shown_back_and_nothing_is_stored(client, login, world):
    login(world.users["inspector"])
    url = f"/premises/{world.premise_a.id}/instruments/new"
    cases = [
        ({"e": "0,004"}, "e = 0,004 kg không phù hợp với cấp chính xác IIII"),
        ({"e": "năm mươi"}, "e phải là số (ví dụ 5,15 hoặc 5.15)."),
        ({"max_capacity": "0"}, "Max phải lớn hơn 0."),
        ({"accuracy_class": ""}, "Cần ghi cấp chính xác của cân (I, II, III hoặc IIII)."),
    ]
    for changes, message in cases:
        response = client.post(url, data=instrument_form(**changes))
        assert response.status_code == 422, changes
        assert message in response.get_data(as_text=True), changes
    assert count(Instrument) == 0
    login(world.users["supervisor_unit"])
    assert client.get(url).status_code == 403


def test_the_inspection_page_shows_readings_lots_and_suggestions(client, login, world):
    inspector = world.users["inspector"]
    inspection = make_records(world.premise_a, inspector)["inspection"]
    scale = make_instrument(world.premise_a, inspector, goods_mass=Decimal("0.3"))
    one_kg = make_standard(world.unit_a, inspector, nominal=Decimal("1"))
    make_control_reading(inspection, scale, one_kg, inspector, indication="1.01")
    measurements.record_lot(
        inspection,
        {
            "uuid": str(uuid.uuid4()),
            "product": "Đường RE túi 1 kg",
            "nominal": Decimal("1"),
            "unit": "kg",
            "measured": [Decimal("0.99"), Decimal("1.00"), Decimal("1.01")],
        },
        inspector,
    )
    login(world.users["staff"])
    page = client.get(f"/inspections/{inspection.id}").get_data(as_text=True)
    for expected in (
        "Gợi ý tự động",
        "PTD-04",
        "Phạm vi đo không phù hợp",
        "Phép đo đối chứng (TT 09/2017)",
        "bán hàng",
        "+0,01 kg",
        "0,05 kg",  # TT 09/2017 Bảng 2: 15 kg spring scale, d = 50 g, at 1 kg: 1 d
        "tạm tính",
        "Hàng đóng gói sẵn",
        "Đường RE túi 1 kg",
        "Đạt",
    ):
        assert expected in page, expected


def test_the_state_check_setting_is_for_administrators(client, login, world):
    login(world.users["inspector"])
    assert client.get("/metrology/settings").status_code == 403
    login(world.users["admin_province"])
    page = client.get("/metrology/settings").get_data(as_text=True)
    assert "Tỉnh Quảng Ngãi Thử" in page and "Đang áp dụng: <strong>giới hạn sai số khi sử dụng" in page
    assert "chỉ áp dụng cho phép kiểm tra sai số của chính phương tiện đo" in page
    assert (
        "không áp dụng cho phép đo đối chứng trong mua bán" in page and "TT 09/2017/TT-BKHCN Điều 5" in page
    )
    assert client.post("/metrology/settings", data={"state_check_rule": "nonsense"}).status_code == 422
    assert client.post("/metrology/settings", data={"state_check_rule": "verification"}).status_code == 302
    assert measurements.state_check_rule(world.p1.id) == "verification"
    # Another province keeps the default.
    assert measurements.state_check_rule(world.p2.id) == "in_service"
