"""Error pages and JSON errors: every failure a person can see gets a Vietnamese message, never a bare 500."""

from __future__ import annotations

import logging
import uuid

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

MESSAGES = {
    400: "Yêu cầu không hợp lệ.",
    401: "Vui lòng đăng nhập để tiếp tục.",
    403: "Bạn không có quyền thực hiện thao tác này.",
    404: "Không tìm thấy trang hoặc bản ghi này.",
    405: "Phương thức không được hỗ trợ.",
    409: "Dữ liệu đã bị thay đổi bởi người khác.",
    413: "Tệp tải lên quá lớn.",
    422: "Dữ liệu không hợp lệ.",
    429: "Bạn đã thử quá nhiều lần. Vui lòng đợi một lát rồi thử lại.",
    500: "Đã xảy ra lỗi hệ thống.",
}


def wants_json() -> bool:
    return (
        request.path.startswith("/api/")
        or request.path == "/healthz"
        or (request.accept_mimetypes.best == "application/json")
    )


def error_response(status: int, message: str | None = None, **extra):
    message = message or MESSAGES.get(status, MESSAGES[500])
    if wants_json():
        return jsonify({"error": message, **extra}), status
    extra.pop("code", None)
    return render_template("errors/error.html", status=status, message=message, **extra), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        # The code lets a client fetch a fresh token and retry instead of giving up.
        return error_response(
            400, "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Vui lòng tải lại trang.", code="csrf"
        )

    @app.errorhandler(413)
    def too_large(error):
        limit_mb = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return error_response(413, f"Tệp tải lên quá lớn (tối đa {limit_mb} MB). Không có gì được lưu.")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        message = MESSAGES.get(status) if status in MESSAGES else error.description
        if status == 429 and error.description and not error.description.startswith("<"):
            message = error.description
        return error_response(status, message)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        if app.config.get("TESTING") and app.config.get("PROPAGATE_UNEXPECTED", True):
            raise error
        error_id = uuid.uuid4().hex[:12]
        log.exception("unhandled error %s on %s %s", error_id, request.method, request.path)
        from ..extensions import db

        db.session.rollback()
        return error_response(500, f"{MESSAGES[500]} Mã lỗi: {error_id}.", error_id=error_id)
