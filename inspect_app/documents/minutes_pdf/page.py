"""Page furniture drawn once the page count of each document is known (page numbers, QR, status marks), and the
canvas that holds pages back until then."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from .. import reportlab_tuning
from ..fonts import FontFamily
from ..qr import draw_qr
from ..vn_format import vn_short_date
from .styles import (
    COPY_MARK,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    QR_CAPTION,
    QR_SIZE,
    QR_X,
    QR_Y,
    TEXT_WIDTH,
    nfc,
)


class DocStart(Flowable):
    """Zero-size marker: the pages drawn from here on belong to document ``index`` (numbering, QR)."""

    def __init__(self, index: int) -> None:
        super().__init__()
        self.index = index
        self.width = self.height = 0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.canv._minutes_doc_index = self.index  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Decor:
    """What one document prints around the text of each of its pages."""

    verify_url: str
    number_text: str
    issued_on: date
    copy_mark: bool
    superseded_note: str | None


def canvas_maker(decor: Sequence[Decor], fonts: FontFamily, stamp_day: date) -> type[Canvas]:
    class _MinutesCanvas(Canvas):
        def __init__(self, *args: object, **kwargs: object) -> None:
            kwargs["invariant"] = 1
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            # Same bytes whatever the clock says: CreationDate and ModDate are the document's day, midnight in
            # Vietnam (UTC+7); the file ID follows the document too (reportlab_tuning).
            created = f"D:{stamp_day:%Y%m%d}000000+07'00'"
            self.setDateFormatter(lambda *_: created)
            reportlab_tuning.prepare_document(
                self._doc, (fonts.regular, fonts.bold, fonts.italic, fonts.bold_italic), stamp_day
            )
            self._minutes_doc_index = 0
            self._pending: list[tuple[int, dict]] = []

        def showPage(self) -> None:
            self._pending.append((self._minutes_doc_index, dict(self.__dict__)))
            self._startPage()

        def save(self) -> None:
            totals = Counter(index for index, _ in self._pending)
            seen: Counter[int] = Counter()
            pending = self._pending
            for index, state in pending:
                self.__dict__.update(state)
                seen[index] += 1
                _decorate(self, decor[index], fonts, seen[index], totals[index])
                Canvas.showPage(self)
            Canvas.save(self)

    return _MinutesCanvas


def _decorate(c: Canvas, d: Decor, fonts: FontFamily, page: int, total: int) -> None:
    c.saveState()
    if page > 1:
        c.setFont(fonts.regular, 13)
        c.drawCentredString(
            MARGIN_LEFT + TEXT_WIDTH / 2, PAGE_HEIGHT - MARGIN_TOP / 2 - 4.5, f"Trang {page}/{total}"
        )
    draw_qr(c, d.verify_url, QR_X, QR_Y, QR_SIZE)
    c.setFillColor(colors.black)
    c.setFont(fonts.italic, 8)
    c.drawString(MARGIN_LEFT, QR_Y + 7.2 * mm, QR_CAPTION)
    c.setFont(fonts.regular, 8)
    c.drawString(
        MARGIN_LEFT, QR_Y + 4 * mm, f"Biên bản kiểm tra số {d.number_text} ngày {vn_short_date(d.issued_on)}"
    )
    if d.superseded_note:
        c.setFont(fonts.bold_italic, 8.5)
        note = nfc(d.superseded_note)
        max_w = TEXT_WIDTH
        while stringWidth(note, fonts.bold_italic, 8.5) > max_w and len(note) > 4:
            note = note[:-2].rstrip() + "…"
        c.drawString(MARGIN_LEFT, QR_Y + 10.5 * mm, note)
    if d.copy_mark:
        draw_copy_mark(c, fonts)
    c.restoreState()


def draw_copy_mark(c: Canvas, fonts: FontFamily) -> None:
    """The "BẢN SAO" stamp in the top-right margin and a light diagonal watermark, on a reprint's every page."""
    c.saveState()
    # A stamp in the top-right margin.
    size = 14
    w = stringWidth(COPY_MARK, fonts.bold, size) + 6 * mm
    h = 8 * mm
    x = PAGE_WIDTH - MARGIN_RIGHT - w
    y = PAGE_HEIGHT - MARGIN_TOP / 2 - h / 2
    c.setStrokeColor(colors.HexColor("#b00000"))
    c.setFillColor(colors.HexColor("#b00000"))
    c.setLineWidth(1.4)
    c.rect(x, y, w, h, stroke=1, fill=0)
    c.setFont(fonts.bold, size)
    c.drawCentredString(x + w / 2, y + (h - size * 0.7) / 2, COPY_MARK)
    # And a light diagonal watermark across the page.
    text = COPY_MARK
    c.setFillColor(colors.HexColor("#b00000"))
    c.setFillAlpha(0.10)
    diag = (PAGE_WIDTH**2 + PAGE_HEIGHT**2) ** 0.5 * 0.62
    size = min(96.0, diag / max(stringWidth(text, fonts.bold, 1), 1))
    c.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    c.rotate(54.7)
    c.setFont(fonts.bold, size)
    c.drawCentredString(0, -size * 0.35, text)
    c.restoreState()
