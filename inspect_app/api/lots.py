"""Pre-packaged lots (lô hàng đóng gói sẵn) sampled at an inspection: the server works out the mean, s, the
tolerable deficiency T, the units short beyond T and 2T, and the verdict (TT 21/2014)."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields, validate

from ..domain.vocabulary import OUTCOMES
from .. import measurements
from ..access import get_or_404
from ..models import PrepackagedLot
from .core import RECORDS, allowed, bp, looks_up, request_part, shows_conflicts, with_inspection
from .readings import VoidSchema, named_warnings, voidable
from .fields import UUID, DateTime, Dec, Int, Json, List, Nested, Str, StrictSchema, length, one_of


class Measured(List):
    """Read as exact decimals; answered as stored, the text that was typed (e.g. "1.0")."""

    def _serialize(self, value, attr, obj, **kwargs):
        return value


class LotSchema(StrictSchema):
    """A lot: the sample the inspector weighed (sent), and the server's verdict (answered)."""

    exact_numbers = True

    id = Int(dump_only=True)
    uuid = UUID(required=True)
    inspection_id = Int(dump_only=True)
    product = Str(required=True, validate=length(200, 1))
    nominal = Dec(required=True, positive=True, label="Lượng danh định")
    unit = Str(required=True, validate=one_of(["g", "kg", "mL", "L"], "Đơn vị"))
    tare = Dec(load_default=None, allow_none=True, non_negative=True, label="Khối lượng bì")
    lot_size = Int(
        load_default=None, allow_none=True, validate=validate.Range(min=1, error="Cỡ lô phải lớn hơn 0.")
    )
    measured = Measured(
        Dec(positive=True, label="Lượng đo được"),
        required=True,
        validate=validate.Length(min=1, max=500, error="Lô hàng cần từ 1 đến 500 đơn vị mẫu đã cân/đo."),
    )
    note = Str(load_default="", validate=length(2000))
    sample_size = Int(dump_only=True)
    mean = Dec(dump_only=True, allow_none=True)
    std_dev = Dec(dump_only=True, allow_none=True)
    tolerable_deficiency = Dec(dump_only=True, allow_none=True)
    count_beyond_t = Int(dump_only=True)
    count_beyond_2t = Int(dump_only=True)
    outcome = Str(dump_only=True)
    outcome_label = fields.Function(lambda lot: OUTCOMES[lot.outcome], metadata={"type": "string"})
    conclusion = Str(dump_only=True)
    rule = Str(dump_only=True)
    rules_broken = List(Str(), dump_only=True)
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
    version = Int(dump_only=True)
    created_at = DateTime(dump_only=True)
    voided = fields.Boolean(dump_only=True)
    voided_at = DateTime(dump_only=True, allow_none=True)
    voided_by_id = Int(dump_only=True, allow_none=True)
    void_reason = Str(dump_only=True, allow_none=True)


class LotListSchema(Schema):
    items = List(Nested(LotSchema), dump_only=True)


shows_conflicts(PrepackagedLot, LotSchema())


@bp.get("/inspections/<inspection_id>/lots", errors=(404,))
@bp.response(200, LotListSchema)
@with_inspection
def list_lots(inspection):
    """Lô hàng đóng gói sẵn đã lấy mẫu (cả lô đã hủy, có voided = true)"""
    return {"items": measurements.lots_of(inspection, include_voided=True)}


@bp.post("/inspections/<inspection_id>/lots", errors=(403, 404, 409, 422))
@bp.response(201, LotSchema)
@bp.alt_response(200, schema=LotSchema, description="Đã có (gửi lại cùng nội dung)", success=True)
@with_inspection
@allowed("inspection.edit", RECORDS)
@bp.arguments(request_part(LotSchema, "LotCreate"))
def create_lot(data, inspection):
    """Ghi một lô hàng đóng gói sẵn; máy chủ tính trung bình, s, T, số đơn vị thiếu, kết luận"""
    lot, created = measurements.record_lot(inspection, data, current_user)
    return lot, 201 if created else 200


def lot_to_void(lot_id: int) -> PrepackagedLot:
    return voidable(get_or_404(PrepackagedLot, lot_id))


@bp.post("/lots/<id:lot_id>/void", errors=(403, 404, 409, 422))
@bp.response(200, LotSchema)
@looks_up("lot_id", lot_to_void, "lot")
@bp.arguments(VoidSchema)
def void_lot(data, lot):
    """Hủy một lô hàng đóng gói sẵn đã ghi, kèm lý do (trước khi lập biên bản)

    Lô được giữ lại, không còn tính vào kết luận, gợi ý và biên bản. Hủy lần nữa trả về bản đã hủy;
    409 khi biên bản đã lập (phải đính chính bằng biên bản thay thế).
    """
    return measurements.void_record(lot, data["reason"], current_user)
