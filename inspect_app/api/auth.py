"""Bearer tokens: issued for username + password, stored as SHA-256, revocable."""

from __future__ import annotations

import hashlib
import secrets

from flask import request
from sqlalchemy import select

from ..extensions import db
from ..models import ApiToken, User
from ..domain.time import utcnow

TOKEN_PREFIX = "kt_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(user: User, name: str) -> tuple[ApiToken, str]:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(user_id=user.id, name=name or "", token_hash=hash_token(token))
    db.session.add(record)
    db.session.commit()
    return record, token


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def user_from_bearer() -> User | None:
    """The active user a valid, unrevoked bearer token belongs to (Flask-Login's request loader)."""
    token = bearer_token()
    if token is None:
        return None
    record = db.session.scalars(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).first()
    if record is None or record.revoked_at is not None or not record.user.is_active:
        return None
    record.last_used_at = utcnow()
    db.session.commit()
    return record.user
