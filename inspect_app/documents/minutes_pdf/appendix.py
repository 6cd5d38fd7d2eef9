"""The photo appendix (PHỤ LỤC: HÌNH ẢNH KIỂM TRA): two photos a row, each with its caption."""

from __future__ import annotations

import io

from PIL import Image as PILImage
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer, Table, TableStyle

from .. import reportlab_tuning
from ..vn_format import vn_short_date
from .content import MinutesDocument, Photo
from ..official_pdf.styles import TEXT_WIDTH, Styles, markup, para


class _Photo(Flowable):
    """A photo scaled to fit ``max_width`` × ``max_height``. A JPEG (what the upload pipeline stores) goes into the
    PDF as its own bytes under DCTDecode, never decoded and re-encoded; anything else through ImageReader."""

    def __init__(self, data: bytes, max_width: float, max_height: float) -> None:
        super().__init__()
        with PILImage.open(io.BytesIO(data)) as img:  # reads the header only
            (w, h), self._is_jpeg = img.size, img.format == "JPEG"
        scale = min(max_width / w, max_height / h)
        self.width, self.height = w * scale, h * scale
        self._data = data

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return self.width, self.height

    def draw(self) -> None:
        data = self._data
        image = reportlab_tuning.jpeg_image(data) if self._is_jpeg else ImageReader(io.BytesIO(data))
        self.canv.drawImage(image, 0, 0, self.width, self.height)


def photo_caption(n: int, photo: Photo) -> str:
    """ "Ảnh 2. Cân có dấu kiểm định còn hiệu lực: tem hết hạn (chụp lúc 21/11/2026 08:45)": what and when."""
    what = ": ".join(part for part in (photo.subject, photo.caption) if part) or "Ảnh chung của cuộc kiểm tra"
    text = f"Ảnh {n}. {what}"
    if photo.taken_at is not None:
        verb = "chụp lúc" if photo.taken_known else "tải lên lúc"
        text += f" ({verb} {photo.taken_at:%d/%m/%Y %H:%M})"
    return text


def photo_appendix(doc: MinutesDocument, st: Styles) -> list[Flowable]:
    out: list[Flowable] = [
        PageBreak(),
        Paragraph("PHỤ LỤC: HÌNH ẢNH KIỂM TRA", st.title),
        Paragraph(
            markup(f"(Kèm theo Biên bản kiểm tra số {doc.number_text} ngày {vn_short_date(doc.issued_on)})"),
            ParagraphStyle("appendix_sub", parent=st.place_date, spaceAfter=8),
        ),
    ]
    col_w = TEXT_WIDTH / 2
    cells: list[list[Flowable]] = []
    for n, photo in enumerate(doc.photos, start=1):
        img = _Photo(photo.jpeg, col_w - 6 * mm, 75 * mm)
        cells.append([img, Spacer(1, 1.5 * mm), para(photo_caption(n, photo), st.caption)])
    rows = [cells[k : k + 2] for k in range(0, len(cells), 2)]
    if rows and len(rows[-1]) == 1:
        rows[-1].append([])
    out.append(
        Table(
            rows,
            colWidths=[col_w, col_w],
            style=TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
                ]
            ),
        )
    )
    return out
