"""The biên bản's page furniture, drawn once the page count of each document is known: page numbers, the QR code
and its caption, the superseded note and the "BẢN SAO" stamp of a reprint."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from ..fonts import FontFamily
from ..official_pdf.pages import Decorate, draw_page_number, draw_verification
from ..official_pdf.styles import (
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    QR_NOTE_Y,
    TEXT_WIDTH,
    nfc,
)
from ..vn_format import vn_short_date

COPY_MARK = "BẢN SAO"
PREVIEW_MARK = "BẢN XEM TRƯỚC"
PREVIEW_WATERMARK = "BẢN XEM TRƯỚC — chưa có giá trị"


@dataclass(frozen=True)
class Decor:
    """What one document prints around the text of each of its pages."""

    verify_url: str
    number_text: str
    issued_on: date
    copy_mark: bool
    superseded_note: str | None
    preview: bool = False


def decorator(decor: Sequence[Decor], fonts: FontFamily) -> Decorate:
    """What a batch of biên bản prints around each page: ``decor[index]`` for document ``index``'s pages."""

    def decorate(c: Canvas, index: int, page: int, total: int) -> None:
        _decorate(c, decor[index], fonts, page, total)

    return decorate


def _decorate(c: Canvas, d: Decor, fonts: FontFamily, page: int, total: int) -> None:
    c.saveState()
    if page > 1:
        draw_page_number(c, fonts, f"Trang {page}/{total}")
    if d.preview:
        draw_copy_mark(c, fonts, PREVIEW_MARK, PREVIEW_WATERMARK)
    else:
        draw_verification(
            c, fonts, d.verify_url, f"Biên bản kiểm tra số {d.number_text} ngày {vn_short_date(d.issued_on)}"
        )
    if d.superseded_note:
        c.setFont(fonts.bold_italic, 8.5)
        note = nfc(d.superseded_note)
        max_w = TEXT_WIDTH
        while stringWidth(note, fonts.bold_italic, 8.5) > max_w and len(note) > 4:
            note = note[:-2].rstrip() + "…"
        c.drawString(MARGIN_LEFT, QR_NOTE_Y, note)
    if d.copy_mark:
        draw_copy_mark(c, fonts)
    c.restoreState()


def draw_copy_mark(c: Canvas, fonts: FontFamily, mark: str = COPY_MARK, watermark: str = COPY_MARK) -> None:
    """The "BẢN SAO" stamp in the top-right margin and a light diagonal watermark, on a reprint's every page (or
    another ``mark`` and ``watermark``: a preview's)."""
    c.saveState()
    # A stamp in the top-right margin.
    size = 14
    w = stringWidth(mark, fonts.bold, size) + 6 * mm
    h = 8 * mm
    x = PAGE_WIDTH - MARGIN_RIGHT - w
    y = PAGE_HEIGHT - MARGIN_TOP / 2 - h / 2
    c.setStrokeColor(colors.HexColor("#b00000"))
    c.setFillColor(colors.HexColor("#b00000"))
    c.setLineWidth(1.4)
    c.rect(x, y, w, h, stroke=1, fill=0)
    c.setFont(fonts.bold, size)
    c.drawCentredString(x + w / 2, y + (h - size * 0.7) / 2, mark)
    # And a light diagonal watermark across the page.
    text = nfc(watermark)
    c.setFillColor(colors.HexColor("#b00000"))
    c.setFillAlpha(0.10)
    diag = (PAGE_WIDTH**2 + PAGE_HEIGHT**2) ** 0.5 * 0.62
    size = min(96.0, diag / max(stringWidth(text, fonts.bold, 1), 1))
    c.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    c.rotate(54.7)
    c.setFont(fonts.bold, size)
    c.drawCentredString(0, -size * 0.35, text)
    c.restoreState()
