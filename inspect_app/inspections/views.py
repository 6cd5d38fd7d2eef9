"""Inspection pages for the desk: the list with filters and one inspection in full."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import login_required
from sqlalchemy import func, select

from ..access import get_or_404, scoped, visible_units
from ..checklists import load_catalogue
from ..domain.vocabulary import ANSWERS, HANDLING, INSPECTION_KINDS, REFERRAL_BODIES
from ..extensions import db
from ..domain.geo import FLAG_LABELS
from ..minutes.service import minutes_of
from ..domain.vocabulary import INSPECTION_STATUSES, MINUTES_STATUSES
from ..models import Inspection

bp = Blueprint("inspections", __name__)

PAGE_SIZE = 50


@bp.route("/inspections")
@login_required
def list_inspections():
    query = scoped(Inspection).join(Inspection.premise)
    filters = {key: request.args.get(key, "") for key in ("status", "kind", "outcome", "unit", "flagged")}
    if filters["status"] in INSPECTION_STATUSES:
        query = query.where(Inspection.status == filters["status"])
    if filters["kind"] in INSPECTION_KINDS:
        query = query.where(Inspection.kind == filters["kind"])
    if filters["outcome"] in HANDLING:
        query = query.where(Inspection.outcome == filters["outcome"])
    if filters["unit"].isdigit():
        query = query.where(Inspection.unit_id == int(filters["unit"]))
    if filters["flagged"]:
        query = query.where(Inspection.gps_flags != "")
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    page = max(1, request.args.get("page", 1, type=int) or 1)
    inspections = db.session.scalars(
        query.order_by(Inspection.started_at.desc(), Inspection.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return render_template(
        "inspections/list.html",
        inspections=inspections,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        filters=filters,
        units=visible_units(),
        statuses=INSPECTION_STATUSES,
        kinds=INSPECTION_KINDS,
        handling=HANDLING,
    )


@bp.route("/inspections/<int:inspection_id>")
@login_required
def inspection_detail(inspection_id: int):
    inspection = get_or_404(Inspection, inspection_id)
    catalogue = load_catalogue(inspection.catalogue_version)
    answered = {f.item_code: f for f in inspection.findings}
    groups = []
    for group in catalogue.groups:
        rows = [
            (item, answered.get(item.code))
            for item in group.items
            if item.applies_to(inspection.premise.premise_type)
        ]
        if rows:
            groups.append((group, rows))
    from .. import measurements

    follow_ups = db.session.scalars(
        scoped(Inspection).where(Inspection.follows_id == inspection.id).order_by(Inspection.started_at)
    ).all()
    return render_template(
        "inspections/detail.html",
        inspection=inspection,
        groups=groups,
        follow_ups=follow_ups,
        statuses=INSPECTION_STATUSES,
        kinds=INSPECTION_KINDS,
        handling=HANDLING,
        answers=ANSWERS,
        referral_bodies=REFERRAL_BODIES,
        flag_labels=FLAG_LABELS,
        minutes=minutes_of(inspection),
        minutes_statuses=MINUTES_STATUSES,
        readings=measurements.readings_of(inspection),
        lots=measurements.lots_of(inspection),
        auto_findings=measurements.automatic_findings(inspection),
    )
