"""The desk's forms: the decision that formed the inspection team (Quyết định kiểm tra), and a finding corrected
with its reason."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, TextAreaField

from ..domain.vocabulary import ANSWERS
from ..web.forms import ChoiceField, DateField, int_or_none


class DecisionForm(FlaskForm):
    decision_id = ChoiceField("Quyết định kiểm tra đã ban hành", coerce=int_or_none, choices=[(None, "")])
    decision_number = StringField("Số quyết định")
    decision_date = DateField("Ngày ký")
    decision_signer = StringField("Người ký")


class FindingForm(FlaskForm):
    """Checked by ``domain.corrections.corrected_finding`` (through the service), which says what is wrong."""

    version = HiddenField()
    answer = RadioField("Kết quả", choices=list(ANSWERS.items()), validate_choice=False)
    note = TextAreaField("Ghi chú")
    affected_count = StringField("Số lượng không đạt")
    reason = StringField("Lý do sửa")
