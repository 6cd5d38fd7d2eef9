"""Checking a username and password, with failed tries throttled in the database so it holds across workers.

Three limits within LOGIN_WINDOW_MINUTES, each counting failed tries:

- per username from one address (LOGIN_MAX_FAILURES_PER_USER_AND_IP): one person's typos lock that username from
  that address, and nobody else in a ward office behind the same NAT address;
- per address (LOGIN_MAX_FAILURES_PER_IP), much higher: one address guessing across many usernames;
- per username from every address (LOGIN_MAX_FAILURES_PER_USER): a username guessed from many addresses. So that
  an attacker cannot lock a real user out with it, it does not apply from an address the account has logged in from
  successfully within LOGIN_KNOWN_ADDRESS_DAYS (the user's office or home), where the first limit still holds.

Each try is recorded, as a failure, in its own committed transaction *before* the password is checked, and the
limits count the failures including it. Of concurrent tries, the k-th to commit sees at least k rows, so no more than
the limit are ever checked, on SQLite and PostgreSQL alike; a refused try deletes its row (a user retrying while
locked does not prolong the lock), a right password turns its row into a success. A try refused only because other
tries of the last seconds are still being checked (a double-clicked button, several phones of one account) waits up
to IN_FLIGHT_WAIT_SECONDS for them to settle: the right ones turn into successes and it goes on; if the failures
still pass the limit, it is refused.

The password is checked with the same work whether the username exists or not: an unknown name is checked against a
dummy hash made with the configured method and cost.
"""

from __future__ import annotations

import secrets
import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, case, func, or_, select
from werkzeug.security import check_password_hash, generate_password_hash

from .. import writes
from ..access import act_as_system, act_for
from ..extensions import db
from ..models import LoginAttempt, User
from ..domain.time import utcnow

_DUMMY_HASHES: dict[str, str] = {}
# How long a try over the limit waits for the tries still being checked, and how recent those are.
IN_FLIGHT_WAIT_SECONDS = 5.0
IN_FLIGHT_SECONDS = 15


class LoginRefused(Exception):
    """Wrong credentials (401) or too many failures (429); the message is Vietnamese."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def dummy_hash() -> str:
    """A hash of a random secret with the configured method, checked when the username is unknown."""
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash(secrets.token_hex(16), method=method)
    return _DUMMY_HASHES[method]


def _sum(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def too_many_failures(username: str, ip: str, up_to_id: int | None = None) -> bool:
    """Whether the failed tries in the window (the current one included) pass any limit; with ``up_to_id``, only
    the tries recorded up to that one count (tries waiting for each other go in the order they were recorded)."""
    cfg = current_app.config
    since = utcnow() - timedelta(minutes=cfg["LOGIN_WINDOW_MINUTES"])
    same_user = LoginAttempt.username == username
    same_ip = LoginAttempt.ip == ip
    pair, per_user, per_ip = db.session.execute(
        select(_sum(and_(same_user, same_ip)), _sum(same_user), _sum(same_ip)).where(
            LoginAttempt.success.is_(False),
            LoginAttempt.at >= since,
            or_(same_user, same_ip),
            LoginAttempt.id <= up_to_id if up_to_id is not None else True,
        )
    ).one()
    if pair > cfg["LOGIN_MAX_FAILURES_PER_USER_AND_IP"] or per_ip > cfg["LOGIN_MAX_FAILURES_PER_IP"]:
        return True
    if per_user > cfg["LOGIN_MAX_FAILURES_PER_USER"]:
        return not _known_address(username, ip)
    return False


def _known_address(username: str, ip: str) -> bool:
    since = utcnow() - timedelta(days=current_app.config["LOGIN_KNOWN_ADDRESS_DAYS"])
    return (
        db.session.scalar(
            select(LoginAttempt.id)
            .where(
                LoginAttempt.username == username,
                LoginAttempt.ip == ip,
                LoginAttempt.success.is_(True),
                LoginAttempt.at >= since,
            )
            .limit(1)
        )
        is not None
    )


def _others_in_flight(attempt: LoginAttempt) -> bool:
    """Whether other tries of this username or address began in the last seconds (they may still be checked)."""
    since = utcnow() - timedelta(seconds=IN_FLIGHT_SECONDS)
    return (
        db.session.scalar(
            select(LoginAttempt.id)
            .where(
                LoginAttempt.id != attempt.id,
                LoginAttempt.success.is_(False),
                LoginAttempt.at >= since,
                or_(LoginAttempt.username == attempt.username, LoginAttempt.ip == attempt.ip),
            )
            .limit(1)
        )
        is not None
    )


def _begin_attempt(username: str, ip: str) -> LoginAttempt:
    """Record the try as a failure and commit it, then refuse it (429) if the failures now pass a limit."""
    attempt = LoginAttempt(username=username[:64], ip=ip[:64], success=False)
    db.session.add(attempt)
    db.session.commit()
    deadline = time.monotonic() + IN_FLIGHT_WAIT_SECONDS
    up_to_id = None  # the first count takes every try; after a pause, every earlier try is surely visible
    while too_many_failures(attempt.username, attempt.ip, up_to_id):
        if time.monotonic() < deadline and _others_in_flight(attempt):
            db.session.commit()  # ends the read, so the next count sees the tries settled meanwhile
            time.sleep(0.1)
            up_to_id = attempt.id
            continue
        db.session.delete(attempt)
        db.session.commit()
        window = current_app.config["LOGIN_WINDOW_MINUTES"]
        raise LoginRefused(429, f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {window} phút.")
    return attempt


def check_credentials(username: str, password: str, ip: str) -> User:
    """The active user with these credentials; LoginRefused otherwise. Every try is recorded."""
    username = username.strip().lower()
    attempt = _begin_attempt(username, ip)
    user = db.session.scalars(select(User).where(func.lower(User.username) == username)).first()
    matches = check_password_hash(user.password_hash if user is not None else dummy_hash(), password)
    if user is None or not matches or not user.is_active:
        # Nobody is known to have acted: the account tried (if any) is the record, the name typed is kept. The
        # event belongs to that account's unit, which nobody's scope covers yet: the login writes it as the system.
        act_as_system()
        writes.log("login_failed", user, None, {"username": [None, username[:64]]}, record_type="users")
        db.session.commit()
        raise LoginRefused(401, "Tên đăng nhập hoặc mật khẩu không đúng.")
    attempt.success = True
    act_for(user)
    writes.log("login", user, user)
    db.session.commit()
    return user


def check_current_password(user: User, password: str, ip: str) -> bool:
    """Whether ``password`` is the logged-in user's own (asked before changing it). Counted and limited like a
    login, under the account's username: LoginRefused(429) when too many have failed."""
    attempt = _begin_attempt(user.username.lower(), ip)
    if not check_password_hash(user.password_hash, password):
        writes.log(
            "login_failed",
            user,
            user,
            {"username": [None, attempt.username], "form": [None, "password_change"]},
        )
        db.session.commit()
        return False
    attempt.success = True
    db.session.commit()
    return True
