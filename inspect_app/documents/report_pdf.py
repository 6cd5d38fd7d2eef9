"""The yearly report as an A4 PDF in the NĐ 30/2020 layout, with the biên bản's fonts, header and QR code.

From the top: the official header, "BÁO CÁO" and its subtitle, the opening sentence, the section's heading and text;
the figures table (its head repeated on every page; "trong đó" rows indented; a roll-up's table on landscape pages,
``report_layout``); the typed-in rows, each marked "(số liệu nhập tay)"; the closing sentence; "Nơi nhận" beside the
signature block; then the appendix. Page numbers from page 2; the QR code of ``verify_url`` on every page when set.
The same document always gives the same bytes.
"""

from __future__ import annotations

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    Paragraph,
    Spacer,
)

from ..reports.document import ReportDocument, TableRow
from .fonts import register_serif_family
from .official_pdf.blocks import Columns, Rule, official_header, recipients_and_signature
from .official_pdf.grid import GridParts, plain_cell, table_section
from .official_pdf.pages import LANDSCAPE, PORTRAIT, build_pdf, draw_page_number, draw_verification
from .official_pdf.styles import PAGE_HEIGHT, PAGE_WIDTH, TEXT_WIDTH, Styles, markup, para, styles_for
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
    document_line,
    figure_tables,
    issuer_lines,
    number_text,
    paragraphs,
    place_date,
    wide,
)

__all__ = ["render_report_pdf"]

WIDE_TEXT_WIDTH = TEXT_WIDTH + PAGE_HEIGHT - PAGE_WIDTH  # the text column of a landscape page, same margins
LEVEL_INDENT = 6 * mm  # a "trong đó" row's label


def _row_cells(row: TableRow, columns: range, label_w: float, value_w: float, st: Styles) -> list[object]:
    indent = LEVEL_INDENT if row.level >= 2 else 0
    label = plain_cell(row.label, label_w - indent, st, align="LEFT")
    return [label, *(plain_cell(count(row.values[c]), value_w, st) for c in columns)]


def figures_table(doc: ReportDocument, columns: range, width: float, st: Styles) -> GridParts:
    """The figures in the value columns ``columns``, on a text column ``width`` wide: "Nội dung" first, every value
    column as wide as the widest that fits (at most 30 mm), headings across the whole row."""
    n = len(columns)
    widths = column_widths(width, n, mm)
    label_w, value_w = widths[0], widths[-1]
    head = [plain_cell(LABEL_HEADER, label_w, st, font="bold")]
    head += [plain_cell(doc.columns[c], value_w, st, font="bold") for c in columns]
    rows: list[list[object]] = [head]
    extra: list[tuple] = []
    for row in doc.rows:
        r = len(rows)
        if not row.values:
            rows.append([plain_cell(row.label, width, st, font="bold", align="LEFT"), *([""] * n)])
            extra.append(("SPAN", (0, r), (-1, r)))
            continue
        rows.append(_row_cells(row, columns, label_w, value_w, st))
        if row.level >= 2:
            extra.append(("LEFTPADDING", (0, r), (0, r), 3 + LEVEL_INDENT))
    return rows, widths, extra


def _table(doc: ReportDocument, st: Styles) -> list[Flowable]:
    if not wide(doc):
        ((caption, columns),) = figure_tables(doc)
        return table_section(caption, figures_table(doc, columns, TEXT_WIDTH, st), st)
    out: list[Flowable] = [NextPageTemplate(LANDSCAPE), PageBreak()]
    for caption, columns in figure_tables(doc):
        out.extend(table_section(caption, figures_table(doc, columns, WIDE_TEXT_WIDTH, st), st))
        out.append(Spacer(1, 4 * mm))
    out += [NextPageTemplate(PORTRAIT), PageBreak()]
    return out


def _typed_rows(doc: ReportDocument, st: Styles) -> list[Flowable]:
    if not doc.typed_rows:
        return []
    widths = [TEXT_WIDTH - 60 * mm, 60 * mm]
    rows: list[list[object]] = [
        [
            plain_cell(LABEL_HEADER, widths[0], st, font="bold"),
            plain_cell("Số liệu", widths[1], st, font="bold"),
        ]
    ]
    for typed in doc.typed_rows:
        label = Paragraph(f"{markup(typed.label)} <i>{markup(TYPED_MARK)}</i>", st.cell)
        rows.append([label, Paragraph(markup(typed.value), st.cell_center)])
    return table_section(TYPED_HEADER, (rows, widths, []), st)


def _signatures(doc: ReportDocument, st: Styles) -> Flowable:
    """ "Nơi nhận" on the left (none when the report lists no recipient), the signature block on the right."""
    return recipients_and_signature(
        doc.recipients or None, doc.signer_title.splitlines(), doc.signer_name, st
    )


def _appendix(doc: ReportDocument, st: Styles) -> list[Flowable]:
    if not doc.appendix:
        return []
    record = ParagraphStyle("record", parent=st.cell, leftIndent=5 * mm, spaceAfter=1)
    more = ParagraphStyle("more", parent=record, fontName=st.fonts.italic)
    out: list[Flowable] = [
        PageBreak(),
        para(APPENDIX_TITLE, st.title),
        para(APPENDIX_NAME, st.subtitle),
        para(appendix_subtitle(doc), ParagraphStyle("appendix_of", parent=st.place_date, spaceAfter=8)),
    ]
    for index, section in enumerate(doc.appendix, start=1):
        out += [CondPageBreak(20 * mm), para(appendix_heading(index, section), st.heading)]
        out += [para(f"– {line}", record) for line in section.records]
        if section.truncated:
            out.append(para(appendix_more(section), more))
    return out


def report_story(doc: ReportDocument, st: Styles) -> list[Flowable]:
    s: list[Flowable] = official_header(issuer_lines(doc), number_text(doc), place_date(doc), st)
    s += [para(doc.title, st.title), para(doc.subtitle, st.subtitle)]
    s.append(Columns([(0, TEXT_WIDTH, [Rule(35 * mm, before=0, after=8)])]))
    if doc.opening:
        s.append(para(doc.opening, st.body_indent))
    s += [CondPageBreak(32 * mm), para(doc.section_heading, st.heading)]
    s += [para(text, st.body_indent) for text in paragraphs(doc.section_text)]
    s += _table(doc, st)
    s += _typed_rows(doc, st)
    closing: list[Flowable] = [para(doc.closing, st.body_indent)] if doc.closing else []
    s.append(KeepTogether([*closing, Spacer(1, 4 * mm), _signatures(doc, st)]))
    s += _appendix(doc, st)
    return s


def render_report_pdf(doc: ReportDocument) -> bytes:
    """The report as PDF bytes; the same document always gives the same bytes."""
    fonts = register_serif_family()
    st = styles_for(fonts)
    line = document_line(doc)

    def decorate(c: Canvas, _index: int, page: int, _total: int) -> None:
        c.saveState()
        if page > 1:
            draw_page_number(c, fonts, str(page))
        if doc.verify_url:
            draw_verification(c, fonts, doc.verify_url, line)
        c.restoreState()

    return build_pdf(
        report_story(doc, st),
        fonts,
        decorate,
        doc.issued_on,
        title=f"{doc.title} {number_text(doc).strip()}: {doc.subtitle}",
        author=" ".join(issuer_lines(doc)),
        subject=doc.section_heading,
    )
