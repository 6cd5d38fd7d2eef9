"""Recording inspections, findings and photos: idempotent by client UUID, conflict-aware by version, locked once
minutes are issued. Views and the API call these; nothing here knows about HTTP."""

from __future__ import annotations


from flask import current_app
from sqlalchemy import select

from ..access import scoped
from .. import writes
from ..domain.errors import Conflict, InvalidInput, Locked
from ..files.evidence import NewFiles
from ..files.photos import process_photo, store_image, upload_digest
from ..checklists import CatalogueError, load_catalogue
from ..domain.vocabulary import HANDLING, INSPECTION_KINDS, REFERRAL_BODIES
from ..extensions import db
from ..domain.geo import assess_fix
from ..models import Finding, Inspection, InspectionMember, Photo, Premise, User
from .scope import finding_is_indicative, has_province_account, refresh_indicative
from ..domain.corrections import corrected_finding
from ..domain.checklist_rules import answer_errors, completion_errors
from ..domain.minutes_rules import decision_errors
from ..domain.text import nfc
from ..domain.time import in_vn, utcnow


def _premise_in_scope(premise_id: int, user: User) -> Premise:
    premise = db.session.scalars(scoped(Premise, user).where(Premise.id == premise_id)).first()
    if premise is None:
        raise InvalidInput({"premise_id": "Cơ sở không tồn tại hoặc không thuộc phạm vi của bạn."})
    if premise.status != "active":
        raise InvalidInput(
            {"premise_id": "Cơ sở đã ngừng hoạt động; hãy cập nhật trạng thái trước khi kiểm tra."}
        )
    return premise


def _catalogue_version(requested: str | None) -> str:
    try:
        return load_catalogue(requested).version
    except (CatalogueError, FileNotFoundError, KeyError, ValueError):
        raise InvalidInput(
            {"catalogue_version": f"Không có danh mục kiểm tra phiên bản “{requested}”."}
        ) from None


def _team(inspection: Inspection, team: list[dict], user: User) -> None:
    members = []
    for index, member in enumerate(team or [{"user_id": user.id, "team_role": "lead"}]):
        member_user = None
        if member.get("user_id") is not None:
            member_user = db.session.scalars(scoped(User, user).where(User.id == member["user_id"])).first()
            if member_user is None:
                raise InvalidInput(
                    {"team": f"Thành viên thứ {index + 1}: tài khoản không tồn tại trong phạm vi."}
                )
        elif not (member.get("name") or "").strip():
            raise InvalidInput({"team": f"Thành viên thứ {index + 1}: cần tài khoản hoặc họ tên."})
        members.append(
            InspectionMember(
                user_id=member_user.id if member_user else None,
                user=member_user,
                name=(member.get("name") or "").strip(),
                position=(member.get("position") or (member_user.position if member_user else "")).strip(),
                organisation=(member.get("organisation") or "").strip(),
                team_role=member.get("team_role") or "member",
                salutation=member.get("salutation") or None,
                position_in_team=index,
            )
        )
    if sum(m.team_role == "lead" for m in members) > 1:
        raise InvalidInput({"team": "Đoàn kiểm tra chỉ có một trưởng đoàn."})
    inspection.members = members


def _province_in_team(
    inspection: Inspection, data: dict, *, new: bool = False, accounts_before: bool = False
) -> None:
    """Whether someone from the Sở KH&CN is in the team. A member account of a province always counts (a form's
    unticked box cannot remove a person who is there); besides that, the team form's answer; when the team changes
    without an answer, an earlier "yes" that no account explained (a Sở officer without an account) is kept."""
    stated = data.get("province_in_team")
    accounts = has_province_account(inspection.members)
    if stated is not None:
        inspection.province_in_team = bool(stated) or accounts
    elif new:
        inspection.province_in_team = accounts
    elif "team" in data:
        stated_before = inspection.province_in_team and not accounts_before
        inspection.province_in_team = stated_before or accounts


def _apply_gps(inspection: Inspection, gps: dict | None, premise: Premise, set_location: bool) -> None:
    gps = gps or {}
    inspection.gps_latitude = gps.get("latitude")
    inspection.gps_longitude = gps.get("longitude")
    inspection.gps_accuracy_m = gps.get("accuracy_m")
    if set_location and not premise.has_location and inspection.gps_latitude is not None:
        # The premise had no registered location: the inspector sets it from this fix (recorded in its history).
        from ..premises.service import update_premise

        update_premise(
            premise,
            {"latitude": inspection.gps_latitude, "longitude": inspection.gps_longitude},
            inspection.created_by,
            source="gps",
        )
    assessment = assess_fix(
        inspection.gps_latitude,
        inspection.gps_longitude,
        inspection.gps_accuracy_m,
        premise.latitude,
        premise.longitude,
        max_accuracy_m=current_app.config["GPS_MAX_ACCURACY_M"],
        max_distance_m=current_app.config["GPS_MAX_DISTANCE_M"],
    )
    inspection.gps_distance_m = assessment.distance_m
    inspection.gps_flags = ",".join(assessment.flags)


def _follows(follows_id: int | None, premise: Premise, user: User) -> int | None:
    if follows_id is None:
        return None
    earlier = db.session.scalars(scoped(Inspection, user).where(Inspection.id == follows_id)).first()
    if earlier is None or earlier.premise_id != premise.id:
        raise InvalidInput({"follows_id": "Cuộc kiểm tra trước không tồn tại hoặc không cùng cơ sở."})
    return earlier.id


def create_inspection(data: dict, user: User) -> tuple[Inspection, bool]:
    """Create from the phone's payload; a resend of the same payload returns the stored record (created=False)."""
    digest = writes.fingerprint(data)
    if (stored := writes.resend_of(Inspection, data["uuid"], digest, user)) is not None:
        return stored, False
    premise = _premise_in_scope(data["premise_id"], user)
    complaint = None
    if data.get("complaint_id") is not None:
        from ..complaints.service import complaint_for_inspection

        complaint = complaint_for_inspection(data["complaint_id"], premise, user)
    inspection = Inspection(
        uuid=str(data["uuid"]),
        unit_id=premise.unit_id,
        premise_id=premise.id,
        premise=premise,
        # A new inspection has none yet: its answer lists them without asking the database.
        findings=[],
        photos=[],
        # An inspection that answers a complaint is "theo phản ánh", whatever the client said.
        kind="complaint" if complaint is not None else data["kind"],
        complaint_id=complaint.id if complaint is not None else None,
        basis=data.get("basis") or "",
        decision_number=nfc(data.get("decision_number")),
        decision_date=data.get("decision_date"),
        decision_signer=nfc(data.get("decision_signer")),
        started_at=data.get("started_at") or utcnow(),
        catalogue_version=_catalogue_version(data.get("catalogue_version")),
        status="draft",
        created_by_id=user.id,
        create_digest=digest,
    )
    inspection.created_by = user
    inspection.follows_id = _follows(data.get("follows_id"), premise, user)
    _link_decision(inspection, data.get("decision_id"), user)
    _check_decision(inspection)
    _team(inspection, data.get("team") or [], user)
    _province_in_team(inspection, data, new=True)
    _apply_gps(inspection, data.get("gps"), premise, bool(data.get("set_premise_location")))
    return writes.insert(inspection, digest, user)


EDITABLE = (
    "kind",
    "basis",
    "decision_number",
    "decision_date",
    "decision_signer",
    "started_at",
    "ended_at",
    "outcome",
    "fix_deadline",
    "referral_body",
    "handling_note",
    "province_in_team",
)


def update_inspection(inspection: Inspection, data: dict, user: User) -> Inspection:
    if inspection.locked:
        raise Locked()
    comparable = {key: data[key] for key in EDITABLE if key in data}
    if "status" in data:
        comparable["status"] = data["status"]
    if not writes.check_version(inspection, data, comparable):
        return inspection
    had_province = inspection.province_in_team
    # Before any change: loading the members' accounts flushes what is pending (and would count a version).
    accounts_before = has_province_account(inspection.members)
    for key, value in comparable.items():
        if key != "status":
            setattr(inspection, key, value)
    if "decision_id" in data:
        _link_decision(inspection, data["decision_id"], user)
    # Read now: checking the team queries accounts, and that autoflush clears what changes_of reads.
    changes = writes.changes_of(inspection)
    if "team" in data:
        before = _team_text(inspection)
        _team(inspection, data["team"], user)
        if _team_text(inspection) != before:
            changes["team"] = [before, _team_text(inspection)]
    _province_in_team(inspection, data, accounts_before=accounts_before)
    if inspection.province_in_team != had_province:
        changes["province_in_team"] = [had_province, inspection.province_in_team]
        refresh_indicative(inspection)
    if "gps" in data:
        _apply_gps(inspection, data["gps"], inspection.premise, bool(data.get("set_premise_location")))
    if data.get("status") == "completed" and inspection.status != "completed":
        _complete(inspection)
        completed_now = True
    else:
        completed_now = False
    if data.get("status") == "draft" and inspection.status == "completed":
        inspection.status = "draft"
    _validate_handling(inspection)
    if completed_now:
        _check_checklist(inspection)
    changes |= writes.changes_of(inspection)
    if completed_now and inspection.complaint_id is not None:
        # After reading the changes: loading the complaint flushes them.
        from ..complaints.service import note_inspection_completed

        note_inspection_completed(inspection, user)
    if not changes:
        db.session.commit()
        return inspection
    return writes.commit("edit", inspection, user, changes)


def _team_text(inspection: Inspection) -> list[str]:
    """The team as the audit log shows it: "Trưởng đoàn: Nguyễn Văn A (Công an xã)"."""
    return [
        f"{'Trưởng đoàn' if m.team_role == 'lead' else 'Thành viên'}: "
        f"{m.user.full_name if m.user_id and m.user else m.name}{f' ({m.organisation})' if m.organisation else ''}"
        for m in inspection.members
    ]


def _validate_handling(inspection: Inspection) -> None:
    errors = {}
    if inspection.outcome is not None and inspection.outcome not in HANDLING:
        errors["outcome"] = "Hình thức xử lý không hợp lệ."
    if inspection.kind not in INSPECTION_KINDS:
        errors["kind"] = "Hình thức kiểm tra không hợp lệ."
    elif inspection.complaint_id is not None and inspection.kind != "complaint":
        errors["kind"] = "Cuộc kiểm tra theo phản ánh giữ hình thức “Theo phản ánh”."
    if inspection.outcome == "fix_request":
        if inspection.fix_deadline is None:
            errors["fix_deadline"] = "Yêu cầu khắc phục cần có thời hạn khắc phục."
        elif inspection.fix_deadline < inspection.started_at.date():
            errors["fix_deadline"] = "Thời hạn khắc phục không được trước ngày kiểm tra."
    if inspection.outcome == "referral" and inspection.referral_body not in REFERRAL_BODIES:
        errors["referral_body"] = "Cần chọn cơ quan có thẩm quyền được chuyển hồ sơ."
    if inspection.ended_at is not None and inspection.ended_at < inspection.started_at:
        errors["ended_at"] = "Thời gian kết thúc không được trước thời gian bắt đầu."
    errors |= _decision_errors(inspection)
    if errors:
        db.session.rollback()
        raise InvalidInput(errors)


def _decision_errors(inspection: Inspection) -> dict[str, str]:
    inspection.decision_number = nfc(inspection.decision_number)
    inspection.decision_signer = nfc(inspection.decision_signer)
    return decision_errors(
        inspection.decision_number,
        inspection.decision_date,
        inspection.decision_signer,
        in_vn(inspection.started_at).date(),
    )


def _link_decision(inspection: Inspection, decision_id: int | None, user: User) -> None:
    """Rest the inspection on an issued decision of its unit whose period covers its day (or on none); the
    decision's number, date and signer are copied into the fields every list, export and biên bản read."""
    from ..decisions.service import decision_for_inspection, signer_text

    day = in_vn(inspection.started_at).date()
    try:
        decision = decision_for_inspection(decision_id, inspection.unit_id, day, user)
    except InvalidInput:
        db.session.rollback()
        raise
    if decision is None:
        if inspection.decision_id is not None:
            inspection.decision_number, inspection.decision_date, inspection.decision_signer = "", None, ""
        inspection.decision_id = None
        return
    inspection.decision_id = decision.id
    inspection.decision_number = decision.number_text
    inspection.decision_date = decision.issued_on
    inspection.decision_signer = signer_text(decision)


def _check_decision(inspection: Inspection) -> None:
    if errors := _decision_errors(inspection):
        raise InvalidInput(errors)


def set_decision(
    inspection: Inspection, number: str, signed_on, signer: str, user: User, decision_id: int | None = None
) -> Inspection:
    """The desk's record of the decision that formed the team: one of the app's issued decisions (``decision_id``)
    or one typed in; InvalidInput (nothing saved) when it is wrong."""
    if inspection.locked:
        raise Locked()
    if decision_id is not None:
        _link_decision(inspection, decision_id, user)
        return writes.commit("edit", inspection, user)
    inspection.decision_id = None
    inspection.decision_number, inspection.decision_date, inspection.decision_signer = (
        number,
        signed_on,
        signer,
    )
    if errors := _decision_errors(inspection):
        db.session.rollback()
        raise InvalidInput(errors)
    return writes.commit("edit", inspection, user)


def _complete(inspection: Inspection) -> None:
    if inspection.outcome is None:
        db.session.rollback()
        raise InvalidInput({"outcome": "Cần chọn kết quả / hình thức xử lý trước khi hoàn thành."})
    inspection.status = "completed"
    inspection.ended_at = inspection.ended_at or utcnow()


def _check_checklist(inspection: Inspection) -> None:
    """Every item that applies has a result, or is marked "Không kiểm tra" with its reason."""
    items = load_catalogue(inspection.catalogue_version).items_for(inspection.premise.premise_type)
    answers = {finding.item_code: finding.answer for finding in inspection.findings}
    if errors := completion_errors(items, answers):
        db.session.rollback()
        raise InvalidInput(errors)


def _check_item(inspection: Inspection, item_code: str) -> None:
    catalogue = load_catalogue(inspection.catalogue_version)
    item = catalogue.get(item_code)
    if item is None:
        raise InvalidInput(
            {"item_code": f"Nội dung kiểm tra “{item_code}” không có trong danh mục {catalogue.version}."}
        )
    if not item.applies_to(inspection.premise.premise_type):
        raise InvalidInput({"item_code": f"Nội dung “{item_code}” không áp dụng cho loại hình cơ sở này."})


def record_finding(inspection: Inspection, data: dict, user: User) -> tuple[Finding, bool]:
    if inspection.locked:
        raise Locked()
    digest = writes.fingerprint(data, inspection=inspection.id)
    if (stored := writes.resend_of(Finding, data["uuid"], digest, user)) is not None:
        return stored, False
    _check_item(inspection, data["item_code"])
    if errors := answer_errors(data["answer"], data.get("note")):
        raise InvalidInput(errors)
    same_item = db.session.scalars(
        select(Finding).where(Finding.inspection_id == inspection.id, Finding.item_code == data["item_code"])
    ).first()
    if same_item is not None:
        if same_item.uuid == str(data["uuid"]):
            # The same finding stored a moment ago by a concurrent copy of this request: answer as for a resend.
            return writes.same_or_conflict(same_item, digest, user), False
        raise Conflict(SAME_ITEM, same_item)
    finding = Finding(
        uuid=str(data["uuid"]),
        inspection_id=inspection.id,
        item_code=data["item_code"],
        answer=data["answer"],
        note=data.get("note") or "",
        affected_count=data.get("affected_count"),
        indicative=finding_is_indicative(inspection, data["item_code"]),
        created_by_id=user.id,
        create_digest=digest,
    )

    def same_item_stored_meanwhile() -> None:
        # Another UUID answered this item at the same moment and was stored first.
        stored = db.session.scalars(
            select(Finding).where(Finding.inspection_id == inspection.id, Finding.item_code == data["item_code"])
        ).first()
        if stored is not None:
            raise Conflict(SAME_ITEM, stored)

    return writes.insert(finding, digest, user, twin=same_item_stored_meanwhile)


SAME_ITEM = "Nội dung này đã có kết quả trong cuộc kiểm tra; hãy sửa kết quả đã có."


def update_finding(finding: Finding, data: dict, user: User) -> Finding:
    if finding.inspection.locked:
        raise Locked()
    comparable = {key: data[key] for key in ("answer", "note", "affected_count") if key in data}
    if errors := answer_errors(comparable.get("answer", finding.answer), comparable.get("note", finding.note)):
        raise InvalidInput(errors)
    if writes.check_version(finding, data, comparable):
        for key, value in comparable.items():
            setattr(finding, key, value)
        writes.commit("edit", finding, user)
    return finding


def correct_finding(finding: Finding, data: dict, user: User) -> Finding:
    """A finding corrected at the desk from ``data["version"]``: its answer, note and count, with the reason the
    audit event keeps beside the old and new values (the inspection's history shows them). Refused once the biên
    bản is issued (Locked), from a stale version (Conflict), and when nothing would change (InvalidInput); a form
    sent twice is answered with the stored finding."""
    if finding.inspection.locked:
        raise Locked()
    values = corrected_finding(
        data.get("answer"), data.get("note"), data.get("affected_count"), data.get("reason")
    )
    reason = values.pop("reason")
    if not writes.check_version(finding, data, values):
        return finding
    for key, value in values.items():
        setattr(finding, key, value)
    changes = writes.changes_of(finding)
    if not changes:
        db.session.rollback()
        raise InvalidInput({"answer": "Kết quả, ghi chú và số lượng vẫn như cũ: chưa có gì thay đổi để lưu."})
    return writes.commit("edit", finding, user, {**changes, "reason": [None, reason]})


def add_photo(inspection: Inspection, data: dict, upload: bytes, user: User, storage) -> tuple[Photo, bool]:
    """Process and store a photo; the same UUID with the same bytes returns the stored photo.

    Its files are stored under their content's key once the upload is accepted; when another upload under the same
    UUID is stored first (same bytes: this one is a resend; other bytes: Conflict), this one's files are removed, so
    the file a photo shows is always the one whose SHA-256 it records."""
    if inspection.locked:
        raise Locked()
    digest = Photo.digest_for(inspection.id, upload_digest(upload))
    if (stored := writes.resend_of(Photo, data["uuid"], digest, user)) is not None:
        return stored, False
    if data.get("item_code"):
        _check_item(inspection, data["item_code"])
    processed = process_photo(upload, max_bytes=current_app.config["PHOTO_MAX_BYTES"])
    photo = Photo(
        uuid=str(data["uuid"]),
        inspection_id=inspection.id,
        item_code=data.get("item_code") or None,
        caption=data.get("caption") or "",
        created_by_id=user.id,
    )
    files = NewFiles(storage)
    with files:
        store_image(photo, processed, files)
    return writes.insert_with_files(photo, digest, user, files)


def premise_inspections(premise: Premise) -> list[Inspection]:
    """The inspections of one premise the user may see, newest first."""
    return list(
        db.session.scalars(
            scoped(Inspection)
            .where(Inspection.premise_id == premise.id)
            .order_by(Inspection.started_at.desc())
        )
    )
