"""Marshmallow fields, validators and base schemas of API v1, whose error messages are Vietnamese."""

from __future__ import annotations

import math
from decimal import Decimal

from flask import url_for
from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate
from werkzeug.datastructures import FileStorage

from ..domain import plausible
from ..domain.errors import RuleError
from ..domain.plausible import plain_text
from ..domain.time import VN_TZ
from ..measurements.rules import decimal_value
from ..models.metrology import canonical_decimal

COMMON = {
    "required": "Trường này là bắt buộc.",
    "null": "Trường này không được để trống.",
    "validator_failed": "Giá trị không hợp lệ.",
}


def one_of(choices, label: str):
    return validate.OneOf(list(choices), error=f"{label} không hợp lệ; chọn một trong: {', '.join(choices)}.")


def length(maximum: int, minimum: int = 0):
    if minimum:
        return validate.Length(
            min=minimum, max=maximum, error=f"Độ dài phải từ {minimum} đến {maximum} ký tự."
        )
    return validate.Length(max=maximum, error=f"Dài quá {maximum} ký tự.")


class Str(fields.String):
    default_error_messages = {
        **COMMON,
        "invalid": "Phải là chuỗi ký tự.",
        "invalid_utf8": "Chuỗi không hợp lệ.",
        "control": "Chuỗi chứa ký tự điều khiển hoặc ký tự không hợp lệ.",
    }

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if text is not None and not plain_text(text):
            raise self.make_error("control")
        return text


# Integer columns (ids, counts) are 32-bit on PostgreSQL: a larger number is refused as input, never sent to a query.
INT32_MAX = 2**31 - 1


class _Int32(fields.Integer):
    default_error_messages = {**COMMON, "invalid": "Phải là số nguyên.", "too_large": "Số quá lớn."}

    def __init__(self, **kwargs):
        # The document states the range the column holds, narrowed by the field's own Range.
        given = kwargs.get("validate") or []
        ranges = [v for v in (given if isinstance(given, (list, tuple)) else [given]) if isinstance(v, validate.Range)]
        bounds = {
            "minimum": max([-INT32_MAX] + [r.min for r in ranges if r.min is not None]),
            "maximum": min([INT32_MAX] + [r.max for r in ranges if r.max is not None]),
        }
        kwargs["metadata"] = {**bounds, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _validated(self, value):
        number = super()._validated(value)
        if number is not None and abs(number) > INT32_MAX:
            raise self.make_error("too_large")
        return number


class Int(_Int32):
    """An integer in a JSON body: a number with no fraction (5, or 5.0 as JSON Schema counts it), never text."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, (float, Decimal)) and math.isfinite(value) and value == int(value):
            value = int(value)  # a number beyond the column's range is then refused as too large
        return super()._deserialize(value, attr, data, **kwargs)


class QueryInt(_Int32):
    """An integer from a query string, where every value arrives as text."""


class Float(fields.Float):
    default_error_messages = {**COMMON, "invalid": "Phải là số.", "special": "Phải là số hữu hạn."}

    def __init__(self, **kwargs):
        super().__init__(allow_nan=False, **kwargs)


class Coordinate(Float):
    """A latitude, longitude or accuracy: never null in a request, null in an answer when none was recorded."""

    def __init__(self, **kwargs):
        super().__init__(allow_none=True, **kwargs)

    def deserialize(self, value, attr=None, data=None, **kwargs):
        if value is None:
            raise self.make_error("null")
        return super().deserialize(value, attr, data, **kwargs)


class Bool(fields.Boolean):
    default_error_messages = {**COMMON, "invalid": "Phải là true hoặc false."}


class UUID(fields.UUID):
    default_error_messages = {**COMMON, "invalid_uuid": "Mã định danh (UUID) không hợp lệ."}


class DateTime(fields.AwareDateTime):
    """A date-time within the plausible window (``domain.plausible``); ``past=True``: something that happened,
    so at most a day ahead of the server's clock (a phone's clock may run fast)."""

    default_error_messages = {
        **COMMON,
        "invalid": "Ngày giờ không hợp lệ (định dạng ISO 8601, ví dụ 2026-11-21T08:30:00+07:00).",
        "invalid_awareness": "Ngày giờ cần có múi giờ.",
    }

    def __init__(self, *, past: bool = False, **kwargs):
        # A time typed without a zone is Việt Nam time.
        super().__init__(default_timezone=VN_TZ, **kwargs)
        self.past = past

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        problem = plausible.moment_problem(moment, past=self.past)
        if problem:
            raise ValidationError(problem)
        return moment


class Date(fields.Date):
    default_error_messages = {**COMMON, "invalid": "Ngày không hợp lệ (định dạng YYYY-MM-DD)."}

    def _deserialize(self, value, attr, data, **kwargs):
        day = super()._deserialize(value, attr, data, **kwargs)
        problem = plausible.day_problem(day)
        if problem:
            raise ValidationError(problem)
        return day


class List(fields.List):
    default_error_messages = {**COMMON, "invalid": "Phải là một danh sách."}


class Nested(fields.Nested):
    default_error_messages = {**COMMON, "type": "Phải là một đối tượng JSON."}


class StrictSchema(Schema):
    """Unknown keys are refused, so a typo in a field name is reported instead of silently dropped."""

    error_messages = {"unknown": "Trường không được hỗ trợ.", "type": "Dữ liệu phải là một đối tượng JSON."}

    class Meta:
        unknown = RAISE


class LenientSchema(StrictSchema):
    class Meta:
        unknown = EXCLUDE


class LenientQueryInt(fields.Integer):
    """An integer from a query string that is ignored (None) when it is not one, or is beyond what an integer
    column holds, as lists have always done; documented as the text it is, since any text is accepted."""

    def __init__(self, **kwargs):
        kwargs["metadata"] = {"type": "string", **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            number = super()._deserialize(value, attr, data, **kwargs)
        except ValidationError:
            return None
        return number if number is None or abs(number) <= INT32_MAX else None


class Dec(fields.Field):
    """An exact decimal: "5.15", "5,15", 5.15 or 5 → Decimal; text or "1e3" → a Vietnamese 422 message.

    JSON numbers reach it as Decimal (the body is parsed without float). Answers give it as canonical text.
    """

    default_error_messages = {**COMMON, "invalid": "Phải là số (ví dụ 5,15 hoặc 5.15)."}

    def __init__(
        self, *, label: str = "Giá trị", positive: bool = False, non_negative: bool = False, **kwargs
    ):
        kwargs.setdefault("metadata", {"type": ["string", "number"], "examples": ["5.15", "5,15"]})
        super().__init__(**kwargs)
        self.label, self.positive, self.non_negative = label, positive, non_negative

    def _deserialize(self, value, attr, data, **kwargs) -> Decimal | None:
        try:
            return decimal_value(value, self.label, positive=self.positive, non_negative=self.non_negative)
        except RuleError as error:
            raise ValidationError(str(error)) from None

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else canonical_decimal(value)


class Number(fields.Raw):
    """A number answered exactly as stored (an int stays an int)."""

    def __init__(self, **kwargs):
        super().__init__(metadata={"type": "number", **kwargs.pop("metadata", {})}, **kwargs)


class Json(fields.Raw):
    """Stored JSON (lists, objects) answered as it is."""


class Link(fields.Field):
    """The URL of a route of this API for the record: Link("api.photo_image", photo_id="id").

    With ``if_set``, the link is null while that attribute of the record is empty.
    """

    _CHECK_ATTRIBUTE = False

    def __init__(self, endpoint: str, *, if_set: str | None = None, **params: str):
        super().__init__(dump_only=True, allow_none=bool(if_set), metadata={"type": "string"})
        self.endpoint, self.if_set, self.params = endpoint, if_set, params

    def _serialize(self, value, attr, obj, **kwargs):
        if self.if_set and not getattr(obj, self.if_set):
            return None
        return url_for(self.endpoint, **{name: getattr(obj, source) for name, source in self.params.items()})


class Upload(fields.Field):
    """A file of a multipart request (a werkzeug FileStorage)."""

    default_error_messages = {**COMMON, "invalid": "Phải là một tệp."}

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {"type": "string", "format": "binary"})
        super().__init__(load_only=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, FileStorage):
            raise self.make_error("invalid")
        return value
