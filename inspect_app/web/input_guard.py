"""One check at the door for every query string: text a person could have typed, or a 422.

A NUL or another control character in a search box or a filter would reach the database (PostgreSQL refuses NUL in
text outright); it is refused before any view runs. JSON bodies are checked field by field by the API's schemas
(``api.fields.Str``); desk forms by their own fields (a paste from Word may carry control characters that the
report's text, for one, drops rather than refuses).
"""

from __future__ import annotations

from flask import Flask, request

from ..domain.plausible import plain_text
from .errors import error_response

MESSAGE = "Địa chỉ trang chứa ký tự điều khiển hoặc ký tự không hợp lệ (ở “{name}”). Vui lòng nhập lại điều kiện lọc."


def _unreadable_parameter() -> str | None:
    for name, values in request.args.lists():
        if not plain_text(name):
            return "?"
        for value in values:
            if not plain_text(value):
                return name
    return None


def register_input_guard(app: Flask) -> None:
    @app.before_request
    def refuse_control_characters():
        name = _unreadable_parameter()
        if name is not None:
            return error_response(422, MESSAGE.format(name=name))
        return None
