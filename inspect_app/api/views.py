"""API v1 endpoints. Thin: parse with a schema, call one service, answer JSON."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, send_file
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from marshmallow import ValidationError
from sqlalchemy import select

from ..access import can, get_or_404, scoped
from ..checklists import CatalogueError, available_versions, load_catalogue
from ..extensions import csrf, db, login_manager
from ..domain.geo import order_by_distance
from ..inspections import service
from ..models import ApiToken, Finding, Inspection, Photo, Premise, User
from ..domain.time import utcnow
from ..files.photos import PhotoError
from ..domain.text import fold
from ..files.uploads import storage_for
from . import schemas
from .auth import bearer_token, issue_token, user_from_bearer

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

PUBLIC_ENDPOINTS = {"api.issue_token_endpoint", "api.openapi"}


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


def load(schema_cls, data=None):
    payload = request.get_json(silent=True) if data is None else data
    if payload is None:
        raise ValidationError({"_body": ["Nội dung phải là JSON hợp lệ."]})
    return schema_cls().load(payload)


@bp.errorhandler(ValidationError)
def validation_failed(err: ValidationError):
    messages = err.messages if isinstance(err.messages, dict) else {"_body": err.messages}
    return error(422, "Dữ liệu không hợp lệ.", fields=messages)


@bp.errorhandler(service.InvalidInput)
def invalid_input(err: service.InvalidInput):
    return error(422, "Dữ liệu không hợp lệ.", fields={k: [v] for k, v in err.errors.items()})


@bp.errorhandler(service.Conflict)
def conflict(err: service.Conflict):
    current = err.current
    body = {}
    if isinstance(current, Inspection):
        body["current"] = schemas.inspection_json(current)
    elif isinstance(current, Finding):
        body["current"] = schemas.finding_json(current)
    elif isinstance(current, Photo):
        body["current"] = schemas.photo_json(current)
    elif current is not None:
        from ..measurements.schemas import current_json

        if (shape := current_json(current)) is not None:
            body["current"] = shape
    return error(409, err.message, **body)


@bp.errorhandler(service.Locked)
def locked(err: service.Locked):
    return error(409, err.message, locked=True)


@bp.errorhandler(PhotoError)
def bad_photo(err: PhotoError):
    status = 413 if err.code == "too_large" else 422
    return error(status, err.message, code=err.code)


def denied(action: str, message: str):
    """None when the user's role may do the action, else the 403 answer to return."""
    return None if can(action) else error(403, message)


def require_edit():
    return denied("inspection.edit", "Vai trò của bạn không được ghi kết quả kiểm tra.")


# ---- auth ---------------------------------------------------------------------------------------------------------


@bp.post("/auth/token")
def issue_token_endpoint():
    from ..auth.throttle import LoginRefused, check_credentials

    data = load(schemas.TokenRequestSchema)
    try:
        user = check_credentials(data["username"], data["password"], request.remote_addr or "?")
    except LoginRefused as refused:
        return error(refused.status, refused.message)
    record, token = issue_token(user, data["name"])
    return jsonify({"token": token, "token_id": record.id, "user": schemas.user_json(user)}), 201


@bp.get("/auth/tokens")
def list_tokens():
    tokens = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.id)
    )
    return jsonify(
        [
            {
                "id": t.id,
                "name": t.name,
                "created_at": schemas.iso(t.created_at),
                "last_used_at": schemas.iso(t.last_used_at),
                "revoked": t.revoked_at is not None,
            }
            for t in tokens
        ]
    )


@bp.delete("/auth/tokens/<int:token_id>")
def revoke_token(token_id: int):
    record = db.session.scalars(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == current_user.id)
    ).first()
    if record is None:
        return error(404, "Không tìm thấy mã truy cập.")
    record.revoked_at = record.revoked_at or utcnow()
    db.session.commit()
    return jsonify({"id": record.id, "revoked": True})


@bp.get("/me")
def me():
    colleagues = db.session.scalars(scoped(User).where(User.active.is_(True)).order_by(User.full_name)).all()
    return jsonify(
        {
            "user": schemas.user_json(current_user),
            "can_record": can("inspection.edit"),
            "csrf_token": generate_csrf() if bearer_token() is None else None,
            "colleagues": [schemas.user_json(u) for u in colleagues],
            "settings": {
                "gps_max_accuracy_m": current_app.config["GPS_MAX_ACCURACY_M"],
                "gps_max_distance_m": current_app.config["GPS_MAX_DISTANCE_M"],
                "photo_max_bytes": current_app.config["PHOTO_MAX_BYTES"],
                "photo_max_edge": 2000,
            },
        }
    )


# ---- reference data -----------------------------------------------------------------------------------------------


@bp.get("/checklists")
@bp.get("/checklists/<version>")
def checklist(version: str | None = None):
    try:
        catalogue = load_catalogue(version)
    except (CatalogueError, FileNotFoundError, KeyError, ValueError):
        return error(404, f"Không có danh mục kiểm tra phiên bản “{version}”.", versions=available_versions())
    return jsonify({**catalogue.as_json(), "versions": available_versions()})


@bp.get("/premises")
def list_premises():
    args = schemas.PremiseQuerySchema().load(request.args.to_dict())
    query = scoped(Premise).where(Premise.status == "active")
    for word in fold(args["q"]).split():
        query = query.where(Premise.search_text.contains(word, autoescape=True))
    premises = db.session.scalars(query.order_by(Premise.name, Premise.id)).all()
    if args["point"] is not None:
        ordered = order_by_distance(premises, args["point"], lambda p: (p.latitude, p.longitude))
    else:
        ordered = [(p, None) for p in premises]
    return jsonify(
        {"items": [schemas.premise_json(p, d) for p, d in ordered[: args["limit"]]], "total": len(ordered)}
    )


@bp.get("/premises/<int:premise_id>")
def get_premise(premise_id: int):
    return jsonify(schemas.premise_json(get_or_404(Premise, premise_id)))


# ---- inspections --------------------------------------------------------------------------------------------------


def find_inspection(inspection_id: str) -> Inspection:
    """By numeric id or by the phone's UUID; either way through the scoping door."""
    if inspection_id.isdigit():
        return get_or_404(Inspection, inspection_id)
    record = db.session.scalars(scoped(Inspection).where(Inspection.uuid == inspection_id.lower())).first()
    if record is None:
        from flask import abort

        abort(404)
    return record


@bp.get("/inspections")
def list_inspections():
    query = scoped(Inspection)
    status = request.args.get("status")
    if status:
        query = query.where(Inspection.status == status)
    premise_id = request.args.get("premise_id", type=int)
    if premise_id:
        query = query.where(Inspection.premise_id == premise_id)
    limit = min(max(request.args.get("limit", 50, type=int) or 50, 1), 500)
    items = db.session.scalars(query.order_by(Inspection.started_at.desc()).limit(limit)).all()
    return jsonify({"items": [schemas.inspection_json(i, full=False) for i in items]})


@bp.post("/inspections")
def create_inspection():
    if (denied := require_edit()) is not None:
        return denied
    data = load(schemas.InspectionCreateSchema)
    inspection, created = service.create_inspection(data, current_user)
    return jsonify(schemas.inspection_json(inspection)), 201 if created else 200


@bp.get("/inspections/<inspection_id>")
def get_inspection(inspection_id: str):
    return jsonify(schemas.inspection_json(find_inspection(inspection_id)))


@bp.patch("/inspections/<inspection_id>")
def update_inspection(inspection_id: str):
    inspection = find_inspection(inspection_id)
    if (denied := require_edit()) is not None:
        return denied
    data = load(schemas.InspectionUpdateSchema)
    inspection = service.update_inspection(inspection, data, current_user)
    return jsonify(schemas.inspection_json(inspection))


@bp.get("/inspections/<inspection_id>/findings")
def list_findings(inspection_id: str):
    return jsonify([schemas.finding_json(f) for f in find_inspection(inspection_id).findings])


@bp.post("/inspections/<inspection_id>/findings")
def create_finding(inspection_id: str):
    inspection = find_inspection(inspection_id)
    if (denied := require_edit()) is not None:
        return denied
    data = load(schemas.FindingCreateSchema)
    finding, created = service.record_finding(inspection, data, current_user)
    return jsonify(schemas.finding_json(finding)), 201 if created else 200


@bp.patch("/findings/<finding_id>")
def update_finding(finding_id: str):
    if finding_id.isdigit():
        finding = get_or_404(Finding, finding_id)
    else:
        finding = db.session.scalars(scoped(Finding).where(Finding.uuid == finding_id.lower())).first()
        if finding is None:
            return error(404, "Không tìm thấy kết quả kiểm tra này.")
    if (denied := require_edit()) is not None:
        return denied
    data = load(schemas.FindingUpdateSchema)
    return jsonify(schemas.finding_json(service.update_finding(finding, data, current_user)))


@bp.post("/inspections/<inspection_id>/photos")
def upload_photo(inspection_id: str):
    inspection = find_inspection(inspection_id)
    if (denied := require_edit()) is not None:
        return denied
    data = load(schemas.PhotoFormSchema, request.form.to_dict())
    upload = request.files.get("file")
    if upload is None:
        raise ValidationError({"file": ["Chưa có tệp ảnh."]})
    photo, created = service.add_photo(
        inspection, data, upload.read(), current_user, storage_for(current_app)
    )
    return jsonify(schemas.photo_json(photo)), 201 if created else 200


def send_jpeg(key: str, etag: str):
    """A stored JPEG (photo, thumbnail, certificate) to a logged-in client, cached privately for an hour."""
    stream = storage_for(current_app).open(key)
    response = send_file(stream, mimetype="image/jpeg", max_age=3600, etag=etag)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.get("/photos/<int:photo_id>/image")
def photo_image(photo_id: int):
    photo = get_or_404(Photo, photo_id)
    return send_jpeg(photo.storage_key, photo.sha256)


@bp.get("/photos/<int:photo_id>/thumbnail")
def photo_thumbnail(photo_id: int):
    photo = get_or_404(Photo, photo_id)
    return send_jpeg(photo.thumbnail_key, photo.sha256)


@bp.get("/openapi.json")
def openapi():
    from .openapi import build_openapi

    return jsonify(build_openapi())


# Metrology routes (standards, instruments, readings, lots) hang on this blueprint.
from . import metrology  # noqa: E402, F401
