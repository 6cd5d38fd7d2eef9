"""Account management by administrators."""

from __future__ import annotations

from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import User
from tests.factories import PASSWORD


def new_user(world, **changes):
    data = {
        "username": "kiemtra.moi",
        "full_name": "Đặng Thị Ngọc",
        "position": "Công chức Văn hóa – Xã hội",
        "role": "inspector",
        "home": f"unit:{world.unit_a.id}",
        "password": "MatKhau-2026",
        "active": "y",
    }
    data.update(changes)
    return data


def test_admin_creates_an_account_that_can_log_in(client, login, world):
    login(world.users["admin_province"])
    response = client.post("/admin/users/new", data=new_user(world))
    assert response.status_code == 302
    user = db.session.scalars(select(User).where(User.username == "kiemtra.moi")).one()
    assert user.unit_id == world.unit_a.id and user.role == "inspector"
    client.post("/logout")
    assert (
        client.post("/login", data={"username": "kiemtra.moi", "password": "MatKhau-2026"}).status_code == 302
    )


def test_account_form_rejects_bad_input_in_vietnamese(client, login, world):
    login(world.users["admin_province"])
    cases = [
        ({"username": "A"}, "Tên đăng nhập gồm 3–64 ký tự"),
        ({"password": "ngan"}, "Mật khẩu cần ít nhất 10 ký tự."),
        ({"password": "chiconchu"}, "Mật khẩu cần ít nhất 10 ký tự."),
        ({"password": "chiconchuthoi"}, "Mật khẩu cần có cả chữ và số."),
        ({"full_name": ""}, "Họ và tên không được để trống."),
        ({"role": "inspector", "home": f"province:{world.p1.id}"}, "phải thuộc một xã/phường/đặc khu"),
        ({"home": f"unit:{world.unit_b.id}"}, "Lựa chọn không hợp lệ."),
        ({"username": world.users["staff"].username}, "Tên đăng nhập này đã có người dùng."),
    ]
    for changes, message in cases:
        before = db.session.query(User).count()
        response = client.post("/admin/users/new", data=new_user(world, **changes))
        assert response.status_code == 422, changes
        assert message in response.get_data(as_text=True), changes
        assert db.session.query(User).count() == before


def test_admin_deactivates_an_account_and_it_is_logged_out(client, login, world):
    target = world.users["inspector"]
    login(world.users["admin_province"])
    data = new_user(world, username=target.username, full_name=target.full_name, password="")
    data.pop("active")
    assert client.post(f"/admin/users/{target.id}/edit", data=data).status_code == 302
    db.session.refresh(target)
    assert target.active is False
    client.post("/logout")
    assert client.post("/login", data={"username": target.username, "password": PASSWORD}).status_code == 401


def test_admin_cannot_lock_themself_out(client, login, world):
    me = world.users["admin_province"]
    login(me)
    data = new_user(world, username=me.username, full_name=me.full_name, role="inspector", password="")
    response = client.post(f"/admin/users/{me.id}/edit", data=data)
    assert response.status_code == 422
    assert "Không thể tự bỏ quyền quản trị" in response.get_data(as_text=True)
    db.session.refresh(me)
    assert me.role == "admin"


def test_only_admins_manage_accounts(client, login, world):
    for actor in ("inspector", "staff", "supervisor_unit", "supervisor_province"):
        login(world.users[actor])
        assert client.get("/admin/users").status_code == 403
        assert client.post("/admin/users/new", data=new_user(world)).status_code == 403
    assert db.session.scalars(select(User).where(User.username == "kiemtra.moi")).first() is None


def test_admin_sees_only_accounts_of_their_province(client, login, world):
    login(world.users["admin_province"])
    page = client.get("/admin/users").get_data(as_text=True)
    assert world.users["inspector"].username in page
    assert world.other_users["inspector"].username not in page
