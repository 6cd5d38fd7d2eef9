"""Forms for premises, markets and the CSV import."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import ValidationError

from ..domain.vocabulary import PREMISE_TYPES
from ..web.forms import ChoiceField as SelectField
from ..web.forms import SentOnce, int_or_none, rule
from ..domain.vocabulary import PREMISE_STATUSES
from . import rules


class PremiseForm(SentOnce, FlaskForm):
    unit_id = SelectField("Đơn vị", coerce=int_or_none, validate_choice=True)
    name = StringField("Tên cơ sở", validators=[rule(rules.name)])
    owner_name = StringField(
        "Chủ cơ sở / hộ kinh doanh", validators=[rule(lambda v: rules.text(v, "Chủ cơ sở", 160))]
    )
    business_reg_no = StringField("Số đăng ký kinh doanh", validators=[rule(rules.business_reg_no)])
    premise_type = SelectField(
        "Loại hình",
        choices=list(PREMISE_TYPES.items()),
        validate_choice=False,
        validators=[rule(rules.premise_type)],
    )
    market_id = SelectField("Chợ", coerce=int_or_none, validate_choice=False)
    stall_number = StringField("Số sạp / ki-ốt", validators=[rule(lambda v: rules.text(v, "Số sạp", 20))])
    address = StringField("Địa chỉ", validators=[rule(lambda v: rules.text(v, "Địa chỉ", 255))])
    latitude = StringField("Vĩ độ", validators=[rule(lambda v: rules.coordinate(v, "latitude"))])
    longitude = StringField("Kinh độ", validators=[rule(lambda v: rules.coordinate(v, "longitude"))])
    phone = StringField("Điện thoại", validators=[rule(rules.phone)])
    status = SelectField(
        "Trạng thái",
        choices=list(PREMISE_STATUSES.items()),
        validate_choice=False,
        validators=[rule(rules.status)],
    )

    def __init__(self, *args, units=(), markets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.unit_id.choices = [(u.id, u.name) for u in units]
        self._markets = {m.id: m for m in markets}
        self.market_id.choices = [(None, "— Không thuộc chợ —")] + [
            (m.id, f"{m.name} ({m.unit.name})" if len(units) > 1 else m.name) for m in markets
        ]

    def validate_longitude(self, field):
        try:
            rules.location(self.latitude.data, field.data)
        except rules.RuleError as error:
            raise ValidationError(str(error)) from None

    def validate_market_id(self, field):
        if field.data is None:
            return
        market = self._markets.get(field.data)
        if market is None:
            raise ValidationError("Chợ đã chọn không hợp lệ.")
        if market.unit_id != self.unit_id.data:
            raise ValidationError("Chợ đã chọn không thuộc đơn vị của cơ sở.")

    def values(self) -> dict:
        """Clean values, after validate(), through the same rules as the CSV import."""
        latitude, longitude = rules.location(self.latitude.data, self.longitude.data)
        return {
            "name": rules.name(self.name.data),
            "owner_name": rules.text(self.owner_name.data, "Chủ cơ sở", 160),
            "business_reg_no": rules.business_reg_no(self.business_reg_no.data),
            "premise_type": rules.premise_type(self.premise_type.data),
            "market_id": self.market_id.data,
            "stall_number": rules.text(self.stall_number.data, "Số sạp", 20),
            "address": rules.text(self.address.data, "Địa chỉ", 255),
            "latitude": latitude,
            "longitude": longitude,
            "phone": rules.phone(self.phone.data),
            "status": rules.status(self.status.data),
        }


class MarketForm(FlaskForm):
    unit_id = SelectField("Đơn vị", coerce=int_or_none, validate_choice=True)
    name = StringField("Tên chợ", validators=[rule(lambda v: rules.text(v, "Tên chợ", 160, required=True))])
    address = StringField("Địa chỉ", validators=[rule(lambda v: rules.text(v, "Địa chỉ", 255))])
    latitude = StringField("Vĩ độ", validators=[rule(lambda v: rules.coordinate(v, "latitude"))])
    longitude = StringField("Kinh độ", validators=[rule(lambda v: rules.coordinate(v, "longitude"))])

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.unit_id.choices = [(u.id, u.name) for u in units]

    def validate_longitude(self, field):
        try:
            rules.location(self.latitude.data, field.data)
        except rules.RuleError as error:
            raise ValidationError(str(error)) from None

    def values(self) -> dict:
        latitude, longitude = rules.location(self.latitude.data, self.longitude.data)
        return {
            "name": rules.text(self.name.data, "Tên chợ", 160, required=True),
            "address": rules.text(self.address.data, "Địa chỉ", 255),
            "latitude": latitude,
            "longitude": longitude,
        }


class ImportForm(FlaskForm):
    unit_id = SelectField("Nhập vào đơn vị", coerce=int_or_none, validate_choice=True)
    file = FileField("Tệp CSV (UTF-8)", validators=[FileRequired("Vui lòng chọn tệp CSV.")])

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.unit_id.choices = [(u.id, u.name) for u in units]
