"""Glue between the shared validation rules and WTForms, so forms and imports judge input the same way."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from wtforms import SelectField, StringField
from wtforms.validators import ValidationError

from ..domain import plausible
from ..domain.errors import RuleError


def rule(check: Callable[[str], object]):
    """A WTForms validator that runs one of the shared rules and shows its Vietnamese message."""

    def validator(form, field):
        try:
            check(field.data)
        except RuleError as error:
            raise ValidationError(str(error)) from None

    return validator


def int_or_none(value) -> int | None:
    try:
        return int(value) if value not in (None, "", "None") else None
    except (TypeError, ValueError):
        return None


class ChoiceField(SelectField):
    """A select whose wrong value gets a Vietnamese message (WTForms' own is English)."""

    def pre_validate(self, form):
        if not self.validate_choice:
            return
        allowed = {value for value, *_ in (self.choices or [])}
        if self.data not in allowed:
            raise ValidationError("Lựa chọn không hợp lệ.")


class DateField(StringField):
    """A day typed as YYYY-MM-DD (what <input type="date"> sends) or DD/MM/YYYY; a Vietnamese message otherwise."""

    def process_formdata(self, valuelist):
        self.raw_text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not self.raw_text:
            return
        for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                day = datetime.strptime(self.raw_text, pattern).date()
            except ValueError:
                continue
            problem = plausible.day_problem(day)
            if problem:
                raise ValueError(problem)
            self.data = day
            return
        raise ValueError("Ngày không hợp lệ (dạng ngày/tháng/năm, ví dụ 03/11/2026).")

    def _value(self):
        return self.data.isoformat() if isinstance(self.data, date) else getattr(self, "raw_text", "")
