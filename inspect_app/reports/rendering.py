"""The one door from the reports feature to the report's text and its renderers:

- ``reports.text.section_text(table, unit_name) -> str``: the section 2.5 as prose, the figures woven in;
- ``reports.text.document_rows(table, unit_ids=None)``: the table's rows (``document.TableRow``, one value per
  column) for a ``ReportDocument``;
- ``documents.report_pdf.render_report_pdf(doc)``, ``documents.report_docx.render_report_docx(doc)``,
  ``documents.report_tables.render_report_xlsx(doc)``, ``render_report_csv(doc)`` and ``render_appendix_csv(doc)``:
  the bytes of each file.
"""

from __future__ import annotations

from collections.abc import Callable

from ..documents.report_docx import render_report_docx
from ..documents.report_pdf import render_report_pdf
from ..documents.report_tables import render_appendix_csv, render_report_csv, render_report_xlsx
from . import text
from .document import ReportDocument, TableRow
from .figures import ReportTable

__all__ = [
    "RENDERERS",
    "PlanResult",
    "document_columns",
    "document_rows",
    "plan_paragraph",
    "render",
    "section_text",
]

# Format → the renderer of each file a report has.
RENDERERS: dict[str, Callable[[ReportDocument], bytes | str]] = {
    "docx": render_report_docx,
    "pdf": render_report_pdf,
    "xlsx": render_report_xlsx,
    "csv": render_report_csv,
    "acsv": render_appendix_csv,
}


PlanResult = text.PlanResult


def plan_paragraph(table: ReportTable, plan: text.PlanResult) -> str:
    """The paragraph comparing the commune's yearly plan with the period's figures."""
    return text.plan_paragraph(table, plan)


def section_text(table: ReportTable, unit_name: str) -> str:
    """The section's prose for a commune, which the staff then edit."""
    return text.section_text(table, unit_name)


def document_rows(table: ReportTable, unit_ids: list[int] | None = None) -> tuple[TableRow, ...]:
    return tuple(text.document_rows(table, unit_ids))


def document_columns(table: ReportTable, unit_ids: list[int] | None = None) -> tuple[str, ...]:
    """The value columns that go with ``document_rows`` for the same arguments."""
    return tuple(text.document_columns(table, unit_ids))


def render(fmt: str, document: ReportDocument) -> bytes:
    content = RENDERERS[fmt](document)
    if isinstance(content, str):
        # Text with a byte-order mark, as the app's other CSV files, so Excel reads Vietnamese right.
        return content.encode("utf-8-sig")
    return bytes(content)
