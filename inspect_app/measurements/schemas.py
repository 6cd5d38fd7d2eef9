"""API v1 request schemas for metrology (marshmallow, Vietnamese messages) and the JSON shapes it answers with.

Quantities travel as exact decimal strings ("5.15"; "5,15" with the decimal comma is accepted too) or as JSON
numbers, which the API reads as Decimal without passing through float. Answers always give them as strings.
"""

from __future__ import annotations

from decimal import Decimal

from marshmallow import ValidationError, fields, validate, validates_schema

from ..api.fields import COMMON, UUID, Bool, Date, DateTime, Int, List, Str, StrictSchema
from ..api.schemas import iso, length, one_of
from ..domain.vocabulary import (
    DIRECTIONS,
    INSTRUMENT_TYPES,
    OUTCOMES,
    READING_KINDS,
    SEAL_STATES,
    STANDARD_KINDS,
    STANDARD_OWNERSHIP,
)
from ..models.metrology import (
    Instrument,
    InstrumentPhoto,
    PrepackagedLot,
    Reading,
    ReferenceStandard,
    canonical_decimal,
)
from ..domain.errors import RuleError
from .rules import decimal_value, instrument_label


class Dec(fields.Field):
    """An exact decimal: "5.15", "5,15", 5.15 or 5 → Decimal; text or "1e3" → a Vietnamese 422 message."""

    default_error_messages = {**COMMON, "invalid": "Phải là số (ví dụ 5,15 hoặc 5.15)."}
    openapi_schema = {"type": ["string", "number"], "examples": ["5.15", "5,15"]}

    def __init__(
        self, *, label: str = "Giá trị", positive: bool = False, non_negative: bool = False, **kwargs
    ):
        super().__init__(**kwargs)
        self.label, self.positive, self.non_negative = label, positive, non_negative

    def _deserialize(self, value, attr, data, **kwargs) -> Decimal | None:
        try:
            return decimal_value(value, self.label, positive=self.positive, non_negative=self.non_negative)
        except RuleError as error:
            raise ValidationError(str(error)) from None

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else canonical_decimal(value)


MASS_AND_VOLUME = ["mg", "g", "kg", "mL", "L"]


class StandardCreateSchema(StrictSchema):
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
    due_on = Date(required=True)
    ownership = Str(load_default="own", validate=one_of(STANDARD_OWNERSHIP, "Nguồn chuẩn"))
    lender = Str(load_default="", validate=length(200))
    active = Bool(load_default=True)
    note = Str(load_default="", validate=length(2000))


class StandardUpdateSchema(StrictSchema):
    version = Int(required=True)
    kind = Str(validate=one_of(STANDARD_KINDS, "Loại chuẩn"))
    nominal = Dec(positive=True, label="Giá trị danh định")
    unit = Str(validate=one_of(MASS_AND_VOLUME, "Đơn vị"))
    accuracy_class = Str(validate=length(10, 1))
    correction_mg = Dec(allow_none=True, label="Số hiệu chính (mg)")
    serial = Str(validate=length(60))
    certificate_number = Str(validate=length(80))
    calibrated_on = Date(allow_none=True)
    due_on = Date()
    ownership = Str(validate=one_of(STANDARD_OWNERSHIP, "Nguồn chuẩn"))
    lender = Str(validate=length(200))
    active = Bool()
    note = Str(validate=length(2000))


INSTRUMENT_UNITS = ["g", "kg", "L", "mL", "m3", "kWh"]


def _instrument_fields(create: bool) -> dict:
    optional = {"load_default": None} if create else {}
    return {
        "instrument_type": Str(required=create, validate=one_of(INSTRUMENT_TYPES, "Loại phương tiện đo")),
        "make": Str(validate=length(80), **({"load_default": ""} if create else {})),
        "model": Str(validate=length(80), **({"load_default": ""} if create else {})),
        "serial": Str(validate=length(60), **({"load_default": ""} if create else {})),
        "accuracy_class": Str(validate=length(10), **({"load_default": ""} if create else {})),
        "unit": Str(allow_none=True, validate=one_of(INSTRUMENT_UNITS, "Đơn vị"), **optional),
        "max_capacity": Dec(allow_none=True, positive=True, label="Mức cân lớn nhất (Max)", **optional),
        "min_capacity": Dec(allow_none=True, positive=True, label="Mức cân nhỏ nhất (Min)", **optional),
        "e": Dec(allow_none=True, positive=True, label="Giá trị độ chia kiểm (e)", **optional),
        "d": Dec(allow_none=True, positive=True, label="Giá trị độ chia (d)", **optional),
        "goods_mass": Dec(allow_none=True, positive=True, label="Khối lượng hàng thường cân", **optional),
        "verification_mark": Str(validate=length(60), **({"load_default": ""} if create else {})),
        "verified_on": Date(allow_none=True, **optional),
        "valid_until": Date(allow_none=True, **optional),
        "seal_state": Str(
            validate=one_of(SEAL_STATES, "Tình trạng niêm phong"),
            **({"load_default": "none"} if create else {}),
        ),
        "in_use": Bool(**({"load_default": True} if create else {})),
        "note": Str(validate=length(2000), **({"load_default": ""} if create else {})),
    }


InstrumentCreateSchema = StrictSchema.from_dict(
    {"uuid": UUID(required=True), **_instrument_fields(create=True)}, name="InstrumentCreateSchema"
)
InstrumentUpdateSchema = StrictSchema.from_dict(
    {"version": Int(required=True), **_instrument_fields(create=False)}, name="InstrumentUpdateSchema"
)


class ReadingCreateSchema(StrictSchema):
    uuid = UUID(required=True)
    instrument_id = Int(load_default=None, allow_none=True)
    instrument_uuid = UUID(load_default=None, allow_none=True)
    kind = Str(required=True, validate=one_of(READING_KINDS, "Loại phép đo"))
    standard_ids = List(
        Int(),
        required=True,
        validate=validate.Length(min=1, max=30, error="Cần chọn từ 1 đến 30 chuẩn đo lường đã dùng."),
    )
    reference = Dec(load_default=None, allow_none=True, positive=True, label="Tải / lượng chuẩn")
    indication = Dec(required=True, non_negative=True, label="Số chỉ")
    unit = Str(load_default=None, allow_none=True, validate=one_of(["g", "kg", "L"], "Đơn vị"))
    direction = Str(load_default=None, allow_none=True, validate=one_of(DIRECTIONS, "Chiều mua bán"))
    measured_at = DateTime(load_default=None, allow_none=True)
    note = Str(load_default="", validate=length(2000))

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


class LotCreateSchema(StrictSchema):
    uuid = UUID(required=True)
    product = Str(required=True, validate=length(200, 1))
    nominal = Dec(required=True, positive=True, label="Lượng danh định")
    unit = Str(required=True, validate=one_of(["g", "kg", "mL", "L"], "Đơn vị"))
    tare = Dec(load_default=None, allow_none=True, non_negative=True, label="Khối lượng bì")
    lot_size = Int(
        load_default=None, allow_none=True, validate=validate.Range(min=1, error="Cỡ lô phải lớn hơn 0.")
    )
    measured = List(
        Dec(positive=True, label="Lượng đo được"),
        required=True,
        validate=validate.Length(min=1, max=500, error="Lô hàng cần từ 1 đến 500 đơn vị mẫu đã cân/đo."),
    )
    note = Str(load_default="", validate=length(2000))


class InstrumentPhotoFormSchema(StrictSchema):
    uuid = UUID(required=True)
    caption = Str(load_default="", validate=length(300))


class SettingSchema(StrictSchema):
    state_check_rule = Str(required=True, validate=one_of(["in_service", "verification"], "Giới hạn áp dụng"))


# ---- JSON answers -----------------------------------------------------------------------------------------------


def dec(value: Decimal | None) -> str | None:
    return None if value is None else canonical_decimal(value)


def standard_json(standard: ReferenceStandard, state: str | None = None) -> dict:
    from flask import url_for

    from .standards import standard_state

    return {
        "id": standard.id,
        "uuid": standard.uuid,
        "unit_id": standard.unit_id,
        "kind": standard.kind,
        "nominal": dec(standard.nominal),
        "unit": standard.unit,
        "accuracy_class": standard.accuracy_class,
        "correction_mg": dec(standard.correction_mg),
        "serial": standard.serial,
        "certificate_number": standard.certificate_number,
        "calibrated_on": iso(standard.calibrated_on),
        "due_on": iso(standard.due_on),
        "state": state or standard_state(standard),
        "ownership": standard.ownership,
        "lender": standard.lender,
        "active": standard.active,
        "note": standard.note,
        "certificate_url": (
            url_for("api.standard_certificate", standard_id=standard.id) if standard.certificate_key else None
        ),
        "version": standard.version,
        "updated_at": iso(standard.updated_at),
    }


def instrument_photo_json(photo: InstrumentPhoto) -> dict:
    from flask import url_for

    return {
        "id": photo.id,
        "uuid": photo.uuid,
        "instrument_id": photo.instrument_id,
        "caption": photo.caption,
        "width": photo.width,
        "height": photo.height,
        "sha256": photo.sha256,
        "image_url": url_for("api.instrument_photo_image", instrument_photo_id=photo.id),
        "thumbnail_url": url_for("api.instrument_photo_thumbnail", instrument_photo_id=photo.id),
    }


def instrument_json(instrument: Instrument) -> dict:
    return {
        "id": instrument.id,
        "uuid": instrument.uuid,
        "unit_id": instrument.unit_id,
        "premise_id": instrument.premise_id,
        "instrument_type": instrument.instrument_type,
        "label": instrument_label(instrument),
        "make": instrument.make,
        "model": instrument.model,
        "serial": instrument.serial,
        "accuracy_class": instrument.accuracy_class,
        "unit": instrument.unit,
        "max_capacity": dec(instrument.max_capacity),
        "min_capacity": dec(instrument.min_capacity),
        "e": dec(instrument.e),
        "d": dec(instrument.d),
        "goods_mass": dec(instrument.goods_mass),
        "verification_mark": instrument.verification_mark,
        "verified_on": iso(instrument.verified_on),
        "valid_until": iso(instrument.valid_until),
        "seal_state": instrument.seal_state,
        "in_use": instrument.in_use,
        "note": instrument.note,
        "photos": [instrument_photo_json(p) for p in instrument.photos],
        "version": instrument.version,
        "updated_at": iso(instrument.updated_at),
    }


def reading_json(reading: Reading) -> dict:
    return {
        "id": reading.id,
        "uuid": reading.uuid,
        "inspection_id": reading.inspection_id,
        "instrument_id": reading.instrument_id,
        "instrument": reading.instrument_label,
        "kind": reading.kind,
        "standard_ids": reading.standard_ids,
        "standards": reading.standards,
        "reference": dec(reading.reference),
        "indication": dec(reading.indication),
        "unit": reading.unit,
        "direction": reading.direction,
        "measured_at": iso(reading.measured_at),
        "note": reading.note,
        "error": dec(reading.error),
        "permitted_error": dec(reading.permitted_error),
        "outcome": reading.outcome,
        "outcome_label": OUTCOMES[reading.outcome],
        "conclusion": reading.conclusion,
        "rule": reading.rule,
        "state_check_rule": reading.state_check_rule,
        "tables": reading.tables,
        "provisional": reading.provisional,
        "warnings": reading.warnings,
        "details": reading.details,
        "version": reading.version,
        "created_at": iso(reading.created_at),
    }


def lot_json(lot: PrepackagedLot) -> dict:
    return {
        "id": lot.id,
        "uuid": lot.uuid,
        "inspection_id": lot.inspection_id,
        "product": lot.product,
        "nominal": dec(lot.nominal),
        "unit": lot.unit,
        "tare": dec(lot.tare),
        "lot_size": lot.lot_size,
        "measured": lot.measured,
        "note": lot.note,
        "sample_size": lot.sample_size,
        "mean": dec(lot.mean),
        "std_dev": dec(lot.std_dev),
        "tolerable_deficiency": dec(lot.tolerable_deficiency),
        "count_beyond_t": lot.count_beyond_t,
        "count_beyond_2t": lot.count_beyond_2t,
        "outcome": lot.outcome,
        "outcome_label": OUTCOMES[lot.outcome],
        "conclusion": lot.conclusion,
        "rule": lot.rule,
        "rules_broken": lot.rules_broken,
        "tables": lot.tables,
        "provisional": lot.provisional,
        "warnings": lot.warnings,
        "details": lot.details,
        "version": lot.version,
        "created_at": iso(lot.created_at),
    }


def current_json(record) -> dict | None:
    """The JSON of a metrology record sent back with a 409, or None for any other record."""
    shapes = {
        ReferenceStandard: standard_json,
        Instrument: instrument_json,
        InstrumentPhoto: instrument_photo_json,
        Reading: reading_json,
        PrepackagedLot: lot_json,
    }
    shape = shapes.get(type(record))
    return shape(record) if shape else None
