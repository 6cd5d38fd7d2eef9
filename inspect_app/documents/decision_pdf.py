"""A decision (Quyết định kiểm tra) or a notice (Thông báo) as an A4 PDF in the NĐ 30/2020 layout, with the biên
bản's fonts, header and QR code: header, title and subtitle, the body (Căn cứ …, Điều 1/2/3 or paragraphs), then
"Nơi nhận" beside the signature block. A draft says "DỰ THẢO" across the top and has no QR code. The same document
always gives the same bytes."""

from __future__ import annotations

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from ..decisions.document import OfficialLetter
from .fonts import register_serif_family
from .official_pdf.blocks import Columns, Gap, Rule, official_header, text_lines
from .official_pdf.pages import build_pdf, draw_page_number, draw_verification
from .official_pdf.styles import TEXT_WIDTH, Styles, markup, para, styles_for
from .vn_format import vn_place_date

__all__ = ["render_letter_pdf"]

DRAFT_MARK = "DỰ THẢO"


def _body(doc: OfficialLetter, st: Styles) -> list[Flowable]:
    basis = ParagraphStyle("basis", parent=st.body_indent, fontName=st.fonts.italic, spaceAfter=3)
    item = ParagraphStyle("item", parent=st.body, leftIndent=10 * mm, spaceAfter=2)
    centre = ParagraphStyle(
        "centre", parent=st.body, fontName=st.fonts.bold, alignment=TA_CENTER, spaceBefore=6
    )
    out: list[Flowable] = []
    for p in doc.body:
        if p.kind == "basis":
            out.append(para(p.text, basis))
        elif p.kind == "article":
            out.append(Paragraph(f"<b>{markup(p.lead)}</b> {markup(p.text)}", st.body_indent))
        elif p.kind == "item":
            out.append(para(p.text, item))
        elif p.kind == "centre":
            out.append(para(p.text, centre))
        else:
            out.append(para(p.text, st.body_indent))
    return out


def _signatures(doc: OfficialLetter, st: Styles) -> Flowable:
    fonts = st.fonts
    left_w = 0.45 * TEXT_WIDTH
    right_w = TEXT_WIDTH - left_w
    recipient = ParagraphStyle("recipient", fontName=fonts.regular, fontSize=11, leading=13)
    recipients: list[Flowable] = [
        Paragraph("<b><i>Nơi nhận:</i></b>", ParagraphStyle("to", parent=recipient, fontSize=12))
    ]
    recipients += [Paragraph(f"- {markup(line)}", recipient) for line in doc.recipients]
    signer = [
        line
        for title in doc.signer_title.splitlines()
        for line in text_lines(title, fonts.bold, 13, 16, right_w - 4)
    ]
    signer += [Gap(25 * mm), *text_lines(doc.signer_name or " ", fonts.bold, 13, 16, right_w - 4)]
    return Table(
        [[recipients, Columns([(0, right_w, signer)], width=right_w)]],
        colWidths=[left_w, right_w],
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        ),
    )


def letter_story(doc: OfficialLetter, st: Styles) -> list[Flowable]:
    s: list[Flowable] = official_header(
        doc.issuer_lines, doc.number_text, vn_place_date(doc.place, doc.issued_on), st
    )
    s += [para(doc.title, st.title), para(doc.subtitle, st.subtitle)]
    s.append(Columns([(0, TEXT_WIDTH, [Rule(35 * mm, before=0, after=8)])]))
    s += _body(doc, st)
    s.append(KeepTogether([Spacer(1, 4 * mm), _signatures(doc, st)]))
    return s


def render_letter_pdf(doc: OfficialLetter) -> bytes:
    """The document as PDF bytes; the same document always gives the same bytes."""
    fonts = register_serif_family()
    st = styles_for(fonts)

    def decorate(c: Canvas, _index: int, page: int, _total: int) -> None:
        c.saveState()
        if page > 1:
            draw_page_number(c, fonts, str(page))
        if doc.draft:
            c.setFont(fonts.bold, 14)
            c.drawString(15 * mm, c._pagesize[1] - 12 * mm, DRAFT_MARK)
        elif doc.verify_url:
            draw_verification(c, fonts, doc.verify_url, doc.document_line)
        c.restoreState()

    return build_pdf(
        letter_story(doc, st),
        fonts,
        decorate,
        doc.issued_on,
        title=f"{doc.title} {doc.number_text}: {doc.subtitle}",
        author=" ".join(doc.issuer_lines),
        subject=doc.subtitle,
    )
