"""Readings (phép đo): a scale, a fuel dispenser or a control weighing, judged by the server against the tolerance
tables; idempotent by UUID, refused once the inspection's minutes are issued."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..domain.vocabulary import DIRECTIONS, OUTCOMES, READING_KINDS
from .. import measurements
from ..access import get_or_404
from ..models import Reading
from ..models.metrology import canonical_decimal
from ..tolerances import with_table_names
from .core import RECORDS, ApiError, allowed, bp, looks_up, request_part, shows_conflicts, with_inspection
from .fields import UUID, DateTime, Dec, Int, Json, List, Nested, Str, StrictSchema, length, one_of


SUPERSEDED_LABEL = "đã chấm theo bảng cũ"


def named_warnings(record) -> list[str]:
    """A reading's or lot's warnings as a person reads them: tables by name, also in warnings stored with ids."""
    return [with_table_names(warning) for warning in record.warnings or []]


def _corrected(reading) -> dict | None:
    answer = measurements.corrected_verdict(reading)
    if answer is None or "refused" in answer:
        return answer
    return {
        **answer,
        "outcome_label": OUTCOMES[answer["outcome"]],
        "error": canonical_decimal(answer["error"]),
        "permitted_error": canonical_decimal(answer["permitted_error"]),
    }


class ReadingSchema(StrictSchema):
    """A reading: what the inspector measured (sent), and the server's verdict on it (answered)."""

    exact_numbers = True

    id = Int(dump_only=True)
    uuid = UUID(required=True)
    inspection_id = Int(dump_only=True)
    instrument_id = Int(load_default=None, allow_none=True)
    instrument_uuid = UUID(load_default=None, allow_none=True, load_only=True)
    instrument = Str(dump_only=True, attribute="instrument_label")
    kind = Str(required=True, validate=one_of(READING_KINDS, "Loại phép đo"))
    standard_ids = List(
        Int(),
        required=True,
        validate=validate.Length(min=1, max=30, error="Cần chọn từ 1 đến 30 chuẩn đo lường đã dùng."),
    )
    standards = Json(dump_only=True, metadata={"type": "array", "items": {"type": "object"}})
    reference = Dec(load_default=None, allow_none=True, positive=True, label="Tải / lượng chuẩn")
    indication = Dec(required=True, non_negative=True, label="Số chỉ")
    unit = Str(load_default=None, allow_none=True, validate=one_of(["g", "kg", "L"], "Đơn vị"))
    direction = Str(load_default=None, allow_none=True, validate=one_of(DIRECTIONS, "Chiều mua bán"))
    measured_at = DateTime(load_default=None, allow_none=True, past=True)
    note = Str(load_default="", validate=length(2000))
    error = Dec(dump_only=True, allow_none=True)
    permitted_error = Dec(dump_only=True, allow_none=True)
    outcome = Str(dump_only=True)
    outcome_label = fields.Function(lambda reading: OUTCOMES[reading.outcome], metadata={"type": "string"})
    conclusion = Str(dump_only=True)
    rule = Str(dump_only=True)
    state_check_rule = Str(dump_only=True, allow_none=True)
    tables = Json(dump_only=True, metadata={"type": "array", "items": {"type": "object"}})
    provisional = fields.Boolean(dump_only=True)
    indicative = fields.Boolean(
        dump_only=True,
        metadata={"description": "Sơ bộ: đoàn không có cán bộ Sở KH&CN, không tính là vi phạm"},
    )
    warnings = fields.Function(
        named_warnings,
        metadata={"type": "array", "items": {"type": "string"}, "description": "Lưu ý (bảng gọi theo tên)"},
    )
    details = Json(dump_only=True, metadata={"type": "object"})
    superseded_table = Str(dump_only=True, allow_none=True)
    superseded_label = fields.Function(
        lambda reading: SUPERSEDED_LABEL if reading.superseded_table else None,
        allow_none=True,
        metadata={
            "type": "string",
            "description": "'đã chấm theo bảng cũ' when judged with a superseded table",
        },
    )
    corrected = fields.Function(
        _corrected,
        allow_none=True,
        metadata={
            "type": "object",
            "description": "What the corrected rule gives for a reading judged with a superseded table "
            "(not stored; re-judge to store it), or {refused: why}",
        },
    )
    version = Int(dump_only=True)
    created_at = DateTime(dump_only=True)
    voided = fields.Boolean(dump_only=True)
    voided_at = DateTime(dump_only=True, allow_none=True)
    voided_by_id = Int(dump_only=True, allow_none=True)
    void_reason = Str(dump_only=True, allow_none=True)

    @validates_schema
    def _together(self, data, **kwargs):
        if (data.get("instrument_id") is None) == (data.get("instrument_uuid") is None):
            raise ValidationError("Cần đúng một trong instrument_id hoặc instrument_uuid.", "instrument_id")
        if data.get("kind") == "control" and data.get("direction") is None:
            raise ValidationError("Phép đo đối chứng cần chọn chiều: sell (bán) hoặc buy (mua).", "direction")
        if data.get("kind") != "control" and data.get("direction") is not None:
            raise ValidationError("Chỉ phép đo đối chứng mới có chiều mua bán.", "direction")
        if data.get("kind") == "dispenser" and data.get("reference") is None:
            raise ValidationError("Cần ghi lượng đọc trên bình chuẩn (L).", "reference")


class VoidSchema(StrictSchema):
    """Why a reading or lot is voided (at least 5 characters)."""

    reason = Str(required=True, validate=length(500))


VOIDERS = "Chỉ người đã ghi kết quả, cán bộ văn phòng hoặc lãnh đạo của đơn vị được hủy kết quả này."


def voidable(record):
    """The record, or 403 unless the user may void it (its recorder, or staff / a supervisor of the unit)."""
    if not measurements.may_void(record, current_user):
        raise ApiError(403, VOIDERS)
    return record


def reading_to_void(reading_id: int) -> Reading:
    return voidable(get_or_404(Reading, reading_id))


class ReadingListSchema(Schema):
    items = List(Nested(ReadingSchema), dump_only=True)


shows_conflicts(Reading, ReadingSchema())


@bp.get("/inspections/<inspection_id>/readings", errors=(404,))
@bp.response(200, ReadingListSchema)
@with_inspection
def list_readings(inspection):
    """Kết quả đo của cuộc kiểm tra, kèm kết luận máy chủ tính (cả kết quả đã hủy, có voided = true)"""
    return {"items": measurements.readings_of(inspection, include_voided=True)}


@bp.post("/inspections/<inspection_id>/readings", errors=(403, 404, 409, 422))
@bp.response(201, ReadingSchema)
@bp.alt_response(200, schema=ReadingSchema, description="Đã có (gửi lại cùng nội dung)", success=True)
@with_inspection
@allowed("inspection.edit", RECORDS)
@bp.arguments(request_part(ReadingSchema, "ReadingCreate"))
def create_reading(data, inspection):
    """Ghi một phép đo (cân, cột đo xăng dầu, đối chứng)

    Máy chủ tính sai số, giới hạn cho phép và kết luận (idempotent theo uuid; 409 khi biên bản đã lập).
    """
    reading, created = measurements.record_reading(inspection, data, current_user)
    return reading, 201 if created else 200


@bp.post("/inspections/<inspection_id>/readings/rejudge", errors=(403, 404, 409, 422))
@bp.response(200, ReadingListSchema)
@with_inspection
@allowed("reading.rejudge", "Chỉ lãnh đạo đơn vị hoặc quản trị được chấm lại kết quả đo.")
def rejudge_readings(inspection):
    """Chấm lại theo bảng mới các kết quả đo đã chấm theo bảng cũ (trước khi lập biên bản)

    Mỗi kết quả chấm lại được ghi vào lịch sử (kết quả cũ và mới); 409 khi biên bản đã lập (mở lại để đính chính),
    422 khi không có kết quả nào cần chấm lại. Trả về mọi kết quả đo của cuộc kiểm tra; kết quả chưa chấm lại được
    vẫn mang superseded_table và corrected.refused nói vì sao.
    """
    measurements.rejudge_superseded(inspection, current_user)
    return {"items": measurements.readings_of(inspection)}


@bp.post("/readings/<id:reading_id>/void", errors=(403, 404, 409, 422))
@bp.response(200, ReadingSchema)
@looks_up("reading_id", reading_to_void, "reading")
@bp.arguments(VoidSchema)
def void_reading(data, reading):
    """Hủy một kết quả đo, kèm lý do (trước khi lập biên bản)

    Kết quả được giữ lại, không còn tính vào kết luận, gợi ý và biên bản. Hủy lần nữa trả về bản đã hủy;
    409 khi biên bản đã lập (phải đính chính bằng biên bản thay thế).
    """
    return measurements.void_record(reading, data["reason"], current_user)
