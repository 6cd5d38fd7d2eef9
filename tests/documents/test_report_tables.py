"""The yearly report's XLSX read back with openpyxl and its CSV with csv: Vietnamese headers, every figure as a
number in its column, the typed-in rows marked, the appendix's records, and nothing a spreadsheet would run."""

from __future__ import annotations

import csv
import dataclasses
import io

from openpyxl import load_workbook

from inspect_app.documents.report_tables import (
    APPENDIX_SHEET,
    TABLE_SHEET,
    render_appendix_csv,
    render_report_csv,
    render_report_xlsx,
)
from inspect_app.reports.document import TypedRow

from .report_sample import COMMUNES, commune_document, rollup_document


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_a_communes_csv_has_every_figure_and_the_typed_rows():
    doc = commune_document()
    data = render_report_csv(doc)
    assert b"\r\n" in data
    head, *rows = read_csv(data)
    assert head == ["Mục", "Mã số liệu", "Nội dung", "Cấp", "Số lượng"]
    figures = [row for row in doc.rows if row.values]
    assert len(rows) == len(figures) + len(doc.typed_rows)
    by_code = {row[1]: row for row in rows if row[1]}
    for figure in figures:
        line = by_code[figure.code]
        assert line[2:] == [figure.label, str(figure.level), str(figure.values[0])]
    assert by_code["control"][0] == "3. Phép đo đối chứng (TT 09/2017/TT-BKHCN)"
    assert by_code["kind_planned"][3] == "2" and by_code["inspections"][3] == "1"
    typed = rows[-len(doc.typed_rows) :]
    assert typed[1] == [
        "Số liệu khác do đơn vị nhập",
        "",
        "Kinh phí bố trí cho công tác kiểm tra (số liệu nhập tay)",
        "1",
        "25.000.000 đồng",
    ]


def test_a_rollups_csv_has_a_column_per_commune_and_the_total():
    doc = rollup_document()
    head, *rows = read_csv(render_report_csv(doc))
    assert head[4:] == [*COMMUNES, "Tổng cộng"]
    for row, figure in zip(rows, [r for r in doc.rows if r.values], strict=True):
        values = [int(v) for v in row[4:]]
        assert values == list(figure.values) and values[-1] == sum(values[:-1])


def test_text_that_looks_like_a_formula_is_not_run():
    doc = commune_document(typed_rows=(TypedRow('=HYPERLINK("x")', "+84 912 345 678"),))
    *_, typed = read_csv(render_report_csv(doc))
    assert typed[2] == '\'=HYPERLINK("x") (số liệu nhập tay)'
    assert typed[4] == "'+84 912 345 678"
    sheet = load_workbook(io.BytesIO(render_report_xlsx(doc)))[TABLE_SHEET]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value]
    assert all(cell.data_type != "f" for cell in cells)
    assert "+84 912 345 678" in [cell.value for cell in cells]


def test_the_xlsx_table_sheet():
    doc = rollup_document()
    book = load_workbook(io.BytesIO(render_report_xlsx(doc)))
    assert book.sheetnames == [TABLE_SHEET, APPENDIX_SHEET]
    sheet = book[TABLE_SHEET]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "UBND TỈNH QUẢNG NGÃI — SỞ KHOA HỌC VÀ CÔNG NGHỆ — " + doc.subtitle
    assert rows[1][0] == "Bảng số liệu kết quả kiểm tra (từ ngày 21/11/2025 đến ngày 20/11/2026)"
    assert rows[3] == ["Nội dung", "Mã số liệu", *COMMUNES, "Tổng cộng"]
    assert sheet.freeze_panes == "B5"
    body = rows[4 : 4 + len(doc.rows)]
    for line, row in zip(body, doc.rows, strict=True):
        assert line[0] == row.label
        if row.values:
            assert line[1] == row.code and tuple(line[2:]) == row.values
            assert all(isinstance(v, int) for v in line[2:])
        else:
            assert line[1:] == [None] * (len(line) - 1)
    indented = next(r for r, row in enumerate(doc.rows) if row.level == 2)
    assert sheet.cell(row=5 + indented, column=1).alignment.indent == 2


def test_the_xlsx_typed_rows_and_appendix():
    doc = commune_document()
    book = load_workbook(io.BytesIO(render_report_xlsx(doc)))
    rows = [list(row) for row in book[TABLE_SHEET].iter_rows(values_only=True)]
    typed = rows[-len(doc.typed_rows) :]
    assert rows[-len(doc.typed_rows) - 1][0] == "Số liệu khác do đơn vị nhập (số liệu nhập tay)"
    assert [(line[0], line[2]) for line in typed] == [
        (f"{t.label} (số liệu nhập tay)", t.value) for t in doc.typed_rows
    ]
    head, *records = [list(row) for row in book[APPENDIX_SHEET].iter_rows(values_only=True)]
    assert head == ["STT", "Số liệu", "Giá trị", "Hồ sơ"]
    expected = sum(len(s.records) + (1 if s.truncated else 0) for s in doc.appendix)
    assert len(records) == expected
    assert records[0] == [1, "Số cuộc kiểm tra đã thực hiện", 3, "12/03/2026 — Sạp 12, chợ Ba Động — Vi phạm"]
    assert records[-1][0] == 2 and records[-1][3].startswith("… và 1 hồ sơ khác")


def test_the_appendix_csv_and_an_empty_appendix():
    doc = commune_document()
    head, *rows = read_csv(render_appendix_csv(doc))
    assert head == ["STT", "Số liệu", "Giá trị", "Hồ sơ"] and rows[1][0] == "1" and rows[1][2] == "3"
    empty = dataclasses.replace(doc, appendix=())
    assert read_csv(render_appendix_csv(empty)) == [head]
    book = load_workbook(io.BytesIO(render_report_xlsx(empty)))
    assert [list(r) for r in book[APPENDIX_SHEET].iter_rows(values_only=True)] == [head]
