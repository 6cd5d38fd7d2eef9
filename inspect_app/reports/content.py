"""What a commune's report says around its section 2.5: the sentences that open and close it (in the register of
seed 000), its default title line, recipients and signature block, and the ``ReportDocument`` its files are
rendered from. The section's prose and the table's rows come from ``reports.text`` (through ``rendering``)."""

from __future__ import annotations

from datetime import date

from ..documents.vn_format import vn_numeric_date
from ..domain.report_rules import period_text
from ..domain.time import today_vn
from ..domain.vocabulary import UNIT_KINDS
from ..models import Province, Report, ReportRequest, Unit
from . import rendering
from .document import AppendixSection, ReportDocument, TypedRow
from .figures import ReportTable

SECTION_HEADING = "2.5. Đẩy mạnh công tác kiểm tra trong lĩnh vực tiêu chuẩn, đo lường và chất lượng"
DEFAULT_SIGNER_TITLE = "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"
WORK = "công tác kiểm tra về tiêu chuẩn, đo lường, chất lượng"
# The centrally-run cities (since 1/7/2025): their Sở is "của thành phố", every other province's "của tỉnh".
CITIES = {"Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế"}


def province_title(province: Province) -> str:
    """ "tỉnh Quảng Ngãi", "thành phố Huế"."""
    name = province.name.strip()
    if name.lower().startswith(("tỉnh ", "thành phố ")):
        return name[0].lower() + name[1:]
    return f"thành phố {name}" if name in CITIES else f"tỉnh {name}"


def sở_name(province: Province) -> str:
    return f"Sở Khoa học và Công nghệ {province_title(province)}"


def committee(unit: Unit) -> str:
    """The commune's People's Committee inside a sentence: "UBND xã Ba Động"."""
    return f"UBND {unit.name[0].lower()}{unit.name[1:]}"


def default_subject(plan: str, period_from: date, period_to: date) -> str:
    """The report's title line (trích yếu) until the staff change it."""
    if plan:
        return f"Kết quả triển khai thực hiện {plan}"
    return f"Kết quả {WORK} {period_text(period_from, period_to)}"


def default_recipients(unit: Unit) -> str:
    kind = UNIT_KINDS.get(unit.kind, "").lower() or unit.name.split(" ")[0].lower()
    return "\n".join((f"{sở_name(unit.province)} (báo cáo);", f"CT, các PCT UBND {kind};", "Lưu: VT."))


def opening(report: Report) -> str:
    """The sentence that answers the Sở's letter (or cites the plan, or only the period)."""
    unit = report.unit
    reporting = f"{committee(unit)} báo cáo kết quả thực hiện, cụ thể như sau:"
    if report.letter_number and report.letter_date:
        about = f" về việc {report.letter_subject}" if report.letter_subject else ""
        return (
            f"Thực hiện theo đề nghị của {sở_name(unit.province)} tại Công văn số {report.letter_number} "
            f"ngày {vn_numeric_date(report.letter_date)}{about}; {reporting}"
        )
    if report.plan:
        return f"Thực hiện {report.plan}; {reporting}"
    return (
        f"{committee(unit)} báo cáo kết quả {WORK} {period_text(report.period_from, report.period_to)}, "
        "cụ thể như sau:"
    )


def closing(report: Report) -> str:
    what = report.plan or f"{WORK} {period_text(report.period_from, report.period_to)}"
    return f"Trên đây là báo cáo kết quả thực hiện {what}; {committee(report.unit)} kính báo cáo./."


def _lines(text: str) -> tuple[str, ...]:
    """Typed lines, each without the dash a person may have typed before it (the document prints its own)."""
    return tuple(line.strip().removeprefix("-").strip() for line in text.splitlines() if line.strip())


def build_document(
    report: Report,
    table: ReportTable,
    verify_url: str | None = None,
    appendix: tuple[AppendixSection, ...] = (),
) -> ReportDocument:
    """Everything a report's files show, from the report, its table and the appendix of the records behind it: the
    one place a report's content is decided."""
    unit = report.unit
    return ReportDocument(
        province_name=unit.province.name,
        issuer_parent="",
        issuer=f"UBND {unit.name.upper()}",
        number=report.number,
        place=unit.short_name,
        issued_on=report.issued_on or today_vn(),
        title="BÁO CÁO",
        subtitle=report.subject,
        opening=opening(report),
        period_from=report.period_from,
        period_to=report.period_to,
        section_heading=SECTION_HEADING,
        section_text=report.section_text,
        columns=("Số lượng",),
        rows=rendering.document_rows(table, [report.unit_id]),
        typed_rows=tuple(TypedRow(row["label"], row["value"]) for row in report.typed_rows or ()),
        closing=closing(report),
        recipients=_lines(report.recipients),
        signer_title=report.signer_title,
        signer_name=report.signer_name,
        verify_url=verify_url,
        appendix=appendix,
    )


def _summary_columns(table: ReportTable) -> tuple[str, ...]:
    """The columns that go with ``document_rows(table)``: the communes and the total, or the one commune's name when
    only one has sent (its single column)."""
    columns = rendering.document_columns(table)
    return (table.units[0][1],) if len(table.units) == 1 else columns


def summary_document(request: ReportRequest, table: ReportTable) -> ReportDocument:
    """The Sở's table of a request: the sent reports' frozen figures, a column per commune and their total (for its
    XLSX and CSV)."""
    province = request.province
    return ReportDocument(
        province_name=province.name,
        issuer_parent=f"UBND {province_title(province).upper()}",
        issuer="SỞ KHOA HỌC VÀ CÔNG NGHỆ",
        number="",
        place=province.name,
        issued_on=today_vn(),
        title="BẢNG TỔNG HỢP",
        subtitle=(
            f"Kết quả kiểm tra của các xã, phường, đặc khu đã báo cáo theo Công văn số {request.letter_number} "
            f"ngày {vn_numeric_date(request.letter_date)}"
        ),
        opening="",
        period_from=request.period_from,
        period_to=request.period_to,
        section_heading="",
        section_text="",
        columns=_summary_columns(table),
        rows=rendering.document_rows(table, None),
    )
