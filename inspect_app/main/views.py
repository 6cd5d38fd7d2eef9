"""Home page and health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask_login import current_user, login_required
from sqlalchemy import func, select, text

from ..access import scope_filter, visible_units
from ..extensions import db
from ..models import Market, Premise
from ..premises.state import state_expression
from ..web.errors import RETRY_AFTER_SECONDS

bp = Blueprint("main", __name__)


@bp.route("/healthz")
def healthz():
    """A real round trip to the database; 503 when it cannot be reached."""
    try:
        db.session.execute(text("SELECT 1")).scalar_one()
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        db.session.rollback()
        body = {"status": "error", "error": "Không kết nối được cơ sở dữ liệu."}
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
