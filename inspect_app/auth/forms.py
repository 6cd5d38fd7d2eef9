"""Login form."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


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
