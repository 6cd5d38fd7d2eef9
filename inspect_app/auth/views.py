"""Log in and log out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select

from ..extensions import db
from ..models import User
from ..models.base import utcnow
from .forms import LoginForm
from .throttle import record_attempt, too_many_failures

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
        username = form.username.data.strip().lower()
        ip = request.remote_addr or "?"
        cfg = current_app.config
        if too_many_failures(
            username,
            ip,
            cfg["LOGIN_MAX_FAILURES_PER_USER"],
            cfg["LOGIN_MAX_FAILURES_PER_IP"],
            cfg["LOGIN_WINDOW_MINUTES"],
        ):
            flash(
                f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {cfg['LOGIN_WINDOW_MINUTES']} phút.",
                "error",
            )
            return render_template("auth/login.html", form=form), 429
        user = db.session.scalars(select(User).where(func.lower(User.username) == username)).first()
        if user is None or not user.check_password(form.password.data) or not user.is_active:
            record_attempt(username, ip, success=False)
            flash("Tên đăng nhập hoặc mật khẩu không đúng.", "error")
            status = 401
        else:
            record_attempt(username, ip, success=True)
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
    logout_user()
    flash("Bạn đã đăng xuất.", "info")
    return redirect(url_for("auth.login"))
