"""The plan as a document: plain data built from the plan (no database access here, no rendering), so the PDF (and
later a DOCX) show the same words. NĐ 30/2020 layout: header, "KẾ HOẠCH" and its title line, the legal basis, the
sections I-V, the signature, then the annex listing the premises chosen and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..domain.vocabulary import GROUPS, INSPECTION_KINDS, PLAN_SOURCES, PREMISE_TYPES, STANDARD_KINDS
from ..documents.vn_format import vn_short_date
from ..domain.time import in_vn

DRAFT_NUMBER = "      /KH-UBND"


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Text:
    text: str
    indent: bool = True


@dataclass(frozen=True)
class Grid:
    """A table: its header, rows of short texts, and each column's share of the text width."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    shares: tuple[float, ...]


Block = Heading | Text | Grid


@dataclass(frozen=True)
class PlanDocument:
    issuer: tuple[str, ...]  # ("ỦY BAN NHÂN DÂN", "PHƯỜNG ĐỨC PHỔ")
    number: str
    place: str
    issued_on: date
    title: str  # "KẾ HOẠCH"
    subtitle: str
    blocks: tuple[Block, ...]
    signer_title: tuple[str, ...]
    signer_name: str
    recipients: tuple[str, ...]
    annex_title: str
    annex_subtitle: str
    annex: Grid
    draft: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)


def _lower_first(name: str) -> str:
    """ "Phường Đức Phổ" as it reads inside a sentence: "phường Đức Phổ"."""
    return name[:1].lower() + name[1:]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _standard_label(standard) -> str:
    kind = STANDARD_KINDS.get(standard.kind, standard.kind)
    serial = f", số {standard.serial}" if standard.serial else ""
    return f"{kind} {standard.nominal} {standard.unit} cấp {standard.accuracy_class}{serial}"


def build_plan_document(plan, unit, entries, standards, today: date) -> PlanDocument:
    """``entries``: the annex's active rows with their premises; ``standards``: the reference standards the plan
    uses; ``today`` dates a plan not yet approved."""
    year = plan.year
    targets = plan.targets or {}
    kinds = targets.get("kinds") or {}
    groups = targets.get("groups") or {}
    blocks: list[Block] = [Text(line) for line in _lines(plan.legal_basis)]
    blocks.append(
        Text(f"Ủy ban nhân dân {_lower_first(unit.name)} ban hành Kế hoạch kiểm tra năm {year} như sau:")
    )
    blocks.append(Heading("I. MỤC ĐÍCH, YÊU CẦU"))
    blocks += [Text(line) for line in _lines(plan.purpose)]
    blocks.append(Heading("II. NỘI DUNG, ĐỐI TƯỢNG VÀ CHỈ TIÊU KIỂM TRA"))
    scope = "; ".join(GROUPS[code].lower() for code in plan.scope_groups if code in GROUPS)
    blocks.append(Text(f"1. Nội dung kiểm tra: {scope}."))
    by_source = {code: sum(1 for e in entries if e.source == code) for code in PLAN_SOURCES}
    blocks.append(
        Text(
            f"2. Đối tượng kiểm tra: {len(entries)} cơ sở sản xuất, kinh doanh tại Phụ lục kèm theo, gồm "
            f"{by_source['score']} cơ sở chọn theo mức độ rủi ro, {by_source['random']} cơ sở chọn ngẫu nhiên "
            f"(tỷ lệ {plan.random_share}%, mã lựa chọn {plan.seed if plan.seed is not None else '—'}) và "
            f"{by_source['manual']} cơ sở do cán bộ bổ sung."
        )
    )
    blocks.append(Text("3. Chỉ tiêu số cuộc kiểm tra:"))
    blocks.append(
        Grid(
            ("Hình thức kiểm tra", "Số cuộc"),
            tuple((label, str(kinds.get(code, 0))) for code, label in INSPECTION_KINDS.items()),
            (0.7, 0.3),
        )
    )
    blocks.append(
        Grid(
            ("Nhóm nội dung", "Số cuộc có kiểm tra nội dung này"),
            tuple(
                (label, str(groups.get(code, 0)))
                for code, label in GROUPS.items()
                if code in plan.scope_groups
            ),
            (0.6, 0.4),
        )
    )
    blocks.append(Heading("III. THỜI GIAN, TIẾN ĐỘ THỰC HIỆN"))
    quarters = {"Q1": "Quý I", "Q2": "Quý II", "Q3": "Quý III", "Q4": "Quý IV"}
    blocks.append(
        Grid(
            ("Thời gian", "Nội dung thực hiện"),
            tuple((label, (plan.schedule or {}).get(code, "")) for code, label in quarters.items()),
            (0.2, 0.8),
        )
    )
    blocks.append(Heading("IV. LỰC LƯỢNG VÀ PHƯƠNG TIỆN KIỂM TRA"))
    if plan.team:
        blocks.append(Text(f"1. Lực lượng kiểm tra: {plan.team}"))
    if plan.partners:
        blocks.append(Text(f"2. Cơ quan phối hợp: {plan.partners}"))
    if standards:
        blocks.append(Text("3. Chuẩn đo lường sử dụng:"))
        end = date(year, 12, 31)
        blocks.append(
            Grid(
                ("Chuẩn đo lường", "Hạn kiểm định", f"Trong năm {year}"),
                tuple(
                    (
                        _standard_label(s),
                        vn_short_date(s.due_on),
                        "Còn hạn cả năm"
                        if s.due_on >= end
                        else f"Phải kiểm định lại trước {vn_short_date(s.due_on)}",
                    )
                    for s in standards
                ),
                (0.5, 0.2, 0.3),
            )
        )
    else:
        blocks.append(
            Text("3. Chuẩn đo lường: đơn vị chưa có chuẩn đo lường; đề nghị Sở Khoa học và Công nghệ hỗ trợ.")
        )
    blocks.append(Heading("V. TỔ CHỨC THỰC HIỆN"))
    blocks.append(
        Text(
            "Đoàn kiểm tra thực hiện kiểm tra theo Kế hoạch; kết quả kiểm tra được ghi nhận trên hệ thống, lập biên "
            "bản kiểm tra theo quy định và tổng hợp báo cáo Sở Khoa học và Công nghệ trước ngày 20/11. Trong quá "
            "trình thực hiện, nếu có khó khăn, vướng mắc, các bộ phận báo cáo Ủy ban nhân dân để kịp thời chỉ đạo."
        )
    )
    annex_rows = []
    for index, entry in enumerate(entries, start=1):
        premise = entry.premise
        if entry.source == "random":
            reason = "Chọn ngẫu nhiên"
        else:
            listed = (
                "; ".join(f"{r['text']} (+{r['points']})" for r in entry.reasons) or "Không có yếu tố rủi ro"
            )
            prefix = (
                "Cán bộ bổ sung" + (f" ({entry.note})" if entry.note else "") + ". "
                if entry.source == "manual"
                else ""
            )
            reason = f"{prefix}Điểm rủi ro {entry.score if entry.score is not None else 0}: {listed}"
        annex_rows.append(
            (
                str(index),
                premise.name,
                premise.address or "",
                PREMISE_TYPES.get(premise.premise_type, premise.premise_type),
                reason,
            )
        )
    number = plan.number or DRAFT_NUMBER
    issued_on = in_vn(plan.approved_at).date() if plan.approved_at else today
    return PlanDocument(
        issuer=tuple(unit.committee_lines),
        number=number,
        place=unit.short_name,
        issued_on=issued_on,
        title="KẾ HOẠCH",
        subtitle=plan.title,
        blocks=tuple(blocks),
        signer_title=tuple(_lines(plan.signer_title)),
        signer_name=plan.signer_name,
        recipients=("Sở Khoa học và Công nghệ (để báo cáo)", "Các bộ phận liên quan", "Lưu: VT"),
        annex_title="PHỤ LỤC",
        annex_subtitle=(
            f"DANH SÁCH CƠ SỞ DỰ KIẾN KIỂM TRA NĂM {year}\n(Kèm theo Kế hoạch số {number.strip()} "
            f"ngày {vn_short_date(issued_on)} của UBND {_lower_first(unit.name)})"
        ),
        annex=Grid(
            ("STT", "Cơ sở", "Địa chỉ", "Loại cơ sở", "Lý do chọn"),
            tuple(annex_rows),
            (0.07, 0.23, 0.22, 0.15, 0.33),
        ),
        draft=plan.is_draft,
    )
