"""Pruning the login bookkeeping, which otherwise grows with every login and every try (`flask sessions prune`, and
the background worker at most once an hour).

- ``user_sessions``: a row that was ended (logged out, revoked) lets nobody in, whether it is kept or not; a row
  never ended lets nobody in once both of its cookies are dead. The session cookie is signed with its time and
  refused after PERMANENT_SESSION_LIFETIME; it is signed again at most at a request, and a request stamps
  ``last_seen_at`` unless it was stamped less than ``sessions.LAST_SEEN_EVERY`` before. The remember-me cookie is set
  at login and lasts REMEMBER_COOKIE_DURATION. So a row is deleted once it was ended, or once its last use is older
  than the session lifetime (plus the stamping interval) and, if it was remembered, its login older than the
  remember duration.
- ``login_attempts``: the throttle counts failures of the last LOGIN_WINDOW_MINUTES (and of the last seconds for
  the tries still in flight), and a known address is one with a success in the last LOGIN_KNOWN_ADDRESS_DAYS. Older
  failures and older successes count for nothing and are deleted. Raising either setting later cannot bring back
  what was pruned: until the new window has passed the throttle sees less history.

Two DELETE statements, each one transaction; no audit event (nothing a person did is changed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import and_, delete, not_, or_

from ..domain.time import utcnow
from ..extensions import db
from ..models import LoginAttempt, UserSession
from .sessions import LAST_SEEN_EVERY
from .throttle import IN_FLIGHT_SECONDS

# flask-login's default when REMEMBER_COOKIE_DURATION is not set.
DEFAULT_REMEMBER = timedelta(days=365)


@dataclass(frozen=True)
class Pruned:
    sessions: int
    attempts: int


def _duration(value, default: timedelta) -> timedelta:
    if value is None:
        return default
    return value if isinstance(value, timedelta) else timedelta(seconds=int(value))


def prune_login_records(now: datetime | None = None) -> Pruned:
    """Delete the sessions no cookie can use any more and the login tries the throttle no longer reads."""
    cfg = current_app.config
    now = now or utcnow()
    lifetime = _duration(cfg.get("PERMANENT_SESSION_LIFETIME"), timedelta(days=31))
    remember = _duration(cfg.get("REMEMBER_COOKIE_DURATION"), DEFAULT_REMEMBER)
    window = timedelta(minutes=cfg["LOGIN_WINDOW_MINUTES"])
    sessions = db.session.execute(
        delete(UserSession)
        .where(
            or_(
                UserSession.revoked_at.is_not(None),
                and_(
                    UserSession.last_seen_at < now - lifetime - LAST_SEEN_EVERY,
                    or_(not_(UserSession.remember), UserSession.created_at < now - remember),
                ),
            )
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    attempts = db.session.execute(
        delete(LoginAttempt)
        .where(
            or_(
                and_(
                    LoginAttempt.success.is_(False),
                    LoginAttempt.at < now - max(window, timedelta(seconds=IN_FLIGHT_SECONDS)),
                ),
                and_(
                    LoginAttempt.success.is_(True),
                    LoginAttempt.at < now - timedelta(days=cfg["LOGIN_KNOWN_ADDRESS_DAYS"]),
                ),
            )
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return Pruned(sessions=sessions, attempts=attempts)


sessions_cli = AppGroup("sessions", help="Phiên đăng nhập và lượt đăng nhập đã ghi: dọn dẹp.")


@sessions_cli.command("prune")
def prune_command():
    """Delete ended or expired sessions and the login tries the throttle no longer needs (run by the worker
    hourly; from cron where no worker runs)."""
    pruned = prune_login_records()
    click.echo(
        f"Đã xóa {pruned.sessions} phiên đăng nhập đã kết thúc hoặc hết hạn "
        f"và {pruned.attempts} lượt đăng nhập cũ."
    )
