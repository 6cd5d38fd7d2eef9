"""Reference standards (chuẩn đo lường) of the unit: weights and measures with their calibration certificates.

Quantities travel as exact decimal strings ("5.15"; "5,15" with the decimal comma is accepted too) or as JSON
numbers, read as Decimal without passing through float. Answers always give them as strings.
"""

from __future__ import annotations

from flask import abort, current_app
from flask_login import current_user
from marshmallow import Schema, ValidationError, fields, validates_schema

from ..access import get_or_404, scoped
from ..domain.vocabulary import CERTIFICATE_TYPES, STANDARD_KINDS, STANDARD_OWNERSHIP
from ..extensions import db
from ..files.uploads import storage_for
from .. import measurements
from ..models import ReferenceStandard
from .core import JPEG, allowed, bp, looks_up, request_part, send_jpeg, shows_conflicts
from .fields import (
    UUID,
    Bool,
    Date,
    DateTime,
    Dec,
    Int,
    LenientSchema,
    Link,
    List,
    Nested,
    Str,
    StrictSchema,
    Upload,
    length,
    one_of,
)

MASS_AND_VOLUME = ["mg", "g", "kg", "mL", "L"]
MANAGES = ("standard.edit", "Vai trò của bạn không được quản lý chuẩn đo lường.")


class StandardSchema(StrictSchema):
    """A reference standard: what is sent to add one, and what is answered."""

    exact_numbers = True

    id = Int(dump_only=True)
    uuid = UUID(required=True)
    unit_id = Int(load_default=None, allow_none=True)
    kind = Str(required=True, validate=one_of(STANDARD_KINDS, "Loại chuẩn"))
    nominal = Dec(required=True, positive=True, label="Giá trị danh định")
    unit = Str(required=True, validate=one_of(MASS_AND_VOLUME, "Đơn vị"))
    accuracy_class = Str(required=True, validate=length(10, 1))
    correction_mg = Dec(load_default=None, allow_none=True, label="Số hiệu chính (mg)")
    serial = Str(load_default="", validate=length(60))
    certificate_number = Str(load_default="", validate=length(80))
    calibrated_on = Date(load_default=None, allow_none=True)
    due_on = Date(
        load_default=None,
        allow_none=True,
        metadata={"description": "Quả cân có giấy kiểm định: để trống thì tính theo chu kỳ từ calibrated_on"},
    )
    due_on_computed = fields.Boolean(dump_only=True)
    certificate_type = Str(load_default="unknown", validate=one_of(CERTIFICATE_TYPES, "Loại giấy chứng nhận"))
    certificate_warning = fields.Function(
        measurements.certificate_warning,
        metadata={"type": "string", "nullable": True},
    )
    state = fields.Method(
        "_state", metadata={"type": "string", "description": "valid, due_soon hoặc overdue"}
    )
    ownership = Str(load_default="own", validate=one_of(STANDARD_OWNERSHIP, "Nguồn chuẩn"))
    lender = Str(load_default="", validate=length(200))
    active = Bool(load_default=True)
    note = Str(load_default="", validate=length(2000))
    certificate_url = Link("api.standard_certificate", if_set="certificate_key", standard_id="id")
    version = Int(dump_only=True)
    updated_at = DateTime(dump_only=True)

    def _state(self, standard: ReferenceStandard) -> str:
        return measurements.standard_state(standard)


class StandardUpdateSchema(StrictSchema):
    """An edit: the version it was made from, and only the fields that change."""

    exact_numbers = True

    version = Int(required=True)
    kind = Str(validate=one_of(STANDARD_KINDS, "Loại chuẩn"))
    nominal = Dec(positive=True, label="Giá trị danh định")
    unit = Str(validate=one_of(MASS_AND_VOLUME, "Đơn vị"))
    accuracy_class = Str(validate=length(10, 1))
    correction_mg = Dec(allow_none=True, label="Số hiệu chính (mg)")
    serial = Str(validate=length(60))
    certificate_number = Str(validate=length(80))
    calibrated_on = Date(allow_none=True)
    due_on = Date(allow_none=True)
    certificate_type = Str(validate=one_of(CERTIFICATE_TYPES, "Loại giấy chứng nhận"))
    ownership = Str(validate=one_of(STANDARD_OWNERSHIP, "Nguồn chuẩn"))
    lender = Str(validate=length(200))
    active = Bool()
    note = Str(validate=length(2000))


class DueWithinDays(fields.Integer):
    default_error_messages = {"invalid": "due_within_days phải là số ngày từ 0 đến 3650."}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not value.isdigit() or int(value) > 3650:
            raise self.make_error("invalid")
        return int(value)


class StandardQuerySchema(LenientSchema):
    due_within_days = DueWithinDays(
        load_default=None,
        metadata={"minimum": 0, "maximum": 3650, "description": "Chỉ các chuẩn đến hạn trong số ngày này"},
    )
    include_inactive = Str(load_default=None, metadata={"description": "1 hoặc true: kể cả chuẩn ngừng dùng"})


class StandardListSchema(Schema):
    items = List(Nested(StandardSchema), dump_only=True)


class CertificateSchema(LenientSchema):
    file = Upload(
        load_default=None, metadata={"type": "string", "format": "binary", "description": "Bắt buộc"}
    )

    @validates_schema
    def _file(self, data, **kwargs):
        if data.get("file") is None:
            raise ValidationError("Chưa có tệp ảnh giấy chứng nhận.", "file")


shows_conflicts(ReferenceStandard, StandardSchema())


def find_standard(standard_id: int) -> ReferenceStandard:
    return get_or_404(ReferenceStandard, standard_id)


@bp.get("/standards", errors=(422,))
@bp.arguments(StandardQuerySchema, location="query")
@bp.response(200, StandardListSchema)
def list_standards(args):
    """Chuẩn đo lường của đơn vị; due_within_days: chỉ các chuẩn đến hạn trong số ngày đó"""
    if args["due_within_days"] is not None:
        return {"items": measurements.due_soon(current_user, args["due_within_days"])}
    query = scoped(ReferenceStandard)
    if args["include_inactive"] not in ("1", "true"):
        query = query.where(ReferenceStandard.active.is_(True))
    return {"items": sorted(db.session.scalars(query), key=measurements.standard_sort_key)}


@bp.post("/standards", errors=(403, 409, 422))
@bp.response(201, StandardSchema)
@bp.alt_response(200, schema=StandardSchema, description="Đã có (gửi lại cùng nội dung)", success=True)
@allowed(*MANAGES)
@bp.arguments(request_part(StandardSchema, "StandardCreate"))
def create_standard(data):
    """Thêm chuẩn đo lường (idempotent theo uuid)"""
    standard, created = measurements.create_standard(data, current_user)
    return standard, 201 if created else 200


@bp.get("/standards/<id:standard_id>", errors=(404,))
@bp.response(200, StandardSchema)
@looks_up("standard_id", find_standard, "standard")
def get_standard(standard):
    """Một chuẩn đo lường"""
    return standard


@bp.patch("/standards/<id:standard_id>", errors=(403, 404, 409, 422))
@bp.response(200, StandardSchema)
@looks_up("standard_id", find_standard, "standard")
@allowed(*MANAGES)
@bp.arguments(StandardUpdateSchema)
def update_standard(data, standard):
    """Sửa chuẩn (cần version hiện tại)"""
    return measurements.update_standard(standard, data, current_user)


@bp.get("/standards/<id:standard_id>/certificate", errors=(404,))
@bp.response(200, JPEG, content_type="image/jpeg")
@looks_up("standard_id", find_standard, "standard")
def standard_certificate(standard):
    """Ảnh giấy chứng nhận hiệu chuẩn (JPEG)"""
    if not standard.certificate_key:
        abort(404)
    return send_jpeg(standard.certificate_key, standard.certificate_sha256)


@bp.post("/standards/<id:standard_id>/certificate", errors=(403, 404, 413, 422))
@bp.response(200, StandardSchema)
@looks_up("standard_id", find_standard, "standard")
@allowed(*MANAGES)
@bp.arguments(CertificateSchema, location="form_and_files")
def upload_standard_certificate(data, standard):
    """Tải ảnh giấy chứng nhận (multipart: file), thay ảnh cũ"""
    measurements.set_certificate_photo(standard, data["file"].read(), storage_for(current_app), current_user)
    return standard
