"""Measuring instruments (phương tiện đo) at a premise, with their photos; idempotent by UUID, edited by version."""

from __future__ import annotations

from flask import abort, current_app
from flask_login import current_user
from marshmallow import Schema, ValidationError, fields, validates_schema

from ..access import get_or_404, scoped
from ..domain.vocabulary import INSTRUMENT_TYPES, INSTRUMENT_VARIANTS, SEAL_STATES
from ..extensions import db
from ..files.uploads import storage_for
from .. import measurements
from ..measurements.rules import instrument_label
from ..models import Instrument, InstrumentPhoto, Premise
from .premises import ChangeFeedSchema, PremiseChangesQuerySchema
from .core import JPEG, allowed, bp, looks_up, request_part, send_jpeg, shows_conflicts
from .fields import (
    UUID,
    Bool,
    Date,
    DateTime,
    Dec,
    Int,
    Link,
    List,
    Nested,
    Str,
    StrictSchema,
    Upload,
    length,
    one_of,
)

RECORDS = ("instrument.edit", "Vai trò của bạn không được ghi phương tiện đo.")
INSTRUMENT_UNITS = ["g", "kg", "L", "mL", "m3", "kWh"]


class InstrumentPhotoSchema(StrictSchema):
    """A photo of an instrument: the multipart form that uploads it (file + uuid, caption), and the answer."""

    id = Int(dump_only=True)
    uuid = UUID(required=True)
    instrument_id = Int(dump_only=True)
    caption = Str(load_default="", validate=length(300))
    file = Upload(
        load_default=None, metadata={"type": "string", "format": "binary", "description": "Bắt buộc"}
    )
    width = Int(dump_only=True)
    height = Int(dump_only=True)
    sha256 = Str(dump_only=True)
    image_url = Link("api.instrument_photo_image", instrument_photo_id="id")
    thumbnail_url = Link("api.instrument_photo_thumbnail", instrument_photo_id="id")

    @validates_schema
    def _file(self, data, **kwargs):
        if data.get("file") is None:
            raise ValidationError("Chưa có tệp ảnh.", "file")


def _instrument_fields(create: bool) -> dict:
    """The fields a person types about an instrument: required or defaulted when adding one, optional in an edit."""
    optional = {"load_default": None} if create else {}

    def text(default: str = "") -> dict:
        return {"load_default": default} if create else {}

    return {
        "instrument_type": Str(required=create, validate=one_of(INSTRUMENT_TYPES, "Loại phương tiện đo")),
        "variant": Str(
            allow_none=True, validate=one_of(INSTRUMENT_VARIANTS, "Kiểu công tơ/đồng hồ nước"), **optional
        ),
        "owner_name": Str(validate=length(200), **text()),
        "installation_address": Str(validate=length(300), **text()),
        "make": Str(validate=length(80), **text()),
        "model": Str(validate=length(80), **text()),
        "serial": Str(validate=length(60), **text()),
        "accuracy_class": Str(validate=length(10), **text()),
        "unit": Str(allow_none=True, validate=one_of(INSTRUMENT_UNITS, "Đơn vị"), **optional),
        "max_capacity": Dec(allow_none=True, positive=True, label="Mức cân lớn nhất (Max)", **optional),
        "min_capacity": Dec(allow_none=True, positive=True, label="Mức cân nhỏ nhất (Min)", **optional),
        "e": Dec(allow_none=True, positive=True, label="Giá trị độ chia kiểm (e)", **optional),
        "d": Dec(allow_none=True, positive=True, label="Giá trị độ chia (d)", **optional),
        "goods_mass": Dec(allow_none=True, positive=True, label="Khối lượng hàng thường cân", **optional),
        "verification_mark": Str(validate=length(60), **text()),
        "verified_on": Date(allow_none=True, **optional),
        "valid_until": Date(allow_none=True, **optional),
        "seal_state": Str(validate=one_of(SEAL_STATES, "Tình trạng niêm phong"), **text("none")),
        "in_use": Bool(**({"load_default": True} if create else {})),
        "note": Str(validate=length(2000), **text()),
    }


def _stamp_expiry(instrument) -> dict | None:
    """The expiry computed from the verification cycle when the stamp shows only its date (else null)."""
    expiry = measurements.computed_expiry(instrument)
    if expiry is None:
        return None
    return {
        "expires_on": expiry.expires_on.isoformat(),
        "months": expiry.months,
        "text": expiry.text,
        "derived": expiry.derived,
        "warnings": list(expiry.warnings),
        "tables": [ref.to_dict() for ref in expiry.tables],
    }


class InstrumentBase(StrictSchema):
    exact_numbers = True


InstrumentSchema = InstrumentBase.from_dict(
    {
        "id": Int(dump_only=True),
        "uuid": UUID(required=True),
        "unit_id": Int(dump_only=True),
        "premise_id": Int(dump_only=True),
        "label": fields.Function(instrument_label, metadata={"type": "string"}),
        **_instrument_fields(create=True),
        "stamp_expiry": fields.Function(_stamp_expiry, metadata={"type": "object", "nullable": True}),
        "photos": List(Nested(InstrumentPhotoSchema), dump_only=True),
        "version": Int(dump_only=True),
        "updated_at": DateTime(dump_only=True),
    },
    name="InstrumentSchema",
)
InstrumentSchema.__doc__ = "An instrument: what is sent to add one, and what is answered (with its photos)."
InstrumentUpdateSchema = InstrumentBase.from_dict(
    {"version": Int(required=True), **_instrument_fields(create=False)}, name="InstrumentUpdateSchema"
)
InstrumentUpdateSchema.__doc__ = "An edit: the version it was made from, and only the fields that change."


class InstrumentListSchema(Schema):
    items = List(Nested(InstrumentSchema), dump_only=True)


class InstrumentChangesSchema(ChangeFeedSchema):
    items = List(Nested(InstrumentSchema), dump_only=True)


shows_conflicts(Instrument, InstrumentSchema())
shows_conflicts(InstrumentPhoto, InstrumentPhotoSchema())


def find_instrument(instrument_id: str) -> Instrument:
    """By numeric id or by the phone's UUID, through the scoping door."""
    if instrument_id.isdigit():
        return get_or_404(Instrument, instrument_id)
    record = db.session.scalars(scoped(Instrument).where(Instrument.uuid == instrument_id.lower())).first()
    if record is None:
        abort(404)
    return record


def find_premise(premise_id: int) -> Premise:
    return get_or_404(Premise, premise_id)


def find_photo(instrument_photo_id: int) -> InstrumentPhoto:
    return get_or_404(InstrumentPhoto, instrument_photo_id)


@bp.get("/instruments/changes", errors=(422,))
@bp.arguments(PremiseChangesQuerySchema, location="query")
@bp.response(200, InstrumentChangesSchema)
def instrument_changes(args):
    """Phương tiện đo thay đổi từ lần tải trước, tại mọi cơ sở trong phạm vi, cũ trước: cho bản lưu ngoại tuyến
    của điện thoại (cùng cách tải như danh sách cơ sở)"""
    page = measurements.instruments_changed(
        current_user, args["since"], after=args["cursor"], limit=args["limit"]
    )
    return {"items": page.items, "next_cursor": page.next_cursor, "next_since": page.extra["next_since"]}


@bp.get("/premises/<id:premise_id>/instruments", errors=(404,))
@bp.response(200, InstrumentListSchema)
@looks_up("premise_id", find_premise, "premise")
def list_instruments(premise):
    """Phương tiện đo của cơ sở"""
    return {"items": measurements.instruments_of(premise.id)}


@bp.post("/premises/<id:premise_id>/instruments", errors=(403, 404, 409, 422))
@bp.response(201, InstrumentSchema)
@bp.alt_response(200, schema=InstrumentSchema, description="Đã có (gửi lại cùng nội dung)", success=True)
@looks_up("premise_id", find_premise, "premise")
@allowed(*RECORDS)
@bp.arguments(request_part(InstrumentSchema, "InstrumentCreate"))
def create_instrument(data, premise):
    """Thêm phương tiện đo (idempotent theo uuid)"""
    instrument, created = measurements.create_instrument(premise, data, current_user)
    return instrument, 201 if created else 200


@bp.get("/instruments/<instrument_id>", errors=(404,))
@bp.response(200, InstrumentSchema)
@looks_up("instrument_id", find_instrument, "instrument")
def get_instrument(instrument):
    """Một phương tiện đo, kèm ảnh"""
    return instrument


@bp.patch("/instruments/<instrument_id>", errors=(403, 404, 409, 422))
@bp.response(200, InstrumentSchema)
@looks_up("instrument_id", find_instrument, "instrument")
@allowed(*RECORDS)
@bp.arguments(InstrumentUpdateSchema)
def update_instrument(data, instrument):
    """Sửa phương tiện đo (cần version hiện tại)"""
    return measurements.update_instrument(instrument, data, current_user)


@bp.post("/instruments/<instrument_id>/photos", errors=(403, 404, 409, 413, 422))
@bp.response(201, InstrumentPhotoSchema)
@bp.alt_response(200, schema=InstrumentPhotoSchema, description="Đã có (gửi lại cùng ảnh)", success=True)
@looks_up("instrument_id", find_instrument, "instrument")
@allowed(*RECORDS)
@bp.arguments(request_part(InstrumentPhotoSchema, "InstrumentPhotoForm"), location="form_and_files")
def upload_instrument_photo(data, instrument):
    """Tải ảnh phương tiện đo (multipart: file + uuid, caption; idempotent theo uuid)"""
    upload = data.pop("file")
    photo, created = measurements.add_instrument_photo(
        instrument, data, upload.read(), current_user, storage_for(current_app)
    )
    return photo, 201 if created else 200


@bp.get("/instrument-photos/<id:instrument_photo_id>/image", errors=(404,))
@bp.response(200, JPEG, content_type="image/jpeg")
@looks_up("instrument_photo_id", find_photo, "photo")
def instrument_photo_image(photo):
    """Ảnh JPEG"""
    return send_jpeg(photo.storage_key, photo.sha256)


@bp.get("/instrument-photos/<id:instrument_photo_id>/thumbnail", errors=(404,))
@bp.response(200, JPEG, content_type="image/jpeg")
@looks_up("instrument_photo_id", find_photo, "photo")
def instrument_photo_thumbnail(photo):
    """Ảnh thu nhỏ"""
    return send_jpeg(photo.thumbnail_key, photo.sha256 + "-thumb")
