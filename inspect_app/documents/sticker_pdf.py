"""The QR sticker of a stall's public page: an A4 sheet of identical stickers to cut out, in the biên bản's fonts.
Plain content in, PDF bytes out; nothing here knows about the database."""

from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from .fonts import register_serif_family
from .official_pdf.styles import nfc
from .qr import draw_qr

__all__ = ["StickerContent", "render_sticker_sheet"]

COLUMNS, ROWS = 2, 4
MARGIN = 12 * mm
QR_SIZE = 38 * mm


@dataclass(frozen=True)
class StickerContent:
    committee: str  # "UBND PHƯỜNG ĐỨC PHỔ"
    premise_name: str
    place: str  # "Chợ Đức Phổ, sạp A01" or the address
    url: str  # what the QR opens


def _fit(canvas: Canvas, text: str, font: str, size: float, width: float) -> tuple[str, float]:
    """The text at ``size`` or smaller (down to 7 pt), cut with "…" if it still does not fit."""
    while size > 7 and canvas.stringWidth(text, font, size) > width:
        size -= 0.5
    while canvas.stringWidth(text, font, size) > width and len(text) > 1:
        text = text[:-2] + "…"
    return text, size


def render_sticker_sheet(content: StickerContent) -> bytes:
    fonts = register_serif_family()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    canvas.setTitle(nfc(f"Tem mã QR — {content.premise_name}"))
    page_width, page_height = A4
    cell_w = (page_width - 2 * MARGIN) / COLUMNS
    cell_h = (page_height - 2 * MARGIN) / ROWS
    for row in range(ROWS):
        for column in range(COLUMNS):
            x = MARGIN + column * cell_w
            y = page_height - MARGIN - (row + 1) * cell_h
            canvas.setDash(2, 3)
            canvas.setLineWidth(0.4)
            canvas.rect(x, y, cell_w, cell_h, stroke=1, fill=0)
            canvas.setDash()
            inner = cell_w - 8 * mm
            cx = x + cell_w / 2
            top = y + cell_h - 8 * mm
            for text, font, size in (
                (content.committee, fonts.bold, 9),
                (content.premise_name, fonts.bold, 12),
                (content.place, fonts.regular, 9),
            ):
                text, size = _fit(canvas, nfc(text), font, size, inner)
                canvas.setFont(font, size)
                canvas.drawCentredString(cx, top, text)
                top -= size + 3
            draw_qr(canvas, content.url, cx - QR_SIZE / 2, y + 12 * mm, QR_SIZE)
            canvas.setFont(fonts.italic, 8)
            canvas.drawCentredString(cx, y + 7 * mm, nfc("Quét mã để xem kết quả kiểm tra và gửi phản ánh"))
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
