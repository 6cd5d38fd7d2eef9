"""The desk's forms of the complaints register; the rules themselves are in complaints.service."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField

from ..domain.vocabulary import (
    COMPLAINT_CHANNELS,
    COMPLAINT_REFERRAL_BODIES,
    COMPLAINT_RESOLUTIONS,
    COMPLAINT_SUBJECTS,
)
from ..web.forms import ChoiceField, DateField, SentOnce, int_or_none


class ComplaintForm(SentOnce, FlaskForm):
    unit_id = ChoiceField("Xã/phường tiếp nhận", coerce=int_or_none, validate_choice=False)
    premise_id = HiddenField()
    address = StringField("Địa chỉ nơi bị phản ánh (nếu không chọn cơ sở)")
    received_on = DateField("Ngày tiếp nhận")
    channel = ChoiceField(
        "Kênh tiếp nhận",
        choices=[(code, text) for code, text in COMPLAINT_CHANNELS.items() if code != "public"],
    )
    subject = ChoiceField("Phản ánh về", choices=list(COMPLAINT_SUBJECTS.items()))
    content = TextAreaField("Nội dung phản ánh")
    complainant_name = StringField("Họ tên người phản ánh (không công khai)")
    complainant_contact = StringField("Điện thoại / địa chỉ liên hệ (không công khai)")


class AssignForm(FlaskForm):
    assignee_id = ChoiceField("Giao cho", coerce=int_or_none, validate_choice=False)
    deadline = DateField("Hạn xử lý")


class ResolveForm(FlaskForm):
    resolution = ChoiceField("Cách giải quyết", choices=list(COMPLAINT_RESOLUTIONS.items()))
    inspection_id = ChoiceField("Cuộc kiểm tra theo phản ánh", coerce=int_or_none, validate_choice=False)
    referral_body = ChoiceField(
        "Chuyển đến", choices=[("", "—"), *COMPLAINT_REFERRAL_BODIES.items()], validate_choice=False
    )
    note = TextAreaField("Nội dung trả lời / ghi chú")
    resolved_on = DateField("Ngày giải quyết")


class InformForm(FlaskForm):
    informed_on = DateField("Ngày báo kết quả cho người phản ánh")
    informed_note = StringField("Cách báo (điện thoại, văn bản…)")
