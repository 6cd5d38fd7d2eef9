"""The grid tables of section III: checklist results, control readings, pre-packaged lots and meters checked."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Table, TableStyle

from ..vn_format import format_vn_decimal
from .content import MeterCheck, PrepackagedLot, Reading, ResultGroup
from .styles import TEXT_WIDTH, Styles, break_lines, markup, nfc, para


def _grid_style(extra: Iterable[tuple] = ()) -> TableStyle:
    return TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 2.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            *extra,
        ]
    )


def _num(value: Decimal, places: int | None, *, signed: bool = False) -> str:
    return format_vn_decimal(value, places, signed=signed)


def _is_fail(answer: str) -> bool:
    return nfc(answer).strip().lower().startswith("không đạt")


def _verdict_cell(verdict: str, detail: str, provisional: bool, st: Styles) -> list[Flowable]:
    verdict_text = markup(verdict)
    if _is_fail(verdict):
        verdict_text = f"<b>{verdict_text}</b>"
    out: list[Flowable] = [Paragraph(verdict_text + (" (*)" if provisional else ""), st.cell_center)]
    if detail:
        out.append(para(detail, st.cell_small))
    return out


class _Short(str):
    """A table cell drawn as plain text lines (already broken to the column width) instead of a Paragraph.

    Tables are mostly short texts; a plain cell costs a fraction of a Paragraph to lay out and draw.
    """

    font = "regular"  # "regular", "bold" or "italic"
    align = "CENTER"


def _cell(text: str, width: float, st: Styles, *, font: str = "regular", align: str = "CENTER") -> object:
    """``text`` as a plain cell broken to fit a column ``width`` wide (a Paragraph only for over-long words)."""
    text = nfc(text)
    face = {"regular": st.fonts.regular, "bold": st.fonts.bold, "italic": st.fonts.italic}[font]
    lines = break_lines(text, face, st.cell.fontSize, width - 6)  # the cell padding is 3 pt each side
    if lines is None:
        text_markup = {"bold": "<b>{}</b>", "italic": "<i>{}</i>"}.get(font, "{}").format(markup(text))
        return Paragraph(text_markup, st.cell if align == "LEFT" else st.cell_center)
    cell = _Short("\n".join(lines))
    cell.font = font
    cell.align = align
    return cell


def _short(text: str, width: float, st: Styles, *, bold: bool = False) -> object:
    """A centred plain cell (numbers, answers)."""
    return _cell(text, width, st, font="bold" if bold else "regular")


def _plain_cell_styles(rows: list[list[object]], st: Styles) -> list[tuple]:
    cmds: list[tuple] = [
        ("FONT", (0, 0), (-1, -1), st.fonts.regular, st.cell.fontSize, st.cell.leading),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
    ]
    faces = {"bold": st.fonts.bold, "italic": st.fonts.italic}
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if isinstance(cell, _Short):
                if cell.font in faces:
                    cmds.append(("FONTNAME", (c, r), (c, r), faces[cell.font]))
                if cell.align != "CENTER":
                    cmds.append(("ALIGN", (c, r), (c, r), cell.align))
    return cmds


_GridParts = tuple[list[list[object]], list[float], list[tuple]]


class _TableHeadBreak(CondPageBreak):
    """Breaks the page before a table's heading unless the heading, the table head and first row fit.

    Measures the real table when the frame asks: the row heights Table.wrap leaves in ``_rowHeights``.
    """

    def __init__(self, above: Sequence[Flowable], table: Table, rows: int) -> None:
        super().__init__(0)
        self.above = above
        self.table = table
        self.rows = rows

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        need = 2.0
        for f in self.above:
            need += f.wrap(availWidth, availHeight)[1] + f.getSpaceBefore() + f.getSpaceAfter()
        self.table.wrap(availWidth, availHeight)
        need += sum(self.table._rowHeights[: self.rows])
        self.height = need
        return super().wrap(availWidth, availHeight)


def table_section(
    title: str, parts: _GridParts, st: Styles, intro: Sequence[Flowable] = ()
) -> list[Flowable]:
    """A sub-heading and its grid table, the heading kept on the page only if the table head and first row fit."""
    rows, widths, extra = parts
    extra = _plain_cell_styles(rows, st) + extra
    lead_rows = min(len(rows), 3 if any(cmd[0] == "SPAN" for cmd in extra) else 2)  # head, (group,) first row
    heading = para(title, st.heading)
    table = Table(rows, colWidths=widths, repeatRows=1, style=_grid_style(extra))
    return [_TableHeadBreak([heading, *intro], table, lead_rows), heading, *intro, table]


def results_table(groups: Sequence[ResultGroup], st: Styles) -> _GridParts:
    widths = [10 * mm, 85 * mm, 27 * mm, TEXT_WIDTH - 122 * mm]
    rows: list[list[object]] = [
        [
            _cell(h, w, st, font="bold")
            for h, w in zip(("STT", "Nội dung kiểm tra", "Kết quả", "Ghi chú"), widths, strict=True)
        ]
    ]
    extra: list[tuple] = []
    for gi, group in enumerate(groups, start=1):
        extra.append(("SPAN", (0, len(rows)), (-1, len(rows))))
        rows.append([_cell(f"{gi}. {group.title}", TEXT_WIDTH, st, font="bold", align="LEFT"), "", "", ""])
        for ii, item in enumerate(group.items, start=1):
            rows.append(
                [
                    _short(f"{gi}.{ii}", widths[0], st),
                    _cell(item.question, widths[1], st, align="LEFT"),
                    _short(item.answer, widths[2], st, bold=_is_fail(item.answer)),
                    _cell(item.note, widths[3], st, align="LEFT") if item.note else "",
                ]
            )
    return rows, widths, extra


def readings_table(readings: Sequence[Reading], st: Styles) -> _GridParts:
    widths = [10 * mm, 42 * mm, 20 * mm, 20 * mm, 20 * mm, 20 * mm]
    widths.append(TEXT_WIDTH - sum(widths))
    heads = ("STT", "Phương tiện đo", "Tải/lượng chuẩn", "Số chỉ", "Sai số", "Sai số cho phép", "Kết quả")
    rows: list[list[object]] = [[_cell(h, w, st, font="bold") for h, w in zip(heads, widths, strict=True)]]
    previous = None
    for n, rd in enumerate(readings, start=1):
        unit = nfc(rd.unit)
        # "Như trên" (ditto) is the usual way to repeat a cell in Vietnamese tables; it survives a page split.
        if rd.instrument == previous:
            instrument = _cell("Như trên", widths[1], st, font="italic", align="LEFT")
        else:
            instrument = _cell(rd.instrument, widths[1], st, align="LEFT")
        previous = rd.instrument
        rows.append(
            [
                _short(str(n), widths[0], st),
                instrument,
                _short(f"{_num(rd.reference, rd.places)} {unit}", widths[2], st),
                _short(f"{_num(rd.indication, rd.places)} {unit}", widths[3], st),
                _short(f"{_num(rd.error, rd.places, signed=True)} {unit}", widths[4], st),
                _short(f"{rd.permitted_sign}{_num(rd.permitted_error, rd.places)} {unit}", widths[5], st),
                _verdict_cell(rd.verdict, rd.rule, rd.provisional, st),
            ]
        )
    return rows, widths, []


def lots_table(lots: Sequence[PrepackagedLot], st: Styles) -> _GridParts:
    widths = [10 * mm, 35 * mm, 19 * mm, 10 * mm, 20 * mm, 16 * mm, 13 * mm, 13 * mm]
    widths.append(TEXT_WIDTH - sum(widths))
    heads = (
        "STT",
        "Sản phẩm",
        "Lượng danh định",
        "n",
        "Trung bình",
        "T",
        "Số đv thiếu > T",
        "Số đv thiếu > 2T",
        "Kết quả",
    )
    rows: list[list[object]] = [[_cell(h, w, st, font="bold") for h, w in zip(heads, widths, strict=True)]]
    for n, lot in enumerate(lots, start=1):
        unit = nfc(lot.unit)
        rows.append(
            [
                _short(str(n), widths[0], st),
                _cell(lot.product, widths[1], st, align="LEFT"),
                _short(f"{_num(lot.nominal, lot.places)} {unit}", widths[2], st),
                _short(str(lot.sample_size), widths[3], st),
                _short(f"{_num(lot.mean, lot.places)} {unit}", widths[4], st),
                _short(f"{_num(lot.tolerance, lot.places)} {unit}", widths[5], st),
                _short(str(lot.short_over_t), widths[6], st),
                _short(str(lot.short_over_2t), widths[7], st),
                _verdict_cell(lot.verdict, "; ".join(lot.rules_broken), lot.provisional, st),
            ]
        )
    return rows, widths, []


def meters_table(checks: Sequence[MeterCheck], st: Styles) -> _GridParts:
    """Meters checked: identity, stamp and validity, seals and signs of tampering, complaint and referral. No column
    holds a verdict: the utility's meter is recorded and referred, never judged by a commune team."""
    widths = [10 * mm, 52 * mm, 32 * mm, 38 * mm]
    widths.append(TEXT_WIDTH - sum(widths))
    heads = (
        "STT",
        "Công tơ / đồng hồ nước",
        "Tem kiểm định",
        "Niêm phong, dấu hiệu can thiệp",
        "Phản ánh, chuyển xử lý",
    )
    rows: list[list[object]] = [[_cell(h, w, st, font="bold") for h, w in zip(heads, widths, strict=True)]]
    small = ParagraphStyle("meter_small", parent=st.cell_small, alignment=TA_LEFT)
    for n, check in enumerate(checks, start=1):
        identity = [para(check.meter, st.cell)]
        if check.address:
            identity.append(para(f"Địa chỉ lắp đặt: {check.address}", small))
        if check.index_reading:
            identity.append(para(f"Chỉ số: {check.index_reading}", small))
        seals = [para(f"Niêm phong: {check.seals}", st.cell)]
        seals += [para(f"– {sign}", small) for sign in check.tampering]
        handling = [para(check.complaint or "Không có phản ánh kèm theo.", st.cell)]
        handling += [para(line, small) for line in check.referral]
        if check.indicative:
            handling.append(para(check.indicative, small))
        if check.note:
            handling.append(para(check.note, small))
        rows.append(
            [
                _short(str(n), widths[0], st),
                identity,
                para(check.stamp, st.cell),
                seals,
                handling,
            ]
        )
    return rows, widths, [("VALIGN", (0, 1), (-1, -1), "TOP")]
