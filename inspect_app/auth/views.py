"""Log in and log out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from .. import writes
from ..extensions import db
from ..domain.time import utcnow
from .forms import LoginForm, PasswordChangeForm
from .sessions import (
    change_own_password,
    current_session_id,
    end_other_sessions,
    end_session,
    open_sessions,
    start_session,
)
from .throttle import LoginRefused, check_credentials, check_current_password

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site paths are followed after login (no open redirect)."""
    if not target:
        return url_for("main.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("main.home")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = check_credentials(form.username.data, form.password.data, request.remote_addr or "?")
        except LoginRefused as refused:
            flash(refused.message, "error")
            status = refused.status
        else:
            remember = bool(form.remember.data)
            start_session(user, remember)
            user.last_login_at = utcnow()
            db.session.commit()
            login_user(user, remember=remember)
            return redirect(_safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    user = current_user._get_current_object()
    # The server-side session ends: a copy of the cookie (or of the remember cookie) no longer logs anyone in.
    end_session(current_session_id(user))
    writes.commit("logout", user, user)
    logout_user()
    flash("Bạn đã đăng xuất.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordChangeForm()
    user = current_user._get_current_object()
    status = 200
    if form.validate_on_submit():
        try:
            matches = check_current_password(user, form.current.data, request.remote_addr or "?")
        except LoginRefused as refused:
            form.current.errors.append(refused.message)
            status = refused.status
        else:
            if matches:
                change_own_password(user, form.new.data)
                flash(
                    "Đã đổi mật khẩu. Các phiên đăng nhập khác và mã truy cập API của tài khoản đã bị đăng xuất.",
                    "success",
                )
                return redirect(url_for("main.home"))
            form.current.errors.append("Mật khẩu hiện tại không đúng.")
            status = 422
    elif request.method == "POST":
        status = 422
    sessions = open_sessions(user)
    return (
        render_template(
            "auth/password.html", form=form, sessions=sessions, this_session=current_session_id(user)
        ),
        status,
    )


@bp.route("/account/sessions/end-others", methods=["POST"])
@login_required
def end_others():
    ended = end_other_sessions(current_user._get_current_object())
    flash(f"Đã đăng xuất {ended} phiên đăng nhập khác.", "success")
    return redirect(url_for("auth.change_password"))
