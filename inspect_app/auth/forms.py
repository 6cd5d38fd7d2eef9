"""Login form."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, ValidationError


class LoginForm(FlaskForm):
    username = StringField(
        "Tên đăng nhập",
        validators=[
            DataRequired("Vui lòng nhập tên đăng nhập."),
            Length(max=64, message="Tên đăng nhập quá dài."),
        ],
    )
    password = PasswordField("Mật khẩu", validators=[DataRequired("Vui lòng nhập mật khẩu.")])
    remember = BooleanField("Ghi nhớ trên thiết bị này")


class PasswordChangeForm(FlaskForm):
    current = PasswordField(
        "Mật khẩu hiện tại", validators=[DataRequired("Vui lòng nhập mật khẩu hiện tại.")]
    )
    new = PasswordField("Mật khẩu mới", validators=[DataRequired("Vui lòng nhập mật khẩu mới.")])
    confirm = PasswordField(
        "Nhập lại mật khẩu mới", validators=[DataRequired("Vui lòng nhập lại mật khẩu mới.")]
    )

    def validate_new(self, field):
        from ..admin.forms import password_rule
        from ..domain.errors import RuleError

        try:
            password_rule(field.data)
        except RuleError as error:
            raise ValidationError(str(error)) from None

    def validate_confirm(self, field):
        if field.data != self.new.data:
            raise ValidationError("Hai lần nhập mật khẩu mới không khớp.")
