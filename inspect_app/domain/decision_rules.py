"""Rules of the Quyết định kiểm tra (TT 28/2013 Mẫu 4) and the Điều 21 notices, on plain values: their numbers, what
a draft must hold, which team members lack the TĐC training certificate (Điều 5.7), and whether a decision covers a
day. Messages are Vietnamese; nothing here knows Flask or the database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from .text import nfc
from .vocabulary import DECISION_KINDS, DECISION_SCOPE_GROUPS

# NĐ 30/2020 Phụ lục III: QĐ is a decision, TB a notice; UBND the commune's People's Committee that issues them.
DECISION_SUFFIX = "QĐ-UBND"
NOTICE_SUFFIX = "TB-UBND"
MAX_MEMBERS = 10


def document_number_text(number: int, suffix: str) -> str:
    """``"05/QĐ-UBND"``: at least two digits (NĐ 30/2020 Điều 15.1)."""
    return f"{number:02d}/{suffix}"


@dataclass(frozen=True)
class MemberLine:
    """One team member as typed on the draft."""

    name: str
    position: str = ""
    organisation: str = ""
    team_role: str = "member"
    technical: bool = False
    certificate_number: str = ""
    certificate_date: date | None = None

    @property
    def needs_certificate(self) -> bool:
        return self.team_role == "lead" or self.technical


@dataclass(frozen=True)
class DecisionDraft:
    """What the desk form holds for a decision."""

    kind: str
    subject: str
    period_from: date | None
    period_to: date | None
    legal_bases: str = ""
    signer_title: str = ""
    signer_name: str = ""
    scope_groups: tuple[str, ...] = ()
    scope_place: str = ""
    recipients: str = ""
    members: tuple[MemberLine, ...] = field(default_factory=tuple)


def draft_errors(draft: DecisionDraft) -> dict[str, str]:
    """Field → Vietnamese message; empty when the draft can be saved."""
    errors: dict[str, str] = {}
    if draft.kind not in DECISION_KINDS:
        errors["kind"] = "Cần chọn hình thức kiểm tra: theo kế hoạch, chuyên đề hoặc đột xuất."
    if len(nfc(draft.subject)) < 5:
        errors["subject"] = "Cần ghi nội dung “Về việc …” của quyết định."
    if draft.period_from is None:
        errors["period_from"] = "Cần ghi ngày bắt đầu kiểm tra."
    if draft.period_to is None:
        errors["period_to"] = "Cần ghi ngày kết thúc kiểm tra."
    elif draft.period_from is not None and draft.period_to < draft.period_from:
        errors["period_to"] = "Ngày kết thúc không được trước ngày bắt đầu."
    unknown = [g for g in draft.scope_groups if g not in DECISION_SCOPE_GROUPS]
    if unknown or not draft.scope_groups:
        errors["scope_groups"] = (
            "Cần chọn ít nhất một nội dung kiểm tra (đo lường, ghi nhãn, niêm yết giá, chất lượng)."
        )
    if not nfc(draft.scope_place):
        errors["scope_place"] = "Cần ghi cơ sở, chợ hoặc địa bàn được kiểm tra."
    if not nfc(draft.legal_bases):
        errors["legal_bases"] = "Cần ghi ít nhất một căn cứ pháp lý."
    leads = [m for m in draft.members if m.team_role == "lead"]
    if not draft.members:
        errors["members"] = "Cần ghi thành viên Đoàn kiểm tra."
    elif len(leads) != 1:
        errors["members"] = "Đoàn kiểm tra phải có đúng một Trưởng đoàn."
    elif len(draft.members) > MAX_MEMBERS:
        errors["members"] = f"Đoàn kiểm tra có tối đa {MAX_MEMBERS} thành viên."
    elif any(m.certificate_date and not nfc(m.certificate_number) for m in draft.members):
        errors["members"] = "Có ngày cấp chứng chỉ mà chưa ghi số chứng chỉ."
    return errors


def issue_errors(draft: DecisionDraft) -> dict[str, str]:
    """What must be on a decision before it is issued, beyond a valid draft: who signs."""
    errors = draft_errors(draft)
    if not nfc(draft.signer_title):
        errors["signer_title"] = "Cần ghi chức vụ người ký (ví dụ CHỦ TỊCH hoặc KT. CHỦ TỊCH – PHÓ CHỦ TỊCH)."
    if not nfc(draft.signer_name):
        errors["signer_name"] = "Cần ghi họ tên người ký quyết định."
    return errors


def certificate_warnings(members: Sequence[MemberLine]) -> list[str]:
    """The team leader and the technical member need the TĐC training certificate (TT 28/2013 Điều 5.7): one
    sentence for each who has none recorded. A warning, not a refusal: the certificate may exist but not be typed."""
    warnings = []
    for m in members:
        if m.needs_certificate and not nfc(m.certificate_number):
            role = "Trưởng đoàn" if m.team_role == "lead" else "Thành viên kỹ thuật"
            warnings.append(
                f"{role} {m.name} chưa có số chứng chỉ bồi dưỡng nghiệp vụ kiểm tra nhà nước về đo lường "
                "(TT 28/2013/TT-BKHCN Điều 5 khoản 7)."
            )
    return warnings


def covers(period_from: date, period_to: date, day: date) -> bool:
    return period_from <= day <= period_to
