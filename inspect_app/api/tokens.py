"""Bearer tokens: issued for a username and password, listed and revoked by their owner."""

from __future__ import annotations

from flask import request
from flask_login import current_user
from marshmallow import fields
from sqlalchemy import select

from ..extensions import db
from ..models import ApiToken
from ..domain.time import utcnow
from .auth import issue_token
from .core import ApiError, bp, named, request_part
from .fields import DateTime, Int, Nested, Str, StrictSchema, length
from .users import UserSchema


class TokenSchema(StrictSchema):
    """A token: asked for with username and password; answered once with its secret, then listed without it."""

    username = Str(required=True, load_only=True, validate=length(64, 1))
    password = Str(required=True, load_only=True, validate=length(256, 1))
    name = Str(load_default="", validate=length(120))
    id = Int(dump_only=True)
    created_at = DateTime(dump_only=True)
    last_used_at = DateTime(dump_only=True, allow_none=True)
    revoked = fields.Function(lambda token: token.revoked_at is not None, metadata={"type": "boolean"})
    token = Str(dump_only=True, metadata={"description": "Chỉ trả về một lần, khi cấp"})
    token_id = Int(dump_only=True)
    user = Nested(UserSchema, dump_only=True)


LISTED = ("id", "name", "created_at", "last_used_at", "revoked")


@bp.post("/auth/token", public=True, errors=(401, 422, 429))
@bp.arguments(request_part(TokenSchema, "TokenRequest"))
@bp.response(201, named(TokenSchema(only=("token", "token_id", "user")), "IssuedToken"))
def issue_token_endpoint(data):
    """Cấp token"""
    from ..auth.throttle import LoginRefused, check_credentials

    try:
        user = check_credentials(data["username"], data["password"], request.remote_addr or "?")
    except LoginRefused as refused:
        raise ApiError(refused.status, refused.message) from None
    record, secret = issue_token(user, data["name"])
    return {"token": secret, "token_id": record.id, "user": user}


@bp.get("/auth/tokens")
@bp.response(200, named(TokenSchema(many=True, only=LISTED), "ListedToken"))
def list_tokens():
    """Danh sách token của tôi"""
    tokens = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.id)
    )
    return list(tokens)


@bp.delete("/auth/tokens/<id:token_id>", errors=(404,))
@bp.response(200, named(TokenSchema(only=("id", "revoked")), "RevokedToken"))
def revoke_token(token_id: int):
    """Thu hồi token"""
    record = db.session.scalars(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == current_user.id)
    ).first()
    if record is None:
        raise ApiError(404, "Không tìm thấy mã truy cập.")
    record.revoked_at = record.revoked_at or utcnow()
    db.session.commit()
    return record
