"""Desk pages for inspections: list with filters, detail with findings by group and photos."""

from __future__ import annotations

from tests.factories import make_records


def test_inspection_list_and_detail(client, login, world, app):
    records = make_records(world.premise_a, world.users["inspector"])
    make_records(world.premise_b, world.other_users["inspector"])
    login(world.users["supervisor_unit"])
    page = client.get("/inspections").get_data(as_text=True)
    assert "Sạp cân Nguyễn Thị Hường" in page and "Sạp bí mật" not in page
    detail = client.get(f"/inspections/{records['inspection'].id}").get_data(as_text=True)
    for text in ("Niêm yết giá", "Phương tiện đo", "Ghi nhãn hàng hóa", "Chất lượng", "Theo kế hoạch", "Đạt"):
        assert text in detail, text
    assert f"/api/v1/photos/{records['photo'].id}/thumbnail" in detail
    assert client.get(f"/api/v1/photos/{records['photo'].id}/thumbnail").status_code == 200
    premise_page = client.get(f"/premises/{world.premise_a.id}").get_data(as_text=True)
    assert "Các lần kiểm tra" in premise_page and "đang kiểm tra" in premise_page


def test_inspection_list_filters(client, login, world):
    make_records(world.premise_a, world.users["inspector"])
    login(world.users["inspector"])
    assert "Sạp cân" in client.get("/inspections?status=draft").get_data(as_text=True)
    assert "Chưa có cuộc kiểm tra nào." in client.get("/inspections?status=completed").get_data(as_text=True)
    # Recorded without any GPS fix: listed among those whose location needs a look.
    flagged = client.get("/inspections?flagged=1").get_data(as_text=True)
    assert "Sạp cân" in flagged and "GPS cần xem lại" in flagged
