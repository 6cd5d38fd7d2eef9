"""Page geometry, fixed wording, paragraph styles and the text helpers of an official document in the NĐ 30/2020
layout (Phụ lục I): A4 portrait, margins, 13-14 pt serif text; the biên bản and the yearly report use them alike."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph

from ..fonts import FontFamily, covered_code_points


PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_TOP = 20 * mm
MARGIN_BOTTOM = 20 * mm
# NĐ 30/2020 allows 30-35 mm on the left: the widest, so the QR code fits in the margin inside what an office printer
# prints (it leaves up to 10 mm blank at each edge) and is still large enough to read.
MARGIN_LEFT = 35 * mm
MARGIN_RIGHT = 15 * mm
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
# The QR code: 12 mm from the left and bottom edges (2 mm of white beyond a printer's 10 mm border), 2 mm of white to
# the text column. 21 mm holds 33 modules (the compact address of documents.verification, up to about 90 characters)
# at 0.64 mm each: it reads from a 100 dpi scan of a print.
QR_SIZE = 21 * mm
QR_X = 12 * mm
QR_Y = 12 * mm
# The lines under the text column beside the QR code: what it is for, which document, the replacement note.
QR_CAPTION_Y = 14 * mm
QR_LINE_Y = 11 * mm
QR_NOTE_Y = 17 * mm

NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
NATIONAL_MOTTO = "Độc lập - Tự do - Hạnh phúc"
QR_CAPTION = "Quét mã để kiểm tra tính xác thực"


# Parts of an emoji that are not a character of their own (joiners, presentation selectors, skin tones): dropped, so
# one emoji becomes one mark.
_INVISIBLE = frozenset({0x200C, 0x200D, *range(0xFE00, 0xFE10), *range(0x1F3FB, 0x1F400)})
# What a character the font cannot draw becomes (an empty box, as a reader of the print would expect).
MISSING_GLYPH = "\u25a1"


def nfc(text: str) -> str:
    """User text as the document's font can print it.

    Decomposed input (base letter + combining marks) would print detached accents: fonts map precomposed letters, so
    the text is composed (NFC). A character the registered family has no glyph for (an emoji typed in a note) would
    print as an invisible gap; it becomes a visible empty box instead, so the reader sees that something was there.
    """
    text = unicodedata.normalize("NFC", text)
    covered = covered_code_points()
    if covered is None:
        return text
    mark = MISSING_GLYPH if ord(MISSING_GLYPH) in covered else "?"
    return "".join(
        "" if ord(ch) in _INVISIBLE else ch if ord(ch) in covered or ch in "\n\r\t" else mark for ch in text
    )


def markup(text: str) -> str:
    """Escape user text for a Paragraph (which parses XML-like markup) and keep its line breaks."""
    return escape(nfc(text)).replace("\n", "<br/>")


@dataclass(frozen=True)
class Styles:
    fonts: FontFamily
    body: ParagraphStyle
    body_indent: ParagraphStyle
    heading: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    header_left: ParagraphStyle
    header_left_bold: ParagraphStyle
    national: ParagraphStyle
    motto: ParagraphStyle
    place_date: ParagraphStyle
    number: ParagraphStyle
    cell: ParagraphStyle
    cell_center: ParagraphStyle
    cell_head: ParagraphStyle
    cell_small: ParagraphStyle
    note: ParagraphStyle
    sign_title: ParagraphStyle
    sign_hint: ParagraphStyle
    sign_name: ParagraphStyle
    caption: ParagraphStyle
    superseded: ParagraphStyle


_styles_cache: dict[str, Styles] = {}


def styles_for(fonts: FontFamily) -> Styles:
    cached = _styles_cache.get(fonts.family)
    if cached is not None:
        return cached
    r, b, i = fonts.regular, fonts.bold, fonts.italic
    # NĐ 30/2020 Phụ lục I: 13-14 pt text, line spacing from single to 1.5 lines, at least 6 pt between paragraphs,
    # first line indented 1 cm. List-like lines (team members, business details) keep a tighter 3 pt.
    body = ParagraphStyle("body", fontName=r, fontSize=13, leading=15.5, alignment=TA_JUSTIFY, spaceAfter=3)
    national_size = 13 if stringWidth(NATIONAL_NAME, b, 13) <= 0.62 * TEXT_WIDTH - 4 else 12
    cell = ParagraphStyle("cell", fontName=r, fontSize=11, leading=13, alignment=TA_LEFT)
    st = Styles(
        fonts=fonts,
        body=body,
        body_indent=ParagraphStyle("body_indent", parent=body, firstLineIndent=10 * mm, spaceAfter=6),
        heading=ParagraphStyle(
            "heading", parent=body, fontName=b, alignment=TA_LEFT, spaceBefore=6, spaceAfter=3
        ),
        title=ParagraphStyle(
            "title", fontName=b, fontSize=14, leading=17, alignment=TA_CENTER, spaceBefore=16, spaceAfter=2
        ),
        subtitle=ParagraphStyle(
            "subtitle", fontName=b, fontSize=13, leading=16, alignment=TA_CENTER, spaceAfter=10
        ),
        header_left=ParagraphStyle("header_left", fontName=r, fontSize=12.5, leading=15, alignment=TA_CENTER),
        header_left_bold=ParagraphStyle(
            "header_left_bold", fontName=b, fontSize=12.5, leading=15, alignment=TA_CENTER
        ),
        national=ParagraphStyle(
            "national", fontName=b, fontSize=national_size, leading=15, alignment=TA_CENTER
        ),
        motto=ParagraphStyle("motto", fontName=b, fontSize=13, leading=15.5, alignment=TA_CENTER),
        place_date=ParagraphStyle("place_date", fontName=i, fontSize=13, leading=16, alignment=TA_CENTER),
        number=ParagraphStyle("number", fontName=r, fontSize=13, leading=16, alignment=TA_CENTER),
        cell=cell,
        cell_center=ParagraphStyle("cell_center", parent=cell, alignment=TA_CENTER),
        cell_head=ParagraphStyle("cell_head", parent=cell, fontName=b, alignment=TA_CENTER),
        cell_small=ParagraphStyle(
            "cell_small", parent=cell, fontName=i, fontSize=9, leading=10.5, alignment=TA_CENTER
        ),
        note=ParagraphStyle("note", parent=body, fontName=i, fontSize=11, leading=13.5, spaceBefore=2),
        sign_title=ParagraphStyle("sign_title", fontName=b, fontSize=12, leading=14.5, alignment=TA_CENTER),
        sign_hint=ParagraphStyle("sign_hint", fontName=i, fontSize=12, leading=14.5, alignment=TA_CENTER),
        sign_name=ParagraphStyle("sign_name", fontName=b, fontSize=13, leading=16, alignment=TA_CENTER),
        caption=ParagraphStyle("caption", fontName=i, fontSize=11, leading=13, alignment=TA_CENTER),
        superseded=ParagraphStyle(
            "superseded",
            fontName=fonts.bold_italic,
            fontSize=12,
            leading=15,
            alignment=TA_CENTER,
            spaceAfter=8,
        ),
    )
    _styles_cache[fonts.family] = st
    return st


def para(text: str, style: ParagraphStyle) -> Paragraph:
    """A Paragraph of plain user text (no markup; characters like < and & print as they are)."""
    return Paragraph(markup(text), style)


def labelled(label: str, value: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(f"{markup(label)}: {markup(value)}", style)


def break_lines(text: str, font: str, size: float, width: float) -> list[str] | None:
    """Greedy line breaking at spaces (as Paragraph does); None when a single word is wider than ``width``."""
    space = stringWidth(" ", font, size)
    lines: list[str] = []
    current, current_w = "", 0.0
    for word in text.split():
        word_w = stringWidth(word, font, size)
        if word_w > width:
            return None
        if not current:
            current, current_w = word, word_w
        elif current_w + space + word_w <= width:
            current, current_w = f"{current} {word}", current_w + space + word_w
        else:
            lines.append(current)
            current, current_w = word, word_w
    if current:
        lines.append(current)
    return lines
