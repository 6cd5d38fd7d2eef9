"""The notices of TT 28/2013 Điều 21 issued from a biên bản when the commune leads the check: Thông báo tạm dừng
(Mẫu 6: stop using the instrument or measurement until fixed) and Thông báo được tiếp tục (Mẫu 7: after the fix,
citing the follow-up inspection if any). Numbered in their own gap-free series, PDF with the same QR verification."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import select

from .. import writes
from ..access import scoped
from ..documents import verification
from ..documents.decision_pdf import render_letter_pdf
from ..documents.tokens import new_public_id
from ..domain.decision_rules import NOTICE_SUFFIX, document_number_text
from ..domain.errors import InvalidInput
from ..domain.text import nfc
from ..domain.time import today_vn
from ..domain.vocabulary import NOTICE_KINDS
from ..extensions import db
from ..files.evidence import NewFiles
from ..files.uploads import storage_for
from ..minutes.service import next_number
from ..models import Inspection, Minutes, Notice, User
from .document import OfficialLetter, Paragraph


@dataclass(frozen=True)
class NoticeRequest:
    kind: str
    subject: str
    fix_deadline: date | None = None
    follow_up_id: int | None = None
    note: str = ""
    signer_title: str = ""
    signer_name: str = ""


def notices_of(minutes: Minutes, user: User) -> list[Notice]:
    return list(
        db.session.scalars(scoped(Notice, user).where(Notice.minutes_id == minutes.id).order_by(Notice.id))
    )


def has_nonconformity(minutes: Minutes) -> bool:
    """A biên bản records a non-conformity when its inspection was handled other than "Đạt"."""
    return minutes.inspection.outcome not in (None, "pass")


def follow_ups(minutes: Minutes, user: User) -> list[Inspection]:
    """The later visits to the same premise that followed this inspection."""
    return list(
        db.session.scalars(
            scoped(Inspection, user)
            .where(Inspection.follows_id == minutes.inspection_id)
            .order_by(Inspection.started_at.desc())
            .limit(20)
        )
    )


def _errors(minutes: Minutes, request: NoticeRequest, user: User, today: date) -> dict[str, str]:
    errors = {}
    if request.kind not in NOTICE_KINDS:
        errors["kind"] = "Loại thông báo không hợp lệ."
    if len(nfc(request.subject)) < 3:
        errors["subject"] = "Cần ghi phương tiện đo hoặc phép đo được thông báo."
    if not nfc(request.signer_title):
        errors["signer_title"] = "Cần ghi chức vụ người ký."
    if not nfc(request.signer_name):
        errors["signer_name"] = "Cần ghi họ tên người ký."
    if request.kind == "stop":
        if request.fix_deadline is None:
            errors["fix_deadline"] = "Cần ghi thời hạn khắc phục."
        elif request.fix_deadline < minutes.issued_on:
            errors["fix_deadline"] = "Thời hạn khắc phục không được trước ngày lập biên bản."
    if request.kind == "resume" and request.follow_up_id is not None:
        if request.follow_up_id not in {i.id for i in follow_ups(minutes, user)}:
            errors["follow_up_id"] = "Cuộc kiểm tra lại không tồn tại hoặc không tiếp theo biên bản này."
    return errors


def build_letter(notice: Notice, *, verify_url: str | None = None) -> OfficialLetter:
    minutes = notice.minutes
    premise = minutes.inspection.premise
    unit = notice.unit
    cited = f"Biên bản kiểm tra số {minutes.label} ngày {minutes.issued_on:%d/%m/%Y}"
    owner = f"{premise.name}" + (f" ({premise.owner_name})" if premise.owner_name else "")
    where = premise.address or (premise.market.name if premise.market else "")
    body = [Paragraph(f"Kính gửi: {owner}" + (f", {where}" if where else "") + ".", "text")]
    if notice.kind == "stop":
        title_about = "Về việc tạm dừng sử dụng phương tiện đo, phép đo"
        body.append(
            Paragraph(
                f"Căn cứ {cited} của Đoàn kiểm tra thuộc Ủy ban nhân dân {unit.name}, qua kiểm tra phát hiện "
                "phương tiện đo, phép đo không đáp ứng yêu cầu quy định.",
                "text",
            )
        )
        body.append(
            Paragraph(
                f"Ủy ban nhân dân {unit.name} thông báo: cơ sở tạm dừng sử dụng {notice.subject} cho đến khi khắc "
                f"phục xong. Thời hạn khắc phục: trước ngày {notice.fix_deadline:%d/%m/%Y}. Sau khi khắc phục, "
                "cơ sở báo cáo bằng văn bản để được kiểm tra lại và thông báo được tiếp tục sử dụng.",
                "text",
            )
        )
    else:
        title_about = "Về việc được tiếp tục sử dụng phương tiện đo, phép đo"
        follow = notice.follow_up
        checked = f" và kết quả kiểm tra lại ngày {follow.started_at:%d/%m/%Y}" if follow is not None else ""
        body.append(
            Paragraph(
                f"Căn cứ {cited}{checked}, cơ sở đã khắc phục các nội dung không phù hợp.",
                "text",
            )
        )
        body.append(
            Paragraph(
                f"Ủy ban nhân dân {unit.name} thông báo: cơ sở được tiếp tục sử dụng {notice.subject} "
                "kể từ ngày nhận được thông báo này.",
                "text",
            )
        )
    if notice.note:
        body.append(Paragraph(notice.note, "text"))
    return OfficialLetter(
        issuer_lines=tuple(unit.committee_lines),
        number_text=notice.number_text,
        place=unit.short_name,
        issued_on=notice.issued_on,
        title="THÔNG BÁO",
        subtitle=title_about,
        body=tuple(body),
        recipients=("Như trên;", "Đoàn kiểm tra;", "Lưu: VT."),
        signer_title=notice.signer_title,
        signer_name=notice.signer_name,
        document_line=f"Thông báo số {notice.number_text} ngày {notice.issued_on:%d/%m/%Y}",
        verify_url=verify_url,
    )


def _same_notice(minutes: Minutes, request: NoticeRequest) -> Notice | None:
    return db.session.scalars(
        select(Notice).where(
            Notice.minutes_id == minutes.id, Notice.kind == request.kind, Notice.subject == nfc(request.subject)
        )
    ).first()


def issue_notice(minutes: Minutes, request: NoticeRequest, user: User, today: date | None = None) -> Notice:
    """Number, render, store in one transaction; InvalidInput (nothing saved, no number used) when wrong."""
    if minutes.status != "valid":
        raise InvalidInput({"minutes": "Chỉ lập thông báo từ biên bản đang có hiệu lực."})
    if not has_nonconformity(minutes):
        raise InvalidInput({"minutes": "Biên bản này không ghi nhận nội dung không phù hợp."})
    today = today or today_vn()
    if errors := _errors(minutes, request, user, today):
        raise InvalidInput(errors)
    files = NewFiles(storage_for(current_app))
    try:
        number = next_number(minutes.unit_id, today.year, "notice")
        # Asked after the counter's lock: a double submit (or two clerks) waits here for the first, then finds its
        # notice and gets it back instead of a second, numbered, identical one.
        duplicate = _same_notice(minutes, request)
        if duplicate is not None:
            db.session.rollback()
            return _same_notice(minutes, request)
        notice = Notice(
            unit_id=minutes.unit_id,
            minutes_id=minutes.id,
            kind=request.kind,
            subject=nfc(request.subject),
            fix_deadline=request.fix_deadline if request.kind == "stop" else None,
            follow_up_id=request.follow_up_id if request.kind == "resume" else None,
            note=nfc(request.note),
            signer_title=nfc(request.signer_title),
            signer_name=nfc(request.signer_name),
            year=today.year,
            number=number,
            number_text=document_number_text(number, NOTICE_SUFFIX),
            public_id=new_public_id(),
            issued_on=today,
            issued_by_id=user.id,
            pdf_key="",
            pdf_sha256="",
            pdf_size=0,
        )
        notice.minutes, notice.unit, notice.issued_by = minutes, minutes.unit, user
        if notice.follow_up_id is not None:
            notice.follow_up = db.session.get(Inspection, notice.follow_up_id)
        content = render_letter_pdf(build_letter(notice, verify_url=verification_url(notice)))
        notice.pdf_key = files.put("notices", content, "pdf")
        notice.pdf_sha256 = hashlib.sha256(content).hexdigest()
        notice.pdf_size = len(content)
        db.session.add(notice)
        db.session.flush()
        writes.commit(
            "issue", notice, user, {"number": [None, notice.number_text], "kind": [None, notice.kind]}
        )
    except Exception:
        files.discard()
        raise
    files.keep()
    return notice


def verification_url(notice: Notice) -> str:
    return verification.verification_url(notice.public_id)


def notice_for_token(token: str) -> Notice | None:
    public_id = verification.public_id_of(token)
    if public_id is None:
        return None
    return db.session.scalars(select(Notice).where(Notice.public_id == public_id)).first()


def issued_pdf(notice: Notice) -> bytes:
    content = storage_for(current_app).get(notice.pdf_key)
    if hashlib.sha256(content).hexdigest() != notice.pdf_sha256:
        raise RuntimeError(f"stored PDF of notice {notice.id} does not match its SHA-256")
    return content
