"""Logged-in browser sessions: kept on the server so they can be ended, and bound to the kind of browser.

Flask's session is a signed cookie: on its own, logging out only asks the browser to forget it, and a copy taken
earlier (or a year-long remember-me cookie) kept working. Each login now starts a ``user_sessions`` row with a random
key; the key travels in the session and the remember cookie (``User.get_id()`` is "<user id>:<key>") and the user
loader accepts it only while its row is not revoked. Logging out revokes the row; a password change revokes every
other row of the account and its API tokens; an administrator's reset or deactivation revokes them all. The loader
reads the account and its session row in one query; the row's last use is stamped at most once every few minutes.

flask-login's "strong" protection drops a session (and its remember cookie) when the request no longer matches the
identifier stored at login. Its own identifier is the client address with the User-Agent: a phone changes address
all day (Wi-Fi to 4G, the carrier's NAT), and a session rebuilt from the remember cookie after a restart carries no
identifier at all, so the second page after a restart logged the user out. Here the identifier is the kind of browser
and system (the User-Agent without its version numbers, so a browser update does not log anyone out), and a session
rebuilt from the remember cookie is stamped with it. A cookie carried to another kind of browser is still dropped.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from flask import Flask, request, session
from flask_login import user_loaded_from_cookie
from flask_login.login_manager import LoginManager
from sqlalchemy import select, update

from .. import writes
from ..access import identified, identity_scope_columns
from ..extensions import db
from ..models import ApiToken, User, UserSession
from ..domain.time import utcnow

_VERSION = re.compile(r"\d+(?:[._]\d+)*")
# A session's last use is written at most this often, so pages stay reads.
LAST_SEEN_EVERY = timedelta(minutes=5)
MAX_ID = 2**31 - 1


def device_identifier() -> str:
    agent = request.headers.get("User-Agent", "")
    return hashlib.sha512(_VERSION.sub("", agent).encode("utf-8")).hexdigest()


def _stamp_restored_session(app: Flask, user, **extra) -> None:
    session["_id"] = device_identifier()


def bind_sessions(manager: LoginManager) -> None:
    manager.session_protection = "strong"
    manager._session_identifier_generator = device_identifier
    # Once the account is known, the request's transactions act for it (row-level security, access.py).
    manager.user_loader(lambda user_id: identified(load_session_user(user_id)))
    user_loaded_from_cookie.connect(_stamp_restored_session)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


_BROWSERS = (
    ("Edg", "Edge"),
    ("coc_coc", "Cốc Cốc"),
    ("Zalo", "Zalo"),
    ("Firefox", "Firefox"),
    ("FxiOS", "Firefox"),
    ("CriOS", "Chrome"),
    ("Chrome", "Chrome"),
    ("Safari", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def agent_kind(agent: str) -> str:
    """The kind of browser and system in a User-Agent, for the user's list of sessions: "Chrome · Android"."""
    browser = next((name for mark, name in _BROWSERS if mark in agent), "Trình duyệt khác")
    system = next((name for mark, name in _SYSTEMS if mark in agent), "")
    return f"{browser} · {system}" if system else browser


def start_session(user: User, remember: bool) -> UserSession:
    """A new server-side session for ``user`` (added to the transaction; the caller commits). Its key is set on the
    user, so ``login_user`` puts it in the cookies."""
    key = secrets.token_urlsafe(32)
    row = UserSession(
        user_id=user.id,
        key_hash=_hash(key),
        ip=(request.remote_addr or "")[:64],
        agent=agent_kind(request.headers.get("User-Agent", ""))[:80],
        remember=remember,
    )
    db.session.add(row)
    db.session.flush()
    user.session_key, user.session_id = key, row.id
    return row


def load_session_user(user_id: str) -> User | None:
    """flask-login's user loader: the active account whose session (from the cookie) has not been ended."""
    account, _, key = (user_id or "").partition(":")
    if not key or not (account.isascii() and account.isdigit()) or not 0 < int(account) <= MAX_ID:
        return None
    # On PostgreSQL the same statement gives the transaction the account's scope (row-level security).
    scope = identity_scope_columns(User.id)
    found = db.session.execute(
        select(User, UserSession, *scope)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            User.id == int(account),
            UserSession.key_hash == _hash(key),
            UserSession.revoked_at.is_(None),
        )
    ).first()
    if found is None or not found.User.is_active:
        return None
    user, row = found[0], found[1]
    identified(user, scope_set=bool(scope))
    user.session_key, user.session_id = key, row.id
    writes.stamp_last_use(UserSession, row.id, "last_seen_at", row.last_seen_at, LAST_SEEN_EVERY, utcnow())
    return user


def current_session_id(user) -> int | None:
    return getattr(user, "session_id", None)


def end_session(session_id: int | None) -> None:
    """Revoke one session (logging out); the caller commits."""
    if session_id is None:
        return
    db.session.execute(
        update(UserSession)
        .where(UserSession.id == session_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def _end_sessions(user: User, keep_session_id: int | None) -> int:
    sessions = (
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if keep_session_id is not None:
        sessions = sessions.where(UserSession.id != keep_session_id)
    return db.session.execute(sessions).rowcount


def end_credentials(user: User, keep_session_id: int | None = None) -> dict[str, list]:
    """Revoke every session of ``user`` but ``keep_session_id``, and every API token of the account; the caller
    commits. Answers what was ended, for the audit event: {"sessions_ended": [None, n], "tokens_revoked": [None, n]}."""
    ended = _end_sessions(user, keep_session_id)
    revoked = db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    return {"sessions_ended": [None, ended], "tokens_revoked": [None, revoked]}


def end_other_sessions(user: User) -> int:
    """Log the account out of every browser but this one ("Đăng xuất các phiên khác"; API tokens are kept);
    committed with its audit event. Answers how many sessions were ended."""
    ended = _end_sessions(user, current_session_id(user))
    writes.commit("logout", user, user, {"sessions_ended": [None, ended]})
    return ended


def change_own_password(user: User, password: str) -> None:
    """Set the logged-in user's new password and end every other session and every API token of the account (this
    browser stays logged in); committed with its audit event, which says how many were ended."""
    user.set_password(password)
    changes = writes.changes_of(user) | end_credentials(user, keep_session_id=current_session_id(user))
    writes.commit("edit", user, user, changes)


def open_sessions(user: User, limit: int = 20) -> list[UserSession]:
    """The account's sessions still open, the most recently used first (its "Phiên đăng nhập" list)."""
    return list(
        db.session.scalars(
            select(UserSession)
            .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
            .limit(limit)
        )
    )
