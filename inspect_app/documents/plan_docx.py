"""The yearly inspection plan as a Word document (DOCX) in the NĐ 30/2020 layout, in the yearly report's template
(A4, margins, page numbers from page 2, Times New Roman styles) and with its table helpers: the same content as the
PDF (``plans.content``), for staff who finish the plan in Word. The same document always gives the same bytes."""

from __future__ import annotations

import io
from datetime import datetime

from docx import Document
from docx.shared import Mm

from ..plans.content import Grid, Heading, PlanDocument, Text
from .report_docx import (
    TEXT_WIDTH,
    _add,
    _add_row,
    _cell_text,
    _grid,
    _keep_rows_whole,
    _rule,
    official_header,
    recipients_and_signature,
)
from .report_docx_template import TEMPLATE, normalised_zip
from .vn_format import vn_place_date

__all__ = ["render_plan_docx"]


def _table(document, grid: Grid) -> None:
    widths = [int(TEXT_WIDTH * share) for share in grid.shares]
    table = _grid(document, grid.header, widths)
    for row in grid.rows:
        for cell, text in zip(_add_row(table, widths), row, strict=True):
            _cell_text(cell, text)
    _keep_rows_whole(table)


def render_plan_docx(doc: PlanDocument) -> bytes:
    document = Document(str(TEMPLATE))
    official_header(document, list(doc.issuer), doc.number, vn_place_date(doc.place, doc.issued_on))
    _add(document, doc.title, "Report Title")
    _add(document, doc.subtitle, "Report Subtitle")
    if doc.draft:
        _add(document, "(Dự thảo)", "Report Subtitle", bold=False, italic=True)
    _rule(document, Mm(35), TEXT_WIDTH)
    for block in doc.blocks:
        if isinstance(block, Heading):
            _add(document, block.text, "Report Heading")
        elif isinstance(block, Text):
            _add(document, block.text, "Report Body")
        else:
            _table(document, block)
    recipients_and_signature(document, doc.recipients, doc.signer_title, doc.signer_name)
    title = _add(document, doc.annex_title, "Report Title")
    title.paragraph_format.page_break_before = True
    for line in doc.annex_subtitle.splitlines():
        _add(document, line, "Report Subtitle")
    _table(document, doc.annex)
    when = datetime(doc.issued_on.year, doc.issued_on.month, doc.issued_on.day)
    core = document.core_properties
    core.title = f"{doc.title}: {doc.subtitle}"
    core.author = core.last_modified_by = " ".join(doc.issuer)
    core.created = core.modified = when
    buffer = io.BytesIO()
    document.save(buffer)
    return normalised_zip(buffer.getvalue(), when)
