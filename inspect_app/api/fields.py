"""Marshmallow fields and base schema whose error messages are Vietnamese."""

from __future__ import annotations

from marshmallow import EXCLUDE, RAISE, Schema, fields

from ..domain.time import VN_TZ

COMMON = {
    "required": "Trường này là bắt buộc.",
    "null": "Trường này không được để trống.",
    "validator_failed": "Giá trị không hợp lệ.",
}


class Str(fields.String):
    default_error_messages = {
        **COMMON,
        "invalid": "Phải là chuỗi ký tự.",
        "invalid_utf8": "Chuỗi không hợp lệ.",
    }


class Int(fields.Integer):
    default_error_messages = {**COMMON, "invalid": "Phải là số nguyên.", "too_large": "Số quá lớn."}

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)


class QueryInt(fields.Integer):
    """An integer from a query string, where every value arrives as text."""

    default_error_messages = {**COMMON, "invalid": "Phải là số nguyên.", "too_large": "Số quá lớn."}


class Float(fields.Float):
    default_error_messages = {**COMMON, "invalid": "Phải là số.", "special": "Phải là số hữu hạn."}

    def __init__(self, **kwargs):
        super().__init__(allow_nan=False, **kwargs)


class Bool(fields.Boolean):
    default_error_messages = {**COMMON, "invalid": "Phải là true hoặc false."}


class UUID(fields.UUID):
    default_error_messages = {**COMMON, "invalid_uuid": "Mã định danh (UUID) không hợp lệ."}


class DateTime(fields.AwareDateTime):
    default_error_messages = {
        **COMMON,
        "invalid": "Ngày giờ không hợp lệ (định dạng ISO 8601, ví dụ 2026-11-21T08:30:00+07:00).",
        "invalid_awareness": "Ngày giờ cần có múi giờ.",
    }

    def __init__(self, **kwargs):
        # A time typed without a zone is Việt Nam time.
        super().__init__(default_timezone=VN_TZ, **kwargs)


class Date(fields.Date):
    default_error_messages = {**COMMON, "invalid": "Ngày không hợp lệ (định dạng YYYY-MM-DD)."}


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
