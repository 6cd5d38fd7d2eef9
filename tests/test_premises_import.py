"""CSV import of premises: broken rows, wrong encoding, missing column, huge files, re-import."""

from __future__ import annotations

import io

from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import Premise, PremiseChange

HEADER = "Tên cơ sở,Chủ cơ sở,Số ĐKKD,Loại hình,Chợ,Số sạp,Địa chỉ,Vĩ độ,Kinh độ,Điện thoại,Trạng thái\r\n"
ROWS = (
    "Sạp thịt heo Trần Văn Lộc,Trần Văn Lộc,,Sạp chợ,Chợ Đức Phổ Thử,A02,Chợ Đức Phổ,14.8113,108.9572,0905111222,\r\n"
    "Tạp hóa Minh Châu,Trần Minh Châu,34A8001234,cửa hàng tạp hóa,,,12 Nguyễn Nghiêm,14.8121,108.9586,,Đang hoạt động\r\n"
    "Cửa hàng xăng dầu Phổ Minh,Công ty TNHH Xăng dầu,4300123456,fuel_station,,,Quốc lộ 1A,,,,\r\n"
)
BROKEN = (
    ",Không tên,,Sạp chợ,,,Chợ,,,,\r\n"
    "Sạp lỗi vĩ độ,Ai đó,,Sạp chợ,,,Chợ,200,108.9,,\r\n"
    "Sạp chợ lạ,Ai đó,,Sạp chợ,Chợ Không Có,B1,Chợ,,,,\r\n"
    "Sạp loại lạ,Ai đó,,Sòng bạc,,,Chợ,,,,\r\n"
)


def upload(client, world, content: bytes, filename: str = "co-so.csv"):
    return client.post(
        "/premises/import",
        data={"unit_id": str(world.unit_a.id), "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def names(unit) -> list[str]:
    db.session.expire_all()
    return sorted(db.session.scalars(select(Premise.name).where(Premise.unit_id == unit.id)))


def test_good_rows_are_imported_and_bad_rows_reported_by_line(client, login, world):
    login(world.users["staff"])
    response = upload(client, world, (HEADER + ROWS + BROKEN).encode("utf-8"))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Đã thêm 3 cơ sở, cập nhật 0, giữ nguyên 0; 4 dòng lỗi không được nhập." in body
    assert "<td>5</td><td>Tên cơ sở không được để trống (ví dụ Sạp cân Nguyễn Thị Hường).</td>" in body
    assert "<td>6</td><td>Vĩ độ phải nằm trong khoảng −90 đến 90 độ (ví dụ 14.8105).</td>" in body
    assert "Chợ “Chợ Không Có” chưa có trong danh mục chợ" in body
    assert "Loại hình “Sòng bạc” không hợp lệ" in body
    assert "Tạp hóa Minh Châu" in names(world.unit_a)
    assert not {"Sạp lỗi vĩ độ", "Sạp chợ lạ", "Sạp loại lạ"} & set(names(world.unit_a))
    fuel = db.session.scalars(select(Premise).where(Premise.name == "Cửa hàng xăng dầu Phổ Minh")).one()
    assert fuel.premise_type == "fuel_station" and fuel.latitude is None


def test_reimporting_the_same_file_changes_nothing(client, login, world):
    login(world.users["staff"])
    content = (HEADER + ROWS).encode("utf-8-sig")
    upload(client, world, content)
    before = names(world.unit_a)
    history = db.session.query(PremiseChange).count()
    body = upload(client, world, content).get_data(as_text=True)
    assert "Đã thêm 0 cơ sở, cập nhật 0, giữ nguyên 3" in body
    assert names(world.unit_a) == before
    assert db.session.query(PremiseChange).count() == history


def test_a_changed_row_updates_the_matched_premise_with_history(client, login, world):
    login(world.users["staff"])
    upload(client, world, (HEADER + ROWS).encode())
    changed = ROWS.replace("0905111222", "0905000111")
    body = upload(client, world, (HEADER + changed).encode()).get_data(as_text=True)
    assert "Đã thêm 0 cơ sở, cập nhật 1, giữ nguyên 2" in body
    change = db.session.scalars(select(PremiseChange).where(PremiseChange.field == "phone")).one()
    assert (change.old_value, change.new_value, change.source) == ("0905111222", "0905000111", "import")


def test_wrong_encoding_imports_nothing_and_says_how_to_fix(client, login, world):
    login(world.users["staff"])
    before = names(world.unit_a)
    response = upload(client, world, (HEADER + ROWS).encode("cp1258", errors="replace"))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "tệp không phải mã UTF-8" in body and "CSV UTF-8" in body
    assert names(world.unit_a) == before


def test_missing_required_column_imports_nothing(client, login, world):
    login(world.users["staff"])
    before = names(world.unit_a)
    content = "Chủ cơ sở,Địa chỉ\r\nAi đó,Chợ\r\n".encode()
    response = upload(client, world, content)
    assert response.status_code == 422
    assert "thiếu cột bắt buộc: Tên cơ sở" in response.get_data(as_text=True)
    assert names(world.unit_a) == before


def test_semicolon_separated_files_from_excel_are_read(client, login, world):
    login(world.users["staff"])
    content = "Tên cơ sở;Địa chỉ;Loại hình\r\nTạp hóa Bảy Hiền;45 Phạm Văn Đồng;Cửa hàng tạp hóa\r\n".encode()
    body = upload(client, world, content).get_data(as_text=True)
    assert "Đã thêm 1 cơ sở" in body
    assert "Tạp hóa Bảy Hiền" in names(world.unit_a)


def test_a_50_mb_file_is_refused_with_a_clear_message(client, login, world):
    login(world.users["staff"])
    before = names(world.unit_a)
    content = (HEADER + ROWS * (50 * 1024 * 1024 // len(ROWS))).encode()
    response = upload(client, world, content)
    assert response.status_code == 413
    assert "Tệp tải lên quá lớn (tối đa 20 MB). Không có gì được lưu." in response.get_data(as_text=True)
    assert names(world.unit_a) == before


def test_a_file_over_the_import_limit_but_under_the_upload_limit_is_refused(client, login, world, app):
    app.config["CSV_IMPORT_MAX_BYTES"] = 1024
    login(world.users["staff"])
    response = upload(client, world, (HEADER + ROWS * 20).encode())
    assert response.status_code == 422
    assert "tệp quá lớn" in response.get_data(as_text=True)


def test_an_excel_file_renamed_csv_is_refused(client, login, world):
    login(world.users["staff"])
    response = upload(client, world, b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(200))
    assert response.status_code == 422
    assert "không phải tệp CSV dạng văn bản" in response.get_data(as_text=True)


def test_no_file_chosen(client, login, world):
    login(world.users["staff"])
    response = client.post("/premises/import", data={"unit_id": str(world.unit_a.id)})
    assert response.status_code == 422
    assert "Vui lòng chọn tệp CSV." in response.get_data(as_text=True)


def test_repeated_rows_in_one_file_are_reported_not_doubled(client, login, world):
    login(world.users["staff"])
    row = "Tạp hóa Trùng,Chủ,,grocery,,,Số 1,,,,\r\n"
    body = upload(client, world, (HEADER + row + row).encode()).get_data(as_text=True)
    assert "Đã thêm 1 cơ sở" in body and "trùng với cơ sở ở dòng 2" in body
    assert names(world.unit_a).count("Tạp hóa Trùng") == 1


def test_inspectors_may_not_import_and_the_template_downloads(client, login, world):
    login(world.users["inspector"])
    assert client.get("/premises/import").status_code == 403
    template = client.get("/premises/import/mau.csv")
    assert template.status_code == 200
    assert template.get_data().decode("utf-8-sig").startswith("Tên cơ sở,Chủ cơ sở")
