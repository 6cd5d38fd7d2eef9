"""The yearly inspection plan as an A4 PDF in the NĐ 30/2020 layout, with the biên bản's fonts and header: "KẾ
HOẠCH" and its title line, the legal basis, sections I-V with their tables, "Nơi nhận" beside the signature, then
the annex of premises on its own page. Page numbers from page 2. The same document always gives the same bytes."""

from __future__ import annotations

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Spacer, Table

from ..plans.content import Grid, Heading, PlanDocument, Text
from .fonts import register_serif_family
from .official_pdf.blocks import Columns, Rule, official_header, recipients_and_signature
from .official_pdf.grid import grid_style, plain_cell, plain_cell_styles
from .official_pdf.pages import build_pdf, draw_page_number
from .official_pdf.styles import TEXT_WIDTH, Styles, para, styles_for
from .vn_format import vn_place_date

__all__ = ["render_plan_pdf"]


def _grid(grid: Grid, st: Styles) -> Table:
    widths = [share * TEXT_WIDTH for share in grid.shares]
    rows: list[list[object]] = [
        [plain_cell(h, w, st, font="bold") for h, w in zip(grid.header, widths, strict=True)]
    ]
    for row in grid.rows:
        rows.append(
            [
                plain_cell(cell, w, st, align="CENTER" if i == 0 and len(grid.shares) > 3 else "LEFT")
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            ]
        )
    if not grid.rows:
        rows.append([plain_cell("(chưa có)", widths[0], st), *([""] * (len(widths) - 1))])
    return Table(rows, colWidths=widths, repeatRows=1, style=grid_style(plain_cell_styles(rows, st)))


def _signatures(doc: PlanDocument, st: Styles) -> Flowable:
    return recipients_and_signature(doc.recipients, doc.signer_title, doc.signer_name or " ", st)


def plan_story(doc: PlanDocument, st: Styles) -> list[Flowable]:
    s: list[Flowable] = official_header(doc.issuer, doc.number, vn_place_date(doc.place, doc.issued_on), st)
    s += [para(doc.title, st.title), para(doc.subtitle, st.subtitle)]
    if doc.draft:
        s.append(para("(Dự thảo)", ParagraphStyle("draft", parent=st.place_date, spaceAfter=4)))
    s.append(Columns([(0, TEXT_WIDTH, [Rule(35 * mm, before=0, after=8)])]))
    for block in doc.blocks:
        if isinstance(block, Heading):
            s.append(para(block.text, st.heading))
        elif isinstance(block, Text):
            s.append(para(block.text, st.body_indent if block.indent else st.body))
        else:
            s += [_grid(block, st), Spacer(1, 4)]
    s.append(KeepTogether([Spacer(1, 4 * mm), _signatures(doc, st)]))
    s += [PageBreak(), para(doc.annex_title, st.title)]
    s += [para(line, st.subtitle) for line in doc.annex_subtitle.splitlines()]
    s.append(_grid(doc.annex, st))
    return s


def render_plan_pdf(doc: PlanDocument) -> bytes:
    fonts = register_serif_family()
    st = styles_for(fonts)

    def decorate(c: Canvas, _index: int, page: int, _total: int) -> None:
        if page > 1:
            c.saveState()
            draw_page_number(c, fonts, str(page))
            c.restoreState()

    return build_pdf(
        plan_story(doc, st),
        fonts,
        decorate,
        doc.issued_on,
        title=f"{doc.title}: {doc.subtitle}",
        author=" ".join(doc.issuer),
        subject=doc.subtitle,
    )
