"""Log in and log out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from .. import writes
from ..extensions import db
from ..domain.time import utcnow
from .forms import LoginForm, PasswordChangeForm
from .throttle import LoginRefused, check_credentials

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
            user.last_login_at = utcnow()
            db.session.commit()
            login_user(user, remember=bool(form.remember.data))
            return redirect(_safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    writes.commit("logout", current_user._get_current_object(), current_user._get_current_object())
    logout_user()
    flash("Bạn đã đăng xuất.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordChangeForm()
    status = 200
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append("Mật khẩu hiện tại không đúng.")
            status = 422
        else:
            current_user.set_password(form.new.data)
            writes.commit("edit", current_user._get_current_object(), current_user._get_current_object())
            flash("Đã đổi mật khẩu.", "success")
            return redirect(url_for("main.home"))
    elif request.method == "POST":
        status = 422
    return render_template("auth/password.html", form=form), status
