"""Flask commands: create-user, import-units, import-premises, seed-demo."""

from __future__ import annotations

from sqlalchemy import func, select

from inspect_app.extensions import db
from inspect_app.models import Market, Premise, Province, Unit, User


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_demo_loads_once_and_prints_the_accounts(runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "kiemtra.ducpho" in first.output and "KiemTra@2026" in first.output
    totals = {m: count(m) for m in (Province, Unit, User, Market, Premise)}
    assert totals[Premise] >= 30 and totals[Unit] == 3 and totals[Market] >= 3
    second = runner.invoke(args=["seed-demo"])
    assert "thêm 0 đơn vị, 0 tài khoản, 0 chợ, 0 cơ sở, 0 chuẩn đo lường, 0 phương tiện đo" in second.output
    assert "8 chuẩn đo lường, 5 phương tiện đo" in first.output
    assert {m: count(m) for m in (Province, Unit, User, Market, Premise)} == totals
    names = {u.name for u in db.session.scalars(select(Unit))}
    assert {"Phường Đức Phổ", "Xã Ba Động"} <= names
    roles = {u.role for u in db.session.scalars(select(User))}
    assert roles == {"inspector", "staff", "supervisor", "admin"}


def test_import_units_from_csv_is_idempotent(runner, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(
        "Mã tỉnh,Tên tỉnh,Mã đơn vị,Tên đơn vị,Cấp,Vĩ độ,Kinh độ\n"
        "51,Quảng Ngãi,21439,Phường Đức Phổ,phường,14.8098,108.9586\n"
        "51,Quảng Ngãi,99999,Đặc khu Lý Sơn,đặc khu,15.38,109.12\n"
        "51,Quảng Ngãi,ABC,Xã Sai Mã,xã,,\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["import-units", str(path)])
    assert "Thêm 2, cập nhật 0, giữ nguyên 0." in result.output
    assert "Dòng 4: Mã tỉnh và mã đơn vị phải là chữ số (ví dụ 51 và 21439)." in result.output
    assert runner.invoke(args=["import-units", str(path)]).output.startswith(
        "Thêm 0, cập nhật 0, giữ nguyên 2."
    )
    ly_son = db.session.scalars(select(Unit).where(Unit.code == "99999")).one()
    assert ly_son.kind == "dac_khu" and ly_son.short_name == "Lý Sơn"
    assert ly_son.committee_lines == ["ỦY BAN NHÂN DÂN", "ĐẶC KHU LÝ SƠN"]


def test_create_user_command(runner):
    runner.invoke(args=["seed-demo"])
    result = runner.invoke(
        args=[
            "create-user",
            "--username",
            "Kiemtra.Moi",
            "--password",
            "MatKhau-2026",
            "--role",
            "inspector",
            "--unit",
            "21496",
            "--full-name",
            "Phạm Văn Sơn",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalars(select(User).where(User.username == "kiemtra.moi")).one()
    assert user.unit.name == "Xã Ba Động" and user.check_password("MatKhau-2026")
    bad = runner.invoke(
        args=["create-user", "--username", "x1", "--password", "MatKhau-2026", "--role", "staff"]
    )
    assert bad.exit_code != 0 and "Tên đăng nhập gồm" in bad.output
    bad = runner.invoke(
        args=[
            "create-user",
            "--username",
            "giamsat",
            "--password",
            "MatKhau-2026",
            "--role",
            "supervisor",
            "--province",
            "00",
        ]
    )
    assert bad.exit_code != 0 and "Không có tỉnh mã 00." in bad.output
    ok = runner.invoke(
        args=[
            "create-user",
            "--username",
            "giamsat",
            "--password",
            "MatKhau-2026",
            "--role",
            "supervisor",
            "--province",
            "51",
        ]
    )
    assert ok.exit_code == 0, ok.output


def test_import_premises_command(runner, tmp_path):
    runner.invoke(args=["seed-demo"])
    path = tmp_path / "p.csv"
    path.write_text(
        "Tên cơ sở,Địa chỉ,Chợ,Số sạp\nSạp mới,Chợ Ba Động,Chợ Ba Động,07\nSạp hỏng,,Chợ X,1\n", "utf-8"
    )
    result = runner.invoke(args=["import-premises", str(path), "--unit", "21496"])
    assert "Đã thêm 1 cơ sở" in result.output and "Dòng 3:" in result.output
    premise = db.session.scalars(select(Premise).where(Premise.name == "Sạp mới")).one()
    assert premise.market.name == "Chợ Ba Động"
