"""Side-by-side columns of short centred lines drawn straight onto the canvas, and the document header built from
them: the issuing body over its parent on the left, the national name and motto on the right, then the number and
the place and date (NĐ 30/2020 Phụ lục I, ô 1-4)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from .styles import NATIONAL_MOTTO, NATIONAL_NAME, TEXT_WIDTH, Styles, break_lines, markup, nfc

__all__ = [
    "Columns",
    "Gap",
    "Item",
    "Line",
    "Picture",
    "Rule",
    "item_height",
    "official_header",
    "recipients_and_signature",
    "text_lines",
]


@dataclass(frozen=True)
class Line:
    text: str
    font: str
    size: float
    leading: float


@dataclass(frozen=True)
class Rule:
    width: float
    before: float
    after: float = 1.0
    thickness: float = 0.6


@dataclass(frozen=True)
class Gap:
    height: float


@dataclass(frozen=True)
class Picture:
    data: bytes
    width: float
    height: float


Item = Line | Rule | Gap | Picture


def item_height(item: Item) -> float:
    if isinstance(item, Line):
        return item.leading
    if isinstance(item, Rule):
        return item.before + item.thickness + item.after
    return item.height


class Columns(Flowable):
    """Side-by-side columns of centred short lines, rules, gaps and pictures, drawn straight onto the canvas.

    Used for the document header and the signature blocks: the same look as nested tables of paragraphs, at a
    fraction of the layout cost.
    """

    def __init__(
        self, columns: Sequence[tuple[float, float, Sequence[Item]]], width: float = TEXT_WIDTH
    ) -> None:
        super().__init__()
        self.columns = columns  # (left x, width, items from the top)
        self.width = width
        self.height = max((sum(item_height(i) for i in items) for _, _, items in columns), default=0.0)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return self.width, self.height

    def draw(self) -> None:
        canv = self.canv
        for x, width, items in self.columns:
            centre = x + width / 2
            top = self.height
            for item in items:
                if isinstance(item, Line):
                    canv.setFont(item.font, item.size, item.leading)
                    canv.drawCentredString(centre, top - item.size, item.text)
                elif isinstance(item, Rule):
                    y = top - item.before - item.thickness / 2
                    canv.setLineWidth(item.thickness)
                    canv.line(centre - item.width / 2, y, centre + item.width / 2, y)
                elif isinstance(item, Picture):
                    reader = ImageReader(io.BytesIO(item.data))
                    canv.drawImage(
                        reader,
                        centre - item.width / 2,
                        top - item.height,
                        item.width,
                        item.height,
                        mask="auto",
                    )
                top -= item_height(item)


def text_lines(text: str, font: str, size: float, leading: float, width: float) -> list[Line]:
    """``text`` broken to ``width`` (a single over-long word stays on its own line)."""
    text = " ".join(nfc(text).split())
    broken = break_lines(text, font, size, width) or [text]
    return [Line(line, font, size, leading) for line in broken]


def official_header(
    body_lines: Sequence[str], number_text: str, place_date_text: str, st: Styles
) -> list[Flowable]:
    """The issuing body's lines (upper case; the last bold, a short rule under it) beside the national name and
    motto, then "Số: …" beside the place and date in italics."""
    fonts = st.fonts
    left_w = 0.38 * TEXT_WIDTH
    right_w = TEXT_WIDTH - left_w
    names = [nfc(line).upper() for line in body_lines] or [""]
    left: list[Item] = []
    for line in names[:-1]:
        left.extend(text_lines(line, fonts.regular, 12.5, 15, left_w))
    left.extend(text_lines(names[-1], fonts.bold, 12.5, 15, left_w))
    body_w = max(stringWidth(names[-1], fonts.bold, 12.5), 20 * mm)
    left.append(Rule(min(body_w, left_w) * 0.45, before=3.5))
    national_size = st.national.fontSize
    right: list[Item] = [
        Line(NATIONAL_NAME, fonts.bold, national_size, 15),
        Line(NATIONAL_MOTTO, fonts.bold, 13, 15.5),
        Rule(stringWidth(NATIONAL_MOTTO, fonts.bold, 13), before=3),
    ]
    row2 = Columns(
        [
            (0, left_w, text_lines(f"Số: {number_text}", fonts.regular, 13, 16, left_w)),
            (left_w, right_w, text_lines(place_date_text, fonts.italic, 13, 16, right_w)),
        ]
    )
    return [Columns([(0, left_w, left), (left_w, right_w, right)]), Spacer(1, 7), row2]


def recipients_and_signature(
    recipients: Sequence[str] | None, signer_titles: Sequence[str], signer_name: str, st: Styles
) -> Flowable:
    """ "Nơi nhận" on the left (bold italic 12 pt, lines of 11 pt; nothing at all for None), the signature block on
    the right: the titles in bold, room to sign, the name in bold."""
    fonts = st.fonts
    left_w = 0.45 * TEXT_WIDTH
    right_w = TEXT_WIDTH - left_w
    to: list[Flowable] = []
    if recipients is not None:
        recipient = ParagraphStyle("recipient", fontName=fonts.regular, fontSize=11, leading=13)
        to.append(Paragraph("<b><i>Nơi nhận:</i></b>", ParagraphStyle("to", parent=recipient, fontSize=12)))
        to += [Paragraph(f"- {markup(line)}", recipient) for line in recipients]
    signer: list[Item] = [
        line for title in signer_titles for line in text_lines(title, fonts.bold, 13, 16, right_w - 4)
    ]
    signer += [Gap(25 * mm), *text_lines(signer_name, fonts.bold, 13, 16, right_w - 4)]
    return Table(
        [[to or "", Columns([(0, right_w, signer)], width=right_w)]],
        colWidths=[left_w, right_w],
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        ),
    )
