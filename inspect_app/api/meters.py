"""Meter checks (kiểm tra công tơ điện, đồng hồ nước): what the inspector saw of a utility's meter, the complaint and
where it was referred; an indicative water check is "sơ bộ". No verdict on a meter's error is ever answered.
Idempotent by UUID, refused once the inspection's minutes are issued."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from .. import measurements
from ..domain.vocabulary import SEAL_STATES, STAMP_STATES, TAMPERING_SIGNS
from ..models import MeterCheck
from .core import RECORDS, allowed, bp, request_part, shows_conflicts, with_inspection
from .fields import UUID, Date, DateTime, Dec, Int, Json, List, Nested, Str, StrictSchema, length, one_of


class MeterCheckSchema(StrictSchema):
    """A meter check: what the inspector recorded (sent), as stored (answered)."""

    exact_numbers = True

    id = Int(dump_only=True)
    uuid = UUID(required=True)
    inspection_id = Int(dump_only=True)
    instrument_id = Int(load_default=None, allow_none=True)
    instrument_uuid = UUID(load_default=None, allow_none=True, load_only=True)
    meter = Str(dump_only=True, attribute="meter_label")
    index_reading = Dec(load_default=None, allow_none=True, non_negative=True, label="Chỉ số công tơ/đồng hồ")
    stamp_state = Str(required=True, validate=one_of(STAMP_STATES, "Tình trạng tem kiểm định"))
    stamp_state_label = fields.Function(
        lambda check: STAMP_STATES[check.stamp_state], metadata={"type": "string"}
    )
    validity = Str(dump_only=True, metadata={"description": "valid, expired hoặc unknown"})
    validity_text = Str(dump_only=True)
    seal_state = Str(load_default="none", validate=one_of(SEAL_STATES, "Tình trạng niêm phong"))
    tampering_signs = List(
        Str(validate=one_of(TAMPERING_SIGNS, "Dấu hiệu can thiệp")),
        load_default=list,
        validate=validate.Length(max=len(TAMPERING_SIGNS)),
    )
    tampering_note = Str(load_default="", validate=length(2000))
    complainant = Str(load_default="", validate=length(200))
    complaint = Str(load_default="", validate=length(4000))
    referred_to_utility_on = Date(load_default=None, allow_none=True)
    referred_to_department_on = Date(load_default=None, allow_none=True)
    referral_note = Str(load_default="", validate=length(2000))
    standard_ids = List(Int(), load_default=list, load_only=True, validate=validate.Length(max=10))
    indicative_reference = Dec(
        load_default=None,
        allow_none=True,
        positive=True,
        load_only=True,
        label="Lượng nước trên bình chuẩn (L)",
    )
    indicative_indication = Dec(
        load_default=None,
        allow_none=True,
        non_negative=True,
        load_only=True,
        label="Lượng nước đồng hồ chỉ (L)",
    )
    indicative = Json(dump_only=True, allow_none=True, metadata={"type": "object", "nullable": True})
    note = Str(load_default="", validate=length(2000))
    checked_at = DateTime(load_default=None, allow_none=True, past=True)
    version = Int(dump_only=True)
    created_at = DateTime(dump_only=True)

    @validates_schema
    def _together(self, data, **kwargs):
        if (data.get("instrument_id") is None) == (data.get("instrument_uuid") is None):
            raise ValidationError("Cần đúng một trong instrument_id hoặc instrument_uuid.", "instrument_id")


class MeterCheckListSchema(Schema):
    items = List(Nested(MeterCheckSchema), dump_only=True)


shows_conflicts(MeterCheck, MeterCheckSchema())


@bp.get("/inspections/<inspection_id>/meter-checks", errors=(404,))
@bp.response(200, MeterCheckListSchema)
@with_inspection
def list_meter_checks(inspection):
    """Công tơ điện, đồng hồ nước đã kiểm tra trong cuộc kiểm tra"""
    return {"items": measurements.meter_checks_of(inspection)}


@bp.post("/inspections/<inspection_id>/meter-checks", errors=(403, 404, 409, 422))
@bp.response(201, MeterCheckSchema)
@bp.alt_response(200, schema=MeterCheckSchema, description="Đã có (gửi lại cùng nội dung)", success=True)
@with_inspection
@allowed("inspection.edit", RECORDS)
@bp.arguments(request_part(MeterCheckSchema, "MeterCheckCreate"))
def create_meter_check(data, inspection):
    """Ghi kiểm tra công tơ điện / đồng hồ nước (idempotent theo uuid)

    Ghi nhận tem, niêm phong, dấu hiệu can thiệp, phản ánh và nơi chuyển (đơn vị cấp điện/nước trước, rồi Sở).
    Kiểm tra bằng bình chuẩn chỉ là "sơ bộ": không có kết luận Đạt/Không đạt về sai số.
    """
    check, created = measurements.record_meter_check(inspection, data, current_user)
    return check, 201 if created else 200
