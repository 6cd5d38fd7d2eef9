"""Helpers for the yearly report's tests: requests and reports made through the services, and STAND-IN renderers.

STAND-INS: the report's text (``reports.text``) and renderers (``documents.report_pdf``, ``report_docx``,
``report_tables``) are written apart from the reports feature. Until they are in the tree, ``stand_in_renderers``
puts minimal ones behind ``reports.rendering`` (a PDF with the text and figures as lines, a DOCX as a zip holding the
text, an XLSX and a CSV of the rows), so the flow (send, freeze, store, verify, download) is tested now. Once the
real modules load, ``stand_in_renderers`` does nothing and the same tests run against them.
"""

from __future__ import annotations

import csv
import io
import zipfile
from contextlib import contextmanager
from datetime import date, timedelta

from inspect_app.reports import rendering
from inspect_app.reports.document import ReportDocument, TableRow
from inspect_app.reports.figures import REPORT_ROWS, ReportTable

# Every document a stand-in rendered, last last: tests read what the renderers were given (the verify URL).
RENDERED: list[ReportDocument] = []


def _section_text(table: ReportTable, unit_name: str) -> str:
    return (
        f"Trong kỳ báo cáo, {unit_name} đã thực hiện {table.value('inspections')} cuộc kiểm tra.\n\n"
        f"Đã kiểm tra {table.value('inspected')} cơ sở."
    )


def _document_rows(table: ReportTable, unit_ids: list[int] | None = None) -> tuple[TableRow, ...]:
    units = unit_ids if unit_ids is not None else [uid for uid, _name in table.units]
    rows = []
    for row in REPORT_ROWS:
        if row.code is None:
            rows.append(TableRow(row.label, 0))
            continue
        values = tuple(table.value(row.code, uid) for uid in units)
        if unit_ids is None:
            values += (table.value(row.code),)
        rows.append(TableRow(row.label, row.level, values, row.code))
    return tuple(rows)


def _lines(doc: ReportDocument) -> list[str]:
    RENDERED.append(doc)
    lines = [doc.issuer, f"Số: {doc.number}", doc.title, doc.subtitle, doc.opening, doc.section_heading]
    lines += doc.section_text.split("\n")
    lines += [f"{row.label}: {', '.join(map(str, row.values))}" for row in doc.rows]
    lines += [f"{row.label}: {row.value} (nhập tay)" for row in doc.typed_rows]
    lines += [doc.closing, *doc.recipients, doc.signer_name, doc.verify_url or ""]
    return lines


def _pdf(doc: ReportDocument) -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    from inspect_app.documents.fonts import register_serif_family

    regular = register_serif_family().regular
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    y = 800
    for line in _lines(doc):
        canvas.setFont(regular, 8)
        canvas.drawString(30, y, line[:150])
        y -= 11
        if y < 40:
            canvas.showPage()
            y = 800
    canvas.save()
    return buffer.getvalue()


def _docx(doc: ReportDocument) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("word/document.xml", (2026, 1, 1, 0, 0, 0)), "\n".join(_lines(doc)))
    return buffer.getvalue()


def _xlsx(doc: ReportDocument) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in doc.rows:
        sheet.append([row.label, *row.values])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _csv(doc: ReportDocument) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in doc.rows:
        writer.writerow([row.label, *row.values])
    return buffer.getvalue()


STAND_INS = {
    ("reports.text", "section_text"): _section_text,
    ("reports.text", "document_rows"): _document_rows,
    ("documents.report_pdf", "render_report_pdf"): _pdf,
    ("documents.report_docx", "render_report_docx"): _docx,
    ("documents.report_tables", "render_report_xlsx"): _xlsx,
    ("documents.report_tables", "render_report_csv"): _csv,
}


@contextmanager
def stand_in_renderers():
    """The stand-ins behind ``reports.rendering`` while the real modules are missing; nothing otherwise."""
    if rendering.available():
        yield False
        return
    real = rendering._load
    rendering._load = lambda module, name: STAND_INS[(module, name)]
    try:
        yield True
    finally:
        rendering._load = real


def calendar_year(day: date) -> tuple[date, date]:
    return date(day.year, 1, 1), date(day.year, 12, 31)


def publish(user, *, period: tuple[date, date], deadline: date, letter_date: date | None = None, **values):
    from inspect_app.reports import service

    data = {
        "letter_number": "3078/SKHCN-TĐC",
        "letter_date": letter_date or period[0],
        "subject": "đề nghị báo cáo kết quả thực hiện Kế hoạch số 40/KH-UBND ngày 09/9/2025 của UBND tỉnh",
        "plan": "Kế hoạch số 40/KH-UBND ngày 09/9/2025 của UBND tỉnh Quảng Ngãi",
        "period_from": period[0],
        "period_to": period[1],
        "deadline": deadline,
    }
    data.update(values)
    return service.publish_request(data, user)


def ready_to_send(report, user, number: str = "15/BC-UBND"):
    """The draft with what sending needs (number, date, signer, text)."""
    from inspect_app.reports import service

    return service.update_report(
        report,
        {
            "version": report.version,
            "number": number,
            "issued_on": report.letter_date or report.period_from,
            "signer_name": "Nguyễn Văn Sinh",
            "section_text": report.section_text or "Kết quả kiểm tra trong kỳ.",
            "typed_rows": [{"label": "Kinh phí bố trí (đồng)", "value": "15.000.000"}],
        },
        user,
    )


def this_years_request(publisher, **values):
    """A request of the publisher's province for this calendar year, due in ten days."""
    from inspect_app.domain.time import today_vn

    today = today_vn()
    return publish(publisher, period=calendar_year(today), deadline=today + timedelta(days=10), **values)


def ready_draft(request, clerk, number: str = "15/BC-UBND"):
    """The clerk's commune's report to the request, started and filled in as sending needs."""
    from inspect_app.reports import service

    report, _ = service.start_report(request, clerk)
    return ready_to_send(report, clerk, number)


def make_sent_report(request, clerk, number: str = "15/BC-UBND"):
    """The clerk's commune's report to the request, sent (needs renderers: the real ones or
    ``stand_in_renderers``)."""
    from inspect_app.reports import service

    return service.send_report(ready_draft(request, clerk, number), clerk)
