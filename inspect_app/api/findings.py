"""Findings (kết quả theo từng nội dung kiểm tra) of an inspection: idempotent by UUID, edited by version."""

from __future__ import annotations

from functools import partial

from flask_login import current_user
from marshmallow import validate

from ..domain.vocabulary import ANSWERS
from ..inspections import service
from ..inspections.queries import finding_by_key
from ..models import Finding
from .core import (
    RECORDS,
    WITH_PREMISE,
    ApiError,
    allowed,
    bp,
    looks_up,
    request_part,
    shows_conflicts,
    with_inspection,
)
from .fields import UUID, Bool, DateTime, Int, Str, StrictSchema, length, one_of

NOT_NEGATIVE = validate.Range(min=0, error="Không được âm.")


class FindingSchema(StrictSchema):
    """A finding: what the phone sends to record it, and what the server answers."""

    id = Int(dump_only=True)
    uuid = UUID(required=True)
    inspection_id = Int(dump_only=True)
    item_code = Str(required=True, validate=length(20, 1))
    answer = Str(required=True, validate=one_of(ANSWERS, "Kết quả"))
    note = Str(load_default="", validate=length(2000))
    affected_count = Int(load_default=None, allow_none=True, validate=NOT_NEGATIVE)
    indicative = Bool(
        dump_only=True,
        metadata={"description": "Sơ bộ / chuyển cơ quan khác: không tính là vi phạm của đoàn"},
    )
    version = Int(dump_only=True)
    updated_at = DateTime(dump_only=True)


class FindingUpdateSchema(StrictSchema):
    """An edit: the version it was made from, and only the fields that change."""

    version = Int(required=True)
    answer = Str(validate=one_of(ANSWERS, "Kết quả"))
    note = Str(validate=length(2000))
    affected_count = Int(allow_none=True, validate=NOT_NEGATIVE)


shows_conflicts(Finding, FindingSchema())


def find_finding(finding_id: str) -> Finding:
    finding = finding_by_key(finding_id)
    if finding is None:
        raise ApiError(404, "Không tìm thấy kết quả kiểm tra này.")
    return finding


@bp.get("/inspections/<inspection_id>/findings", errors=(404,))
@bp.response(200, FindingSchema(many=True))
@with_inspection
def list_findings(inspection):
    """Kết quả theo nội dung"""
    return inspection.findings


@bp.post("/inspections/<inspection_id>/findings", errors=(403, 404, 409, 422))
@bp.response(201, FindingSchema)
@bp.alt_response(200, schema=FindingSchema, description="Đã có (gửi lại cùng nội dung)", success=True)
@partial(with_inspection, options=WITH_PREMISE)
@allowed("inspection.edit", RECORDS)
@bp.arguments(request_part(FindingSchema, "FindingCreate"))
def create_finding(data, inspection):
    """Ghi kết quả một nội dung (idempotent theo uuid)"""
    finding, created = service.record_finding(inspection, data, current_user)
    return finding, 201 if created else 200


@bp.patch("/findings/<finding_id>", errors=(403, 404, 409, 422))
@bp.response(200, FindingSchema)
@looks_up("finding_id", find_finding, "finding")
@allowed("inspection.edit", RECORDS)
@bp.arguments(FindingUpdateSchema)
def update_finding(data, finding):
    """Sửa kết quả (cần version hiện tại)"""
    return service.update_finding(finding, data, current_user)
