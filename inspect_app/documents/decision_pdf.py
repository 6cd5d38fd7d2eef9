"""A decision (Quyết định kiểm tra) or a notice (Thông báo) as an A4 PDF in the NĐ 30/2020 layout, with the biên
bản's fonts, header and QR code: header, title and subtitle, the body (Căn cứ …, Điều 1/2/3 or paragraphs), then
"Nơi nhận" beside the signature block. A draft says "DỰ THẢO" across the top and has no QR code. The same document
always gives the same bytes."""

from __future__ import annotations

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from ..decisions.document import OfficialLetter
from .fonts import register_serif_family
from .official_pdf.blocks import Columns, Rule, official_header, recipients_and_signature
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
    return recipients_and_signature(doc.recipients, doc.signer_title.splitlines(), doc.signer_name or " ", st)


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
