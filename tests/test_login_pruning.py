"""The login bookkeeping does not grow forever: `flask sessions prune` (and the worker, hourly) deletes the sessions
no cookie can use and the login tries the throttle no longer reads, and keeps what it still needs."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from inspect_app.domain.time import utcnow
from inspect_app.extensions import db
from inspect_app.jobs.worker import Worker
from inspect_app.models import LoginAttempt, UserSession
from tests.test_sessions_and_credentials import _log_in, _me


def _session(
    user, key: str, *, seen_ago: timedelta, made_ago: timedelta | None = None, remember=False, ended=False
):
    now = utcnow()
    row = UserSession(
        user_id=user.id,
        key_hash=key.ljust(64, "0"),
        created_at=now - (made_ago or seen_ago),
        last_seen_at=now - seen_ago,
        remember=remember,
        revoked_at=now - seen_ago if ended else None,
    )
    db.session.add(row)
    return row


def _attempt(username: str, ip: str, success: bool, ago: timedelta) -> None:
    db.session.add(LoginAttempt(username=username, ip=ip, success=success, at=utcnow() - ago))


def _keys() -> set[str]:
    db.session.expire_all()
    return {row.key_hash[:12] for row in db.session.scalars(select(UserSession))}


def _tries() -> set[tuple[str, bool]]:
    db.session.expire_all()
    return {(row.ip, row.success) for row in db.session.scalars(select(LoginAttempt))}


def test_ended_and_expired_sessions_are_pruned_and_live_ones_kept(app, client, runner, world):
    user = world.users["inspector"]
    assert _log_in(client, user).status_code == 302  # a live session, in use
    lifetime = timedelta(seconds=app.config["PERMANENT_SESSION_LIFETIME"])
    _session(user, "ended-today-", seen_ago=timedelta(minutes=1), ended=True)
    _session(user, "browser-old-", seen_ago=lifetime + timedelta(hours=1))
    _session(user, "browser-live", seen_ago=lifetime - timedelta(hours=1))
    _session(user, "remember-old", seen_ago=timedelta(days=370), remember=True)
    # Remembered a year ago but used this morning: its session cookie (restored from the remember cookie) lives.
    _session(user, "remember-use", seen_ago=timedelta(hours=1), made_ago=timedelta(days=370), remember=True)
    _session(user, "remember-idl", seen_ago=timedelta(days=200), remember=True)
    db.session.commit()
    before = _keys()

    result = runner.invoke(args=["sessions", "prune"])

    assert result.exit_code == 0, result.output
    assert "Đã xóa 3 phiên đăng nhập" in result.output
    assert before - _keys() == {"ended-today-", "browser-old-", "remember-old"}
    assert {"browser-live", "remember-use", "remember-idl"} <= _keys()
    # The browser logged in keeps working.
    assert _me(client) == 200


def test_old_login_tries_are_pruned_and_those_the_throttle_reads_kept(app, runner, world):
    window = timedelta(minutes=app.config["LOGIN_WINDOW_MINUTES"])
    known = timedelta(days=app.config["LOGIN_KNOWN_ADDRESS_DAYS"])
    name = world.users["inspector"].username
    _attempt(name, "failed-old", False, window + timedelta(minutes=1))
    _attempt(name, "failed-new", False, window - timedelta(minutes=1))
    _attempt(name, "success-old", True, known + timedelta(days=1))
    _attempt(name, "success-new", True, known - timedelta(days=1))
    db.session.commit()

    result = runner.invoke(args=["sessions", "prune"])

    assert result.exit_code == 0, result.output
    assert "và 1" not in result.output and "2 lượt đăng nhập cũ" in result.output
    assert _tries() == {("failed-new", False), ("success-new", True)}


def test_the_throttle_still_holds_after_pruning(app, client, runner, world):
    """Failures within the window still lock the username from that address, and an address the account logged in
    from within LOGIN_KNOWN_ADDRESS_DAYS is still known; an address known only from before that is not."""
    typist, guessed = world.users["staff"], world.users["inspector"]
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_USER_AND_IP"]):
        assert _log_in(client, typist, "go-nham", address="203.0.113.5").status_code == 401
    known = timedelta(days=app.config["LOGIN_KNOWN_ADDRESS_DAYS"])
    _attempt(
        guessed.username, "192.0.2.10", True, known - timedelta(days=1)
    )  # the usual address, still known
    _attempt(guessed.username, "192.0.2.99", True, known + timedelta(days=1))  # known once, too long ago
    db.session.commit()
    for n in range(app.config["LOGIN_MAX_FAILURES_PER_USER"]):
        assert _log_in(client, guessed, "doan-mo", address=f"198.18.0.{n + 1}").status_code == 401

    assert runner.invoke(args=["sessions", "prune"]).exit_code == 0

    assert _log_in(client, typist, address="203.0.113.5").status_code == 429
    assert _log_in(client, guessed, address="192.0.2.99").status_code == 429
    assert _log_in(client, guessed, address="192.0.2.10").status_code == 302


def test_the_worker_prunes_when_idle(app, world):
    user = world.users["inspector"]
    _session(user, "ended-worker", seen_ago=timedelta(days=2), ended=True)
    _attempt(user.username, "failed-old", False, timedelta(days=2))
    db.session.commit()
    Worker(app, poll_seconds=0).run(once=True)
    assert "ended-worker" not in _keys() and _tries() == set()
