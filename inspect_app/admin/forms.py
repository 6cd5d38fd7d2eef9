"""Account management forms."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import ValidationError

from ..web.forms import ChoiceField, int_or_none, rule
from ..domain.minutes_rules import minutes_suffix
from ..domain.vocabulary import ROLES, SALUTATIONS
from ..domain.errors import RuleError
from ..premises.rules import text

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")


def username_rule(value: str | None) -> str:
    cleaned = (value or "").strip().lower()
    if not USERNAME.match(cleaned):
        raise RuleError(
            "Tên đăng nhập gồm 3–64 ký tự: chữ thường không dấu, số, dấu chấm, gạch dưới, gạch ngang."
        )
    return cleaned


def password_rule(value: str | None, required: bool = True) -> str:
    value = value or ""
    if not value and not required:
        return ""
    if len(value) < 10:
        raise RuleError("Mật khẩu cần ít nhất 10 ký tự.")
    if value.isdigit() or value.isalpha():
        raise RuleError("Mật khẩu cần có cả chữ và số.")
    return value


class UserForm(FlaskForm):
    username = StringField("Tên đăng nhập", validators=[rule(username_rule)])
    full_name = StringField(
        "Họ và tên", validators=[rule(lambda v: text(v, "Họ và tên", 120, required=True))]
    )
    salutation = ChoiceField(
        "Danh xưng trên biên bản", choices=[("", "Chưa rõ (in “Ông/Bà”)"), *SALUTATIONS.items()], default=""
    )
    position = StringField("Chức vụ", validators=[rule(lambda v: text(v, "Chức vụ", 120))])
    role = ChoiceField("Vai trò", choices=list(ROLES.items()))
    home = ChoiceField("Thuộc đơn vị", coerce=str)
    password = PasswordField("Mật khẩu")
    active = BooleanField("Đang hoạt động", default=True)

    def __init__(self, *args, homes=(), password_required=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.home.choices = list(homes)
        self._password_required = password_required

    def validate_password(self, field):
        try:
            password_rule(field.data, required=self._password_required)
        except RuleError as error:
            raise ValidationError(str(error)) from None

    def validate_role(self, field):
        # Inspectors and office staff work for one commune-level unit.
        if field.data in ("inspector", "staff") and not (self.home.data or "").startswith("unit:"):
            raise ValidationError("Cán bộ kiểm tra và cán bộ văn phòng phải thuộc một xã/phường/đặc khu.")

    def process(self, formdata=None, obj=None, data=None, **kwargs):
        super().process(formdata, obj, data, **kwargs)
        if self.salutation.data is None:
            self.salutation.data = ""

    def home_ids(self) -> tuple[int | None, int | None]:
        kind, _, value = (self.home.data or "").partition(":")
        number = int_or_none(value)
        return (number, None) if kind == "unit" else (None, number) if kind == "province" else (None, None)


class UnitMinutesForm(FlaskForm):
    minutes_suffix = StringField(
        "Ký hiệu số biên bản", validators=[rule(minutes_suffix)], render_kw={"autocapitalize": "characters"}
    )
