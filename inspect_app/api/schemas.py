"""Request schemas of API v1 (marshmallow), and the JSON shapes it answers with."""

from __future__ import annotations

from marshmallow import ValidationError, validate, validates_schema

from ..domain.vocabulary import ANSWERS, HANDLING, INSPECTION_KINDS, REFERRAL_BODIES
from ..models import Finding, Inspection, Photo, Premise, User
from .fields import UUID, Bool, Date, DateTime, Float, Int, List, Nested, QueryInt, Str, StrictSchema


def one_of(choices, label: str):
    return validate.OneOf(list(choices), error=f"{label} không hợp lệ; chọn một trong: {', '.join(choices)}.")


def length(maximum: int, minimum: int = 0):
    if minimum:
        return validate.Length(
            min=minimum, max=maximum, error=f"Độ dài phải từ {minimum} đến {maximum} ký tự."
        )
    return validate.Length(max=maximum, error=f"Dài quá {maximum} ký tự.")


class TokenRequestSchema(StrictSchema):
    username = Str(required=True, validate=length(64, 1))
    password = Str(required=True, validate=length(256, 1))
    name = Str(load_default="", validate=length(120))


class GpsSchema(StrictSchema):
    latitude = Float(
        required=True, validate=validate.Range(-90, 90, error="Vĩ độ phải trong khoảng −90 đến 90.")
    )
    longitude = Float(
        required=True, validate=validate.Range(-180, 180, error="Kinh độ phải trong khoảng −180 đến 180.")
    )
    accuracy_m = Float(
        load_default=None, allow_none=True, validate=validate.Range(min=0, error="Sai số không được âm.")
    )


class MemberSchema(StrictSchema):
    user_id = Int(load_default=None, allow_none=True)
    name = Str(load_default="", validate=length(120))
    position = Str(load_default="", validate=length(120))
    organisation = Str(load_default="", validate=length(160))
    team_role = Str(load_default="member", validate=one_of(["lead", "member"], "Vai trò trong đoàn"))


class InspectionCreateSchema(StrictSchema):
    uuid = UUID(required=True)
    premise_id = Int(required=True)
    kind = Str(required=True, validate=one_of(INSPECTION_KINDS, "Hình thức kiểm tra"))
    basis = Str(load_default="", validate=length(300))
    started_at = DateTime(load_default=None)
    catalogue_version = Str(load_default=None, allow_none=True, validate=length(20))
    team = List(Nested(MemberSchema), load_default=list, validate=validate.Length(max=20))
    follows_id = Int(load_default=None, allow_none=True)
    gps = Nested(GpsSchema, load_default=None, allow_none=True)
    set_premise_location = Bool(load_default=False)


class InspectionUpdateSchema(StrictSchema):
    version = Int(required=True)
    kind = Str(validate=one_of(INSPECTION_KINDS, "Hình thức kiểm tra"))
    basis = Str(validate=length(300))
    started_at = DateTime()
    ended_at = DateTime(allow_none=True)
    outcome = Str(allow_none=True, validate=one_of(HANDLING, "Hình thức xử lý"))
    fix_deadline = Date(allow_none=True)
    referral_body = Str(allow_none=True, validate=one_of(REFERRAL_BODIES, "Cơ quan có thẩm quyền"))
    handling_note = Str(validate=length(4000))
    status = Str(validate=one_of(["draft", "completed"], "Trạng thái"))
    team = List(Nested(MemberSchema), validate=validate.Length(max=20))
    gps = Nested(GpsSchema, allow_none=True)
    set_premise_location = Bool()


class FindingCreateSchema(StrictSchema):
    uuid = UUID(required=True)
    item_code = Str(required=True, validate=length(20, 1))
    answer = Str(required=True, validate=one_of(ANSWERS, "Kết quả"))
    note = Str(load_default="", validate=length(2000))
    affected_count = Int(
        load_default=None, allow_none=True, validate=validate.Range(min=0, error="Không được âm.")
    )


class FindingUpdateSchema(StrictSchema):
    version = Int(required=True)
    answer = Str(validate=one_of(ANSWERS, "Kết quả"))
    note = Str(validate=length(2000))
    affected_count = Int(allow_none=True, validate=validate.Range(min=0, error="Không được âm."))


class PhotoFormSchema(StrictSchema):
    uuid = UUID(required=True)
    item_code = Str(load_default=None, allow_none=True, validate=length(20))
    caption = Str(load_default="", validate=length(300))


class PremiseQuerySchema(StrictSchema):
    near = Str(load_default=None)
    q = Str(load_default="", validate=length(100))
    # Query strings are text: "50" is accepted here, unlike in JSON bodies.
    limit = QueryInt(load_default=50, validate=validate.Range(1, 500, error="limit phải từ 1 đến 500."))

    @validates_schema
    def _near(self, data, **kwargs):
        from ..domain.geo import parse_point

        try:
            data["point"] = parse_point(data.get("near"))
        except ValueError as error:
            raise ValidationError(str(error), "near") from None

    class Meta(StrictSchema.Meta):
        pass


# ---- JSON answers -------------------------------------------------------------------------------------------------


def iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def premise_json(premise: Premise, distance_m: float | None = None) -> dict:
    data = {
        "id": premise.id,
        "unit_id": premise.unit_id,
        "name": premise.name,
        "owner_name": premise.owner_name,
        "business_reg_no": premise.business_reg_no,
        "premise_type": premise.premise_type,
        "market": premise.market.name if premise.market else None,
        "market_id": premise.market_id,
        "stall_number": premise.stall_number,
        "address": premise.address,
        "latitude": premise.latitude,
        "longitude": premise.longitude,
        "status": premise.status,
    }
    if distance_m is not None:
        data["distance_m"] = round(distance_m, 1)
    return data


def user_json(user: User) -> dict:
    return {
        "id": user.id,
        "username": user.username,
        "full_name": user.full_name,
        "position": user.position,
        "role": user.role,
        "unit_id": user.unit_id,
        "province_id": user.province_id,
    }


def finding_json(finding: Finding) -> dict:
    return {
        "id": finding.id,
        "uuid": finding.uuid,
        "inspection_id": finding.inspection_id,
        "item_code": finding.item_code,
        "answer": finding.answer,
        "note": finding.note,
        "affected_count": finding.affected_count,
        "version": finding.version,
        "updated_at": iso(finding.updated_at),
    }


def photo_json(photo: Photo) -> dict:
    from flask import url_for

    return {
        "id": photo.id,
        "uuid": photo.uuid,
        "inspection_id": photo.inspection_id,
        "item_code": photo.item_code,
        "caption": photo.caption,
        "width": photo.width,
        "height": photo.height,
        "size_bytes": photo.size_bytes,
        "sha256": photo.sha256,
        "taken_at": iso(photo.taken_at),
        "exif_latitude": photo.exif_latitude,
        "exif_longitude": photo.exif_longitude,
        "image_url": url_for("api.photo_image", photo_id=photo.id),
        "thumbnail_url": url_for("api.photo_thumbnail", photo_id=photo.id),
    }


def inspection_json(inspection: Inspection, full: bool = True) -> dict:
    from ..domain.geo import FLAG_LABELS

    data = {
        "id": inspection.id,
        "uuid": inspection.uuid,
        "unit_id": inspection.unit_id,
        "premise_id": inspection.premise_id,
        "premise_name": inspection.premise.name,
        "kind": inspection.kind,
        "basis": inspection.basis,
        "started_at": iso(inspection.started_at),
        "ended_at": iso(inspection.ended_at),
        "status": inspection.status,
        "catalogue_version": inspection.catalogue_version,
        "outcome": inspection.outcome,
        "fix_deadline": iso(inspection.fix_deadline),
        "referral_body": inspection.referral_body,
        "handling_note": inspection.handling_note,
        "follows_id": inspection.follows_id,
        "gps": {
            "latitude": inspection.gps_latitude,
            "longitude": inspection.gps_longitude,
            "accuracy_m": inspection.gps_accuracy_m,
            "distance_m": inspection.gps_distance_m,
            "flags": inspection.flags,
            "warnings": [FLAG_LABELS[f] for f in inspection.flags],
        },
        "version": inspection.version,
        "created_by_id": inspection.created_by_id,
        "updated_at": iso(inspection.updated_at),
    }
    if full:
        data["team"] = [
            {
                "user_id": m.user_id,
                "name": m.display_name,
                "position": m.position,
                "organisation": m.organisation,
                "team_role": m.team_role,
            }
            for m in inspection.members
        ]
        data["findings"] = [finding_json(f) for f in inspection.findings]
        data["photos"] = [photo_json(p) for p in inspection.photos]
    return data
