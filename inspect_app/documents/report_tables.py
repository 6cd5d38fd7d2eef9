"""The yearly report's figures as spreadsheets: XLSX (the table, the typed-in rows and a "Phụ lục" sheet of the
records behind each figure) and CSV (the table, UTF-8 with a BOM so Excel reads it), with the exports' conventions
(``exports.formats``: no cell is ever read as a formula, text cut to what a cell holds).

The table's columns: "Mục" (the section a row belongs to), "Mã số liệu" (the figure's code, the same in every
commune's file, so the Sở can add files up by it), "Nội dung", "Cấp" (1 a row, 2 a "trong đó" row of the row
above), then one column per value column of the document. The typed-in rows follow, under the section "Số liệu
khác do đơn vị nhập", their label marked "(số liệu nhập tay)" and their text in the first value column.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from ..exports.formats import HEADER_FORMAT, Field, csv_chunks, open_workbook, xlsx_text
from ..reports.document import ReportDocument
from .report_layout import LABEL_HEADER, TYPED_HEADER, TYPED_MARK, appendix_more, issuer_lines, table_caption

__all__ = ["APPENDIX_SHEET", "TABLE_SHEET", "render_appendix_csv", "render_report_csv", "render_report_xlsx"]

TABLE_SHEET = "Bảng số liệu"
APPENDIX_SHEET = "Phụ lục"
FIXED_HEADERS = ("Mục", "Mã số liệu", LABEL_HEADER, "Cấp")
APPENDIX_HEADERS = ("STT", "Số liệu", "Giá trị", "Hồ sơ")


def _typed_label(label: str) -> str:
    return f"{label} {TYPED_MARK}"


def table_records(doc: ReportDocument) -> Iterator[tuple[Any, ...]]:
    """The table's rows as plain values, headings left out (each row names its section): figures, then typed-in
    rows."""
    section = ""
    for row in doc.rows:
        if not row.values:
            section = row.label
            continue
        yield (section, row.code or "", row.label, row.level, *row.values)
    blanks = ("",) * (len(doc.columns) - 1)
    for typed in doc.typed_rows:
        yield (TYPED_HEADER, "", _typed_label(typed.label), 1, typed.value, *blanks)


def appendix_records(doc: ReportDocument) -> Iterator[tuple[Any, ...]]:
    """One row per record behind each figure (its section's number, label and value), and a row saying how many
    more there are when a list was cut."""
    for index, section in enumerate(doc.appendix, start=1):
        for record in section.records:
            yield (index, section.label, section.value, record)
        if section.truncated:
            yield (index, section.label, section.value, appendix_more(section))


def _fields(doc: ReportDocument) -> list[Field]:
    return [
        Field("Mục"),
        Field("Mã số liệu"),
        Field(LABEL_HEADER),
        Field("Cấp", "int"),
        *(Field(column) for column in doc.columns),
    ]


def render_report_csv(doc: ReportDocument) -> bytes:
    """The table (and the typed-in rows) as CSV: UTF-8 with a BOM, CRLF line ends."""
    return b"".join(csv_chunks(_fields(doc), table_records(doc)))


def render_appendix_csv(doc: ReportDocument) -> bytes:
    """The appendix as CSV: one line per record behind a figure."""
    kinds = ("int", "text", "int", "text")
    fields = [Field(header, kind) for header, kind in zip(APPENDIX_HEADERS, kinds, strict=True)]
    return b"".join(csv_chunks(fields, appendix_records(doc)))


def render_report_xlsx(doc: ReportDocument) -> bytes:
    """The table on the sheet "Bảng số liệu" (a title, the period, the header row frozen, figures as numbers, "trong
    đó" rows indented, the typed-in rows marked), the appendix on the sheet "Phụ lục"."""
    buffer = io.BytesIO()
    workbook = open_workbook(buffer)
    bold = workbook.add_format({"bold": True})
    header = workbook.add_format(HEADER_FORMAT)
    heading = workbook.add_format({"bold": True, "bg_color": "#F3F3F3"})
    number = workbook.add_format({"num_format": "#,##0"})
    indented = workbook.add_format({"indent": 2})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})

    sheet = workbook.add_worksheet(TABLE_SHEET)
    headers = (LABEL_HEADER, "Mã số liệu", *doc.columns)
    sheet.set_column(0, 0, 62)
    sheet.set_column(1, 1, 26)
    sheet.set_column(2, len(headers) - 1, 14)
    sheet.write_string(0, 0, xlsx_text(" — ".join((*issuer_lines(doc), doc.subtitle))), bold)
    sheet.write_string(1, 0, xlsx_text(table_caption(doc)))
    top = 3
    for col, text in enumerate(headers):
        sheet.write_string(top, col, xlsx_text(text), header)
    sheet.freeze_panes(top + 1, 1)
    r = top
    for row in doc.rows:
        r += 1
        if not row.values:
            sheet.write_string(r, 0, xlsx_text(row.label), heading)
            continue
        sheet.write_string(r, 0, xlsx_text(row.label), indented if row.level >= 2 else None)
        sheet.write_string(r, 1, row.code or "")
        for col, value in enumerate(row.values, start=2):
            sheet.write_number(r, col, value, number)
    if doc.typed_rows:
        r += 2
        sheet.write_string(r, 0, xlsx_text(f"{TYPED_HEADER} {TYPED_MARK}"), heading)
        for typed in doc.typed_rows:
            r += 1
            sheet.write_string(r, 0, xlsx_text(_typed_label(typed.label)))
            sheet.write_string(r, 2, xlsx_text(typed.value))

    appendix = workbook.add_worksheet(APPENDIX_SHEET)
    for col, width in enumerate((6, 50, 10, 90)):
        appendix.set_column(col, col, width)
    for col, text in enumerate(APPENDIX_HEADERS):
        appendix.write_string(0, col, text, header)
    appendix.freeze_panes(1, 0)
    for r, (index, label, value, record) in enumerate(appendix_records(doc), start=1):
        appendix.write_number(r, 0, index)
        appendix.write_string(r, 1, xlsx_text(label), wrap)
        appendix.write_number(r, 2, value)
        appendix.write_string(r, 3, xlsx_text(record), wrap)
    workbook.close()
    return buffer.getvalue()
