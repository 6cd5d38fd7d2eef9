"""Glue between the shared validation rules and WTForms, so forms and imports judge input the same way."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime

from flask import flash, request
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import ValidationError

from ..domain import plausible
from ..domain.errors import Conflict, InvalidInput, Locked, RuleError
from ..extensions import db


def rule(check: Callable[[str], object]):
    """A WTForms validator that runs one of the shared rules and shows its Vietnamese message."""

    def validator(form, field):
        try:
            check(field.data)
        except RuleError as error:
            raise ValidationError(str(error)) from None

    return validator


def uuid_or_new(value) -> str:
    """The form's own UUID, made when it was shown (a double submit stores one record), or a fresh one if it was
    tampered with."""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return str(uuid.uuid4())


# What a create form sent again says when it lands on the record its first sending stored.
SENT_BEFORE = "Biểu mẫu này đã được gửi trước đó và đã được lưu; không tạo thêm bản mới. Đây là bản đã lưu."


class SentOnce:
    """A create form carrying the new record's UUID, made when the form was shown: sent twice (a double click, a
    resend after a slow answer, two tabs), it stores one record and the second sending lands on it. Mixed in before
    FlaskForm; the service hands the UUID to the write door (``writes.resend_of`` and ``writes.insert``)."""

    uuid = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.uuid.data:
            self.uuid.data = uuid_or_new(None)

    def new_uuid(self) -> str:
        return uuid_or_new(self.uuid.data)


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


def apply_errors(form, errors: dict[str, str]) -> None:
    """A service's messages under the form's fields; one about no field of the form is flashed."""
    for name, message in errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors or []), message]
        else:
            flash(message, "error")


def submitted(form, save: Callable[[], object]) -> int | None:
    """A desk form sent and stored by ``save()`` (a service call): None once it is stored; otherwise the page's
    status, with nothing stored: 422 with the service's messages on the form, 409 with a conflict or a locked
    inspection flashed, 400 for a missing or stale CSRF token, 200 for a form not sent."""
    if form.validate_on_submit():
        try:
            save()
        except InvalidInput as error:
            db.session.rollback()
            apply_errors(form, error.errors)
            return 422
        except (Locked, Conflict) as error:
            db.session.rollback()
            flash(error.message, "error")
            return 409
        return None
    if request.method == "POST":
        csrf = getattr(form, "csrf_token", None)
        return 400 if csrf is not None and csrf.errors else 422
    return 200
