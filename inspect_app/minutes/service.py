"""Issuing the biên bản: gapless numbers per unit and year, the PDF rendered and stored once, the record locked;
corrections supersede, revocations cancel, and every printed copy carries a verifiable QR link."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm.exc import StaleDataError

from .. import writes
from ..access import scoped
from ..checklists import load_catalogue
from ..domain.checklist_rules import NOT_CHECKED, not_checked as not_checked_lines
from ..domain.scope import indicative_note, marked_indicative
from ..domain.minutes_rules import (
    Decision,
    conclusion_sentence,
    LegalDetails,
    legal_details_errors,
    minutes_number_text,
    salutation_code,
)
from ..domain.vocabulary import ANSWERS, HANDLING, INSPECTION_KINDS, OUTCOMES, REFERRAL_BODIES, salutation
from ..documents import minutes_pdf as pdf
from ..documents.minutes_pdf.copies import print_job
from ..documents import verification
from ..documents.tokens import new_public_id
from ..extensions import db
from ..models import Inspection, InspectionMember, Minutes, MinutesCounter, Reading, User
from ..domain.text import nfc
from ..domain.time import in_vn, today_vn, utcnow
from ..files.evidence import NewFiles
from ..files.uploads import storage_for
from .content import meter_sections, minutes_sections


class MinutesError(Exception):
    """Something a person can fix before issuing (Vietnamese message)."""


class AlreadyIssued(MinutesError):
    """The inspection has its biên bản already (a double click, two clerks at once): show that one."""


@dataclass(frozen=True)
class IssueRequest:
    representative_name: str
    representative_position: str
    representative_id_number: str = ""
    representative_statement: str = ""
    copies: int = 2
    include_photos: bool = False
    business_signature: bytes | None = None
    recorder_signature: bytes | None = None
    representative_salutation: str | None = None
    legal: LegalDetails = LegalDetails()
    # Người lập biên bản: a member of the inspection team (InspectionMember.id); None takes the team leader.
    recorder_member_id: int | None = None
    leader_signature: bytes | None = None  # a PNG already checked and re-encoded (forms.signature_png)


def verification_token(minutes: Minutes) -> str:
    return verification.verification_token(minutes.public_id)


def verification_url(minutes: Minutes) -> str:
    return verification.verification_url(minutes.public_id)


def minutes_for_token(token: str) -> Minutes | None:
    """The biên bản a QR token names, or None for a forged, tampered or unknown token."""
    public_id = verification.public_id_of(token)
    if public_id is None:
        return None
    return db.session.scalars(select(Minutes).where(Minutes.public_id == public_id)).first()


def next_number(unit_id: int, year: int, series: str = "minutes") -> int:
    """Take the next number of the unit's series (biên bản, quyết định, thông báo) and year inside the caller's
    transaction.

    The UPDATE locks the counter row (PostgreSQL) or the database (SQLite) until the transaction ends, so two
    clerks issuing at once get consecutive numbers; a rollback gives the number back, so there are no gaps.
    """
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(
        insert(MinutesCounter)
        .values(unit_id=unit_id, series=series, year=year, last_number=0)
        .on_conflict_do_nothing()
    )
    return db.session.execute(
        update(MinutesCounter)
        .where(
            MinutesCounter.unit_id == unit_id, MinutesCounter.series == series, MinutesCounter.year == year
        )
        .values(last_number=MinutesCounter.last_number + 1)
        .returning(MinutesCounter.last_number)
    ).scalar_one()


def _member_role(member) -> str:
    return "Trưởng đoàn" if member.team_role == "lead" else "Thành viên"


def _team_member(member, unit) -> pdf.TeamMember:
    return pdf.TeamMember(
        member.display_name,
        member.position,
        member.organisation or unit.name,
        _member_role(member),
        salutation(member.salutation_code),
    )


def signature_key(sha256: str) -> str:
    """Where a signature PNG is kept: under its own digest, so the same drawing is stored once."""
    return f"signatures/{sha256}.png"


def recorder_choices(inspection: Inspection) -> list[tuple[int, str]]:
    """The team members who may be named người lập biên bản, as (member id, "name – role")."""
    return [(m.id, f"{m.display_name} – {_member_role(m)}") for m in inspection.members]


def _recorder(inspection: Inspection, member_id: int | None) -> InspectionMember | None:
    """The team member named người lập biên bản; the team leader when none is named by a caller other than the form."""
    members = inspection.members
    if member_id is None:
        return next((m for m in members if m.team_role == "lead"), members[0] if members else None)
    member = next((m for m in members if m.id == member_id), None)
    if member is None:
        raise MinutesError("Người lập biên bản phải là một thành viên của đoàn kiểm tra này.")
    return member


def build_document(
    minutes: Minutes, *, preview: bool = False, leader_signature: bytes | None = None
) -> pdf.MinutesDocument:
    """Everything the PDF shows, from the records: the one place a biên bản's content is decided. A ``preview`` has
    no number yet; ``leader_signature`` is the drawing not yet stored."""
    inspection = minutes.inspection
    premise = inspection.premise
    unit = inspection.unit
    catalogue = load_catalogue(inspection.catalogue_version)
    answered = {f.item_code: f for f in inspection.findings}
    groups, violations, failed_areas = [], [], []
    for group in catalogue.groups:
        rows = []
        for item in group.items:
            finding = answered.get(item.code)
            if finding is None or finding.answer == NOT_CHECKED:
                continue
            answer, note = ANSWERS[finding.answer], finding.note
            if marked_indicative(finding, item.decision_scope):
                # Recorded, but not this team's conclusion: "sơ bộ", or (when it failed) for another body to decide.
                answer += (
                    " (chuyển cơ quan có thẩm quyền)" if item.decision_scope == "referral" else " (sơ bộ)"
                )
                note = "; ".join(filter(None, (note, indicative_note(item.decision_scope))))
            rows.append(pdf.CheckResult(item.question, answer, note))
            if finding.counts_as_violation:
                failed_areas.append(group.title.lower())
                text = item.question.rstrip("?") + (f": {finding.note}" if finding.note else "")
                violations.append(pdf.Violation(text, "; ".join(b.cite() for b in item.legal_basis)))
        if rows:
            groups.append(pdf.ResultGroup(group.title, tuple(rows)))
    not_checked = not_checked_lines(
        catalogue.items_for(premise.premise_type),
        {code: f.answer for code, f in answered.items()},
        {code: f.note for code, f in answered.items()},
    )
    lead = next((m for m in inspection.members if m.team_role == "lead"), None)
    recorder_member = next((m for m in inspection.members if m.id == minutes.recorder_member_id), None)
    recorder_name = minutes.recorder_name or minutes.issued_by.full_name
    if leader_signature is None and minutes.leader_signature_sha256:
        leader_signature = storage_for(current_app).get(signature_key(minutes.leader_signature_sha256))
    requests = []
    if inspection.outcome == "fix_request":
        requests.append(
            pdf.RequestItem(
                inspection.handling_note or "Khắc phục các nội dung không đạt nêu tại biên bản này.",
                inspection.fix_deadline,
            )
        )
    handling = inspection.handling_note if inspection.outcome != "fix_request" else ""
    photos = ()
    if minutes.with_photos:
        storage = storage_for(current_app)
        questions = {
            item.code: item.question.rstrip(" ?") for group in catalogue.groups for item in group.items
        }
        photos = tuple(
            pdf.Photo(
                storage.get(p.storage_key),
                p.caption,
                subject=questions.get(p.item_code or "", p.item_code or ""),
                taken_at=in_vn(p.taken_at or p.created_at),
                taken_known=p.taken_at is not None,
            )
            for p in inspection.photos
        )
    basis = [f"Căn cứ {inspection.basis};"] if inspection.basis else []
    decision = Decision(inspection.decision_number, inspection.decision_date, inspection.decision_signer)
    if inspection.decision is not None:
        from ..decisions.service import decision_basis_line

        basis.append(decision_basis_line(inspection.decision))
    elif decision.given:
        basis.append(decision.basis_line())
    basis.append(f"Hình thức kiểm tra: {INSPECTION_KINDS[inspection.kind].lower()}.")
    readings, lots, reference_standards = minutes_sections(inspection)
    # A "sơ bộ" result is not the team's conclusion: only a plain "Không đạt" is one.
    if any(r.verdict == OUTCOMES["fail"] for r in readings):
        failed_areas.append("sai số của phương tiện đo")
    if any(lot.verdict == OUTCOMES["fail"] for lot in lots):
        failed_areas.append("lượng của hàng đóng gói sẵn")
    conclusion = conclusion_sentence(
        premise.name,
        failed_areas,
        inspection.outcome,
        REFERRAL_BODIES.get(inspection.referral_body or "", ""),
        inspection.fix_deadline if inspection.outcome == "fix_request" else None,
    )
    superseded_note = None
    if minutes.supersedes is not None:
        old = minutes.supersedes
        superseded_note = (
            f"Biên bản này thay thế Biên bản số {old.label} ngày {old.issued_on:%d/%m/%Y}. "
            f"Lý do: {old.change_reason}"
        )
    return pdf.MinutesDocument(
        issuing_body_lines=tuple(unit.committee_lines),
        number=minutes.number,
        number_suffix=minutes.number_suffix,
        year=minutes.year,
        place_name=unit.short_name,
        issued_on=minutes.issued_on,
        subtitle="Về việc kiểm tra đo lường, ghi nhãn hàng hóa, niêm yết giá và chất lượng hàng hóa",
        legal_basis=tuple(basis),
        started_at=in_vn(inspection.started_at),
        ended_at=in_vn(inspection.ended_at) if inspection.ended_at else None,
        place=premise.address or premise.name,
        team=tuple(_team_member(m, unit) for m in inspection.members),
        business=pdf.Business(
            name=premise.name,
            owner=premise.owner_name,
            registration_number=premise.business_reg_no,
            address=premise.address,
            market=premise.market.name if premise.market else "",
            stall=premise.stall_number,
        ),
        representative=pdf.Representative(
            minutes.representative_name,
            minutes.representative_position,
            minutes.representative_id_number,
            salutation(minutes.representative_salutation),
        ),
        recorder=pdf.Signatory(recorder_name, minutes.recorder_signature),
        team_leader=pdf.Signatory(lead.display_name if lead else recorder_name, leader_signature),
        recorder_is_leader=lead is not None and recorder_member is lead,
        other_members=tuple(
            _team_member(m, unit) for m in inspection.members if m is not lead and m is not recorder_member
        ),
        business_signatory=pdf.Signatory(minutes.representative_name, minutes.business_signature),
        result_groups=tuple(groups),
        not_checked=tuple(not_checked),
        reference_standards=reference_standards,
        readings=readings,
        lots=lots,
        meter_checks=meter_sections(inspection),
        violations=tuple(violations),
        outcome=HANDLING.get(inspection.outcome or "", ""),
        conclusion=conclusion,
        handling=handling,
        requests=tuple(requests),
        representative_statement=minutes.representative_statement,
        copies=minutes.copies,
        photos=photos,
        superseded_note=superseded_note,
        refused_to_sign=minutes.refused_to_sign,
        refusal_reason=minutes.refusal_reason,
        witness=(
            pdf.Witness(
                minutes.witness_name, minutes.witness_position, salutation(minutes.witness_salutation)
            )
            if minutes.witness_name
            else None
        ),
        stop_order=(
            pdf.StopOrder(minutes.stop_order_subject, minutes.stop_order_deadline)
            if minutes.stop_order_subject and minutes.stop_order_deadline
            else None
        ),
        preview=preview,
    )


def inspected_on(inspection: Inspection) -> date:
    """The day of the inspection where it took place."""
    return in_vn(inspection.started_at).date()


def _checked(inspection: Inspection, request: IssueRequest) -> InspectionMember | None:
    """Refuse what cannot be issued (MinutesError); the team member who is người lập biên bản."""
    if inspection.status == "minutes_issued":
        raise AlreadyIssued(ALREADY_ISSUED)
    if inspection.status != "completed":
        raise MinutesError("Chỉ lập biên bản cho cuộc kiểm tra đã hoàn thành.")
    stale = db.session.scalar(
        select(func.count())
        .select_from(Reading)
        .where(
            Reading.inspection_id == inspection.id, Reading.superseded_table.is_not(None), Reading.in_force
        )
    )
    if stale:
        raise MinutesError(
            f"Còn {stale} kết quả đo chấm theo bảng cũ (TT 09/2017 Bảng 2 tạm tính trước đây): chấm lại theo bảng mới "
            "hoặc hủy kết quả đó trên trang cuộc kiểm tra trước khi lập biên bản."
        )
    if not request.representative_name.strip():
        raise MinutesError("Cần ghi họ tên người đại diện cơ sở.")
    if not 1 <= request.copies <= 10:
        raise MinutesError("Số bản phải từ 1 đến 10.")
    salutation_code(request.representative_salutation)
    salutation_code(request.legal.witness_salutation)
    legal = request.legal
    errors = legal_details_errors(legal, inspected_on(inspection), request.business_signature is not None)
    if errors:
        raise MinutesError(" ".join(errors.values()))
    return _recorder(inspection, request.recorder_member_id)


ALREADY_ISSUED = "Cuộc kiểm tra này đã có biên bản có hiệu lực."


def _claim(inspection: Inspection) -> None:
    """Lock the inspection before any number is taken or any file written: the UPDATE names the version read, so
    of two issues of one inspection (a double click, two clerks) the second matches no row once the first has
    committed, and is refused before it numbers or stores anything."""
    inspection.status = "minutes_issued"
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise AlreadyIssued(ALREADY_ISSUED) from None


def _previous(inspection: Inspection) -> Minutes | None:
    return db.session.scalars(
        select(Minutes).where(Minutes.inspection_id == inspection.id, Minutes.status == "valid")
    ).first()


def _draft(
    inspection: Inspection,
    request: IssueRequest,
    user: User,
    today: date,
    number: int,
    recorder: InspectionMember | None,
) -> Minutes:
    """The biên bản as it will be issued, not yet in the session: everything but its file."""
    previous = _previous(inspection)
    legal = request.legal
    minutes = Minutes(
        inspection_id=inspection.id,
        unit_id=inspection.unit_id,
        year=today.year,
        number=number,
        number_suffix=inspection.unit.minutes_suffix,
        number_text=minutes_number_text(number, inspection.unit.minutes_suffix),
        public_id=new_public_id(),
        issued_on=today,
        issued_by_id=user.id,
        representative_name=request.representative_name.strip(),
        representative_position=request.representative_position.strip(),
        representative_id_number=request.representative_id_number.strip(),
        representative_statement=request.representative_statement.strip(),
        representative_salutation=request.representative_salutation,
        refused_to_sign=legal.refused_to_sign,
        refusal_reason=nfc(legal.refusal_reason) if legal.refused_to_sign else "",
        witness_name=nfc(legal.witness_name),
        witness_position=nfc(legal.witness_position),
        witness_salutation=legal.witness_salutation if legal.witness_name.strip() else None,
        stop_order_subject=nfc(legal.stop_order_subject),
        stop_order_deadline=legal.stop_order_deadline,
        copies=request.copies,
        with_photos=request.include_photos,
        outcome_label=HANDLING.get(inspection.outcome or "", ""),
        business_signature=request.business_signature,
        recorder_signature=request.recorder_signature,
        recorder_member_id=recorder.id if recorder else None,
        recorder_name=recorder.display_name if recorder else user.full_name,
        leader_signature_sha256=(
            hashlib.sha256(request.leader_signature).hexdigest() if request.leader_signature else None
        ),
        supersedes_id=previous.id if previous else None,
        pdf_key="",
        pdf_sha256="",
        pdf_size=0,
    )
    minutes.issued_by = user
    minutes.supersedes = previous
    minutes.inspection = inspection
    minutes.unit = inspection.unit
    return minutes


def preview_pdf(
    inspection: Inspection, request: IssueRequest, user: User, today: date | None = None
) -> bytes:
    """The biên bản as it would be issued, marked BẢN XEM TRƯỚC, without a number or a QR code: nothing is stored,
    no number is taken."""
    recorder = _checked(inspection, request)
    minutes = _draft(inspection, request, user, today or today_vn(), 1, recorder)
    try:
        document = build_document(minutes, preview=True, leader_signature=request.leader_signature)
        return pdf.render_minutes_pdf(document)
    finally:
        if minutes in db.session:
            db.session.expunge(minutes)


def issue_minutes(
    inspection: Inspection, request: IssueRequest, user: User, today: date | None = None
) -> Minutes:
    """Number, render, store and lock, in one transaction; a failure anywhere leaves no number used."""
    recorder = _checked(inspection, request)
    today = today or today_vn()
    files = NewFiles(storage_for(current_app))
    try:
        _claim(inspection)
        minutes = _draft(
            inspection, request, user, today, next_number(inspection.unit_id, today.year), recorder
        )
        previous = minutes.supersedes
        if request.leader_signature:
            files.put_key(signature_key(minutes.leader_signature_sha256), request.leader_signature)
        content = pdf.render_minutes_pdf(build_document(minutes), verify_url=verification_url(minutes))
        minutes.pdf_key = files.put("minutes", content, "pdf")
        minutes.pdf_sha256 = hashlib.sha256(content).hexdigest()
        minutes.pdf_size = len(content)
        if previous is not None:
            previous.status = "superseded"
            previous.changed_at = utcnow()
            previous.changed_by_id = user.id
            writes.log("supersede", previous, user, {"superseded_by": [None, minutes.public_id]})
        db.session.add(minutes)
        db.session.flush()
        writes.commit(
            "issue", minutes, user, {"number": [None, minutes.number], "sha256": [None, minutes.pdf_sha256]}
        )
    except Exception:
        files.discard()
        raise
    files.keep()
    return minutes


def reopen_for_correction(minutes: Minutes, reason: str, user: User) -> None:
    """Unlock the inspection so it can be corrected; the biên bản stays valid until its replacement is issued."""
    if minutes.status != "valid":
        raise MinutesError("Chỉ đính chính được biên bản đang có hiệu lực.")
    if len(reason.strip()) < 5:
        raise MinutesError("Cần ghi rõ lý do đính chính.")
    minutes.change_reason = reason.strip()
    minutes.changed_by_id = user.id
    minutes.changed_at = utcnow()
    minutes.inspection.status = "completed"
    writes.commit("reopen", minutes, user, {"reason": [None, minutes.change_reason]})


def revoke(minutes: Minutes, reason: str, user: User) -> None:
    if minutes.status != "valid":
        raise MinutesError("Biên bản này không còn hiệu lực.")
    if len(reason.strip()) < 5:
        raise MinutesError("Cần ghi rõ lý do hủy biên bản.")
    minutes.status = "revoked"
    minutes.change_reason = reason.strip()
    minutes.changed_by_id = user.id
    minutes.changed_at = utcnow()
    if minutes.inspection.status == "minutes_issued":
        minutes.inspection.status = "completed"
    writes.commit("revoke", minutes, user, {"reason": [None, minutes.change_reason]})


def issued_pdf(minutes: Minutes) -> bytes:
    """The exact bytes issued; a storage fault that changed them is an error, never served."""
    content = storage_for(current_app).get(minutes.pdf_key)
    if hashlib.sha256(content).hexdigest() != minutes.pdf_sha256:
        raise RuntimeError(f"stored PDF of minutes {minutes.id} does not match its SHA-256")
    return content


def print_copy(minutes_list: list[Minutes], user: User) -> bytes:
    """A print job of the issued files: the issued bytes the first time a biên bản is printed, stamped BẢN SAO after
    that (the stored file with the stamp laid over it, never a new rendering)."""
    if len(minutes_list) == 1 and minutes_list[0].print_count == 0:
        content = issued_pdf(minutes_list[0])
    else:
        content = print_job([(issued_pdf(m), m.print_count > 0) for m in minutes_list])
    count_prints(minutes_list, user)
    db.session.commit()
    return content


def count_prints(minutes_list: list[Minutes], user: User) -> None:
    """One more print of each, in the audit log (the caller commits): the next print of it is a copy."""
    for m in minutes_list:
        m.print_count += 1
        writes.log("print", m, user, {"print_count": [m.print_count - 1, m.print_count]})


def minutes_of(inspection: Inspection) -> list[Minutes]:
    """Every biên bản of an inspection (valid, superseded, revoked), newest first."""
    return list(
        db.session.scalars(
            scoped(Minutes).where(Minutes.inspection_id == inspection.id).order_by(Minutes.issued_at.desc())
        )
    )
