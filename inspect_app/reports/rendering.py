"""The one door from the reports feature to the report's text and its renderers, which are written apart from it:

- ``reports.text.section_text(table, unit_name) -> str``: the section 2.5 as prose, the figures woven in;
- ``reports.text.document_rows(table, unit_ids=None)``: the table's rows (``document.TableRow``, one value per
  column) for a ``ReportDocument``;
- ``documents.report_pdf.render_report_pdf(doc)``, ``documents.report_docx.render_report_docx(doc)``,
  ``documents.report_tables.render_report_xlsx(doc)`` and ``render_report_csv(doc)``: the bytes of each file.

They are imported when first used. Until a module is in the tree the feature still runs: a new report's text starts
empty, and what needs a file (a download of a draft, sending) raises ``RenderersMissing``, which the views answer
with a Vietnamese message (503), never a file made some other way.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from .document import ReportDocument, TableRow
from .figures import ReportTable

__all__ = ["RENDERERS", "RenderersMissing", "available", "document_rows", "render", "section_text"]

# Format → (module under inspect_app, function): the renderer of each file a report has.
RENDERERS = {
    "docx": ("documents.report_docx", "render_report_docx"),
    "pdf": ("documents.report_pdf", "render_report_pdf"),
    "xlsx": ("documents.report_tables", "render_report_xlsx"),
    "csv": ("documents.report_tables", "render_report_csv"),
}
TEXT = "reports.text"


class RenderersMissing(RuntimeError):
    """A module the report's documents need is not installed in this tree yet."""

    message = "Chưa tạo được văn bản báo cáo: mẫu văn bản (Word, PDF, Excel) chưa được cài đặt trên máy chủ."


def _load(module: str, name: str) -> Callable:
    try:
        loaded = importlib.import_module(f"inspect_app.{module}")
    except ModuleNotFoundError as error:
        # Only this tree's own module being absent is "not there yet"; a missing library is a real fault.
        if error.name and f"inspect_app.{module}".startswith(error.name):
            raise RenderersMissing(f"inspect_app.{module}") from error
        raise
    function = getattr(loaded, name, None)
    if function is None:
        raise RenderersMissing(f"inspect_app.{module}.{name}")
    return function


def available() -> bool:
    """Whether the text and every renderer can be loaded."""
    try:
        _load(TEXT, "section_text")
        _load(TEXT, "document_rows")
        for module, name in RENDERERS.values():
            _load(module, name)
    except RenderersMissing:
        return False
    return True


def section_text(table: ReportTable, unit_name: str) -> str:
    """The section's prose for a commune, or "" while the text module is not there (the staff write it)."""
    try:
        write = _load(TEXT, "section_text")
    except RenderersMissing:
        return ""
    return write(table, unit_name)


def document_rows(table: ReportTable, unit_ids: list[int] | None = None) -> tuple[TableRow, ...]:
    return tuple(_load(TEXT, "document_rows")(table, unit_ids))


def render(fmt: str, document: ReportDocument) -> bytes:
    module, name = RENDERERS[fmt]
    content = _load(module, name)(document)
    if isinstance(content, str):
        # Text with a byte-order mark, as the app's other CSV files, so Excel reads Vietnamese right.
        return content.encode("utf-8-sig")
    return bytes(content)
