"""The desk's form for the decision that formed the inspection team (Quyết định kiểm tra)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField

from ..web.forms import ChoiceField, DateField, int_or_none


class DecisionForm(FlaskForm):
    decision_id = ChoiceField("Quyết định kiểm tra đã ban hành", coerce=int_or_none, choices=[(None, "")])
    decision_number = StringField("Số quyết định")
    decision_date = DateField("Ngày ký")
    decision_signer = StringField("Người ký")
