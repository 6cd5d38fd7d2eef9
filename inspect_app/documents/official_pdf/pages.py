"""Building an official PDF: the A4 document template (NĐ 30/2020 margins; landscape pages for wide tables), and the
canvas that holds pages back until each document's page count is known, then decorates them (page numbers, QR)."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from .. import reportlab_tuning
from ..fonts import FontFamily
from ..qr import draw_qr
from .styles import (
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    QR_CAPTION,
    QR_CAPTION_Y,
    QR_LINE_Y,
    QR_SIZE,
    QR_X,
    QR_Y,
    nfc,
)

__all__ = [
    "LANDSCAPE",
    "PORTRAIT",
    "Decorate",
    "DocStart",
    "build_pdf",
    "deferred_canvas",
    "draw_page_number",
    "draw_verification",
]

PORTRAIT = "page"  # the page templates' ids: switch with NextPageTemplate(LANDSCAPE) and a page break
LANDSCAPE = "landscape"
# (canvas, document index, page number within that document, its page count): draws a finished page's furniture.
Decorate = Callable[[Canvas, int, int, int], None]


class DocStart(Flowable):
    """Zero-size marker: the pages drawn from here on belong to document ``index`` (numbering, QR)."""

    def __init__(self, index: int) -> None:
        super().__init__()
        self.index = index
        self.width = self.height = 0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.canv._doc_index = self.index  # type: ignore[attr-defined]


def deferred_canvas(decorate: Decorate, fonts: FontFamily, stamp_day: date) -> type[Canvas]:
    """A canvas class that keeps every page until the end, then calls ``decorate`` on each knowing its number and its
    document's page count; the same input gives the same bytes whatever the clock says."""

    class _DeferredCanvas(Canvas):
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
            self._doc_index = 0
            self._pending: list[tuple[int, dict]] = []

        def showPage(self) -> None:
            self._pending.append((self._doc_index, dict(self.__dict__)))
            self._startPage()

        def save(self) -> None:
            totals = Counter(index for index, _ in self._pending)
            seen: Counter[int] = Counter()
            pending = self._pending
            for index, state in pending:
                self.__dict__.update(state)
                seen[index] += 1
                decorate(self, index, seen[index], totals[index])
                Canvas.showPage(self)
            Canvas.save(self)

    return _DeferredCanvas


def draw_page_number(c: Canvas, fonts: FontFamily, text: str) -> None:
    """``text`` centred in the top margin, 13 pt upright (NĐ 30/2020 Phụ lục I: from the second page on)."""
    width, height = c._pagesize
    c.setFont(fonts.regular, 13)
    c.drawCentredString(
        MARGIN_LEFT + (width - MARGIN_LEFT - MARGIN_RIGHT) / 2, height - MARGIN_TOP / 2 - 4.5, text
    )


def draw_verification(c: Canvas, fonts: FontFamily, url: str, line: str) -> None:
    """The QR code of ``url`` in the bottom-left corner, in the left margin, with its caption and ``line`` (which
    document this is) beside it under the text column."""
    draw_qr(c, url, QR_X, QR_Y, QR_SIZE, fewest_modules=True)
    c.setFillColor(colors.black)
    c.setFont(fonts.italic, 8)
    c.drawString(MARGIN_LEFT, QR_CAPTION_Y, QR_CAPTION)
    c.setFont(fonts.regular, 8)
    c.drawString(MARGIN_LEFT, QR_LINE_Y, line)


def _frame(width: float, height: float, frame_id: str) -> Frame:
    return Frame(
        MARGIN_LEFT,
        MARGIN_BOTTOM,
        width - MARGIN_LEFT - MARGIN_RIGHT,
        height - MARGIN_TOP - MARGIN_BOTTOM,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id=frame_id,
    )


def build_pdf(
    story: Sequence[Flowable],
    fonts: FontFamily,
    decorate: Decorate,
    stamp_day: date,
    *,
    title: str,
    author: str,
    subject: str,
) -> bytes:
    """The story laid out on A4 portrait pages with the NĐ 30/2020 margins (and, after ``NextPageTemplate(LANDSCAPE)``,
    on A4 landscape pages with the same margins), each page decorated once the page counts are known."""
    # Streams go into the file as they are: page contents deflated, JPEG photos as their own bytes (DCTDecode).
    # ReportLab's default (useA85) also wraps every stream in ASCII85, 25 % larger and slow in pure Python. A
    # documented, process-wide rl_config setting; set on every build so nothing else can turn it back in between.
    rl_config.useA85 = 0
    buf = io.BytesIO()
    template = BaseDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=MARGIN_LEFT,
        rightMargin=MARGIN_RIGHT,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=nfc(title),
        author=nfc(author),
        subject=nfc(subject),
        creator="inspect_app",
        invariant=1,
        pageCompression=1,
        lang="vi-VN",
        initialFontName=fonts.regular,
    )
    wide = landscape(A4)
    template.addPageTemplates(
        [
            PageTemplate(id=PORTRAIT, frames=[_frame(PAGE_WIDTH, PAGE_HEIGHT, "body")], pagesize=A4),
            PageTemplate(id=LANDSCAPE, frames=[_frame(*wide, "wide")], pagesize=wide),
        ]
    )
    template.build(list(story), canvasmaker=deferred_canvas(decorate, fonts, stamp_day))
    return buf.getvalue()
