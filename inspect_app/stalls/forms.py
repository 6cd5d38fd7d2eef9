"""The public stall page's form: report a problem (no login; CSRF-protected like every form)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from ..domain.vocabulary import COMPLAINT_SUBJECTS
from ..web.forms import ChoiceField, SentOnce


class PublicReportForm(SentOnce, FlaskForm):
    subject = ChoiceField(
        "Vấn đề", choices=[("", "— Chọn —"), *COMPLAINT_SUBJECTS.items()], validate_choice=False
    )
    content = TextAreaField("Nội dung phản ánh")
    name = StringField("Họ tên (không bắt buộc, không công khai)")
    contact = StringField("Số điện thoại hoặc email để nhận kết quả (không bắt buộc, không công khai)")
