"""What a yearly report's documents (DOCX, PDF, XLSX, CSV) show: plain data, no Flask and no database.

The reports feature builds a ``ReportDocument`` from a report (its letter, period, edited text, typed-in rows) and
its ``figures.ReportTable``; the renderers in ``documents/report_*`` turn it into bytes. A sent report keeps the
exact bytes rendered from it, with their SHA-256; its PDF carries ``verify_url`` as a QR code.

Layout (NĐ 30/2020/NĐ-CP Phụ lục I, as the biên bản): the issuing body's name over the commune's on the left
("UBND XÃ BA ĐỘNG"), the national motto on the right; "Số: …/BC-UBND" and "<place>, ngày … tháng … năm …"; the title
("BÁO CÁO") and the subtitle; the opening sentence that answers the Sở's letter; the section's heading and text;
the table (one value column for a commune, or one column per commune and a total for a province roll-up); the
typed-in rows, marked as typed in; the closing sentence; "Nơi nhận" on the left and the signature block on the
right; then the appendix listing, for each figure, the records it counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

__all__ = ["AppendixSection", "ReportDocument", "TableRow", "TypedRow"]


@dataclass(frozen=True)
class TableRow:
    """A line of the figures table: a heading (``values`` empty) or a figure with one value per column."""

    label: str
    level: int  # 0 heading, 1 row, 2 "trong đó" (indented)
    values: tuple[int, ...] = ()
    code: str | None = None  # the figure's code (the dashboard's), for the appendix and the XLSX


@dataclass(frozen=True)
class TypedRow:
    """A figure the app cannot know (training attended, budget, propaganda), typed in by the staff."""

    label: str
    value: str


@dataclass(frozen=True)
class AppendixSection:
    """The records behind one figure: its label and value, and one line per record (e.g. "12/03/2026 — Sạp 12,
    chợ Ba Động — Vi phạm"); ``truncated`` says how many more there are when the list was cut."""

    label: str
    value: int
    records: tuple[str, ...]
    truncated: int = 0


@dataclass(frozen=True)
class ReportDocument:
    province_name: str  # "Quảng Ngãi"
    issuer_parent: str  # the line above the issuer, e.g. "UBND TỈNH QUẢNG NGÃI" ("" for none)
    issuer: str  # "UBND XÃ BA ĐỘNG"
    number: str  # "15/BC-UBND" ("" while a draft: "Số:      /BC-UBND")
    place: str  # "Ba Động"
    issued_on: date
    title: str  # "BÁO CÁO"
    subtitle: str  # "Kết quả kiểm tra về tiêu chuẩn, đo lường, chất lượng năm 2026"
    opening: str  # "Thực hiện Công văn số 3078/SKHCN-TĐC ngày 25/11/2025 của Sở Khoa học và Công nghệ …; UBND xã … báo cáo …"
    period_from: date
    period_to: date
    section_heading: str  # "2.5. Kết quả công tác kiểm tra"
    section_text: str  # paragraphs separated by blank lines, as the staff edited them
    columns: tuple[
        str, ...
    ]  # value columns: ("Số lượng",) for a commune; communes' names + "Tổng cộng" for a roll-up
    rows: tuple[TableRow, ...]
    typed_rows: tuple[TypedRow, ...] = ()
    closing: str = ""  # "Trên đây là báo cáo …; UBND xã … kính báo cáo./."
    recipients: tuple[str, ...] = ()  # "Nơi nhận" lines, e.g. ("Sở Khoa học và Công nghệ;", "Lưu: VT.")
    signer_title: str = ""  # "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH" (lines)
    signer_name: str = ""
    verify_url: str | None = None  # set on a sent report: the QR code's address
    appendix: tuple[AppendixSection, ...] = field(default_factory=tuple)
