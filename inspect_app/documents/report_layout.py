"""What every rendering of the yearly report (PDF, DOCX, XLSX, CSV) writes the same way: the number and date lines,
the table's caption and header, how a wide table is laid out, the typed-in mark and the appendix's wording.

The table: a commune's report has one value column and stays on the A4 portrait page. A roll-up has one column per
commune and a total; more than ``PORTRAIT_COLUMNS`` value columns go on A4 landscape pages (NĐ 30/2020 Phụ lục I
allows a text's tables to be laid out across the width of the page), at most ``LANDSCAPE_COLUMNS`` value columns a
table: a wider roll-up continues in further tables of the next communes, each repeating the "Nội dung" column.
"""

from __future__ import annotations

from ..reports.document import AppendixSection, ReportDocument
from .vn_format import format_vn_decimal, vn_place_date, vn_short_date

__all__ = [
    "APPENDIX_NAME",
    "APPENDIX_TITLE",
    "DRAFT_NUMBER",
    "LABEL_HEADER",
    "LANDSCAPE_COLUMNS",
    "PORTRAIT_COLUMNS",
    "TYPED_HEADER",
    "TYPED_MARK",
    "appendix_heading",
    "appendix_more",
    "appendix_subtitle",
    "column_chunks",
    "column_widths",
    "count",
    "document_line",
    "figure_tables",
    "issuer_lines",
    "number_text",
    "paragraphs",
    "place_date",
    "table_caption",
    "wide",
]

DRAFT_NUMBER = (
    "      /BC-UBND"  # a draft's number line: "Số:      /BC-UBND", the number written in when it is sent
)
LABEL_HEADER = "Nội dung"
TYPED_MARK = "(số liệu nhập tay)"
TYPED_HEADER = "Số liệu khác do đơn vị nhập"
APPENDIX_TITLE = "PHỤ LỤC"
APPENDIX_NAME = "DANH SÁCH HỒ SƠ LÀM CĂN CỨ CHO TỪNG SỐ LIỆU"
PORTRAIT_COLUMNS = 4
LANDSCAPE_COLUMNS = 12
LABEL_MIN_MM = 60
VALUE_MAX_MM = 30


def number_text(doc: ReportDocument) -> str:
    return doc.number or DRAFT_NUMBER


def place_date(doc: ReportDocument) -> str:
    """``"Ba Động, ngày 27 tháng 11 năm 2026"``."""
    return vn_place_date(doc.place, doc.issued_on)


def issuer_lines(doc: ReportDocument) -> tuple[str, ...]:
    """The issuing body's lines, the parent first ("UBND TỈNH QUẢNG NGÃI", "UBND XÃ BA ĐỘNG")."""
    return tuple(line for line in (doc.issuer_parent, doc.issuer) if line)


def document_line(doc: ReportDocument) -> str:
    """Which document this is, beside its QR: ``"Báo cáo số 15/BC-UBND ngày 27/11/2026"``."""
    number = f" số {doc.number}" if doc.number else ""
    return f"Báo cáo{number} ngày {vn_short_date(doc.issued_on)}"


def paragraphs(text: str) -> list[str]:
    """The paragraphs of an edited text: separated by blank lines, each one's own line breaks joined by spaces."""
    blocks = [
        " ".join(line.strip() for line in block.splitlines() if line.strip()) for block in text.split("\n\n")
    ]
    return [block for block in blocks if block]


def count(value: int) -> str:
    """A figure as printed: ``1234`` → ``"1.234"``."""
    return format_vn_decimal(value)


def table_caption(doc: ReportDocument) -> str:
    return (
        f"Bảng số liệu kết quả kiểm tra (từ ngày {vn_short_date(doc.period_from)} "
        f"đến ngày {vn_short_date(doc.period_to)})"
    )


def wide(doc: ReportDocument) -> bool:
    """Whether the table goes on landscape pages."""
    return len(doc.columns) > PORTRAIT_COLUMNS


def column_chunks(doc: ReportDocument) -> list[range]:
    """The value columns of each table the figures are printed in: all of them, or slices of ``LANDSCAPE_COLUMNS``
    of about equal width."""
    n = len(doc.columns)
    if n <= LANDSCAPE_COLUMNS:
        return [range(n)]
    tables = -(-n // LANDSCAPE_COLUMNS)
    size = -(-n // tables)
    return [range(start, min(start + size, n)) for start in range(0, n, size)]


def figure_tables(doc: ReportDocument) -> list[tuple[str, range]]:
    """Each table the figures are printed in: its caption and its value columns."""
    caption = table_caption(doc)
    chunks = column_chunks(doc)
    out = []
    for k, columns in enumerate(chunks):
        title = caption if k == 0 else f"{caption} (tiếp theo)"
        if len(chunks) > 1:
            title += f" – phần {k + 1}/{len(chunks)}"
        out.append((title, columns))
    return out


def column_widths(width: float, values: int, mm: float) -> list[float]:
    """The widths of "Nội dung" and ``values`` value columns across ``width`` (in a unit of which ``mm`` make a
    millimetre): every value column as wide as fits with "Nội dung" at least 60 mm, and at most 30 mm."""
    value = min((width - LABEL_MIN_MM * mm) / values, VALUE_MAX_MM * mm)
    return [width - values * value, *([value] * values)]


def appendix_subtitle(doc: ReportDocument) -> str:
    number = f" số {doc.number}" if doc.number else ""
    return f"(Kèm theo Báo cáo{number} ngày {vn_short_date(doc.issued_on)})"


def appendix_heading(index: int, section: AppendixSection) -> str:
    """``"3. Số phép đo không phù hợp: 6"``."""
    return f"{index}. {section.label}: {count(section.value)}"


def appendix_more(section: AppendixSection) -> str:
    """The line after a cut list, or ""."""
    if not section.truncated:
        return ""
    return f"… và {count(section.truncated)} hồ sơ khác (xem danh sách đầy đủ trên hệ thống)."
