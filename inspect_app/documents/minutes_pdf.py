"""Renders the biên bản kiểm tra (inspection minutes) as an A4 PDF in the NĐ 30/2020 layout, with a QR on every page."""

from __future__ import annotations

import hashlib
import io
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfdoc import PDFStream, PDFZCompress
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    PageBreak,
    PageBreakIfNotEmpty,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.paragraph import cleanBlockQuotedText

from .fonts import FontFamily, register_serif_family, seed_subsets
from .qr import draw_qr
from .vn_format import format_vn_decimal, vn_place_date, vn_short_date, vn_time_words

__all__ = [
    "ANSWER_NOT_APPLICABLE",
    "ANSWER_NOT_PASS",
    "ANSWER_PASS",
    "Business",
    "CheckResult",
    "MinutesDocument",
    "Photo",
    "PrepackagedLot",
    "Reading",
    "Representative",
    "RequestItem",
    "ResultGroup",
    "Signatory",
    "TeamMember",
    "Violation",
    "render_batch",
    "render_minutes_pdf",
]

ANSWER_PASS = "Đạt"
ANSWER_NOT_PASS = "Không đạt"
ANSWER_NOT_APPLICABLE = "Không áp dụng"

# ---------------------------------------------------------------------------------------------------------------
# Content: plain frozen values. The app fills them from its records; nothing here knows about the database.
# ---------------------------------------------------------------------------------------------------------------


def _tuple(obj: object, name: str) -> None:
    value = getattr(obj, name)
    if not isinstance(value, tuple):
        object.__setattr__(obj, name, tuple(value))


@dataclass(frozen=True)
class TeamMember:
    """A member of the inspection team (thành viên đoàn kiểm tra)."""

    name: str
    position: str  # chức vụ, e.g. "Công chức Văn hóa – Xã hội"
    organisation: str  # đơn vị, e.g. "UBND phường Đức Phổ"
    role: str = ""  # vai trò trong đoàn, e.g. "Trưởng đoàn", "Thành viên"


@dataclass(frozen=True)
class Business:
    """The inspected business (cơ sở được kiểm tra)."""

    name: str
    owner: str
    registration_number: str = ""  # số Giấy chứng nhận đăng ký hộ kinh doanh / doanh nghiệp
    address: str = ""
    market: str = ""  # chợ
    stall: str = ""  # số sạp / ki-ốt


@dataclass(frozen=True)
class Representative:
    """The person who represented the business during the inspection (đại diện cơ sở)."""

    name: str
    position: str  # chức vụ / quan hệ với cơ sở, e.g. "Chủ hộ kinh doanh"
    id_number: str = ""  # số CCCD: printed on the PDF only, never on the public verification page


@dataclass(frozen=True)
class CheckResult:
    """One checklist item and its answer (``ANSWER_PASS`` / ``ANSWER_NOT_PASS`` / ``ANSWER_NOT_APPLICABLE``)."""

    question: str
    answer: str
    note: str = ""


@dataclass(frozen=True)
class ResultGroup:
    """A checklist group (phương tiện đo, ghi nhãn, niêm yết giá, chất lượng) with its answered items."""

    title: str
    items: tuple[CheckResult, ...]

    def __post_init__(self) -> None:
        _tuple(self, "items")


@dataclass(frozen=True)
class Reading:
    """One control measurement: reference load or volume against the instrument's indication."""

    instrument: str  # e.g. "Cân đồng hồ lò xo 15 kg, cấp 4 (IIII), e = 50 g"
    reference: Decimal  # tải / lượng chuẩn
    indication: Decimal  # số chỉ
    error: Decimal  # sai số (indication − reference, or as the rule defines it)
    permitted_error: Decimal  # giới hạn sai số cho phép (magnitude)
    unit: str  # "kg", "g", "L", "mL"
    verdict: str  # "Đạt" / "Không đạt"
    rule: str = ""  # the rule and table used, e.g. "ĐLVN 30:2019, MPE sử dụng cấp IIII"
    provisional: bool = False  # judged with a table whose official text is not confirmed
    places: int | None = None  # decimals to print; None keeps each Decimal's own precision
    permitted_sign: str = "±"  # "±" for a symmetric MPE; "" for a one-sided permitted shortfall


@dataclass(frozen=True)
class PrepackagedLot:
    """One pre-packaged product sampled and judged with the lot rules of TT 21/2014 (mean, T, 2T)."""

    product: str
    nominal: Decimal  # lượng danh định
    unit: str
    sample_size: int  # n
    mean: Decimal  # lượng trung bình
    tolerance: Decimal  # T, lượng thiếu cho phép
    short_over_t: int  # units short by more than T
    short_over_2t: int  # units short by more than 2T
    verdict: str
    rules_broken: tuple[str, ...] = ()
    provisional: bool = False
    places: int | None = None

    def __post_init__(self) -> None:
        _tuple(self, "rules_broken")


@dataclass(frozen=True)
class Violation:
    """A violation found, with the provision it breaches."""

    text: str
    legal_basis: str = ""


@dataclass(frozen=True)
class RequestItem:
    """Something the business must do (yêu cầu khắc phục), with an optional deadline."""

    text: str
    deadline: date | None = None


@dataclass(frozen=True)
class Signatory:
    """A name under a signature block, optionally with the captured signature (PNG bytes)."""

    name: str
    signature_png: bytes | None = None


@dataclass(frozen=True)
class Photo:
    """A photo for the appendix (JPEG bytes) and its caption."""

    jpeg: bytes
    caption: str = ""


@dataclass(frozen=True)
class MinutesDocument:
    """Everything printed on one biên bản kiểm tra."""

    issuing_body_lines: tuple[str, ...]  # e.g. ("ỦY BAN NHÂN DÂN", "PHƯỜNG ĐỨC PHỔ"); the last line is bold
    number: int
    year: int
    place_name: str  # địa danh, e.g. "Đức Phổ"
    issued_on: date
    subtitle: str  # what was checked, e.g. "Về việc kiểm tra đo lường, ghi nhãn hàng hóa, …"
    legal_basis: tuple[str, ...]  # "Căn cứ …" lines
    started_at: datetime
    place: str  # where the inspection took place
    team: tuple[TeamMember, ...]
    business: Business
    representative: Representative
    recorder: Signatory  # NGƯỜI LẬP BIÊN BẢN
    team_leader: Signatory  # TRƯỞNG ĐOÀN KIỂM TRA
    business_signatory: Signatory | None = None  # ĐẠI DIỆN CƠ SỞ; defaults to the representative's name
    ended_at: datetime | None = None
    result_groups: tuple[ResultGroup, ...] = ()
    reference_standards: tuple[str, ...] = ()  # chuẩn đo lường used, with their certificate and validity
    readings: tuple[Reading, ...] = ()
    lots: tuple[PrepackagedLot, ...] = ()
    violations: tuple[Violation, ...] = ()
    outcome: str = ""  # kết luận chung
    handling: str = ""  # biện pháp xử lý
    requests: tuple[RequestItem, ...] = ()
    representative_statement: str = ""  # empty: dotted lines are printed for a handwritten statement
    copies: int = 2
    photos: tuple[Photo, ...] = ()
    # A replacement note, printed in full under the title and, shortened if need be, at the foot of every page:
    # "Biên bản này thay thế Biên bản số 11/BB-KT ngày …" (or, on a reprint of a replaced one, "… đã được thay thế …").
    superseded_note: str | None = None
    number_suffix: str = "BB-KT"
    title: str = "BIÊN BẢN KIỂM TRA"

    def __post_init__(self) -> None:
        for name in (
            "issuing_body_lines",
            "legal_basis",
            "team",
            "result_groups",
            "reference_standards",
            "readings",
            "lots",
            "violations",
            "requests",
            "photos",
        ):
            _tuple(self, name)
        if self.number < 1:
            raise ValueError("number must be positive")
        if self.copies < 1:
            raise ValueError("copies must be at least 1")

    @property
    def number_text(self) -> str:
        """``"12/BB-KT"``."""
        return f"{self.number}/{self.number_suffix}"

    @property
    def place_date_text(self) -> str:
        """``"Đức Phổ, ngày 21 tháng 11 năm 2026"``."""
        return vn_place_date(self.place_name, self.issued_on)


# ---------------------------------------------------------------------------------------------------------------
# Layout
# ---------------------------------------------------------------------------------------------------------------

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_TOP = 20 * mm
MARGIN_BOTTOM = 20 * mm
MARGIN_LEFT = 30 * mm
MARGIN_RIGHT = 15 * mm
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
QR_SIZE = 22 * mm
QR_X = 5 * mm  # in the left margin, bottom corner: 3 mm (5 modules) of white to the text column
QR_Y = 6 * mm

NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
NATIONAL_MOTTO = "Độc lập - Tự do - Hạnh phúc"
QR_CAPTION = "Quét mã để kiểm tra tính xác thực"
COPY_MARK = "BẢN SAO"
VN_TZ = timezone(timedelta(hours=7))


class _Para(Paragraph):
    """A Paragraph that keeps its line breaks when wrapped again at the same width.

    Tables wrap every cell twice (to size the row, then to draw it) and frames re-wrap on page ends; the line
    breaking of a paragraph depends on the width only, so the second pass is free.
    """

    _wrapped_at: float | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if availWidth == self._wrapped_at and "blPara" in self.__dict__:  # split() drops blPara: wrap anew
            return self.width, self.height
        width, height = super().wrap(availWidth, availHeight)
        if height != 0x7FFFFFFF:
            self._wrapped_at = availWidth
        return width, height


def _nfc(text: str) -> str:
    # Decomposed input (base letter + combining marks) would print detached accents: fonts map precomposed letters.
    return unicodedata.normalize("NFC", text)


def _x(text: str) -> str:
    """Escape user text for a Paragraph (which parses XML-like markup) and keep its line breaks."""
    return escape(_nfc(text)).replace("\n", "<br/>")


@dataclass(frozen=True)
class _Styles:
    fonts: FontFamily
    body: ParagraphStyle
    body_indent: ParagraphStyle
    heading: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    header_left: ParagraphStyle
    header_left_bold: ParagraphStyle
    national: ParagraphStyle
    motto: ParagraphStyle
    place_date: ParagraphStyle
    number: ParagraphStyle
    cell: ParagraphStyle
    cell_center: ParagraphStyle
    cell_head: ParagraphStyle
    cell_small: ParagraphStyle
    note: ParagraphStyle
    sign_title: ParagraphStyle
    sign_hint: ParagraphStyle
    sign_name: ParagraphStyle
    caption: ParagraphStyle
    superseded: ParagraphStyle


_styles_cache: dict[str, _Styles] = {}


def _styles(fonts: FontFamily) -> _Styles:
    cached = _styles_cache.get(fonts.family)
    if cached is not None:
        return cached
    r, b, i = fonts.regular, fonts.bold, fonts.italic
    # NĐ 30/2020 Phụ lục I: 13-14 pt text, line spacing from single to 1.5 lines, at least 6 pt between paragraphs,
    # first line indented 1 cm. List-like lines (team members, business details) keep a tighter 3 pt.
    body = ParagraphStyle("body", fontName=r, fontSize=13, leading=15.5, alignment=TA_JUSTIFY, spaceAfter=3)
    national_size = 13 if stringWidth(NATIONAL_NAME, b, 13) <= 0.62 * TEXT_WIDTH - 4 else 12
    cell = ParagraphStyle("cell", fontName=r, fontSize=11, leading=13, alignment=TA_LEFT)
    st = _Styles(
        fonts=fonts,
        body=body,
        body_indent=ParagraphStyle("body_indent", parent=body, firstLineIndent=10 * mm, spaceAfter=6),
        heading=ParagraphStyle(
            "heading", parent=body, fontName=b, alignment=TA_LEFT, spaceBefore=6, spaceAfter=3
        ),
        title=ParagraphStyle(
            "title", fontName=b, fontSize=14, leading=17, alignment=TA_CENTER, spaceBefore=16, spaceAfter=2
        ),
        subtitle=ParagraphStyle(
            "subtitle", fontName=b, fontSize=13, leading=16, alignment=TA_CENTER, spaceAfter=10
        ),
        header_left=ParagraphStyle("header_left", fontName=r, fontSize=12.5, leading=15, alignment=TA_CENTER),
        header_left_bold=ParagraphStyle(
            "header_left_bold", fontName=b, fontSize=12.5, leading=15, alignment=TA_CENTER
        ),
        national=ParagraphStyle(
            "national", fontName=b, fontSize=national_size, leading=15, alignment=TA_CENTER
        ),
        motto=ParagraphStyle("motto", fontName=b, fontSize=13, leading=15.5, alignment=TA_CENTER),
        place_date=ParagraphStyle("place_date", fontName=i, fontSize=13, leading=16, alignment=TA_CENTER),
        number=ParagraphStyle("number", fontName=r, fontSize=13, leading=16, alignment=TA_CENTER),
        cell=cell,
        cell_center=ParagraphStyle("cell_center", parent=cell, alignment=TA_CENTER),
        cell_head=ParagraphStyle("cell_head", parent=cell, fontName=b, alignment=TA_CENTER),
        cell_small=ParagraphStyle(
            "cell_small", parent=cell, fontName=i, fontSize=9, leading=10.5, alignment=TA_CENTER
        ),
        note=ParagraphStyle("note", parent=body, fontName=i, fontSize=11, leading=13.5, spaceBefore=2),
        sign_title=ParagraphStyle("sign_title", fontName=b, fontSize=12, leading=14.5, alignment=TA_CENTER),
        sign_hint=ParagraphStyle("sign_hint", fontName=i, fontSize=12, leading=14.5, alignment=TA_CENTER),
        sign_name=ParagraphStyle("sign_name", fontName=b, fontSize=13, leading=16, alignment=TA_CENTER),
        caption=ParagraphStyle("caption", fontName=i, fontSize=11, leading=13, alignment=TA_CENTER),
        superseded=ParagraphStyle(
            "superseded",
            fontName=fonts.bold_italic,
            fontSize=12,
            leading=15,
            alignment=TA_CENTER,
            spaceAfter=8,
        ),
    )
    _styles_cache[fonts.family] = st
    return st


class _DocStart(Flowable):
    """Zero-size marker: the pages drawn from here on belong to document ``index`` (numbering, QR)."""

    def __init__(self, index: int) -> None:
        super().__init__()
        self.index = index
        self.width = self.height = 0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.canv._minutes_doc_index = self.index  # type: ignore[attr-defined]


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
    text = " ".join(_nfc(text).split())
    broken = _break_lines(text, font, size, width) or [text]
    return [_Line(line, font, size, leading) for line in broken]


def _header(doc: MinutesDocument, st: _Styles) -> list[Flowable]:
    fonts = st.fonts
    left_w = 0.38 * TEXT_WIDTH
    right_w = TEXT_WIDTH - left_w
    names = [_nfc(line).upper() for line in doc.issuing_body_lines] or [""]
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
        _para(doc.title, st.title),
        _para(doc.subtitle, st.subtitle),
        *([_para(doc.superseded_note, st.superseded)] if doc.superseded_note else []),
    ]


def _heading(text: str, st: _Styles) -> list[Flowable]:
    # Move a heading to the next page unless a few lines (or a table's head and first rows) fit under it.
    return [CondPageBreak(32 * mm), _para(text, st.heading)]


# One parsed fragment per style, cloned for plain text: skips the XML parser, the largest single cost of a
# Paragraph built from text that has no markup (most of a biên bản). A test checks both paths give equal bytes.
_frag_templates: dict[int, tuple[ParagraphStyle, object]] = {}
_FAST_PLAIN_TEXT = True


def _para(text: str, style: ParagraphStyle) -> Paragraph:
    """A Paragraph of plain user text (no markup; characters like < and & print as they are)."""
    text = _nfc(text)
    # Entities split the parser's fragments; keep its exact output for text that needs them.
    if not _FAST_PLAIN_TEXT or "\n" in text or "&" in text or "<" in text or ">" in text:
        return _Para(_x(text), style)
    clean = cleanBlockQuotedText(text)
    if not clean:
        return _Para("", style)
    hit = _frag_templates.get(id(style))
    if hit is None or hit[0] is not style:
        hit = (style, _Para("x", style).frags[0])
        _frag_templates[id(style)] = hit
    return _Para(clean, style, frags=[hit[1].clone(text=clean)])


def _labelled(label: str, value: str, style: ParagraphStyle) -> Paragraph:
    return _Para(f"{_x(label)}: {_x(value)}", style)


def _num(value: Decimal, places: int | None, *, signed: bool = False) -> str:
    return format_vn_decimal(value, places, signed=signed)


def _is_fail(answer: str) -> bool:
    return _nfc(answer).strip().lower().startswith("không đạt")


def _verdict_cell(verdict: str, detail: str, provisional: bool, st: _Styles) -> list[Flowable]:
    verdict_text = _x(verdict)
    if _is_fail(verdict):
        verdict_text = f"<b>{verdict_text}</b>"
    out: list[Flowable] = [_Para(verdict_text + (" (*)" if provisional else ""), st.cell_center)]
    if detail:
        out.append(_para(detail, st.cell_small))
    return out


class _Short(str):
    """A table cell drawn as plain text lines (already broken to the column width) instead of a Paragraph.

    Tables are mostly short texts; a plain cell costs a fraction of a Paragraph to lay out and draw.
    """

    font = "regular"  # "regular", "bold" or "italic"
    align = "CENTER"


def _break_lines(text: str, font: str, size: float, width: float) -> list[str] | None:
    """Greedy line breaking at spaces (as Paragraph does); None when a single word is wider than ``width``."""
    space = stringWidth(" ", font, size)
    lines: list[str] = []
    current, current_w = "", 0.0
    for word in text.split():
        word_w = stringWidth(word, font, size)
        if word_w > width:
            return None
        if not current:
            current, current_w = word, word_w
        elif current_w + space + word_w <= width:
            current, current_w = f"{current} {word}", current_w + space + word_w
        else:
            lines.append(current)
            current, current_w = word, word_w
    if current:
        lines.append(current)
    return lines


def _cell(text: str, width: float, st: _Styles, *, font: str = "regular", align: str = "CENTER") -> object:
    """``text`` as a plain cell broken to fit a column ``width`` wide (a Paragraph only for over-long words)."""
    text = _nfc(text)
    face = {"regular": st.fonts.regular, "bold": st.fonts.bold, "italic": st.fonts.italic}[font]
    lines = _break_lines(text, face, st.cell.fontSize, width - 6)  # the cell padding is 3 pt each side
    if lines is None:
        markup = {"bold": "<b>{}</b>", "italic": "<i>{}</i>"}.get(font, "{}").format(_x(text))
        return _Para(markup, st.cell if align == "LEFT" else st.cell_center)
    cell = _Short("\n".join(lines))
    cell.font = font
    cell.align = align
    return cell


def _short(text: str, width: float, st: _Styles, *, bold: bool = False) -> object:
    """A centred plain cell (numbers, answers)."""
    return _cell(text, width, st, font="bold" if bold else "regular")


def _plain_cell_styles(rows: list[list[object]], st: _Styles) -> list[tuple]:
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

    Measures the real table when the frame asks (its cells keep their line breaks for the table's own wrap).
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


def _table_section(
    title: str, parts: _GridParts, st: _Styles, intro: Sequence[Flowable] = ()
) -> list[Flowable]:
    """A sub-heading and its grid table, the heading kept on the page only if the table head and first row fit."""
    rows, widths, extra = parts
    extra = _plain_cell_styles(rows, st) + extra
    lead_rows = min(len(rows), 3 if any(cmd[0] == "SPAN" for cmd in extra) else 2)  # head, (group,) first row
    heading = _para(title, st.heading)
    table = Table(rows, colWidths=widths, repeatRows=1, style=_grid_style(extra))
    return [_TableHeadBreak([heading, *intro], table, lead_rows), heading, *intro, table]


def _results_table(groups: Sequence[ResultGroup], st: _Styles) -> _GridParts:
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


def _readings_table(readings: Sequence[Reading], st: _Styles) -> _GridParts:
    widths = [10 * mm, 42 * mm, 20 * mm, 20 * mm, 20 * mm, 20 * mm]
    widths.append(TEXT_WIDTH - sum(widths))
    heads = ("STT", "Phương tiện đo", "Tải/lượng chuẩn", "Số chỉ", "Sai số", "Sai số cho phép", "Kết quả")
    rows: list[list[object]] = [[_cell(h, w, st, font="bold") for h, w in zip(heads, widths, strict=True)]]
    previous = None
    for n, rd in enumerate(readings, start=1):
        unit = _nfc(rd.unit)
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


def _lots_table(lots: Sequence[PrepackagedLot], st: _Styles) -> _GridParts:
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
        unit = _nfc(lot.unit)
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


def _dotted_lines(count: int, st: _Styles) -> list[Flowable]:
    dots = "." * int(TEXT_WIDTH / stringWidth(".", st.fonts.regular, 13) - 2)
    return [_Para(dots, st.body) for _ in range(count)]


def _fit_image(data: bytes, max_w: float, max_h: float, *, mask: object = None) -> Image:
    reader = ImageReader(io.BytesIO(data))
    w, h = reader.getSize()
    scale = min(max_w / w, max_h / h)
    return Image(io.BytesIO(data), width=w * scale, height=h * scale, mask=mask)


def _signatures(doc: MinutesDocument, st: _Styles) -> Flowable:
    fonts = st.fonts
    business = doc.business_signatory or Signatory(doc.representative.name)
    blocks = (
        ("ĐẠI DIỆN CƠ SỞ", business),
        ("NGƯỜI LẬP BIÊN BẢN", doc.recorder),
        ("TRƯỞNG ĐOÀN KIỂM TRA", doc.team_leader),
    )
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
            _Line("(Ký, ghi rõ họ tên)", fonts.italic, 12, 14.5),
            _Gap(1 * mm),
        ]
        if who.signature_png:
            reader = ImageReader(io.BytesIO(who.signature_png))
            w, h = reader.getSize()
            scale = min((col_w - 8 * mm) / w, sign_h / h)
            free = sign_h - h * scale
            items.extend((_Gap(free / 2), _Picture(who.signature_png, w * scale, h * scale), _Gap(free / 2)))
        else:
            items.append(_Gap(sign_h))
        items.extend(_lines(who.name, fonts.bold, 13, 16, inner_w))
        items.append(_Gap(3))
        columns.append((k * col_w, col_w, items))
    return _Columns(columns)


def _photos(doc: MinutesDocument, st: _Styles) -> list[Flowable]:
    out: list[Flowable] = [
        PageBreak(),
        _Para("PHỤ LỤC: HÌNH ẢNH KIỂM TRA", st.title),
        _Para(
            _x(f"(Kèm theo Biên bản kiểm tra số {doc.number_text} ngày {vn_short_date(doc.issued_on)})"),
            ParagraphStyle("appendix_sub", parent=st.place_date, spaceAfter=8),
        ),
    ]
    col_w = TEXT_WIDTH / 2
    cells: list[list[Flowable]] = []
    for n, photo in enumerate(doc.photos, start=1):
        img = _fit_image(photo.jpeg, col_w - 6 * mm, 75 * mm)
        caption = f"Ảnh {n}. {photo.caption}" if photo.caption else f"Ảnh {n}"
        cells.append([img, Spacer(1, 1.5 * mm), _para(caption, st.caption)])
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


def _story(doc: MinutesDocument, st: _Styles) -> list[Flowable]:
    s: list[Flowable] = _header(doc, st)
    body = st.body
    for line in doc.legal_basis:
        s.append(_para(line, st.body_indent))

    started = doc.started_at
    s.append(
        _para(
            f"Hôm nay, vào hồi {vn_time_words(started)}, ngày {started.day:02d}/{started.month:02d}/{started.year}, "
            f"tại {doc.place}, chúng tôi gồm:",
            st.body_indent,
        )
    )

    s.extend(_heading("I. ĐOÀN KIỂM TRA", st))
    for n, m in enumerate(doc.team, start=1):
        parts = [f"{n}. Ông/Bà {m.name}", f"chức vụ: {m.position}"]
        if m.organisation:
            parts.append(f"đơn vị: {m.organisation}")
        text = ", ".join(parts)
        if m.role:
            text += f" – {m.role}"
        s.append(_para(text + ";", body))

    s.extend(_heading("II. CƠ SỞ ĐƯỢC KIỂM TRA", st))
    biz = doc.business
    s.append(_labelled("Tên cơ sở", biz.name, body))
    s.append(_labelled("Chủ cơ sở", biz.owner, body))
    if biz.registration_number:
        s.append(_labelled("Số Giấy chứng nhận đăng ký kinh doanh", biz.registration_number, body))
    if biz.address:
        s.append(_labelled("Địa chỉ", biz.address, body))
    if biz.market or biz.stall:
        s.append(_labelled("Chợ, số sạp/ki-ốt", ", ".join(x for x in (biz.market, biz.stall) if x), body))
    rep = doc.representative
    rep_text = f"Đại diện cơ sở: Ông/Bà {_x(rep.name)}, chức vụ/quan hệ với cơ sở: {_x(rep.position)}"
    if rep.id_number:
        rep_text += f", số CCCD: {_x(rep.id_number)}"
    s.append(_Para(rep_text + ".", body))

    s.extend(_heading("III. NỘI DUNG VÀ KẾT QUẢ KIỂM TRA", st))
    section = 0
    if doc.result_groups:
        section += 1
        s.extend(
            _table_section(
                f"{section}. Kết quả kiểm tra theo nội dung", _results_table(doc.result_groups, st), st
            )
        )
    if doc.readings:
        section += 1
        intro = []
        if doc.reference_standards:
            intro.append(_para("Chuẩn đo lường sử dụng: " + "; ".join(doc.reference_standards) + ".", body))
        s.extend(
            _table_section(
                f"{section}. Kết quả phép đo đối chứng, kiểm tra sai số phương tiện đo",
                _readings_table(doc.readings, st),
                st,
                intro,
            )
        )
    if doc.lots:
        section += 1
        s.extend(
            _table_section(
                f"{section}. Kết quả kiểm tra lượng của hàng đóng gói sẵn", _lots_table(doc.lots, st), st
            )
        )
    if any(r.provisional for r in doc.readings) or any(lot.provisional for lot in doc.lots):
        s.append(
            _para(
                "(*) Kết quả đánh giá theo bảng giới hạn sai số tạm thời, chưa được đối chiếu với văn bản chính thức.",
                st.note,
            )
        )
    if section == 0:
        s.append(_para("Không có kết quả kiểm tra chi tiết kèm theo.", body))

    s.extend(_heading("IV. VI PHẠM PHÁT HIỆN", st))
    if doc.violations:
        for n, v in enumerate(doc.violations, start=1):
            text = f"{n}. {_x(v.text)}"
            if v.legal_basis:
                text += f" <i>(Căn cứ: {_x(v.legal_basis)})</i>"
            s.append(_Para(text, body))
    else:
        s.append(_para("Không phát hiện vi phạm.", body))

    s.extend(_heading("V. KẾT LUẬN VÀ BIỆN PHÁP XỬ LÝ", st))
    if doc.outcome:
        s.append(_Para(f"<b>Kết luận:</b> {_x(doc.outcome)}", body))
    if doc.handling:
        s.append(_Para(f"<b>Biện pháp xử lý:</b> {_x(doc.handling)}", body))
    if doc.requests:
        s.append(_Para("<b>Yêu cầu cơ sở:</b>", body))
        for n, req in enumerate(doc.requests, start=1):
            text = f"{n}. {_x(req.text)}"
            if req.deadline:
                text += f" Thời hạn hoàn thành: trước ngày {vn_short_date(req.deadline)}."
            s.append(_Para(text, body))

    s.extend(_heading("VI. Ý KIẾN CỦA ĐẠI DIỆN CƠ SỞ", st))
    if doc.representative_statement:
        s.append(_para(doc.representative_statement, body))
    else:
        s.extend(_dotted_lines(2, st))

    if doc.ended_at is not None:
        ended = doc.ended_at
        same_day = ended.date() == started.date()
        when = "cùng ngày" if same_day else f"ngày {ended.day:02d}/{ended.month:02d}/{ended.year}"
        s.append(_para(f"Việc kiểm tra kết thúc vào hồi {vn_time_words(ended)} {when}.", st.body_indent))
    # The closing sentence stays with the signatures: a signature page never starts without it.
    closing: list[Flowable] = []
    if doc.copies == 2:
        kept = "mỗi bên giữ 01 bản"
    else:
        kept = f"cơ sở được kiểm tra giữ 01 bản, Đoàn kiểm tra giữ {doc.copies - 1:02d} bản"
    made = (
        f"Biên bản được lập thành {doc.copies:02d} bản có giá trị như nhau, {kept}"
        if doc.copies > 1
        else "Biên bản được lập thành 01 bản"
    )
    closing.append(
        _para(
            f"{made}; đã đọc lại cho những người có tên trên cùng nghe, công nhận đúng và ký tên dưới đây.",
            st.body_indent,
        )
    )
    closing.append(Spacer(1, 4 * mm))
    closing.append(_signatures(doc, st))
    s.append(KeepTogether(closing))

    if doc.photos:
        s.extend(_photos(doc, st))
    return s


# ---------------------------------------------------------------------------------------------------------------
# Page furniture drawn once the page count of each document is known: page numbers, QR, status marks.
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Decor:
    verify_url: str
    number_text: str
    issued_on: date
    copy_mark: bool
    superseded_note: str | None


# Same table as ReportLab's escapePDF: octal for control and non-ASCII bytes, backslash before \ ( ).
_PDF_ESCAPES = {
    c: f"\\{c:03o}" if c < 32 or c >= 127 else ("\\" + chr(c) if chr(c) in "\\()" else chr(c))
    for c in range(256)
}
_FAST_ESCAPE = True


class _FixedTimeStamp:
    """Stands in for reportlab.lib.utils.TimeStamp: the PDF dates come from the document, not the clock."""

    def __init__(self, day: date) -> None:
        moment = datetime(day.year, day.month, day.day, tzinfo=VN_TZ)
        self.t = moment.timestamp()
        self.lt = moment.timetuple()
        self.YMDhms = tuple(self.lt)[:6]
        self.dhh, self.dmm, self.tzname = 7, 0, "ICT"

    @property
    def datetime(self) -> datetime:
        return datetime.fromtimestamp(self.t, VN_TZ)

    @property
    def asctime(self) -> str:
        import time

        return time.asctime(self.lt)


def _canvas_maker(decor: Sequence[_Decor], fonts: FontFamily, stamp_day: date) -> type[Canvas]:
    class _MinutesCanvas(Canvas):
        def __init__(self, *args: object, **kwargs: object) -> None:
            kwargs["invariant"] = 1
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            # Same bytes whatever the clock or SOURCE_DATE_EPOCH say: dates and file ID derive from the document.
            pdf = self._doc
            pdf._timeStamp = _FixedTimeStamp(stamp_day)
            pdf.signature = hashlib.md5(usedforsecurity=False)
            pdf.signature.update(b"inspect_app minutes " + stamp_day.isoformat().encode())
            seed_subsets(fonts, pdf)
            self._minutes_doc_index = 0
            self._pending: list[tuple[int, dict]] = []

        def _escape(self, s: str | bytes) -> str:
            # ReportLab's pure-Python escapePDF loops per character; str.translate does the same mapping in C.
            if _FAST_ESCAPE:
                text = s.decode("latin-1") if isinstance(s, bytes) else s
                if not text or max(text) <= "\xff":
                    return text.translate(_PDF_ESCAPES)
            return Canvas._escape(self, s)

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
                page = self._doc.Pages.pages[-1]
                if page.compression and not page.Contents:
                    # Deflate only: ReportLab would also wrap page streams in ASCII85 (rl_config.useA85), which
                    # costs time and 25 % size and needs no global switch flipped here.
                    page.Contents = PDFStream(content=page.stream, filters=[PDFZCompress])
            Canvas.save(self)

    return _MinutesCanvas


def _decorate(c: Canvas, d: _Decor, fonts: FontFamily, page: int, total: int) -> None:
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
        note = _nfc(d.superseded_note)
        max_w = TEXT_WIDTH
        while stringWidth(note, fonts.bold_italic, 8.5) > max_w and len(note) > 4:
            note = note[:-2].rstrip() + "…"
        c.drawString(MARGIN_LEFT, QR_Y + 10.5 * mm, note)
    if d.copy_mark:
        # A stamp in the top-right margin, printed on every page of a reprint.
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


# ---------------------------------------------------------------------------------------------------------------
# Public entry points
# ---------------------------------------------------------------------------------------------------------------


def _build(items: Sequence[tuple[MinutesDocument, str]], copy_mark: bool | Sequence[bool]) -> bytes:
    if not items:
        raise ValueError("nothing to render")
    fonts = register_serif_family()
    st = _styles(fonts)
    story: list[Flowable] = []
    decor: list[_Decor] = []
    for index, (doc, url) in enumerate(items):
        if not url:
            raise ValueError("verify_url is required: every page carries a QR code")
        if index:
            story.append(PageBreakIfNotEmpty())
        story.append(_DocStart(index))
        story.extend(_story(doc, st))
        marked = copy_mark if isinstance(copy_mark, bool) else copy_mark[len(decor)]
        decor.append(_Decor(url, _nfc(doc.number_text), doc.issued_on, marked, doc.superseded_note))

    first = items[0][0]
    if len(items) == 1:
        title = f"Biên bản kiểm tra số {first.number_text}"
    else:
        title = f"Biên bản kiểm tra ({len(items)} biên bản)"
    buf = io.BytesIO()
    template = BaseDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=MARGIN_LEFT,
        rightMargin=MARGIN_RIGHT,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=_nfc(title),
        author=_nfc(" ".join(first.issuing_body_lines)),
        subject=_nfc(first.subtitle),
        creator="inspect_app",
        invariant=1,
        pageCompression=1,
        lang="vi-VN",
        initialFontName=fonts.regular,
    )
    frame = Frame(
        MARGIN_LEFT,
        MARGIN_BOTTOM,
        TEXT_WIDTH,
        PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    template.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    stamp_day = max(doc.issued_on for doc, _ in items)
    template.build(story, canvasmaker=_canvas_maker(decor, fonts, stamp_day))
    return buf.getvalue()


def render_minutes_pdf(doc: MinutesDocument, *, verify_url: str, copy_mark: bool = False) -> bytes:
    """Render one biên bản kiểm tra; the same input always gives byte-identical output."""
    return _build([(doc, verify_url)], copy_mark)


def render_batch(
    docs_with_urls: list[tuple[MinutesDocument, str]], copy_mark: bool | Sequence[bool] = False
) -> bytes:
    """Render several biên bản into one PDF; each starts on a new page with its own numbering and QR.

    copy_mark is one flag for all, or one per document (a day's batch mixes first prints and reprints)."""
    return _build(list(docs_with_urls), copy_mark)
