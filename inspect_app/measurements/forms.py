"""Desk forms for reference standards, instruments and the state-check setting.

Fields are text, checked by the same rules as the API (decimal comma accepted); ``values()`` hands the service
typed values, and the service's own checks come back onto the fields as Vietnamese messages.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, RadioField, StringField, TextAreaField

from ..web.forms import ChoiceField as SelectField
from ..web.forms import int_or_none, rule
from ..domain.vocabulary import (
    CERTIFICATE_TYPES,
    INSTRUMENT_TYPES,
    INSTRUMENT_VARIANTS,
    SEAL_STATES,
    STANDARD_KINDS,
    STANDARD_OWNERSHIP,
)
from .rules import date_value, decimal_value


def number(label: str, *, required: bool = False, positive: bool = True):
    return rule(lambda v: decimal_value(v, label, required=required, positive=positive))


def day(label: str, *, required: bool = False):
    return rule(lambda v: date_value(v, label, required=required))


class StandardForm(FlaskForm):
    unit_id = SelectField("Đơn vị", coerce=int_or_none, validate_choice=True)
    kind = SelectField("Loại chuẩn", choices=list(STANDARD_KINDS.items()), validate_choice=True)
    nominal = StringField("Giá trị danh định", validators=[number("Giá trị danh định", required=True)])
    unit = SelectField(
        "Đơn vị đo", choices=[(u, u) for u in ("kg", "g", "mg", "L", "mL")], validate_choice=True
    )
    accuracy_class = StringField("Cấp chính xác")
    correction_mg = StringField(
        "Số hiệu chính (mg, nếu có)", validators=[number("Số hiệu chính", positive=False)]
    )
    serial = StringField("Số hiệu")
    certificate_number = StringField("Số giấy chứng nhận hiệu chuẩn/kiểm định")
    certificate_type = SelectField(
        "Loại giấy chứng nhận",
        choices=[
            ("verification", "Kiểm định"),
            ("calibration", "Hiệu chuẩn"),
            ("unknown", CERTIFICATE_TYPES["unknown"]),
        ],
        validate_choice=True,
        default="verification",
    )
    calibrated_on = StringField("Ngày kiểm định / hiệu chuẩn", validators=[day("Ngày kiểm định/hiệu chuẩn")])
    due_on = StringField(
        "Hạn kiểm định / hiệu chuẩn (đến ngày)", validators=[day("Hạn kiểm định/hiệu chuẩn")]
    )
    ownership = SelectField("Nguồn", choices=list(STANDARD_OWNERSHIP.items()), validate_choice=True)
    lender = StringField("Đơn vị cho mượn")
    active = BooleanField("Đang sử dụng", default=True)
    note = TextAreaField("Ghi chú")
    certificate = FileField("Ảnh giấy chứng nhận")

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.unit_id.choices = [(u.id, u.name) for u in units]

    def values(self) -> dict:
        return {
            "kind": self.kind.data,
            "nominal": decimal_value(self.nominal.data, "Giá trị danh định"),
            "unit": self.unit.data,
            "accuracy_class": (self.accuracy_class.data or "").strip(),
            "correction_mg": decimal_value(self.correction_mg.data, "Số hiệu chính", required=False),
            "serial": self.serial.data or "",
            "certificate_number": self.certificate_number.data or "",
            "certificate_type": self.certificate_type.data,
            "calibrated_on": date_value(self.calibrated_on.data, "Ngày kiểm định/hiệu chuẩn"),
            "due_on": date_value(self.due_on.data, "Hạn kiểm định/hiệu chuẩn"),
            "ownership": self.ownership.data,
            "lender": self.lender.data or "",
            "active": bool(self.active.data),
            "note": self.note.data or "",
        }


class InstrumentForm(FlaskForm):
    instrument_type = SelectField(
        "Loại phương tiện đo", choices=list(INSTRUMENT_TYPES.items()), validate_choice=True
    )
    variant = SelectField(
        "Kiểu công tơ / đồng hồ nước",
        choices=[("", "— Không áp dụng —"), *INSTRUMENT_VARIANTS.items()],
        validate_choice=False,  # the service checks it, with the instrument type
    )
    owner_name = StringField("Chủ sở hữu / đơn vị quản lý (công tơ, đồng hồ nước)")
    installation_address = StringField("Địa chỉ lắp đặt")
    make = StringField("Hãng sản xuất")
    model = StringField("Kiểu / model")
    serial = StringField("Số sản xuất")
    accuracy_class = StringField("Cấp chính xác")
    unit = SelectField(
        "Đơn vị của Max, Min, e, d",
        choices=[("kg", "kg"), ("g", "g"), ("L", "L"), ("mL", "mL"), ("m3", "m³"), ("kWh", "kWh")],
        validate_choice=True,
    )
    max_capacity = StringField("Mức cân lớn nhất (Max)", validators=[number("Max")])
    min_capacity = StringField("Mức cân nhỏ nhất (Min)", validators=[number("Min")])
    e = StringField("Giá trị độ chia kiểm (e)", validators=[number("e")])
    d = StringField("Giá trị độ chia (d), nếu khác e", validators=[number("d")])
    goods_mass = StringField("Khối lượng hàng thường cân", validators=[number("Khối lượng hàng")])
    verification_mark = StringField("Số tem kiểm định")
    verified_on = StringField("Ngày kiểm định", validators=[day("Ngày kiểm định")])
    valid_until = StringField("Hạn kiểm định (đến ngày)", validators=[day("Hạn kiểm định")])
    seal_state = SelectField("Niêm phong, kẹp chì", choices=list(SEAL_STATES.items()), validate_choice=True)
    in_use = BooleanField("Đang sử dụng để mua bán", default=True)
    note = TextAreaField("Ghi chú")
    photo = FileField("Thêm ảnh (nhãn, tem kiểm định, niêm phong)")
    photo_caption = StringField("Chú thích ảnh")

    def values(self) -> dict:
        def num(field, label):
            return decimal_value(field.data, label, required=False)

        return {
            "instrument_type": self.instrument_type.data,
            "variant": self.variant.data or None,
            "owner_name": self.owner_name.data or "",
            "installation_address": self.installation_address.data or "",
            "make": self.make.data or "",
            "model": self.model.data or "",
            "serial": self.serial.data or "",
            "accuracy_class": (self.accuracy_class.data or "").strip(),
            "unit": self.unit.data,
            "max_capacity": num(self.max_capacity, "Max"),
            "min_capacity": num(self.min_capacity, "Min"),
            "e": num(self.e, "e"),
            "d": num(self.d, "d"),
            "goods_mass": num(self.goods_mass, "Khối lượng hàng"),
            "verification_mark": self.verification_mark.data or "",
            "verified_on": date_value(self.verified_on.data, "Ngày kiểm định"),
            "valid_until": date_value(self.valid_until.data, "Hạn kiểm định"),
            "seal_state": self.seal_state.data,
            "in_use": bool(self.in_use.data),
            "note": self.note.data or "",
        }


class StateCheckForm(FlaskForm):
    state_check_rule = RadioField(
        "Khi kiểm tra nhà nước về đo lường, phán định sai số của cân theo",
        choices=[
            ("in_service", "Giới hạn sai số khi sử dụng (2 × kiểm định ban đầu, OIML R 76-1) — mặc định"),
            ("verification", "Giới hạn sai số khi kiểm định (OIML R 76-1 Bảng 6; cột đo xăng dầu ±0,3 %)"),
        ],
        validate_choice=False,
    )

    def validate_state_check_rule(self, field):
        from wtforms.validators import ValidationError

        if field.data not in ("in_service", "verification"):
            raise ValidationError("Vui lòng chọn một giới hạn.")
