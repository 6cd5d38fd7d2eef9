"""Bearer tokens: issued for username + password, stored as SHA-256, revocable.

A token's last use is stamped at most once a minute, so reads stay reads: a phone syncing every few seconds does not
queue a write behind every other phone's on SQLite's single writer lock.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import request
from sqlalchemy import bindparam, select

from .. import writes
from ..access import identified, loader_sets_scope, scope_settings
from ..extensions import db
from ..models import ApiToken, User
from ..domain.time import utcnow

TOKEN_PREFIX = "kt_"
STAMP_EVERY = timedelta(minutes=1)


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


# The token's user, with the two token columns the stamp needs, in one statement: every API call of the phone
# starts here. Only the user is an entity (the request's ``current_user``); the token's own row is not loaded, and a
# revoked token finds nothing. Built once, so a request neither rebuilds it nor recomputes its cache key.
TOKEN_USER = (
    select(User, ApiToken.id.label("token_id"), ApiToken.last_used_at)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None))
)
# On PostgreSQL the same statement also gives the transaction the user's scope (row-level security).
TOKEN_USER_AND_SCOPE = TOKEN_USER.add_columns(*scope_settings(ApiToken.user_id))


def user_from_bearer() -> User | None:
    """The active user a valid, unrevoked bearer token belongs to (Flask-Login's request loader)."""
    token = bearer_token()
    if token is None:
        return None
    scope_here = loader_sets_scope()
    row = db.session.execute(
        TOKEN_USER_AND_SCOPE if scope_here else TOKEN_USER, {"token_hash": hash_token(token)}
    ).first()
    if row is None or not row.User.is_active:
        return None
    user = identified(row.User, scope_set=scope_here)
    writes.stamp_last_use(ApiToken, row.token_id, "last_used_at", row.last_used_at, STAMP_EVERY, utcnow())
    return user
