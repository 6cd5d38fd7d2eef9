"""The v1 blueprint and what every resource shares: authentication before each request (a bearer token, or the
page's session with its CSRF token for writes), the phone's error shape ``{"error", "fields"…}``, record lookups
through the scoping door before the body is read, and the documentation of the answers every route can give."""

from __future__ import annotations

import json
from decimal import Decimal
from functools import wraps

from flask import abort, current_app, jsonify, request, send_file
from flask_login import current_user
from flask_smorest import Blueprint as SmorestBlueprint
from marshmallow import Schema, ValidationError
from sqlalchemy.orm import joinedload
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import MultiDict

from ..access import act_for, can, get_or_404, note_denied, scoped
from ..domain.errors import Conflict, InvalidInput, Locked
from ..extensions import csrf, db, login_manager
from ..files.photos import PhotoError
from ..files.uploads import storage_for
from ..models import Inspection
from ..web.paging import InvalidCursor
from . import fields as f
from .auth import bearer_token, user_from_bearer

PREFIX = "/api/v1"
INVALID = "Dữ liệu không hợp lệ."
NOT_JSON = {"_body": ["Nội dung phải là JSON hợp lệ."]}
# No request of this API nests deeper than a few levels or carries thousands of values: a body past these bounds
# is refused before any schema walks it.
MAX_JSON_DEPTH = 8
MAX_JSON_VALUES = 5000
TOO_DEEP = {"_body": [f"Dữ liệu JSON lồng quá {MAX_JSON_DEPTH} cấp."]}
TOO_MANY = {"_body": [f"Dữ liệu JSON có quá {MAX_JSON_VALUES} giá trị."]}


def checked_shape(payload):
    """The payload itself, or ValidationError when it nests too deep or holds too many values."""
    pending, seen = [(payload, 1)], 0
    while pending:
        value, depth = pending.pop()
        seen += 1
        if seen > MAX_JSON_VALUES:
            raise ValidationError(TOO_MANY)
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        if children and depth >= MAX_JSON_DEPTH:
            raise ValidationError(TOO_DEEP)
        pending.extend((child, depth + 1) for child in children)
    return payload


# What each error status means here; every route documents the ones it can answer.
ERRORS = {
    400: "Phiên làm việc hết hạn (code = csrf): lấy csrf_token mới từ /me rồi gửi lại",
    401: "Chưa đăng nhập, hoặc token không hợp lệ hay đã bị thu hồi",
    403: "Vai trò của người dùng không được làm việc này",
    404: "Không tìm thấy (hoặc không thuộc phạm vi của người dùng)",
    409: "Xung đột: UUID đã có nội dung khác, phiên bản cũ (kèm current), hoặc biên bản đã lập (locked)",
    413: "Tệp quá lớn",
    422: "Dữ liệu không hợp lệ; thông báo theo từng trường trong fields",
    429: "Đăng nhập sai quá nhiều lần",
    503: "Cơ sở dữ liệu đang bận; gửi lại sau số giây trong Retry-After",
}

ErrorSchema = Schema.from_dict(
    {
        "error": f.Str(required=True, metadata={"description": "Thông báo tiếng Việt"}),
        "fields": f.Json(metadata={"type": "object", "description": "Trường → danh sách thông báo (422)"}),
        "current": f.Json(metadata={"type": "object", "description": "Bản hiện có trên máy chủ (409)"}),
        "locked": f.Bool(metadata={"description": "Biên bản đã lập; không sửa được nữa (409)"}),
        "code": f.Str(metadata={"description": "Mã lỗi: csrf, lỗi ảnh (not_image, too_large…)"}),
        "versions": f.List(f.Str(), metadata={"description": "Các phiên bản danh mục có (404)"}),
        "error_id": f.Str(),
    },
    name="Error",
)


def named(schema: Schema, name: str) -> Schema:
    """Give a variant of a schema (only=…, exclude=…) its own name in the document."""
    schema.doc_name = name
    return schema


def request_part(schema_cls: type[Schema], name: str) -> Schema:
    """What a request sends of a resource: its schema without the fields only the server writes."""
    written_by_server = [key for key, field in schema_cls._declared_fields.items() if field.dump_only]
    return named(schema_cls(exclude=written_by_server), name)


def schema_name(schema) -> str:
    """The document's name of a schema: its class name without "Schema", or the name a variant was given."""
    if getattr(schema, "doc_name", None):
        return schema.doc_name
    cls = schema if isinstance(schema, type) else type(schema)
    return cls.__name__.removesuffix("Schema") or cls.__name__


class Parser(FlaskParser):
    """webargs, with this API's habits: each schema's own ``unknown`` rule (unknown keys are a 422 in bodies), a
    body that is not JSON reported as ``_body``, numbers in metrology bodies read as Decimal, and multipart
    requests read as one form (fields and files together)."""

    DEFAULT_UNKNOWN_BY_LOCATION: dict = {}
    __location_map__ = {**FlaskParser.__location_map__, "form_and_files": "load_form_and_files"}

    def load_json(self, req, schema):
        if not req.is_json:
            raise ValidationError(NOT_JSON)
        try:
            # Numbers are read as Decimal where the schema wants them exact (metrology), as float elsewhere.
            exact = getattr(schema, "exact_numbers", False)
            payload = json.loads(req.get_data(as_text=True), parse_float=Decimal if exact else float)
        except ValueError:
            raise ValidationError(NOT_JSON) from None
        except RecursionError:  # thousands of nested brackets: the parser's own limit
            raise ValidationError(TOO_DEEP) from None
        if payload is None:
            raise ValidationError(NOT_JSON)
        return checked_shape(payload)

    def load_form_and_files(self, req, schema):
        data = MultiDict(req.form)
        for name, field in schema.fields.items():
            if isinstance(field, f.Upload):
                # A file comes only from the files part; other files are ignored.
                data.setlist(name, req.files.getlist(name))
        return self._makeproxy(data, schema)

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        # webargs files the messages under the location ({"json": {...}}); the phone reads them by field.
        messages = error.messages
        if isinstance(messages, dict) and len(messages) == 1:
            messages = next(iter(messages.values()))
        raise ValidationError(messages)


class Blueprint(SmorestBlueprint):
    """Routes tagged by their module, documenting 401 (unless public), 503 and the given error statuses."""

    ARGUMENTS_PARSER = Parser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **SmorestBlueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "form_and_files": "multipart/form-data",
    }

    def route(self, rule, *, errors=(), public=False, tags=None, **options):
        codes = {503, *errors} | (set() if public else {401})
        if not public and set(options.get("methods", ())) & {"POST", "PATCH", "PUT", "DELETE"}:
            codes.add(400)  # the page's session without a valid CSRF token

        def decorator(func):
            for code in sorted(codes, reverse=True):
                func = self.alt_response(code, schema=ErrorSchema, description=ERRORS[code])(func)
            if public:
                func = self.doc(security=[])(func)
            module = func.__module__.rsplit(".", 1)[-1]
            return SmorestBlueprint.route(self, rule, tags=tags or [module], **options)(func)

        return decorator


bp = Blueprint("api", __name__, url_prefix=PREFIX, description="API v1")
csrf.exempt(bp)

PUBLIC_ENDPOINTS = {"api.issue_token_endpoint", "api.openapi"}


class ApiError(Exception):
    """An answer other than success, in the phone's shape: {"error": message, **extra}."""

    def __init__(self, status: int, message: str, **extra):
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra


def error(status: int, message: str, **extra):
    return jsonify({"error": message, **extra}), status


@bp.before_request
def authenticate():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if bearer_token() is not None:
        # A request that carries a token acts as the token's user, whatever session cookie came with it.
        user = user_from_bearer()
        if user is None:
            return error(401, "Mã truy cập (token) không hợp lệ hoặc đã bị thu hồi.")
        login_manager._update_request_context_with_user(user)
        act_for(user)  # and the database sees what the token's user sees
    if not current_user.is_authenticated:
        return error(401, "Vui lòng đăng nhập.")
    if (
        request.method in ("POST", "PATCH", "PUT", "DELETE")
        and bearer_token() is None
        and current_app.config.get("WTF_CSRF_ENABLED", True)
    ):
        # The browser session needs the CSRF token; bearer clients send no cookies to forge.
        csrf.protect()
    return None


@bp.errorhandler(ApiError)
def api_error(err: ApiError):
    return error(err.status, err.message, **err.extra)


@bp.errorhandler(ValidationError)
def validation_failed(err: ValidationError):
    messages = err.messages if isinstance(err.messages, dict) else {"_body": err.messages}
    return error(422, INVALID, fields=messages)


@bp.errorhandler(InvalidCursor)
def unreadable_cursor(err: InvalidCursor):
    return error(422, INVALID, fields={"cursor": ["Con trỏ trang không hợp lệ; hãy tải lại từ đầu."]})


@bp.errorhandler(InvalidInput)
def invalid_input(err: InvalidInput):
    return error(422, INVALID, fields={k: [v] for k, v in err.errors.items()})


# The schema that shows each kind of record in a 409's "current"; every resource module adds its own.
CURRENT_SHAPES: dict[type, Schema] = {}


def shows_conflicts(model: type, schema: Schema) -> None:
    CURRENT_SHAPES[model] = schema


@bp.errorhandler(Conflict)
def conflict(err: Conflict):
    body = {}
    if err.current is not None and (schema := CURRENT_SHAPES.get(type(err.current))) is not None:
        body["current"] = schema.dump(err.current)
    return error(409, err.message, **body)


@bp.errorhandler(Locked)
def locked(err: Locked):
    return error(409, err.message, locked=True)


@bp.errorhandler(PhotoError)
def bad_photo(err: PhotoError):
    status = 413 if err.code == "too_large" else 422
    return error(status, err.message, code=err.code)


# ---- decorators that run before the body is read (so a 404 or 403 wins over a 422) ---------------------------------


def looks_up(param: str, finder, into: str):
    """Replace the URL's ``param`` with the record ``finder`` returns for it (which aborts with 404), as ``into``."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            kwargs[into] = finder(kwargs.pop(param))
            return view(*args, **kwargs)

        return wrapper

    return decorator


def allowed(action: str, message: str):
    """403 with ``message`` unless the user's role may do ``action``."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not can(action):
                note_denied("permissions", None, action)
                raise ApiError(403, message)
            return view(*args, **kwargs)

        return wrapper

    return decorator


RECORDS = "Vai trò của bạn không được ghi kết quả kiểm tra."


def send_jpeg(key: str, etag: str):
    """A stored JPEG (photo, thumbnail, certificate) to a logged-in client, cached privately for an hour."""
    stream = storage_for(current_app).open(key)
    response = send_file(stream, mimetype="image/jpeg", max_age=3600, etag=etag)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


JPEG = {"type": "string", "format": "binary"}


def find_inspection(inspection_id: str, options: tuple = ()):
    """By numeric id or by the phone's UUID; either way through the scoping door."""
    if inspection_id.isdigit():
        return get_or_404(Inspection, inspection_id, options=options)
    record = db.session.scalars(
        scoped(Inspection).where(Inspection.uuid == inspection_id.lower()).options(*options)
    ).first()
    if record is None:
        abort(404)
    return record


# For the views whose work or answer needs the inspection's premise (its type decides which items apply): loaded
# with the inspection, in the same statement.
WITH_PREMISE = (joinedload(Inspection.premise),)


def with_inspection(view, options: tuple = ()):
    """The inspection named in the URL (id or UUID) as ``inspection``, loaded with ``options``; 404 before anything
    else."""
    return looks_up("inspection_id", lambda value: find_inspection(value, options), "inspection")(view)
