"""The quarterly results for the province's TĐC database (NĐ 37/2026 Điều 96.4): one row per completed inspection of
the quarter in the user's scope, its results equal to its records, the layout described in the file itself."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from inspect_app.exports.queries import QUARTERLY_COLUMNS, InvalidFilters, quarter_period
from inspect_app.extensions import db
from inspect_app.models import Finding, Inspection, Minutes, PrepackagedLot, Reading
from tests.test_exports import read_csv, read_xlsx
from tests.test_supervision_dashboard import _vn_day, board  # noqa: F401 (board: the dashboard's fixture)


def test_the_quarter_defaults_to_the_last_whole_one_and_bad_values_are_refused():
    assert quarter_period({}, date(2026, 12, 2)) == (2026, 3, date(2026, 7, 1), date(2026, 9, 30))
    assert quarter_period({}, date(2026, 2, 10)) == (2025, 4, date(2025, 10, 1), date(2025, 12, 31))
    assert quarter_period({"year": "2024", "quy": "1"}, date(2026, 12, 2))[2:] == (
        date(2024, 1, 1),
        date(2024, 3, 31),
    )
    with pytest.raises(InvalidFilters) as error:
        quarter_period({"year": "2031", "quy": "5"}, date(2026, 12, 2))
    assert set(error.value.errors) == {"year", "quy"}


def test_every_column_is_described():
    for field, _source in QUARTERLY_COLUMNS:
        assert field.note.endswith("."), field.header


def _quarters(period):
    """The (year, quarter) pairs the period touches."""
    start, end = period
    pairs, year, month = set(), start.year, start.month
    while (year, month) <= (end.year, end.month):
        pairs.add((year, (month - 1) // 3 + 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return sorted(pairs)


def _expected(units, year, quarter):
    first, last = quarter_period({"year": str(year), "quy": str(quarter)}, date(year, 12, 31))[2:]
    rows = {}
    for i in db.session.scalars(select(Inspection).order_by(Inspection.started_at, Inspection.id)):
        if i.unit_id not in units or i.status not in ("completed", "minutes_issued"):
            continue
        if not first <= _vn_day(i.started_at) <= last:
            continue
        findings = list(db.session.scalars(select(Finding).where(Finding.inspection_id == i.id)))
        readings = [r for r in db.session.scalars(select(Reading).where(Reading.inspection_id == i.id))]
        lots = [
            lot
            for lot in db.session.scalars(select(PrepackagedLot).where(PrepackagedLot.inspection_id == i.id))
        ]

        def counted(record, verdict):
            return verdict == "fail" and not record.indicative and getattr(record, "voided_at", None) is None

        control = [r for r in readings if r.kind == "control"]
        minutes = db.session.scalars(
            select(Minutes).where(Minutes.inspection_id == i.id, Minutes.status == "valid")
        ).first()
        violation = (
            any(counted(f, f.answer) for f in findings)
            or any(counted(r, r.outcome) for r in readings)
            or any(counted(lot, lot.outcome) for lot in lots)
        )
        rows[i.id] = {
            "Phép đo đối chứng": sum(r.voided_at is None for r in control),
            "Phép đo đối chứng không đạt": sum(counted(r, r.outcome) for r in control),
            "Lô hàng đóng gói sẵn": sum(lot.voided_at is None for lot in lots),
            "Lô hàng không đạt": sum(counted(lot, lot.outcome) for lot in lots),
            "Số nội dung vi phạm: phương tiện đo": sum(
                f.item_code.startswith("PTD-") and counted(f, f.answer) for f in findings
            ),
            "Kiểm tra ghi nhãn hàng hóa": any(
                f.item_code.startswith("NHAN-") and f.answer in ("pass", "fail") for f in findings
            ),
            "Kết quả": "Vi phạm" if violation else "Đạt",
            "Số biên bản": minutes is not None,
        }
    return rows


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_one_row_per_completed_inspection_of_the_quarter_with_its_results(client, login, board, fmt):  # noqa: F811
    w = board
    units = {w.unit_a.id, w.unit_a2.id}
    login(w.users["supervisor_province"])
    seen = 0
    for year, quarter in _quarters(w.period):
        response = client.get(f"/exports/quarterly.{fmt}?year={year}&quy={quarter}")
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        assert f"ket-qua-kiem-tra-quy-{quarter}-{year}" in response.headers["Content-Disposition"]
        data = response.get_data()
        rows = read_csv(data) if fmt == "csv" else read_xlsx(data)
        header, body = rows[0], rows[1:]
        assert header == [field.header for field, _source in QUARTERLY_COLUMNS]
        expected = _expected(units, year, quarter)
        assert [int(row[0]) for row in body] == list(expected), (year, quarter)
        for row in body:
            cells = dict(zip(header, row, strict=True))
            want = expected[int(cells["Mã cuộc kiểm tra"])]
            for name in ("Phép đo đối chứng", "Phép đo đối chứng không đạt", "Lô hàng đóng gói sẵn",
                         "Lô hàng không đạt", "Số nội dung vi phạm: phương tiện đo"):  # fmt: skip
                assert int(cells[name]) == want[name], (name, cells)
            assert cells["Kiểm tra ghi nhãn hàng hóa"] == (
                "Có" if want["Kiểm tra ghi nhãn hàng hóa"] else "Không"
            )
            assert cells["Kết quả"] == want["Kết quả"]
            assert bool(cells["Số biên bản"]) == want["Số biên bản"]
            assert "Sạp bí mật" not in repr(row)
        seen += len(body)
        if fmt == "xlsx":
            book = openpyxl.load_workbook(io.BytesIO(data))
            described = book["Mô tả cột"]
            assert [row[1] for row in described.iter_rows(min_row=2, values_only=True)] == header
    assert seen >= 8


def test_a_communes_inspector_gets_its_commune_only_and_bad_values_a_vietnamese_400(client, login, board):  # noqa: F811
    w = board
    login(w.users["inspector"])
    year, quarter = _quarters(w.period)[-1]
    rows = read_csv(client.get(f"/exports/quarterly.csv?year={year}&quy={quarter}").get_data())
    assert list(_expected({w.unit_a.id}, year, quarter)) == [int(row[0]) for row in rows[1:]]
    response = client.get("/exports/quarterly.csv?year=abc&quy=7")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Quý phải là 1, 2, 3 hoặc 4." in text and "Năm phải là số" in text
