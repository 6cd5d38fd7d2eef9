"""Checking a username and password, with failed tries throttled in the database so it holds across workers."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from .. import writes
from ..extensions import db
from ..models import LoginAttempt, User
from ..domain.time import utcnow


class LoginRefused(Exception):
    """Wrong credentials (401) or too many failures (429); the message is Vietnamese."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def too_many_failures(
    username: str, ip: str, max_per_user: int, max_per_ip: int, window_minutes: int
) -> bool:
    since = utcnow() - timedelta(minutes=window_minutes)
    failed = select(func.count(LoginAttempt.id)).where(
        LoginAttempt.success.is_(False), LoginAttempt.at >= since
    )
    per_user = db.session.scalar(failed.where(LoginAttempt.username == username.lower()))
    per_ip = db.session.scalar(failed.where(LoginAttempt.ip == ip))
    return per_user >= max_per_user or per_ip >= max_per_ip


def record_attempt(username: str, ip: str, success: bool) -> None:
    db.session.add(LoginAttempt(username=username.lower()[:64], ip=ip[:64], success=success))
    db.session.commit()


def check_credentials(username: str, password: str, ip: str) -> User:
    """The active user with these credentials; LoginRefused otherwise. Every try is recorded."""
    username = username.strip().lower()
    cfg = current_app.config
    window = cfg["LOGIN_WINDOW_MINUTES"]
    if too_many_failures(
        username, ip, cfg["LOGIN_MAX_FAILURES_PER_USER"], cfg["LOGIN_MAX_FAILURES_PER_IP"], window
    ):
        raise LoginRefused(429, f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {window} phút.")
    user = db.session.scalars(select(User).where(func.lower(User.username) == username)).first()
    if user is None or not user.check_password(password) or not user.is_active:
        # Nobody is known to have acted: the account tried (if any) is the record, the name typed is kept.
        writes.log("login_failed", user, None, {"username": [None, username[:64]]}, record_type="users")
        record_attempt(username, ip, success=False)
        raise LoginRefused(401, "Tên đăng nhập hoặc mật khẩu không đúng.")
    writes.log("login", user, user)
    record_attempt(username, ip, success=True)
    return user
