"""Inspections (cuộc kiểm tra): created by the phone under its own UUID (idempotent), edited by version, listed in
the user's scope; the full answer carries the team, the findings and the photos."""

from __future__ import annotations

from functools import partial

from flask_login import current_user
from marshmallow import Schema, pre_dump, validate

from ..domain.geo import FLAG_LABELS
from ..domain.vocabulary import HANDLING, INSPECTION_KINDS, INSPECTION_STATUSES, REFERRAL_BODIES, SALUTATIONS
from ..inspections import service
from ..inspections.queries import inspections_page, load_full_answer
from ..models import Inspection, InspectionMember
from .core import WITH_PREMISE, RECORDS, allowed, bp, named, request_part, shows_conflicts, with_inspection
from .fields import (
    UUID,
    Bool,
    Date,
    DateTime,
    Coordinate,
    Float,
    Int,
    LenientQueryInt,
    LenientSchema,
    List,
    Nested,
    Number,
    Str,
    StrictSchema,
    length,
    one_of,
)
from .findings import FindingSchema
from .photos import PhotoSchema


class MemberSchema(StrictSchema):
    """A member of the inspection team: a colleague's account (user_id) or a name typed on the phone."""

    user_id = Int(load_default=None, allow_none=True)
    name = Str(load_default="", validate=length(120))
    position = Str(load_default="", validate=length(120))
    organisation = Str(load_default="", validate=length(160))
    team_role = Str(load_default="member", validate=one_of(["lead", "member"], "Vai trò trong đoàn"))
    # Ông / Bà of a person without an account (an account has its own); absent or null: not known.
    salutation = Str(allow_none=True, validate=one_of(SALUTATIONS, "Danh xưng"))

    @pre_dump
    def _shown_name(self, member: InspectionMember, **kwargs):
        # The answer names a colleague by the account's full name.
        return {
            "user_id": member.user_id,
            "name": member.display_name,
            "position": member.position,
            "organisation": member.organisation,
            "team_role": member.team_role,
            "salutation": member.salutation,
        }


class GpsSchema(StrictSchema):
    """Where the phone was: sent with the inspection; answered with the distance to the premise and warnings."""

    latitude = Coordinate(
        required=True, validate=validate.Range(-90, 90, error="Vĩ độ phải trong khoảng −90 đến 90.")
    )
    longitude = Coordinate(
        required=True, validate=validate.Range(-180, 180, error="Kinh độ phải trong khoảng −180 đến 180.")
    )
    accuracy_m = Float(
        load_default=None, allow_none=True, validate=validate.Range(min=0, error="Sai số không được âm.")
    )
    distance_m = Number(dump_only=True, allow_none=True)
    flags = List(Str(), dump_only=True)
    warnings = List(Str(), dump_only=True)

    @pre_dump
    def _from_inspection(self, inspection: Inspection, **kwargs):
        return {
            "latitude": inspection.gps_latitude,
            "longitude": inspection.gps_longitude,
            "accuracy_m": inspection.gps_accuracy_m,
            "distance_m": inspection.gps_distance_m,
            "flags": inspection.flags,
            "warnings": [FLAG_LABELS[flag] for flag in inspection.flags],
        }


class OwnGps(Nested):
    """The inspection's own gps_* columns, answered as one ``gps`` object."""

    def get_value(self, obj, attr, accessor=None, default=None):
        return obj


TEAM_SIZE = validate.Length(max=20)


class InspectionSchema(StrictSchema):
    """An inspection: what the phone sends to create it, and what the server answers."""

    id = Int(dump_only=True)
    uuid = UUID(required=True)
    unit_id = Int(dump_only=True)
    premise_id = Int(required=True)
    premise_name = Str(dump_only=True, attribute="premise.name")
    kind = Str(required=True, validate=one_of(INSPECTION_KINDS, "Hình thức kiểm tra"))
    basis = Str(load_default="", validate=length(300))
    # The decision that formed the team (Quyết định kiểm tra); optional, all three parts together.
    decision_number = Str(validate=length(40), metadata={"example": "12/QĐ-UBND"})
    decision_date = Date(allow_none=True)
    decision_signer = Str(validate=length(200), metadata={"example": "Chủ tịch UBND phường Đức Phổ"})
    # Or one of the unit's issued decisions (its period covering the inspection's day): fills the three above.
    decision_id = Int(load_default=None, allow_none=True)
    started_at = DateTime(load_default=None, past=True)
    ended_at = DateTime(dump_only=True, allow_none=True)
    status = Str(dump_only=True)
    catalogue_version = Str(load_default=None, allow_none=True, validate=length(20))
    outcome = Str(dump_only=True, allow_none=True)
    fix_deadline = Date(dump_only=True, allow_none=True)
    referral_body = Str(dump_only=True, allow_none=True)
    handling_note = Str(dump_only=True)
    province_in_team = Bool(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "Đoàn có cán bộ Sở Khoa học và Công nghệ (Chi cục TĐC); không gửi: theo tài khoản cấp tỉnh trong đoàn"
        },
    )
    follows_id = Int(load_default=None, allow_none=True)
    complaint_id = Int(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "Phản ánh mà cuộc kiểm tra giải quyết; khi có, hình thức luôn là “complaint”"
        },
    )
    gps = OwnGps(GpsSchema, load_default=None, allow_none=True)
    set_premise_location = Bool(load_default=False, load_only=True)
    version = Int(dump_only=True)
    created_by_id = Int(dump_only=True, allow_none=True)
    updated_at = DateTime(dump_only=True)
    team = List(Nested(MemberSchema), load_default=list, validate=TEAM_SIZE)
    findings = List(Nested(FindingSchema), dump_only=True)
    photos = List(Nested(PhotoSchema), dump_only=True)

    def get_attribute(self, obj, attr, default):
        # The team is stored as members; the phone sends and reads it as "team".
        if attr == "team" and isinstance(obj, Inspection):
            return obj.members
        return super().get_attribute(obj, attr, default)


class InspectionUpdateSchema(StrictSchema):
    """An edit: the version it was made from, and only the fields that change."""

    version = Int(required=True)
    kind = Str(validate=one_of(INSPECTION_KINDS, "Hình thức kiểm tra"))
    basis = Str(validate=length(300))
    decision_number = Str(validate=length(40))
    decision_date = Date(allow_none=True)
    decision_signer = Str(validate=length(200))
    started_at = DateTime(past=True)
    ended_at = DateTime(allow_none=True, past=True)
    outcome = Str(allow_none=True, validate=one_of(HANDLING, "Hình thức xử lý"))
    fix_deadline = Date(allow_none=True)
    referral_body = Str(allow_none=True, validate=one_of(REFERRAL_BODIES, "Cơ quan có thẩm quyền"))
    handling_note = Str(validate=length(4000))
    status = Str(validate=one_of(["draft", "completed"], "Trạng thái"))
    team = List(Nested(MemberSchema), validate=TEAM_SIZE)
    province_in_team = Bool()
    gps = Nested(GpsSchema, allow_none=True)
    set_premise_location = Bool()


class InspectionQuerySchema(LenientSchema):
    """Filters of the list; a value that is not a number is ignored, as it always was."""

    status = Str(load_default=None)
    premise_id = LenientQueryInt(load_default=None)
    limit = LenientQueryInt(load_default=None, metadata={"description": "1–500; mặc định 50"})
    cursor = Str(load_default=None, validate=length(400))


class InspectionListSchema(Schema):
    items = List(Nested(named(InspectionSchema(exclude=("team", "findings", "photos")), "InspectionSummary")))
    next_cursor = Str(
        dump_only=True, allow_none=True, metadata={"description": "Gửi lại làm cursor để lấy trang sau"}
    )


shows_conflicts(Inspection, InspectionSchema())


@bp.get("/inspections", errors=(422,))
@bp.arguments(InspectionQuerySchema, location="query")
@bp.response(200, InspectionListSchema)
def list_inspections(args):
    """Danh sách cuộc kiểm tra, mới nhất trước, từng trang (cursor)"""
    if args["status"] and args["status"] not in INSPECTION_STATUSES:
        return {"items": [], "next_cursor": None}
    page = inspections_page(
        current_user,
        after=args["cursor"],
        limit=min(max(args["limit"] or 50, 1), 500),
        with_total=False,
        status=args["status"],
        premise_id=args["premise_id"] or None,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@bp.post("/inspections", errors=(403, 409, 422))
@bp.response(201, InspectionSchema)
@bp.alt_response(200, schema=InspectionSchema, description="Đã có (gửi lại cùng nội dung)", success=True)
@allowed("inspection.edit", RECORDS)
@bp.arguments(request_part(InspectionSchema, "InspectionCreate"))
def create_inspection(data):
    """Tạo cuộc kiểm tra (idempotent theo uuid)"""
    inspection, created = service.create_inspection(data, current_user)
    return inspection, 201 if created else 200


@bp.get("/inspections/<inspection_id>", errors=(404,))
@bp.response(200, InspectionSchema)
@partial(with_inspection, options=WITH_PREMISE)
def get_inspection(inspection):
    """Một cuộc kiểm tra, kèm đoàn, kết quả, ảnh"""
    return load_full_answer(inspection)


@bp.patch("/inspections/<inspection_id>", errors=(403, 404, 409, 422))
@bp.response(200, InspectionSchema)
@with_inspection
@allowed("inspection.edit", RECORDS)
@bp.arguments(InspectionUpdateSchema)
def update_inspection(data, inspection):
    """Sửa (cần version hiện tại)"""
    return service.update_inspection(inspection, data, current_user)
