"""The grid tables of section III: checklist results, control readings, pre-packaged lots and meters checked."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph

from ..vn_format import format_vn_decimal
from .content import MeterCheck, PrepackagedLot, Reading, ResultGroup
from ..official_pdf.grid import GridParts, plain_cell
from ..official_pdf.styles import TEXT_WIDTH, Styles, markup, nfc, para


def _num(value: Decimal, places: int | None, *, signed: bool = False) -> str:
    return format_vn_decimal(value, places, signed=signed)


def _is_fail(answer: str) -> bool:
    return nfc(answer).strip().lower().startswith("không đạt")


class Notes:
    """The numbered notes under a table: a verdict cell says "Đạt (1)" and the rule it was judged by is note (1);
    readings judged by the same rule share one number."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def mark(self, text: str) -> str:
        if not text:
            return ""
        if text not in self.texts:
            self.texts.append(text)
        return f" ({self.texts.index(text) + 1})"

    def flowables(self, st: Styles) -> list[Flowable]:
        return [para(f"({n}) {text}", st.note) for n, text in enumerate(self.texts, start=1)]


def _verdict_cell(verdict: str, detail: str, provisional: bool, notes: Notes, st: Styles) -> Flowable:
    verdict_text = markup(verdict)
    if _is_fail(verdict):
        verdict_text = f"<b>{verdict_text}</b>"
    return Paragraph(verdict_text + (" (*)" if provisional else "") + notes.mark(detail), st.cell_center)


def _short(text: str, width: float, st: Styles, *, bold: bool = False) -> object:
    """A centred plain cell (numbers, answers)."""
    return plain_cell(text, width, st, font="bold" if bold else "regular")


def results_table(groups: Sequence[ResultGroup], st: Styles) -> GridParts:
    widths = [10 * mm, 85 * mm, 27 * mm, TEXT_WIDTH - 122 * mm]
    rows: list[list[object]] = [
        [
            plain_cell(h, w, st, font="bold")
            for h, w in zip(("STT", "Nội dung kiểm tra", "Kết quả", "Ghi chú"), widths, strict=True)
        ]
    ]
    extra: list[tuple] = []
    for gi, group in enumerate(groups, start=1):
        extra.append(("SPAN", (0, len(rows)), (-1, len(rows))))
        rows.append(
            [plain_cell(f"{gi}. {group.title}", TEXT_WIDTH, st, font="bold", align="LEFT"), "", "", ""]
        )
        for ii, item in enumerate(group.items, start=1):
            rows.append(
                [
                    _short(f"{gi}.{ii}", widths[0], st),
                    plain_cell(item.question, widths[1], st, align="LEFT"),
                    _short(item.answer, widths[2], st, bold=_is_fail(item.answer)),
                    plain_cell(item.note, widths[3], st, align="LEFT") if item.note else "",
                ]
            )
    return rows, widths, extra


def readings_table(readings: Sequence[Reading], st: Styles, notes: Notes) -> GridParts:
    """The control readings; each verdict in a word or two, the rule it was judged by as a note (``notes``)."""
    widths = [10 * mm, 42 * mm, 20 * mm, 20 * mm, 20 * mm, 20 * mm]
    widths.append(TEXT_WIDTH - sum(widths))
    heads = ("STT", "Phương tiện đo", "Tải/lượng chuẩn", "Số chỉ", "Sai số", "Sai số cho phép", "Kết quả")
    rows: list[list[object]] = [
        [plain_cell(h, w, st, font="bold") for h, w in zip(heads, widths, strict=True)]
    ]
    previous = None
    for n, rd in enumerate(readings, start=1):
        unit = nfc(rd.unit)
        # "Như trên" (ditto) is the usual way to repeat a cell in Vietnamese tables; it survives a page split.
        if rd.instrument == previous:
            instrument = plain_cell("Như trên", widths[1], st, font="italic", align="LEFT")
        else:
            instrument = plain_cell(rd.instrument, widths[1], st, align="LEFT")
        previous = rd.instrument
        rows.append(
            [
                _short(str(n), widths[0], st),
                instrument,
                _short(f"{_num(rd.reference, rd.places)} {unit}", widths[2], st),
                _short(f"{_num(rd.indication, rd.places)} {unit}", widths[3], st),
                _short(f"{_num(rd.error, rd.places, signed=True)} {unit}", widths[4], st),
                _short(f"{rd.permitted_sign}{_num(rd.permitted_error, rd.places)} {unit}", widths[5], st),
                _verdict_cell(rd.verdict, rd.rule, rd.provisional, notes, st),
            ]
        )
    return rows, widths, []


def lots_table(lots: Sequence[PrepackagedLot], st: Styles, notes: Notes) -> GridParts:
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
    rows: list[list[object]] = [
        [plain_cell(h, w, st, font="bold") for h, w in zip(heads, widths, strict=True)]
    ]
    for n, lot in enumerate(lots, start=1):
        unit = nfc(lot.unit)
        rows.append(
            [
                _short(str(n), widths[0], st),
                plain_cell(lot.product, widths[1], st, align="LEFT"),
                _short(f"{_num(lot.nominal, lot.places)} {unit}", widths[2], st),
                _short(str(lot.sample_size), widths[3], st),
                _short(f"{_num(lot.mean, lot.places)} {unit}", widths[4], st),
                _short(f"{_num(lot.tolerance, lot.places)} {unit}", widths[5], st),
                _short(str(lot.short_over_t), widths[6], st),
                _short(str(lot.short_over_2t), widths[7], st),
                _verdict_cell(lot.verdict, "; ".join(lot.rules_broken), lot.provisional, notes, st),
            ]
        )
    return rows, widths, []


def meters_table(checks: Sequence[MeterCheck], st: Styles) -> GridParts:
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
    rows: list[list[object]] = [
        [plain_cell(h, w, st, font="bold") for h, w in zip(heads, widths, strict=True)]
    ]
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
