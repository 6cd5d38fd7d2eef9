"""Decisions (Quyết định kiểm tra): drafts saved and edited at the desk, then issued in one transaction (the next
number of the unit's decision series, the PDF rendered with its QR code and stored with its SHA-256); the decisions
an inspection may rest on."""

from __future__ import annotations

import hashlib
import uuid as uuid_module
from datetime import date

from flask import current_app
from sqlalchemy import select, update

from .. import writes
from ..access import scoped
from ..documents import verification
from ..documents.decision_pdf import render_letter_pdf
from ..documents.tokens import new_public_id
from ..domain.decision_rules import (
    DECISION_SUFFIX,
    DecisionDraft,
    MemberLine,
    certificate_warnings,
    covers,
    document_number_text,
    draft_errors,
    issue_errors,
)
from ..domain.errors import InvalidInput
from ..domain.text import nfc
from ..domain.time import today_vn, utcnow
from ..domain.vocabulary import DECISION_KINDS, DECISION_SCOPE_GROUPS
from ..extensions import db
from ..files.evidence import NewFiles
from ..files.uploads import storage_for
from ..minutes.service import next_number
from ..models import Decision, DecisionMember, Unit, User
from ..web.paging import Page, SortOrder, keyset_page
from .document import OfficialLetter, Paragraph


class DecisionError(Exception):
    """Something a person can fix before issuing (Vietnamese message)."""


class AlreadyIssued(DecisionError):
    """The draft was issued already (a double click, two clerks at once): show the issued decision."""


class CertificatesMissing(DecisionError):
    """Issuing needs the person to confirm they saw the certificate warnings."""

    def __init__(self, warnings: list[str]):
        super().__init__(" ".join(warnings))
        self.warnings = warnings


def member_lines(decision: Decision) -> tuple[MemberLine, ...]:
    return tuple(
        MemberLine(
            m.name,
            m.position,
            m.organisation,
            m.team_role,
            m.technical,
            m.certificate_number,
            m.certificate_date,
        )
        for m in decision.members
    )


def _team_text(lines) -> list[str]:
    """The team as the audit log shows it: "Trưởng đoàn: Nguyễn Văn A — Phó Chủ tịch (UBND xã), GCN 12/2025"."""
    return [
        f"{'Trưởng đoàn' if line.team_role == 'lead' else 'Thành viên'}: {line.name}"
        f"{f' — {line.position}' if line.position else ''}{f' ({line.organisation})' if line.organisation else ''}"
        f"{f', GCN {line.certificate_number}' if line.certificate_number else ''}"
        for line in lines
    ]


def draft_of(decision: Decision) -> DecisionDraft:
    return DecisionDraft(
        kind=decision.kind,
        subject=decision.subject,
        period_from=decision.period_from,
        period_to=decision.period_to,
        legal_bases=decision.legal_bases,
        signer_title=decision.signer_title,
        signer_name=decision.signer_name,
        scope_groups=tuple(decision.groups),
        scope_place=decision.scope_place,
        recipients=decision.recipients,
        members=member_lines(decision),
    )


def _apply(decision: Decision, draft: DecisionDraft) -> None:
    decision.kind = draft.kind
    decision.subject = nfc(draft.subject)
    decision.period_from, decision.period_to = draft.period_from, draft.period_to
    decision.legal_bases = "\n".join(
        line for line in (nfc(x) for x in draft.legal_bases.splitlines()) if line
    )
    decision.signer_title = "\n".join(nfc(x) for x in draft.signer_title.splitlines() if nfc(x))
    decision.signer_name = nfc(draft.signer_name)
    decision.scope_groups = ",".join(g for g in DECISION_SCOPE_GROUPS if g in draft.scope_groups)
    decision.scope_place = nfc(draft.scope_place)
    decision.recipients = "\n".join(nfc(x) for x in draft.recipients.splitlines() if nfc(x))
    decision.members = [
        DecisionMember(
            position_in_team=index,
            team_role=m.team_role,
            name=nfc(m.name),
            position=nfc(m.position),
            organisation=nfc(m.organisation),
            technical=m.technical,
            certificate_number=nfc(m.certificate_number),
            certificate_date=m.certificate_date,
        )
        for index, m in enumerate(draft.members)
    ]


def create_draft(unit: Unit, draft: DecisionDraft, user: User, uuid: str | None = None) -> tuple[Decision, bool]:
    """A new draft, stored under the UUID its form was shown with: (it, True); the same form sent again, one after
    the other or at the same moment, gets the stored draft: (it, False)."""
    uuid = uuid or str(uuid_module.uuid4())
    if (stored := writes.resend_of(Decision, uuid, "", user)) is not None:
        return stored, False
    if errors := draft_errors(draft):
        raise InvalidInput(errors)
    decision = Decision(uuid=uuid, unit_id=unit.id, status="draft", created_by_id=user.id)
    decision.unit = unit
    _apply(decision, draft)
    return writes.insert(decision, "", user, changes={"subject": [None, decision.subject]})


def update_draft(decision: Decision, draft: DecisionDraft, user: User) -> Decision:
    if decision.status != "draft":
        raise DecisionError("Quyết định đã ban hành không sửa được.")
    if errors := draft_errors(draft):
        raise InvalidInput(errors)
    before = draft_of(decision)
    _apply(decision, draft)
    changes = writes.changes_of(decision)
    if member_lines(decision) != before.members:
        changes["members"] = [_team_text(before.members), _team_text(member_lines(decision))]
    return writes.commit("edit", decision, user, changes)


def warnings_of(decision: Decision) -> list[str]:
    return certificate_warnings(member_lines(decision))


def _member_text(m: DecisionMember) -> str:
    role = (
        "Trưởng đoàn" if m.team_role == "lead" else ("Thành viên kỹ thuật" if m.technical else "Thành viên")
    )
    parts = [m.name]
    if m.position:
        parts.append(m.position)
    if m.organisation:
        parts.append(m.organisation)
    text = f"{', '.join(parts)} – {role}"
    if m.certificate_number:
        text += f" (chứng chỉ số {m.certificate_number}"
        text += f" ngày {m.certificate_date:%d/%m/%Y})" if m.certificate_date else ")"
    return text + ";"


def decision_basis_line(decision: Decision) -> str:
    """The line a biên bản cites: ``"Căn cứ Quyết định kiểm tra số 05/QĐ-UBND ngày 03/11/2026 của Chủ tịch UBND
    phường Đức Phổ;"``."""
    return (
        f"Căn cứ Quyết định kiểm tra số {decision.number_text} ngày {decision.issued_on:%d/%m/%Y} "
        f"của {signer_text(decision)};"
    )


def signer_text(decision: Decision) -> str:
    """Who decided, in a sentence: "Chủ tịch UBND phường Đức Phổ" (a deputy signs for the chairman: KT.)."""
    return f"Chủ tịch UBND {decision.unit.name[:1].lower()}{decision.unit.name[1:]}"


def build_letter(
    decision: Decision, *, verify_url: str | None = None, today: date | None = None
) -> OfficialLetter:
    """Everything the decision's PDF shows, from the record (a draft shows "…" for its number)."""
    unit = decision.unit
    draft = decision.status == "draft"
    issued_on = decision.issued_on or today or today_vn()
    number_text = decision.number_text or f"     /{DECISION_SUFFIX}"
    authority = f"CHỦ TỊCH ỦY BAN NHÂN DÂN {unit.name.upper()}"
    body: list[Paragraph] = [Paragraph(authority, "centre")]
    body += [
        Paragraph(("" if line.startswith("Căn cứ") else "Căn cứ ") + line.rstrip(";.") + ";", "basis")
        for line in decision.legal_bases.splitlines()
    ]
    body.append(Paragraph("QUYẾT ĐỊNH:", "centre"))
    body.append(
        Paragraph(
            f"Thành lập Đoàn kiểm tra nhà nước về đo lường, ghi nhãn hàng hóa, niêm yết giá và chất lượng "
            f"sản phẩm, hàng hóa ({DECISION_KINDS[decision.kind].lower()}) gồm các ông (bà) có tên sau:",
            "article",
            "Điều 1.",
        )
    )
    body += [Paragraph(f"{i}. {_member_text(m)}", "item") for i, m in enumerate(decision.members, start=1)]
    groups = ", ".join(DECISION_SCOPE_GROUPS[g].lower() for g in decision.groups)
    body.append(
        Paragraph(
            f"Đoàn kiểm tra có nhiệm vụ kiểm tra về {groups} tại {decision.scope_place}. Thời gian kiểm tra: "
            f"từ ngày {decision.period_from:%d/%m/%Y} đến ngày {decision.period_to:%d/%m/%Y}. Trưởng đoàn "
            "kiểm tra xuất trình Quyết định này với cơ sở trước khi kiểm tra, lập biên bản kiểm tra và báo cáo "
            "kết quả theo quy định.",
            "article",
            "Điều 2.",
        )
    )
    body.append(
        Paragraph(
            f"Quyết định này có hiệu lực kể từ ngày ký. Văn phòng HĐND và UBND {unit.name[:1].lower()}"
            f"{unit.name[1:]}, các thành viên Đoàn kiểm tra và các tổ chức, cá nhân có liên quan chịu trách nhiệm "
            "thi hành Quyết định này./.",
            "article",
            "Điều 3.",
        )
    )
    recipients = tuple(decision.recipients.splitlines()) or ("Như Điều 3;", "Lưu: VT.")
    return OfficialLetter(
        issuer_lines=tuple(unit.committee_lines),
        number_text=number_text,
        place=unit.short_name,
        issued_on=issued_on,
        title="QUYẾT ĐỊNH",
        subtitle=f"Về việc {decision.subject[:1].lower()}{decision.subject[1:]}",
        body=tuple(body),
        recipients=recipients,
        signer_title=decision.signer_title,
        signer_name=decision.signer_name,
        document_line=f"Quyết định số {decision.number_text} ngày {issued_on:%d/%m/%Y}" if not draft else "",
        verify_url=verify_url,
        draft=draft,
    )


def preview_pdf(decision: Decision) -> bytes:
    """The PDF as it would be issued today, marked DỰ THẢO (an issued decision: its stored bytes)."""
    if decision.status == "issued":
        return issued_pdf(decision)
    return render_letter_pdf(build_letter(decision))


def issue_decision(
    decision: Decision, user: User, *, confirmed: bool = False, today: date | None = None
) -> Decision:
    """Number, render, store and mark issued in one transaction; a failure anywhere leaves no number used.
    Raises CertificatesMissing unless the person confirmed the certificate warnings."""
    if decision.status != "draft":
        raise AlreadyIssued("Quyết định này đã được ban hành.")
    if errors := issue_errors(draft_of(decision)):
        raise DecisionError(" ".join(errors.values()))
    warnings = warnings_of(decision)
    if warnings and not confirmed:
        raise CertificatesMissing(warnings)
    today = today or today_vn()
    files = NewFiles(storage_for(current_app))
    try:
        # Claimed first: a second issue of the same draft (a double click, two clerks) waits for the first and then
        # finds nothing to claim, before any number is taken.
        claimed = db.session.execute(
            update(Decision).where(Decision.id == decision.id, Decision.status == "draft").values(status="issued")
        ).rowcount
        if claimed != 1:
            raise AlreadyIssued("Quyết định này đã được ban hành.")
        number = next_number(decision.unit_id, today.year, "decision")
        decision.year, decision.number = today.year, number
        decision.number_text = document_number_text(number, DECISION_SUFFIX)
        decision.public_id = new_public_id()
        decision.issued_on, decision.issued_at = today, utcnow()
        decision.issued_by_id = user.id
        decision.status = "issued"
        content = render_letter_pdf(build_letter(decision, verify_url=verification_url(decision)))
        decision.pdf_key = files.put("decisions", content, "pdf")
        decision.pdf_sha256 = hashlib.sha256(content).hexdigest()
        decision.pdf_size = len(content)
        changes = {"number": [None, decision.number_text], "sha256": [None, decision.pdf_sha256]}
        if warnings:
            changes["certificate_warnings"] = [None, warnings]
        writes.commit("issue", decision, user, changes)
    except Exception:
        files.discard()
        raise
    files.keep()
    return decision


def verification_url(decision: Decision) -> str:
    return verification.verification_url(decision.public_id)


def decision_for_token(token: str) -> Decision | None:
    public_id = verification.public_id_of(token)
    if public_id is None:
        return None
    return db.session.scalars(
        select(Decision).where(Decision.public_id == public_id, Decision.status == "issued")
    ).first()


def issued_pdf(decision: Decision) -> bytes:
    """The exact bytes issued; a storage fault that changed them is an error, never served."""
    content = storage_for(current_app).get(decision.pdf_key)
    if hashlib.sha256(content).hexdigest() != decision.pdf_sha256:
        raise RuntimeError(f"stored PDF of decision {decision.id} does not match its SHA-256")
    return content


LATEST_FIRST = SortOrder(
    ((Decision.created_at, True), (Decision.id, True)), key=lambda d: (d.created_at, d.id)
)


def decisions_page(
    user: User, *, after: str | None = None, before: str | None = None, limit: int = 50
) -> Page:
    """One page of the decisions in the user's scope, newest first (raises paging.InvalidCursor)."""
    return keyset_page(
        db.session,
        scoped(Decision, user),
        LATEST_FIRST,
        after=after,
        before=before,
        size=limit,
        count=Decision.id,
    )


def usable_decisions(unit_id: int, user: User) -> list[Decision]:
    """The issued decisions of a unit an inspection may rest on, newest first."""
    return list(
        db.session.scalars(
            scoped(Decision, user)
            .where(Decision.unit_id == unit_id, Decision.status == "issued")
            .order_by(Decision.issued_on.desc(), Decision.id.desc())
            .limit(100)
        )
    )


def decision_for_inspection(decision_id: int | None, unit_id: int, day: date, user: User) -> Decision | None:
    """The decision an inspection of ``unit_id`` on ``day`` may cite: issued, of the same unit, covering the day.
    InvalidInput otherwise (another unit's decision answers as one that does not exist)."""
    if decision_id is None:
        return None
    decision = db.session.scalars(scoped(Decision, user).where(Decision.id == decision_id)).first()
    if decision is None or decision.unit_id != unit_id:
        raise InvalidInput({"decision_id": "Quyết định kiểm tra không tồn tại hoặc không thuộc đơn vị này."})
    if decision.status != "issued":
        raise InvalidInput({"decision_id": "Chỉ căn cứ quyết định kiểm tra đã ban hành."})
    if not covers(decision.period_from, decision.period_to, day):
        raise InvalidInput(
            {
                "decision_id": f"Quyết định số {decision.number_text} chỉ áp dụng từ ngày "
                f"{decision.period_from:%d/%m/%Y} đến ngày {decision.period_to:%d/%m/%Y}."
            }
        )
    return decision
