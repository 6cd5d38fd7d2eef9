"""Desk forms for reference standards, instruments and the state-check setting.

Fields are text, checked by the same rules as the API (decimal comma accepted); ``values()`` hands the service
typed values, and the service's own checks come back onto the fields as Vietnamese messages.
"""

from __future__ import annotations

import re
import uuid

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..web.forms import ChoiceField as SelectField
from ..web.forms import SentOnce, int_or_none, rule, uuid_or_new
from ..domain.errors import RuleError
from ..domain.vocabulary import (
    CERTIFICATE_TYPES,
    DIRECTIONS,
    INSTRUMENT_TYPES,
    INSTRUMENT_VARIANTS,
    READING_KINDS,
    SEAL_STATES,
    STAMP_STATES,
    STANDARD_KINDS,
    STANDARD_OWNERSHIP,
    TAMPERING_SIGNS,
)
from .rules import date_value, decimal_value, display_quantity, instrument_label


def number(label: str, *, required: bool = False, positive: bool = True):
    return rule(lambda v: decimal_value(v, label, required=required, positive=positive))


def day(label: str, *, required: bool = False):
    return rule(lambda v: date_value(v, label, required=required))


class StandardForm(SentOnce, FlaskForm):
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


class InstrumentForm(SentOnce, FlaskForm):
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
        if field.data not in ("in_service", "verification"):
            raise ValidationError("Vui lòng chọn một giới hạn.")


# ---- readings and lots typed in at the desk -----------------------------------------------------------------------


class ReadingForm(FlaskForm):
    """A reading copied at the desk: the same fields the phone sends, judged by the same service."""

    uuid = HiddenField()
    instrument_id = SelectField("Phương tiện đo", coerce=int_or_none, validate_choice=True)
    kind = SelectField("Phép đo", choices=list(READING_KINDS.items()), validate_choice=True)
    direction = SelectField(
        "Chiều mua bán (phép đo đối chứng)",
        choices=[("", "—"), *DIRECTIONS.items()],
        validate_choice=True,
    )
    standard_ids = SelectMultipleField("Chuẩn đo lường đã dùng", coerce=int_or_none, validate_choice=False)
    reference = StringField(
        "Tải kiểm / lượng chuẩn (để trống: tổng các quả cân đã chọn)",
        validators=[number("Tải kiểm / lượng chuẩn")],
    )
    indication = StringField(
        "Số chỉ của phương tiện đo",
        validators=[rule(lambda v: decimal_value(v, "Số chỉ", non_negative=True))],
    )
    unit = SelectField(
        "Đơn vị",
        choices=[("", "Theo phương tiện đo"), ("kg", "kg"), ("g", "g"), ("L", "L")],
        validate_choice=True,
    )
    note = TextAreaField("Ghi chú")

    def __init__(self, *args, instruments=(), standards=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument_id.choices = [(i.id, instrument_label(i)) for i in instruments]
        self.standard_ids.choices = [(s.id, standard_choice(s)) for s in standards]
        if not self.uuid.data:
            self.uuid.data = str(uuid.uuid4())

    def validate_standard_ids(self, field):
        chosen = [value for value in field.data or [] if value is not None]
        if not chosen:
            raise ValidationError("Cần chọn ít nhất một chuẩn đo lường đã dùng.")
        offered = {value for value, _label in self.standard_ids.choices}
        if len(chosen) != len(field.data) or not set(chosen) <= offered:
            raise ValidationError("Lựa chọn chuẩn đo lường không hợp lệ.")

    def validate_direction(self, field):
        if self.kind.data == "control" and not field.data:
            raise ValidationError("Phép đo đối chứng cần chọn chiều: bán hàng hoặc mua hàng.")

    def values(self) -> dict:
        control = self.kind.data == "control"
        return {
            "uuid": uuid_or_new(self.uuid.data),
            "instrument_id": self.instrument_id.data,
            "kind": self.kind.data,
            "direction": self.direction.data if control else None,
            "standard_ids": list(self.standard_ids.data),
            "reference": decimal_value(self.reference.data, "Tải kiểm", required=False),
            "indication": decimal_value(self.indication.data, "Số chỉ"),
            "unit": self.unit.data or None,
            "note": self.note.data or "",
        }


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes (signs of tampering); an unknown code gets a Vietnamese message."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        allowed = {value for value, *_ in (self.choices or [])}
        if any(value not in allowed for value in self.data or []):
            raise ValidationError("Lựa chọn không hợp lệ.")


def longest(label: str, maximum: int):
    def check(value):
        if len((value or "").strip()) > maximum:
            raise RuleError(f"{label} dài quá {maximum} ký tự.")

    return rule(check)


class MeterCheckForm(FlaskForm):
    """A meter check copied at the desk (công tơ điện, đồng hồ nước): the same fields the phone sends, stored by the
    same service. Nothing in it asks for or shows a verdict on the meter's error."""

    uuid = HiddenField()
    instrument_id = SelectField("Công tơ điện / đồng hồ nước", coerce=int_or_none, validate_choice=True)
    index_reading = StringField(
        "Chỉ số đọc được trên công tơ / đồng hồ",
        validators=[rule(lambda v: decimal_value(v, "Chỉ số", required=False, non_negative=True))],
    )
    stamp_state = SelectField(
        "Tem, dấu kiểm định",
        choices=[("", "— Chọn —"), *STAMP_STATES.items()],
        validate_choice=True,
    )
    seal_state = SelectField("Niêm phong, kẹp chì", choices=list(SEAL_STATES.items()), validate_choice=True)
    tampering_signs = CheckboxesField(
        "Dấu hiệu can thiệp quan sát được", choices=list(TAMPERING_SIGNS.items())
    )
    tampering_note = TextAreaField(
        "Mô tả thêm về dấu hiệu can thiệp", validators=[longest("Mô tả dấu hiệu can thiệp", 2000)]
    )
    complainant = StringField("Người phản ánh", validators=[longest("Người phản ánh", 200)])
    complaint = TextAreaField("Nội dung phản ánh", validators=[longest("Nội dung phản ánh", 4000)])
    referred_to_utility_on = StringField(
        "Ngày chuyển đơn vị cấp điện / cấp nước", validators=[day("Ngày chuyển đơn vị cấp điện/cấp nước")]
    )
    referred_to_department_on = StringField(
        "Ngày chuyển Sở Khoa học và Công nghệ", validators=[day("Ngày chuyển Sở Khoa học và Công nghệ")]
    )
    referral_note = TextAreaField(
        "Ghi chú về việc chuyển", validators=[longest("Ghi chú về việc chuyển", 2000)]
    )
    standard_ids = SelectMultipleField(
        "Bình chuẩn dung tích đã dùng (chỉ cho kiểm tra sơ bộ đồng hồ nước)",
        coerce=int_or_none,
        validate_choice=False,
    )
    indicative_reference = StringField(
        "Lượng nước đọc trên bình chuẩn (L)",
        validators=[rule(lambda v: decimal_value(v, "Lượng nước trên bình chuẩn", required=False))],
    )
    indicative_indication = StringField(
        "Lượng nước đồng hồ chỉ (L)",
        validators=[
            rule(lambda v: decimal_value(v, "Lượng nước đồng hồ chỉ", required=False, non_negative=True))
        ],
    )
    note = TextAreaField("Ghi chú", validators=[longest("Ghi chú", 2000)])

    def __init__(self, *args, meters=(), standards=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument_id.choices = [(i.id, meter_choice(i)) for i in meters]
        self.standard_ids.choices = [(s.id, standard_choice(s)) for s in standards]
        if not self.uuid.data:
            self.uuid.data = str(uuid.uuid4())

    def validate_stamp_state(self, field):
        if not field.data:
            raise ValidationError("Cần chọn tình trạng tem/dấu kiểm định.")

    def validate_standard_ids(self, field):
        chosen = [value for value in field.data or [] if value is not None]
        offered = {value for value, _label in self.standard_ids.choices}
        if len(chosen) != len(field.data or []) or not set(chosen) <= offered:
            raise ValidationError("Lựa chọn bình chuẩn không hợp lệ.")

    def values(self) -> dict:
        def text(field, _maximum: int) -> str:
            return (field.data or "").strip()

        return {
            "uuid": uuid_or_new(self.uuid.data),
            "instrument_id": self.instrument_id.data,
            "index_reading": decimal_value(self.index_reading.data, "Chỉ số", required=False),
            "stamp_state": self.stamp_state.data,
            "seal_state": self.seal_state.data,
            "tampering_signs": list(self.tampering_signs.data or []),
            "tampering_note": text(self.tampering_note, 2000),
            "complainant": text(self.complainant, 200),
            "complaint": text(self.complaint, 4000),
            "referred_to_utility_on": date_value(self.referred_to_utility_on.data, "Ngày chuyển đơn vị"),
            "referred_to_department_on": date_value(self.referred_to_department_on.data, "Ngày chuyển Sở"),
            "referral_note": text(self.referral_note, 2000),
            "standard_ids": list(self.standard_ids.data or []),
            "indicative_reference": decimal_value(
                self.indicative_reference.data, "Bình chuẩn", required=False
            ),
            "indicative_indication": decimal_value(
                self.indicative_indication.data, "Đồng hồ chỉ", required=False
            ),
            "note": text(self.note, 2000),
        }


def meter_choice(instrument) -> str:
    """A meter as the desk form lists it: its label, owner and where it is installed."""
    from .meters import meter_label

    text = meter_label(instrument)
    if instrument.installation_address:
        text += f" — {instrument.installation_address}"
    return text


def _measured_values(text: str) -> list:
    """The sample's quantities, one per line or separated by spaces or semicolons (decimal comma accepted)."""
    parts = [part for part in re.split(r"[\s;]+", text or "") if part]
    if not parts:
        raise RuleError("Cần ghi ít nhất một lượng đo được của đơn vị mẫu.")
    if len(parts) > 500:
        raise RuleError("Lô hàng cần từ 1 đến 500 đơn vị mẫu đã cân/đo.")
    return [
        decimal_value(part, f"Đơn vị mẫu thứ {index}", positive=True) for index, part in enumerate(parts, 1)
    ]


class LotForm(FlaskForm):
    """A pre-packaged sample copied at the desk, judged by the same service as the phone's."""

    uuid = HiddenField()
    product = StringField("Sản phẩm", validators=[rule(lambda v: _required_text(v, "Tên sản phẩm", 200))])
    nominal = StringField("Lượng danh định", validators=[number("Lượng danh định", required=True)])
    unit = SelectField("Đơn vị", choices=[(u, u) for u in ("g", "kg", "mL", "L")], validate_choice=True)
    tare = StringField(
        "Khối lượng bì (nếu cân cả bao bì)",
        validators=[rule(lambda v: decimal_value(v, "Khối lượng bì", required=False, non_negative=True))],
    )
    lot_size = StringField("Cỡ lô (số đơn vị của lô, nếu biết)")
    measured = TextAreaField(
        "Lượng đo được của từng đơn vị mẫu (mỗi dòng một số)", validators=[rule(_measured_values)]
    )
    note = TextAreaField("Ghi chú")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.uuid.data:
            self.uuid.data = str(uuid.uuid4())

    def validate_lot_size(self, field):
        text = (field.data or "").strip()
        if text and (not text.isdigit() or int(text) < 1 or int(text) > 2**31 - 1):
            raise ValidationError("Cỡ lô phải là số nguyên lớn hơn 0.")

    def values(self) -> dict:
        lot_size = (self.lot_size.data or "").strip()
        return {
            "uuid": uuid_or_new(self.uuid.data),
            "product": self.product.data.strip(),
            "nominal": decimal_value(self.nominal.data, "Lượng danh định"),
            "unit": self.unit.data,
            "tare": decimal_value(self.tare.data, "Khối lượng bì", required=False),
            "lot_size": int(lot_size) if lot_size else None,
            "measured": _measured_values(self.measured.data),
            "note": self.note.data or "",
        }


def _required_text(value, label: str, maximum: int) -> str:
    text = (value or "").strip()
    if not text:
        raise RuleError(f"{label}: cần nhập giá trị.")
    if len(text) > maximum:
        raise RuleError(f"{label} dài quá {maximum} ký tự.")
    return text


def standard_choice(standard) -> str:
    """A standard as the desk form lists it, e.g. "Quả cân chuẩn 2 kg M1, số QC-1, hạn 31/12/2027"."""
    text = f"{STANDARD_KINDS[standard.kind]} {display_quantity(standard.nominal, standard.unit)} {standard.accuracy_class}"
    if standard.serial:
        text += f", số {standard.serial}"
    return text + f", hạn {standard.due_on:%d/%m/%Y}"


class VoidForm(FlaskForm):
    reason = StringField("Lý do hủy")
