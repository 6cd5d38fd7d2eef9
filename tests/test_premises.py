"""Premises registry: create, validate, edit with history, search, markets."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import Market, Premise, PremiseChange

GOOD = {
    "unit_id": None,
    "name": "Sạp gạo Huỳnh Văn Tư",
    "owner_name": "Huỳnh Văn Tư",
    "business_reg_no": "34A8001234",
    "premise_type": "market_stall",
    "market_id": "",
    "stall_number": "A05",
    "address": "Chợ Đức Phổ",
    "latitude": "14,81125",
    "longitude": "108.95712",
    "phone": "0905 123 456",
    "status": "active",
}


def form(world, **changes):
    data = dict(GOOD, unit_id=str(world.unit_a.id), market_id=str(world.market_a.id))
    data.update(changes)
    return data


def count_premises() -> int:
    db.session.expire_all()
    return len(db.session.scalars(select(Premise)).all())


def test_inspector_creates_a_premise(client, login, world):
    login(world.users["inspector"])
    response = client.post("/premises/new", data=form(world))
    assert response.status_code == 302
    premise = db.session.scalars(select(Premise).where(Premise.name == "Sạp gạo Huỳnh Văn Tư")).one()
    assert premise.unit_id == world.unit_a.id and premise.market_id == world.market_a.id
    assert (premise.latitude, premise.longitude) == (14.81125, 108.95712)
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Sạp gạo Huỳnh Văn Tư" in detail and "Chợ Đức Phổ Thử, sạp A05" in detail


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "   "}, "Tên cơ sở không được để trống (ví dụ Sạp cân Nguyễn Thị Hường)."),
        ({"latitude": "200"}, "Vĩ độ phải nằm trong khoảng −90 đến 90 độ (ví dụ 14.8105)."),
        ({"longitude": "-181"}, "Kinh độ phải nằm trong khoảng −180 đến 180 độ (ví dụ 108.9551)."),
        ({"latitude": "mười bốn"}, "Vĩ độ phải là số thập phân"),
        ({"longitude": ""}, "Cần nhập đủ cả vĩ độ và kinh độ"),
        ({"phone": "goi toi nhe"}, "Số điện thoại không hợp lệ"),
        ({"premise_type": "casino"}, "Loại hình “casino” không hợp lệ"),
        ({"name": "x" * 201}, "Tên cơ sở dài quá 200 ký tự."),
        ({"unit_id": "999999"}, "Lựa chọn không hợp lệ."),
    ],
)
def test_bad_input_is_refused_in_vietnamese_and_nothing_is_saved(client, login, world, changes, message):
    login(world.users["inspector"])
    before = count_premises()
    response = client.post("/premises/new", data=form(world, **changes))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in body
    assert "Chưa có gì được lưu" in body
    assert count_premises() == before


def test_a_market_of_another_unit_cannot_be_chosen(client, login, world):
    login(world.users["admin_province"])
    before = count_premises()
    response = client.post("/premises/new", data=form(world, market_id=str(world.market_b.id)))
    assert response.status_code == 422
    assert "Chợ đã chọn không hợp lệ." in response.get_data(as_text=True)
    assert count_premises() == before


def test_a_unit_user_cannot_create_in_another_unit(client, login, world):
    login(world.users["inspector"])
    response = client.post("/premises/new", data=form(world, unit_id=str(world.unit_b.id), market_id=""))
    assert response.status_code == 422
    assert count_premises() == 3


def test_edit_keeps_an_append_only_history(client, login, world):
    user = world.users["staff"]
    login(user)
    premise = world.premise_a
    data = form(
        world,
        name=premise.name,
        owner_name="Nguyễn Thị Hường",
        stall_number="A02",
        phone="0905999888",
        premise_type="grocery",
    )
    response = client.post(f"/premises/{premise.id}/edit", data=data)
    assert response.status_code == 302
    changes = {
        c.field: c
        for c in db.session.scalars(select(PremiseChange).where(PremiseChange.premise_id == premise.id))
    }
    assert changes["stall_number"].old_value == "A01" and changes["stall_number"].new_value == "A02"
    assert changes["owner_name"].user_id == user.id
    assert (changes["premise_type"].old_value, changes["premise_type"].new_value) == (
        "Sạp chợ",
        "Cửa hàng tạp hóa",
    )
    page = client.get(f"/premises/{premise.id}").get_data(as_text=True)
    assert "Lịch sử thay đổi" in page and "Số sạp / ki-ốt" in page and "A01" in page
    # Saving the same values again records nothing more.
    count = len(changes)
    client.post(f"/premises/{premise.id}/edit", data=data)
    assert db.session.query(PremiseChange).filter_by(premise_id=premise.id).count() == count
    # History rows cannot be rewritten or deleted.
    row = next(iter(changes.values()))
    row.new_value = "sửa lén"
    with pytest.raises(ValueError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(PremiseChange, row.id))
    with pytest.raises(ValueError, match="append-only"):
        db.session.flush()
    db.session.rollback()


def test_supervisor_may_look_but_not_edit(client, login, world):
    login(world.users["supervisor_unit"])
    assert client.get(f"/premises/{world.premise_a.id}").status_code == 200
    assert client.get(f"/premises/{world.premise_a.id}/edit").status_code == 403
    assert client.get("/premises/new").status_code == 403


def test_search_ignores_case_and_diacritics(client, login, world):
    login(world.users["inspector"])
    for query in ("nguyen thi huong", "NGUYỄN THỊ HƯỜNG", "huong a01"):
        page = client.get("/premises", query_string={"q": query}).get_data(as_text=True)
        assert "Sạp cân Nguyễn Thị Hường" in page, query
    page = client.get("/premises", query_string={"q": "100%_"}).get_data(as_text=True)
    assert "Không có cơ sở nào phù hợp" in page


def test_filters_by_type_and_status(client, login, world):
    from tests.factories import make_premise

    make_premise(world.unit_a, name="Cửa hàng xăng dầu Phổ Minh", premise_type="fuel_station")
    make_premise(world.unit_a, name="Tạp hóa đã đóng cửa", premise_type="grocery", status="closed")
    login(world.users["inspector"])
    page = client.get("/premises?type=fuel_station").get_data(as_text=True)
    assert "Phổ Minh" in page and "Sạp cân" not in page
    page = client.get("/premises?status=closed").get_data(as_text=True)
    assert "Tạp hóa đã đóng cửa" in page and "Phổ Minh" not in page


def test_markets_create_and_refuse_duplicates(client, login, world):
    login(world.users["staff"])
    data = {
        "unit_id": str(world.unit_a.id),
        "name": "Chợ Phổ Ninh",
        "address": "",
        "latitude": "",
        "longitude": "",
    }
    assert client.post("/markets/new", data=data).status_code == 302
    response = client.post("/markets/new", data=dict(data, name="chợ phổ ninh"))
    assert response.status_code == 422
    assert "Đơn vị đã có chợ trùng tên." in response.get_data(as_text=True)
    assert db.session.query(Market).filter_by(unit_id=world.unit_a.id).count() == 2
    response = client.post("/markets/new", data=dict(data, name="Chợ Mới", latitude="95", longitude="1"))
    assert "Vĩ độ phải nằm trong khoảng" in response.get_data(as_text=True)


def test_database_refuses_out_of_range_coordinates_even_without_the_form(app, world):
    from sqlalchemy.exc import IntegrityError

    world.premise_a.latitude = 200.0
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
