"""The document header and the signature blocks: side-by-side columns of short centred lines drawn straight onto
the canvas."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Spacer

from .content import MinutesDocument, Signatory
from .styles import NATIONAL_MOTTO, NATIONAL_NAME, TEXT_WIDTH, Styles, break_lines, nfc, para


@dataclass(frozen=True)
class _Line:
    text: str
    font: str
    size: float
    leading: float


@dataclass(frozen=True)
class _Rule:
    width: float
    before: float
    after: float = 1.0
    thickness: float = 0.6


@dataclass(frozen=True)
class _Gap:
    height: float


@dataclass(frozen=True)
class _Picture:
    data: bytes
    width: float
    height: float


_Item = _Line | _Rule | _Gap | _Picture


def _item_height(item: _Item) -> float:
    if isinstance(item, _Line):
        return item.leading
    if isinstance(item, _Rule):
        return item.before + item.thickness + item.after
    return item.height


class _Columns(Flowable):
    """Side-by-side columns of centred short lines, rules, gaps and pictures, drawn straight onto the canvas.

    Used for the document header and the signature blocks: the same look as nested tables of paragraphs, at a
    fraction of the layout cost.
    """

    def __init__(self, columns: Sequence[tuple[float, float, Sequence[_Item]]]) -> None:
        super().__init__()
        self.columns = columns  # (left x, width, items from the top)
        self.width = TEXT_WIDTH
        self.height = max((sum(_item_height(i) for i in items) for _, _, items in columns), default=0.0)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return self.width, self.height

    def draw(self) -> None:
        canv = self.canv
        for x, width, items in self.columns:
            centre = x + width / 2
            top = self.height
            for item in items:
                if isinstance(item, _Line):
                    canv.setFont(item.font, item.size, item.leading)
                    canv.drawCentredString(centre, top - item.size, item.text)
                elif isinstance(item, _Rule):
                    y = top - item.before - item.thickness / 2
                    canv.setLineWidth(item.thickness)
                    canv.line(centre - item.width / 2, y, centre + item.width / 2, y)
                elif isinstance(item, _Picture):
                    reader = ImageReader(io.BytesIO(item.data))
                    canv.drawImage(
                        reader,
                        centre - item.width / 2,
                        top - item.height,
                        item.width,
                        item.height,
                        mask="auto",
                    )
                top -= _item_height(item)


def _lines(text: str, font: str, size: float, leading: float, width: float) -> list[_Line]:
    """``text`` broken to ``width`` (a single over-long word stays on its own line)."""
    text = " ".join(nfc(text).split())
    broken = break_lines(text, font, size, width) or [text]
    return [_Line(line, font, size, leading) for line in broken]


def header(doc: MinutesDocument, st: Styles) -> list[Flowable]:
    fonts = st.fonts
    left_w = 0.38 * TEXT_WIDTH
    right_w = TEXT_WIDTH - left_w
    names = [nfc(line).upper() for line in doc.issuing_body_lines] or [""]
    left: list[_Item] = []
    for line in names[:-1]:
        left.extend(_lines(line, fonts.regular, 12.5, 15, left_w))
    left.extend(_lines(names[-1], fonts.bold, 12.5, 15, left_w))
    body_w = max(stringWidth(names[-1], fonts.bold, 12.5), 20 * mm)
    left.append(_Rule(min(body_w, left_w) * 0.45, before=3.5))
    national_size = st.national.fontSize
    right: list[_Item] = [
        _Line(NATIONAL_NAME, fonts.bold, national_size, 15),
        _Line(NATIONAL_MOTTO, fonts.bold, 13, 15.5),
        _Rule(stringWidth(NATIONAL_MOTTO, fonts.bold, 13), before=3),
    ]
    row2 = _Columns(
        [
            (0, left_w, _lines(f"Số: {doc.number_text}", fonts.regular, 13, 16, left_w)),
            (left_w, right_w, _lines(doc.place_date_text, fonts.italic, 13, 16, right_w)),
        ]
    )
    return [
        _Columns([(0, left_w, left), (left_w, right_w, right)]),
        Spacer(1, 7),
        row2,
        para(doc.title, st.title),
        para(doc.subtitle, st.subtitle),
        *([para(doc.superseded_note, st.superseded)] if doc.superseded_note else []),
    ]


def _refusal_lines(doc: MinutesDocument, font: str, width: float, room: float) -> list[_Item]:
    """What stands in the representative's signature space when they refuse to sign: the refusal and its reason,
    cut to the space (the full reason is printed in the body)."""
    lines = _lines("Đại diện cơ sở không ký biên bản", font, 12, 14.5, width)
    reason = _lines(f"Lý do: {doc.refusal_reason}", font, 12, 14.5, width)
    fits = max(int(room // 14.5) - len(lines), 1)
    if len(reason) > fits:
        reason = reason[:fits]
        last = reason[-1]
        text = last.text
        while text and stringWidth(text + "…", font, 12) > width:
            text = text[:-1]
        reason[-1] = _Line(text.rstrip() + "…", last.font, last.size, last.leading)
    items: list[_Item] = [*lines, *reason]
    used = sum(_item_height(i) for i in items)
    return [_Gap(max((room - used) / 2, 0)), *items, _Gap(max((room - used) / 2, 0))]


def signatures(doc: MinutesDocument, st: Styles) -> Flowable:
    fonts = st.fonts
    business = doc.business_signatory or Signatory(doc.representative.name)
    blocks = [
        ("ĐẠI DIỆN CƠ SỞ", business),
        ("NGƯỜI LẬP BIÊN BẢN", doc.recorder),
        ("TRƯỞNG ĐOÀN KIỂM TRA", doc.team_leader),
    ]
    col_w = TEXT_WIDTH / 3
    inner_w = col_w - 4
    sign_h = 24 * mm
    # One line per title: shrink from 12 pt only as far as the widest title needs.
    widest = max(stringWidth(title, fonts.bold, 1) for title, _ in blocks)
    title_size = min(12.0, inner_w / widest)
    columns = []
    for k, (title, who) in enumerate(blocks):
        items: list[_Item] = [
            _Gap(3),
            _Line(title, fonts.bold, title_size, 14.5),
        ]
        if k == 0 and doc.refused_to_sign:
            items.append(_Gap(1 * mm))
            items.extend(_refusal_lines(doc, fonts.italic, inner_w, sign_h + 14.5))
        else:
            items.extend((_Line("(Ký, ghi rõ họ tên)", fonts.italic, 12, 14.5), _Gap(1 * mm)))
            items.extend(_signature_space(who, col_w, sign_h))
        items.extend(_lines(who.name, fonts.bold, 13, 16, inner_w))
        items.append(_Gap(3))
        if k == 0 and doc.witness is not None:
            # The witness signs under the business side.
            items.extend(
                (
                    _Gap(4 * mm),
                    _Line("NGƯỜI CHỨNG KIẾN", fonts.bold, title_size, 14.5),
                    _Line("(Ký, ghi rõ họ tên)", fonts.italic, 12, 14.5),
                    _Gap(1 * mm + sign_h),
                )
            )
            items.extend(_lines(doc.witness.name, fonts.bold, 13, 16, inner_w))
            items.extend(_lines(doc.witness.position, fonts.italic, 12, 14.5, inner_w))
            items.append(_Gap(3))
        columns.append((k * col_w, col_w, items))
    return _Columns(columns)


def _signature_space(who: Signatory, col_w: float, sign_h: float) -> list[_Item]:
    if not who.signature_png:
        return [_Gap(sign_h)]
    reader = ImageReader(io.BytesIO(who.signature_png))
    w, h = reader.getSize()
    scale = min((col_w - 8 * mm) / w, sign_h / h)
    free = sign_h - h * scale
    return [_Gap(free / 2), _Picture(who.signature_png, w * scale, h * scale), _Gap(free / 2)]
