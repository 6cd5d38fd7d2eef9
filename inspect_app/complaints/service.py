"""The complaints register: receiving a complaint, assigning it, closing it (by an inspection theo phản ánh, a
referral or a written answer), telling the complainant; and the link between a complaint and the inspections that
answer it. Every write goes through ``writes``; nothing here knows about HTTP."""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import func, select

from .. import writes
from ..access import scoped
from ..domain.complaint_rules import CONTENT_MAX, is_open, status_after, text_problem
from ..domain.errors import InvalidInput
from ..domain.time import today_vn, utcnow
from ..domain.vocabulary import (
    COMPLAINT_CHANNELS,
    COMPLAINT_REFERRAL_BODIES,
    COMPLAINT_RESOLUTIONS,
    COMPLAINT_SUBJECTS,
)
from ..extensions import db
from ..models import Complaint, Inspection, Premise, Unit, User

# The accounts of a complaint's own unit who see the complainant's name and contact.
CONTACT_ROLES = {"inspector", "staff", "supervisor", "admin"}
# Who may be given a complaint to handle.
ASSIGNEE_ROLES = {"inspector", "staff", "supervisor"}


def may_see_contact(user: User, complaint: Complaint) -> bool:
    """The complainant's name and contact: only the accounts of the complaint's commune. A province supervisor
    follows the register without them (they add nothing to supervision and would spread personal data)."""
    return (
        getattr(user, "is_authenticated", False)
        and user.role in CONTACT_ROLES
        and user.unit_id is not None
        and user.unit_id == complaint.unit_id
    )


def _text(errors: dict, key: str, value, *, max_length: int, what: str, required: bool = False) -> str:
    problem = text_problem(value, max_length=max_length, what=what, required=required)
    if problem:
        errors[key] = problem
        return ""
    return unicodedata.normalize("NFC", value or "").strip()


@dataclass(frozen=True)
class NewComplaint:
    unit_id: int | None
    premise_id: int | None
    address: str
    received_on: date | None
    channel: str
    subject: str
    content: str
    complainant_name: str = ""
    complainant_contact: str = ""
    # The UUID the desk's form was shown with (a form sent twice records one complaint); a new one when empty.
    uuid: str = ""


def create_complaint(data: NewComplaint, user: User) -> Complaint:
    """A complaint received at the desk (or by an inspector); InvalidInput, nothing saved, when something is wrong."""
    errors: dict[str, str] = {}
    premise = None
    unit_id = data.unit_id if data.unit_id is not None else user.unit_id
    if data.premise_id is not None:
        premise = db.session.scalars(scoped(Premise, user).where(Premise.id == data.premise_id)).first()
        if premise is None:
            errors["premise_id"] = "Cơ sở không tồn tại hoặc không thuộc phạm vi của bạn."
        else:
            unit_id = premise.unit_id
    if unit_id is None or db.session.scalars(scoped(Unit, user).where(Unit.id == unit_id)).first() is None:
        errors["unit_id"] = "Cần chọn xã/phường tiếp nhận phản ánh."
    address = _text(errors, "address", data.address, max_length=255, what="Địa chỉ")
    if premise is None and not address and "premise_id" not in errors:
        errors["address"] = "Cần chọn cơ sở hoặc ghi địa chỉ nơi bị phản ánh."
    if data.received_on is None:
        errors["received_on"] = "Cần ghi ngày tiếp nhận."
    elif data.received_on > today_vn():
        errors["received_on"] = "Ngày tiếp nhận không được sau hôm nay."
    if data.channel not in COMPLAINT_CHANNELS or data.channel == "public":
        errors["channel"] = "Kênh tiếp nhận không hợp lệ."
    if data.subject not in COMPLAINT_SUBJECTS:
        errors["subject"] = "Nội dung phản ánh về… không hợp lệ."
    content = _text(errors, "content", data.content, max_length=CONTENT_MAX, what="Nội dung", required=True)
    name = _text(errors, "complainant_name", data.complainant_name, max_length=120, what="Họ tên")
    contact = _text(errors, "complainant_contact", data.complainant_contact, max_length=120, what="Liên hệ")
    if errors:
        raise InvalidInput(errors)
    complaint = Complaint(
        uuid=data.uuid or str(uuid.uuid4()),
        unit_id=unit_id,
        premise_id=premise.id if premise else None,
        address=address,
        received_on=data.received_on,
        channel=data.channel,
        subject=data.subject,
        content=content,
        complainant_name=name,
        complainant_contact=contact,
        status="new",
        created_by_id=user.id,
    )
    record, _ = writes.insert(complaint, "", user)
    return record


def assignees(complaint: Complaint, user: User) -> list[User]:
    """The accounts of the complaint's unit it may be given to."""
    return list(
        db.session.scalars(
            scoped(User, user)
            .where(
                User.unit_id == complaint.unit_id,
                User.role.in_(sorted(ASSIGNEE_ROLES)),
                User.active.is_(True),
            )
            .order_by(User.full_name, User.id)
        )
    )


def _closed(complaint: Complaint) -> None:
    if not is_open(complaint.status):
        raise InvalidInput({"status": "Phản ánh đã được giải quyết; không thể thay đổi nữa."})


def assign(complaint: Complaint, assignee_id: int | None, deadline: date | None, user: User) -> Complaint:
    _closed(complaint)
    errors = {}
    assignee = next((u for u in assignees(complaint, user) if u.id == assignee_id), None)
    if assignee is None:
        errors["assignee_id"] = "Cần chọn cán bộ của đơn vị để giao xử lý."
    if deadline is None:
        errors["deadline"] = "Cần ghi hạn xử lý."
    elif deadline < complaint.received_on:
        errors["deadline"] = "Hạn xử lý không được trước ngày tiếp nhận."
    if errors:
        raise InvalidInput(errors)
    complaint.assignee_id = assignee.id
    complaint.deadline = deadline
    if complaint.status == "new":
        complaint.status = "assigned"
    return writes.commit("assign", complaint, user, writes.changes_of(complaint))


def answering_inspections(complaint: Complaint, user: User) -> list[Inspection]:
    """The inspections linked to the complaint that the user may see, newest first."""
    return list(
        db.session.scalars(
            scoped(Inspection, user)
            .where(Inspection.complaint_id == complaint.id)
            .order_by(Inspection.started_at.desc(), Inspection.id.desc())
        )
    )


def resolve(
    complaint: Complaint,
    *,
    resolution: str,
    resolved_on: date | None,
    inspection_id: int | None = None,
    referral_body: str | None = None,
    note: str = "",
    user: User,
) -> Complaint:
    _closed(complaint)
    errors: dict[str, str] = {}
    note = _text(errors, "note", note, max_length=CONTENT_MAX, what="Nội dung trả lời / ghi chú")
    if resolution not in COMPLAINT_RESOLUTIONS:
        errors["resolution"] = "Cần chọn cách giải quyết."
    if resolved_on is None:
        errors["resolved_on"] = "Cần ghi ngày giải quyết."
    elif resolved_on < complaint.received_on or resolved_on > today_vn():
        errors["resolved_on"] = "Ngày giải quyết phải từ ngày tiếp nhận đến hôm nay."
    inspection = None
    if resolution == "inspection":
        inspection = next((i for i in answering_inspections(complaint, user) if i.id == inspection_id), None)
        if inspection is None:
            errors["inspection_id"] = "Cần chọn cuộc kiểm tra theo phản ánh này."
        elif inspection.status == "draft":
            errors["inspection_id"] = "Cuộc kiểm tra chưa hoàn thành."
    if resolution == "referral" and referral_body not in COMPLAINT_REFERRAL_BODIES:
        errors["referral_body"] = "Cần chọn cơ quan được chuyển phản ánh."
    if resolution == "answer" and not note:
        errors["note"] = "Cần ghi nội dung văn bản trả lời."
    if errors:
        raise InvalidInput(errors)
    complaint.resolution = resolution
    complaint.resolution_inspection_id = inspection.id if inspection else None
    complaint.referral_body = referral_body if resolution == "referral" else None
    complaint.resolution_note = note
    complaint.resolved_on = resolved_on
    complaint.resolved_by_id = user.id
    complaint.status = status_after(resolution)
    return writes.commit("resolve", complaint, user, writes.changes_of(complaint))


def mark_informed(complaint: Complaint, informed_on: date | None, note: str, user: User) -> Complaint:
    """ "Đã báo kết quả": the complainant was told the outcome (when, and how)."""
    errors: dict[str, str] = {}
    note = _text(errors, "informed_note", note, max_length=300, what="Cách báo")
    if is_open(complaint.status):
        errors["informed_on"] = "Chỉ báo kết quả sau khi phản ánh đã được giải quyết."
    elif informed_on is None:
        errors["informed_on"] = "Cần ghi ngày báo kết quả."
    elif informed_on < (complaint.resolved_on or complaint.received_on) or informed_on > today_vn():
        errors["informed_on"] = "Ngày báo kết quả phải từ ngày giải quyết đến hôm nay."
    if errors:
        raise InvalidInput(errors)
    complaint.informed_on = informed_on
    complaint.informed_note = note
    return writes.commit("inform", complaint, user, writes.changes_of(complaint))


# ---- the inspections that answer a complaint ----------------------------------------------------------------------


def complaint_for_inspection(complaint_id: int, premise: Premise, user: User) -> Complaint:
    """The complaint an inspection being created answers; InvalidInput when it cannot. A complaint closed since is
    still linked: a visit made offline while the desk closed it happened all the same, and refusing it would leave
    the phone's whole inspection unsendable. The desk's own "Tạo cuộc kiểm tra" refuses a closed one
    (``start_inspection``)."""
    complaint = db.session.scalars(scoped(Complaint, user).where(Complaint.id == complaint_id)).first()
    if complaint is None:
        raise InvalidInput({"complaint_id": "Phản ánh không tồn tại hoặc không thuộc phạm vi của bạn."})
    if complaint.unit_id != premise.unit_id or (
        complaint.premise_id is not None and complaint.premise_id != premise.id
    ):
        raise InvalidInput({"complaint_id": "Phản ánh không phải về cơ sở này."})
    return complaint


def note_inspection_completed(inspection: Inspection, user: User) -> None:
    """An inspection theo phản ánh was completed: its complaint is now being handled (logged in the caller's
    transaction, which commits it)."""
    complaint = inspection.complaint
    if complaint is None or complaint.status not in ("new", "assigned"):
        return
    before, complaint.status = complaint.status, "in_progress"
    writes.log(
        "edit", complaint, user, {"status": [before, "in_progress"], "inspection": [None, inspection.id]}
    )


def start_inspection(complaint: Complaint, user: User, form_uuid: str = "") -> tuple[Inspection, bool]:
    """The desk's "Tạo cuộc kiểm tra theo phản ánh": a draft inspection of the complaint's premise, the user leading
    the team (the phone or the desk records the rest): (it, True). The button pressed again on the same page (its
    ``form_uuid``) gets the inspection the first press made: (it, False)."""
    from ..inspections import service as inspections

    _closed(complaint)
    if complaint.premise_id is None:
        raise InvalidInput(
            {
                "premise_id": "Phản ánh chưa gắn với cơ sở nào: hãy tạo cuộc kiểm tra trên điện thoại tại cơ sở."
            }
        )
    return inspections.create_inspection(
        {
            "uuid": form_uuid or str(uuid.uuid4()),
            "premise_id": complaint.premise_id,
            "kind": "complaint",
            "complaint_id": complaint.id,
            "basis": f"Phản ánh số {complaint.id} ngày {complaint.received_on:%d/%m/%Y}",
            "team": [],
        },
        user,
    )


# ---- the public form ---------------------------------------------------------------------------------------------


class TooMany(Exception):
    """The public form was used too often from one address, or for one stall, lately (HTTP 429)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def source_hash(address: str) -> str:
    """A keyed hash of the sender's address: enough to throttle, not to tell who sent it."""
    key = hashlib.sha256(b"public-report:" + current_app.config["SECRET_KEY"].encode()).digest()
    return hmac.new(key, (address or "").encode(), hashlib.sha256).hexdigest()


def _recent(*conditions) -> int:
    since = utcnow() - timedelta(minutes=current_app.config["PUBLIC_REPORT_WINDOW_MINUTES"])
    return db.session.scalar(
        select(func.count(Complaint.id)).where(
            Complaint.channel == "public", Complaint.created_at >= since, *conditions
        )
    )


def check_public_quota(premise: Premise, address: str) -> None:
    cfg = current_app.config
    window = cfg["PUBLIC_REPORT_WINDOW_MINUTES"]
    if _recent(Complaint.source_hash == source_hash(address)) >= cfg["PUBLIC_REPORT_MAX_PER_ADDRESS"]:
        raise TooMany(f"Bạn đã gửi nhiều phản ánh trong thời gian ngắn. Vui lòng thử lại sau {window} phút.")
    if _recent(Complaint.premise_id == premise.id) >= cfg["PUBLIC_REPORT_MAX_PER_PREMISE"]:
        raise TooMany(
            "Cơ sở này vừa nhận nhiều phản ánh; xã/phường đã được thông báo. "
            f"Vui lòng thử lại sau {window} phút hoặc gọi đường dây nóng của xã/phường."
        )


def create_public_complaint(
    premise: Premise,
    *,
    subject: str,
    content: str,
    name: str,
    contact: str,
    address: str,
    form_uuid: str = "",
) -> Complaint:
    """A report sent from the stall's public page (no login): channel "qua trang công khai", received today. The
    page's form sent again (``form_uuid``, one after the other or at the same moment) is the report already
    received: nothing more is recorded or counted against the sender's quota."""
    form_uuid = form_uuid or str(uuid.uuid4())
    stored = db.session.scalars(select(Complaint).where(Complaint.uuid == form_uuid)).first()
    if stored is not None:
        if stored.premise_id == premise.id and stored.channel == "public":
            return stored
        form_uuid = str(uuid.uuid4())  # another record's UUID (a tampered form): a report of its own
    check_public_quota(premise, address)
    errors: dict[str, str] = {}
    if subject not in COMPLAINT_SUBJECTS:
        errors["subject"] = "Vui lòng chọn vấn đề cần phản ánh."
    content = _text(errors, "content", content, max_length=2000, what="Nội dung", required=True)
    name = _text(errors, "name", name, max_length=120, what="Họ tên")
    contact = _text(errors, "contact", contact, max_length=120, what="Số điện thoại hoặc email")
    if errors:
        raise InvalidInput(errors)
    complaint = Complaint(
        uuid=form_uuid,
        unit_id=premise.unit_id,
        premise_id=premise.id,
        received_on=today_vn(),
        channel="public",
        subject=subject,
        content=content,
        complainant_name=name,
        complainant_contact=contact,
        status="new",
        source_hash=source_hash(address),
    )
    # Sent at the same moment as this form's other sending: that one's report (writes.insert, with no account).
    record, _ = writes.insert(complaint, "", None)
    return record
