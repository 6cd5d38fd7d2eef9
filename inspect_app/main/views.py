"""Home page and health check."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template
from flask_login import current_user, login_required
from sqlalchemy import func, select

from ..access import scope_filter, visible_units
from ..extensions import db
from ..models import Market, Premise
from ..premises.state import state_expression
from ..web.errors import RETRY_AFTER_SECONDS
from .schema import SCHEMA_REVISION, missing_version_table, schema_is_older

bp = Blueprint("main", __name__)


SCHEMA_OLDER = (
    "Cơ sở dữ liệu chưa được nâng cấp cho phiên bản ứng dụng này: cần chạy flask --app wsgi db upgrade."
)


@bp.route("/healthz")
def healthz():
    """A real round trip to the database, which reads its schema revision; 503 when the database cannot be reached
    or its schema is older than this code (main/schema.py)."""
    unhealthy = None
    try:
        revision = db.session.execute(SCHEMA_REVISION).scalar()
    except Exception as error:  # noqa: BLE001 - any database failure means unhealthy
        db.session.rollback()
        unhealthy = SCHEMA_OLDER if missing_version_table(error) else "Không kết nối được cơ sở dữ liệu."
    else:
        if schema_is_older(revision, current_app.extensions["migrate"].directory):
            unhealthy = SCHEMA_OLDER
    if unhealthy:
        body = {"status": "error", "error": unhealthy}
        return jsonify(body), 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return jsonify({"status": "ok"})


@bp.route("/")
@login_required
def home():
    premises_by_status = dict(
        db.session.execute(
            select(Premise.status, func.count(Premise.id))
            .where(scope_filter(Premise))
            .group_by(Premise.status)
        ).all()
    )
    markets = db.session.scalar(select(func.count(Market.id)).where(scope_filter(Market)))
    # Fix-by requests not yet checked again (follow-ups), by whether their deadline has passed.
    state = state_expression()
    fixes = dict(
        db.session.execute(
            select(state, func.count(Premise.id))
            .where(scope_filter(Premise), Premise.status == "active", Premise.open_fix_deadline.is_not(None))
            .group_by(state)
        ).all()
    )
    return render_template(
        "home.html",
        user=current_user,
        units=visible_units(),
        premises_active=premises_by_status.get("active", 0),
        premises_closed=premises_by_status.get("closed", 0),
        markets=markets,
        fix_overdue=fixes.get("fix_overdue", 0),
        fix_pending=fixes.get("fix_pending", 0),
    )
