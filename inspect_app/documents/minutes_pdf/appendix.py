"""The photo appendix (PHỤ LỤC: HÌNH ẢNH KIỂM TRA): two photos a row, each with its caption."""

from __future__ import annotations

import io

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable, Image, PageBreak, Paragraph, Spacer, Table, TableStyle

from ..vn_format import vn_short_date
from .content import MinutesDocument
from .styles import TEXT_WIDTH, Styles, markup, para


def _fit_image(data: bytes, max_w: float, max_h: float, *, mask: object = None) -> Image:
    reader = ImageReader(io.BytesIO(data))
    w, h = reader.getSize()
    scale = min(max_w / w, max_h / h)
    return Image(io.BytesIO(data), width=w * scale, height=h * scale, mask=mask)


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
        img = _fit_image(photo.jpeg, col_w - 6 * mm, 75 * mm)
        caption = f"Ảnh {n}. {photo.caption}" if photo.caption else f"Ảnh {n}"
        cells.append([img, Spacer(1, 1.5 * mm), para(caption, st.caption)])
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
