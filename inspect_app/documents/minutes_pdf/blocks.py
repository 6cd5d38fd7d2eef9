"""The biên bản's header (the official header, its title and subtitle) and its signature blocks."""

from __future__ import annotations

import io

from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from ..official_pdf.blocks import Columns, Gap, Item, Line, Picture, item_height, official_header, text_lines
from ..official_pdf.styles import TEXT_WIDTH, Styles, para
from .content import MinutesDocument, Signatory, TeamMember


def header(doc: MinutesDocument, st: Styles) -> list[Flowable]:
    return [
        *official_header(doc.issuing_body_lines, doc.number_text, doc.place_date_text, st),
        para(doc.title, st.title),
        para(doc.subtitle, st.subtitle),
        *([para(doc.superseded_note, st.superseded)] if doc.superseded_note else []),
    ]


def _refusal_lines(doc: MinutesDocument, font: str, width: float, room: float) -> list[Item]:
    """What stands in the representative's signature space when they refuse to sign: the refusal and its reason,
    cut to the space (the full reason is printed in the body)."""
    lines = text_lines("Đại diện cơ sở không ký biên bản", font, 12, 14.5, width)
    reason = text_lines(f"Lý do: {doc.refusal_reason}", font, 12, 14.5, width)
    fits = max(int(room // 14.5) - len(lines), 1)
    if len(reason) > fits:
        reason = reason[:fits]
        last = reason[-1]
        text = last.text
        while text and stringWidth(text + "…", font, 12) > width:
            text = text[:-1]
        reason[-1] = Line(text.rstrip() + "…", last.font, last.size, last.leading)
    items: list[Item] = [*lines, *reason]
    used = sum(item_height(i) for i in items)
    return [Gap(max((room - used) / 2, 0)), *items, Gap(max((room - used) / 2, 0))]


def signatures(doc: MinutesDocument, st: Styles) -> list[Flowable]:
    """The business, the recorder and the team leader side by side (the leader who also wrote the biên bản signs
    once), then every other member of the team, three to a row, each with a blank place to sign."""
    fonts = st.fonts
    business = doc.business_signatory or Signatory(doc.representative.name)
    if doc.recorder_is_leader:
        leader = doc.team_leader
        if not leader.signature_png:
            leader = Signatory(leader.name, doc.recorder.signature_png)
        blocks = [("ĐẠI DIỆN CƠ SỞ", business), ("TRƯỞNG ĐOÀN, NGƯỜI LẬP BIÊN BẢN", leader)]
    else:
        blocks = [
            ("ĐẠI DIỆN CƠ SỞ", business),
            ("NGƯỜI LẬP BIÊN BẢN", doc.recorder),
            ("TRƯỞNG ĐOÀN KIỂM TRA", doc.team_leader),
        ]
    col_w = TEXT_WIDTH / len(blocks)
    inner_w = col_w - 4
    sign_h = 24 * mm
    # One line per title: shrink from 12 pt only as far as the widest title needs.
    widest = max(stringWidth(title, fonts.bold, 1) for title, _ in blocks)
    title_size = min(12.0, inner_w / widest)
    columns = []
    for k, (title, who) in enumerate(blocks):
        items: list[Item] = [
            Gap(3),
            Line(title, fonts.bold, title_size, 14.5),
        ]
        if k == 0 and doc.refused_to_sign:
            items.append(Gap(1 * mm))
            items.extend(_refusal_lines(doc, fonts.italic, inner_w, sign_h + 14.5))
        else:
            items.extend((Line("(Ký, ghi rõ họ tên)", fonts.italic, 12, 14.5), Gap(1 * mm)))
            items.extend(_signature_space(who, col_w, sign_h))
        items.extend(text_lines(who.name, fonts.bold, 13, 16, inner_w))
        items.append(Gap(3))
        if k == 0 and doc.witness is not None:
            # The witness signs under the business side.
            items.extend(
                (
                    Gap(4 * mm),
                    Line("NGƯỜI CHỨNG KIẾN", fonts.bold, title_size, 14.5),
                    Line("(Ký, ghi rõ họ tên)", fonts.italic, 12, 14.5),
                    Gap(1 * mm + sign_h),
                )
            )
            items.extend(text_lines(doc.witness.name, fonts.bold, 13, 16, inner_w))
            items.extend(text_lines(doc.witness.position, fonts.italic, 12, 14.5, inner_w))
            items.append(Gap(3))
        columns.append((k * col_w, col_w, items))
    return [Columns(columns), *_member_rows(doc.other_members, st, sign_h)]


def _member_rows(members: tuple[TeamMember, ...], st: Styles, sign_h: float) -> list[Flowable]:
    """Every other member of the team: role, "(Ký, ghi rõ họ tên)", a blank place, name and position; three a row."""
    fonts = st.fonts
    col_w = TEXT_WIDTH / 3
    rows = []
    for start in range(0, len(members), 3):
        columns = []
        for k, member in enumerate(members[start : start + 3]):
            items: list[Item] = [
                Gap(5 * mm),
                *text_lines(
                    (member.role or "Thành viên").upper() + " ĐOÀN KIỂM TRA", fonts.bold, 12, 14.5, col_w - 4
                ),
                Line("(Ký, ghi rõ họ tên)", fonts.italic, 12, 14.5),
                Gap(1 * mm + sign_h),
                *text_lines(member.name, fonts.bold, 13, 16, col_w - 4),
                *text_lines(member.position, fonts.italic, 11, 13, col_w - 4),
                Gap(3),
            ]
            columns.append((k * col_w, col_w, items))
        rows.append(Columns(columns))
    return rows


def _signature_space(who: Signatory, col_w: float, sign_h: float) -> list[Item]:
    if not who.signature_png:
        return [Gap(sign_h)]
    reader = ImageReader(io.BytesIO(who.signature_png))
    w, h = reader.getSize()
    scale = min((col_w - 8 * mm) / w, sign_h / h)
    free = sign_h - h * scale
    return [Gap(free / 2), Picture(who.signature_png, w * scale, h * scale), Gap(free / 2)]
