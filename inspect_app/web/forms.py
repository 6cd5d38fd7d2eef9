"""Glue between the shared validation rules and WTForms, so forms and imports judge input the same way."""

from __future__ import annotations

from collections.abc import Callable

from wtforms import SelectField
from wtforms.validators import ValidationError

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
