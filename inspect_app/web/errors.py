"""Error pages and JSON errors: every failure a person can see gets a Vietnamese message, never a bare 500.

A database that is busy (SQLite's writer lock, a PostgreSQL lock or statement timeout) or out of reach (a refused or
dropped connection, a full pool) is a 503 with Retry-After: the request can simply be sent again, and the phone's
outbox does exactly that.
"""

from __future__ import annotations

import logging
import uuid

from flask import Flask, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from ..domain.errors import Conflict
from ..files.storage import StorageUnavailable

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
    503: "Hệ thống đang bận, vui lòng thử lại sau ít giây.",
}
RETRY_AFTER_SECONDS = 5
# The file store refused a write (a folder not writable, a full disk): someone has to act, so the phone's outbox
# waits longer before sending again; nothing of the request was recorded.
STORAGE_RETRY_AFTER_SECONDS = 60
STORAGE_UNAVAILABLE = (
    "Máy chủ không lưu được tệp (thư mục lưu trữ không ghi được hoặc đã đầy). Không có gì được ghi nhận; "
    "dữ liệu trên điện thoại vẫn chờ để gửi lại. Vui lòng báo quản trị hệ thống."
)

SQLITE_BUSY = ("database is locked", "database is busy", "database table is locked")
# PostgreSQL SQLSTATEs worth a retry: connection exceptions (08…) and insufficient resources (53…) by class; lock
# not available (a lock_timeout), query cancelled (a statement_timeout), shutting down or starting up,
# serialization failure and deadlock.
PG_RETRY_CLASSES = ("08", "53")
PG_RETRY_STATES = {"55P03", "57014", "57P01", "57P02", "57P03", "40001", "40P01"}


def database_unavailable(error: BaseException) -> bool:
    """Whether a database error means "busy or out of reach, try again shortly" rather than a bug."""
    if isinstance(error, PoolTimeout):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if not isinstance(error, OperationalError):
        return False
    orig = error.orig
    if type(orig).__module__.startswith("sqlite3"):
        # SQLite reports syntax errors and missing tables as OperationalError too: only its lock messages count.
        message = str(orig).lower()
        return any(text in message for text in SQLITE_BUSY)
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if not state:
        # No answer from the server at all: refused, reset or closed connection.
        return True
    return state.startswith(PG_RETRY_CLASSES) or state in PG_RETRY_STATES


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
        response = make_response(error_response(status, message))
        # What the exception itself says in headers stays said: Allow on a 405, Retry-After on a 429 or 503.
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(StorageUnavailable)
    def storage_unavailable(error: StorageUnavailable):
        log.error("file storage unavailable on %s %s: %s", request.method, request.path, error)
        from ..extensions import db

        db.session.rollback()
        response = make_response(error_response(503, STORAGE_UNAVAILABLE))
        response.headers["Retry-After"] = str(STORAGE_RETRY_AFTER_SECONDS)
        return response

    @app.errorhandler(StaleDataError)
    def stale_edit(error: StaleDataError):
        # An UPDATE that named a version another request had just replaced, outside the write door's commit (which
        # answers it as a Conflict itself): the same answer, never a 500.
        from ..extensions import db
        from ..writes import STALE_MESSAGE

        log.info("concurrent edit refused on %s %s: %s", request.method, request.path, error)
        db.session.rollback()
        return error_response(409, STALE_MESSAGE)

    @app.errorhandler(Conflict)
    def conflict(error: Conflict):
        # A conflict no view answers in its own words (a form's UUID that names a record out of the person's
        # scope): its message, nothing stored. The API answers its own with the record as stored.
        from ..extensions import db

        db.session.rollback()
        return error_response(409, error.message)

    @app.errorhandler(DBAPIError)
    @app.errorhandler(PoolTimeout)
    def database_error(error: Exception):
        if not database_unavailable(error):
            return unexpected(error)
        log.warning("database unavailable on %s %s: %s", request.method, request.path, error)
        from ..extensions import db

        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the connection may be gone; the session is discarded at teardown
            log.exception("rollback after a database error failed")
        try:
            response = make_response(error_response(503))
        except Exception:  # noqa: BLE001 - the page itself may need the database (the logged-in user)
            response = make_response((MESSAGES[503], 503, {"Content-Type": "text/plain; charset=utf-8"}))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

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
