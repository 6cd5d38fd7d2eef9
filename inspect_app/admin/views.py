"""Administration: accounts and administrative units."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..access import get_or_404, permission_required, scope_for, scoped, visible_units
from .. import writes
from ..auth.sessions import current_session_id, end_credentials
from ..extensions import db
from ..models import Premise, Province, Unit, User
from ..domain.minutes_rules import minutes_suffix
from .forms import UnitMinutesForm, UserForm, username_rule

USERNAME_TAKEN = "Tên đăng nhập này đã có người dùng."

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _homes() -> list[tuple[str, str]]:
    """Where an account may belong: the admin's own province(s) and their units."""
    scope = scope_for(current_user)
    provinces = db.session.scalars(scoped(Province).order_by(Province.name)).all()
    homes = []
    if scope.is_global:
        homes.append(("", "— Toàn hệ thống —"))
    for province in provinces:
        if scope.is_global or province.id in scope.province_ids:
            homes.append((f"province:{province.id}", f"Tỉnh {province.name}"))
    homes += [(f"unit:{u.id}", f"{u.name} ({u.province.name})") for u in visible_units()]
    return homes


def _home_value(user: User) -> str:
    if user.unit_id:
        return f"unit:{user.unit_id}"
    if user.province_id:
        return f"province:{user.province_id}"
    return ""


@bp.route("/users")
@permission_required("user.manage")
def list_users():
    users = db.session.scalars(scoped(User).order_by(User.role, User.username)).all()
    return render_template("admin/users.html", users=users)


def _save_user(form: UserForm, user: User) -> bool:
    username = username_rule(form.username.data)
    taken = db.session.scalar(
        select(User.id).where(func.lower(User.username) == username, User.id != (user.id or 0))
    )
    if taken:
        form.username.errors.append(USERNAME_TAKEN)
        return False
    unit_id, province_id = form.home_ids()
    was_active = bool(user.active) if user.id else False
    user.username = username
    user.full_name = form.full_name.data.strip()
    user.position = (form.position.data or "").strip()
    user.salutation = form.salutation.data or None
    user.role = form.role.data
    user.unit_id, user.province_id = unit_id, province_id
    user.active = bool(form.active.data)
    if form.password.data:
        user.set_password(form.password.data)
    if user.id == current_user.id and (not user.active or user.role != "admin"):
        form.role.errors.append("Không thể tự bỏ quyền quản trị hoặc tự khóa tài khoản của mình.")
        db.session.rollback()
        return False
    action = "edit" if user.id else "create"
    # Read before the flush, which forgets what changed: the role, the home, the state and (as "***") the password.
    changes = writes.changes_of(user)
    if action == "edit" and (form.password.data or (was_active and not user.active)):
        # A reset password or a locked account ends every session, remember-me cookie and API token of it (but
        # the administrator's own current session, when resetting their own password).
        keep = current_session_id(current_user) if user.id == current_user.id else None
        changes |= end_credentials(user, keep_session_id=keep)
    db.session.add(user)
    try:
        db.session.flush()
        writes.commit(action, user, current_user, changes or None)
    except IntegrityError as error:  # the same name saved at the same moment (a form sent twice, two admins)
        db.session.rollback()
        if not writes.is_unique_violation(error):
            raise
        form.username.errors.append(USERNAME_TAKEN)
        return False
    return True


@bp.route("/users/new", methods=["GET", "POST"])
@permission_required("user.manage")
def create_user():
    form = UserForm(homes=_homes(), password_required=True)
    if form.validate_on_submit() and _save_user(form, User()):
        flash("Đã tạo tài khoản.", "success")
        return redirect(url_for(".list_users"))
    return render_template("admin/user_form.html", form=form, user=None), 422 if form.errors else 200


@bp.route("/users/<id:user_id>/edit", methods=["GET", "POST"])
@permission_required("user.manage")
def edit_user(user_id: int):
    user = get_or_404(User, user_id)
    form = UserForm(obj=user, homes=_homes(), password_required=False)
    if request.method == "GET":
        form.home.data = _home_value(user)
        form.password.data = ""
    if form.validate_on_submit():
        with db.session.no_autoflush:
            if _save_user(form, user):
                flash("Đã lưu tài khoản.", "success")
                return redirect(url_for(".list_users"))
    return render_template("admin/user_form.html", form=form, user=user), 422 if form.errors else 200


@bp.route("/units")
@permission_required("unit.manage")
def list_units():
    units = visible_units()
    counts = dict(
        db.session.execute(
            select(Premise.unit_id, func.count(Premise.id))
            .where(Premise.unit_id.in_([u.id for u in units]))
            .group_by(Premise.unit_id)
        ).all()
    )
    return render_template("admin/units.html", units=units, counts=counts)


@bp.route("/units/<id:unit_id>")
@permission_required("unit.manage")
def unit_detail(unit_id: int):
    unit = get_or_404(Unit, unit_id)
    return _unit_page(unit, UnitMinutesForm(obj=unit))


@bp.route("/units/<id:unit_id>/public-stall-page", methods=["POST"])
@permission_required("unit.manage")
def unit_public_stall_page(unit_id: int):
    """Turn the unit's public stall pages (and their QR stickers) on or off; off answers 404 on every sticker."""
    unit = get_or_404(Unit, unit_id)
    unit.public_stall_page = request.form.get("public_stall_page") == "1"
    writes.commit("edit", unit, current_user)
    flash(
        "Đã bật trang công khai của cơ sở."
        if unit.public_stall_page
        else "Đã tắt trang công khai của cơ sở.",
        "success",
    )
    return redirect(url_for(".unit_detail", unit_id=unit.id))


@bp.route("/units/<id:unit_id>/minutes-suffix", methods=["POST"])
@permission_required("unit.manage")
def unit_minutes_suffix(unit_id: int):
    """The ký hiệu of the unit's biên bản numbers from now on; issued ones keep theirs."""
    unit = get_or_404(Unit, unit_id)
    form = UnitMinutesForm()
    if not form.validate_on_submit():
        return _unit_page(unit, form), 422
    unit.minutes_suffix = minutes_suffix(form.minutes_suffix.data)
    writes.commit("edit", unit, current_user)
    flash(f"Đã lưu ký hiệu biên bản: các biên bản lập từ nay có số dạng 01/{unit.minutes_suffix}.", "success")
    return redirect(url_for(".unit_detail", unit_id=unit.id))


def _unit_page(unit: Unit, form: UnitMinutesForm):
    users = db.session.scalars(select(User).where(User.unit_id == unit.id).order_by(User.username)).all()
    return render_template("admin/unit_detail.html", unit=unit, users=users, form=form)
