"""The yearly report as a Word document (DOCX) in the NĐ 30/2020 layout, filled into the repo's template.

``templates/report.docx`` (built by ``report_docx_template``) brings the A4 page, the margins, the page number from
page 2 and the named styles in Times New Roman; this module fills its empty body with python-docx, in the order of
the PDF: the header (issuing body | national name and motto; number | place and date), the title and subtitle, the
opening, the section's heading and text, the figures table (header row repeated on every page, "trong đó" rows
indented; a roll-up's table in a landscape section, ``report_layout``), the typed-in rows marked "(số liệu nhập
tay)", the closing, "Nơi nhận" beside the signature, then the appendix. The staff paste it into their report in
Word, or edit it there. The same document always gives the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from ..reports.document import ReportDocument
from .official_pdf.styles import NATIONAL_MOTTO, NATIONAL_NAME
from .report_docx_template import TEMPLATE, normalised_zip
from .report_layout import (
    APPENDIX_NAME,
    APPENDIX_TITLE,
    LABEL_HEADER,
    TYPED_HEADER,
    TYPED_MARK,
    appendix_heading,
    appendix_more,
    appendix_subtitle,
    column_widths,
    count,
    figure_tables,
    issuer_lines,
    number_text,
    paragraphs,
    place_date,
    wide,
)

__all__ = ["render_report_docx"]

TEXT_WIDTH = Mm(210 - 45)  # the A4 portrait text column between the 30 mm and 15 mm margins
WIDE_TEXT_WIDTH = Mm(297 - 45)
LEVEL_INDENT = Mm(6)
WIDE_TEXT_SIZE = 10.5  # the text of a roll-up's table, up to 12 communes across a landscape page


def _style_id(name: str) -> str:
    """The id Word files a named style under in the template ("Report Body" → "ReportBody")."""
    return name.replace(" ", "")


def _add(
    container, text: str, style: str, *, bold: bool | None = None, italic: bool | None = None, size=None
):
    """A paragraph of ``style`` holding ``text`` in one run (its bold, italic and size when given); in a table cell
    still empty, the cell's own first paragraph. The style goes in by its id (python-docx's lookup by name scans
    every style each time: most of the time of a large table)."""
    cell_paragraphs = container.paragraphs if hasattr(container, "_tc") else []
    if len(cell_paragraphs) == 1 and not cell_paragraphs[0].runs:
        paragraph = cell_paragraphs[0]
    else:
        paragraph = container.add_paragraph()
    paragraph._p.get_or_add_pPr().style = _style_id(style)
    if text:
        run = paragraph.add_run(text)
        run.bold, run.italic = bold, italic
        if size is not None:
            run.font.size = Pt(size)
    return paragraph


def _rule(container, width, column_width) -> None:
    """A short centred line (a bottom border on an empty paragraph indented to ``width``), as under the issuing
    body's name, the motto and the subtitle."""
    paragraph = container.add_paragraph(style="Report Header")
    side = max((column_width - width) // 2, 0)
    fmt = paragraph.paragraph_format
    fmt.left_indent = fmt.right_indent = side
    fmt.space_after = Pt(6)
    run_properties = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "8")
    run_properties.append(size)
    paragraph._p.get_or_add_pPr().append(run_properties)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "000000")):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().insert_element_before(
        borders, "w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc", "w:rPr"
    )


def _column_widths(table, widths: Sequence[int]) -> None:
    """The table grid's widths (what LibreOffice lays out by) and the first row's cells' (what Word does)."""
    for column, cell, width in zip(table.columns, table.rows[0].cells, widths, strict=True):
        column.width = width
        cell.width = width


def _plain_table(document, widths: Sequence[int]):
    """A table without borders, its columns ``widths`` wide (layout fixed, so Word keeps them)."""
    table = document.add_table(rows=1, cols=len(widths))
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _column_widths(table, widths)
    return table


def official_header(document, issuer: list[str], number: str, place_date_text: str) -> None:
    """The NĐ 30/2020 header as a borderless table: the issuing body's lines (the last bold, a short rule under it)
    beside the national name and motto, then "Số: …" beside the place and date in italics."""
    left_w = int(TEXT_WIDTH * 0.36)
    right_w = TEXT_WIDTH - left_w
    table = _plain_table(document, (left_w, right_w))
    left, right = table.rows[0].cells
    lines = [line.upper() for line in issuer] or [""]
    for line in lines[:-1]:
        _add(left, line, "Report Header")
    _add(left, lines[-1], "Report Header", bold=True)
    _rule(left, Mm(22), left_w)
    _add(right, NATIONAL_NAME, "Report Header", bold=True, size=12)
    _add(right, NATIONAL_MOTTO, "Report Header", bold=True, size=14)
    _rule(right, Mm(58), right_w)
    row = table.add_row().cells
    _add(row[0], f"Số: {number}", "Report Header")
    _add(row[1], place_date_text, "Report Header", italic=True, size=14)


def _repeat_header_row(row) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _keep_rows_whole(table) -> None:
    for row in table.rows:
        properties = row._tr.get_or_add_trPr()
        properties.append(OxmlElement("w:cantSplit"))


def _cell_text(cell, text: str, *, bold=False, italic=False, align="left", indent=None, size=None) -> None:
    paragraph = _add(cell, text, "Report Table Text", bold=bold or None, italic=italic or None, size=size)
    paragraph.alignment = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER}[align]
    if indent is not None:
        paragraph.paragraph_format.left_indent = indent


def _cell_margins(table, twips: int) -> None:
    """The left and right padding of every cell (Word's default is 108 twips, 1.9 mm)."""
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(twips))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    table._tbl.tblPr.append(margins)


def _grid(document, headers: Sequence[str], widths: Sequence[int], size=None):
    """A bordered table with its header row (bold, centred, repeated on every page); ``size`` its text's."""
    table = document.add_table(rows=1, cols=len(widths))
    table.style = document.styles["Table Grid"]
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _cell_margins(table, 60)  # 3 pt, as the PDF's cells
    _column_widths(table, widths)
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        _cell_text(cell, text, bold=True, align="center", size=size)
    _repeat_header_row(table.rows[0])
    return table


def _add_row(table, widths: Sequence[int]):
    cells = table.add_row().cells
    for cell, width in zip(cells, widths, strict=True):
        cell.width = width
    return cells


def _figures(document, doc: ReportDocument, columns: range, width: int) -> None:
    widths = [int(w) for w in column_widths(width, len(columns), Mm(1))]
    size = WIDE_TEXT_SIZE if wide(doc) else None
    table = _grid(document, (LABEL_HEADER, *(doc.columns[c] for c in columns)), widths, size)
    for row in doc.rows:
        cells = _add_row(table, widths)
        if not row.values:
            merged = cells[0].merge(cells[-1])
            _cell_text(merged, row.label, bold=True, size=size)
            continue
        _cell_text(cells[0], row.label, indent=LEVEL_INDENT if row.level >= 2 else None, size=size)
        for cell, c in zip(cells[1:], columns, strict=True):
            _cell_text(cell, count(row.values[c]), align="center", size=size)
    _keep_rows_whole(table)


def _page_section(document, landscape: bool) -> None:
    """A new section from the next page, landscape or portrait, with the template's margins and page numbers."""
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.different_first_page_header_footer = False  # the number goes on every page after the first
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))


def _table(document, doc: ReportDocument) -> None:
    if wide(doc):
        _page_section(document, landscape=True)
    for caption, columns in figure_tables(doc):
        _add(document, caption, "Report Caption")
        _figures(document, doc, columns, WIDE_TEXT_WIDTH if wide(doc) else TEXT_WIDTH)
    if wide(doc):
        _page_section(document, landscape=False)


def _typed_rows(document, doc: ReportDocument) -> None:
    if not doc.typed_rows:
        return
    _add(document, TYPED_HEADER, "Report Caption")
    widths = (TEXT_WIDTH - Mm(60), Mm(60))
    table = _grid(document, (LABEL_HEADER, "Số liệu"), widths)
    for typed in doc.typed_rows:
        label, value = _add_row(table, widths)
        paragraph = _add(label, typed.label, "Report Table Text")
        paragraph.add_run(f" {TYPED_MARK}").italic = True
        _cell_text(value, typed.value, align="center")
    _keep_rows_whole(table)


def recipients_and_signature(
    document, recipients: Sequence[str] | None, signer_titles: Sequence[str], signer_name: str
) -> None:
    """ "Nơi nhận" (nothing for None) beside the signature block: the titles, room to sign and seal, the name."""
    left_w = int(TEXT_WIDTH * 0.45)
    table = _plain_table(document, (left_w, TEXT_WIDTH - left_w))
    left, right = table.rows[0].cells
    if recipients is not None:
        _add(left, "Nơi nhận:", "Report Recipients", bold=True, italic=True, size=12)
        for line in recipients:
            _add(left, f"- {line}", "Report Recipients")
    else:
        _add(left, "", "Report Recipients")
    for line in signer_titles or [""]:
        _add(right, line, "Report Signature")
    for _ in range(4):  # the space for the signature and the seal
        _add(right, "", "Report Signature")
    _add(right, signer_name, "Report Signature")


def _appendix(document, doc: ReportDocument) -> None:
    if not doc.appendix:
        return
    title = _add(document, APPENDIX_TITLE, "Report Title")
    title.paragraph_format.page_break_before = True
    _add(document, APPENDIX_NAME, "Report Subtitle")
    subtitle = _add(document, appendix_subtitle(doc), "Report Subtitle", bold=False, italic=True)
    subtitle.paragraph_format.space_after = Pt(8)
    for index, section in enumerate(doc.appendix, start=1):
        _add(document, appendix_heading(index, section), "Report Caption")
        for record in section.records:
            _add(document, f"– {record}", "Report Appendix")
        if section.truncated:
            _add(document, appendix_more(section), "Report Appendix", italic=True)


def render_report_docx(doc: ReportDocument) -> bytes:
    """The report as DOCX bytes; the same document always gives the same bytes."""
    document = Document(str(TEMPLATE))
    official_header(document, list(issuer_lines(doc)), number_text(doc), place_date(doc))
    _add(document, doc.title, "Report Title")
    _add(document, doc.subtitle, "Report Subtitle")
    _rule(document, Mm(35), TEXT_WIDTH)
    if doc.opening:
        _add(document, doc.opening, "Report Body")
    _add(document, doc.section_heading, "Report Heading")
    for text in paragraphs(doc.section_text):
        _add(document, text, "Report Body")
    _table(document, doc)
    _typed_rows(document, doc)
    if doc.closing:
        closing = _add(document, doc.closing, "Report Body")
        closing.paragraph_format.space_before = Pt(6)
        closing.paragraph_format.keep_with_next = True
    recipients_and_signature(document, doc.recipients or None, doc.signer_title.splitlines(), doc.signer_name)
    _appendix(document, doc)
    when = datetime(doc.issued_on.year, doc.issued_on.month, doc.issued_on.day)
    core = document.core_properties
    core.title = f"{doc.title} {number_text(doc).strip()}: {doc.subtitle}"
    core.subject = doc.section_heading
    core.author = core.last_modified_by = " ".join(issuer_lines(doc))
    core.created = core.modified = when
    buffer = io.BytesIO()
    document.save(buffer)
    return normalised_zip(buffer.getvalue(), when)
