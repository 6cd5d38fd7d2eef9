"""Inspection pages for the desk: the list with filters and one inspection in full."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..access import can, get_or_404, require, scoped, visible_units
from ..checklists import load_catalogue
from ..complaints.service import may_see_contact
from ..domain.vocabulary import COMPLAINT_SUBJECTS
from ..domain.vocabulary import ANSWERS, HANDLING, INSPECTION_KINDS, REFERRAL_BODIES
from ..extensions import db
from ..domain.geo import FLAG_LABELS
from ..minutes.service import minutes_of
from ..domain.vocabulary import INSPECTION_STATUSES, MINUTES_STATUSES
from ..models import Inspection
from ..web.paging import InvalidCursor
from ..domain.scope import indicative_note, marked_indicative
from ..domain.handling_rules import Failure, suggested_handling
from ..domain.errors import InvalidInput, Locked
from ..web.forms import int_or_none, submitted
from . import service
from .forms import DecisionForm, FindingForm
from .history import inspection_history
from .queries import finding_by_key, inspection_list_args, inspections_page, violation_summary

bp = Blueprint("inspections", __name__)

PAGE_SIZE = 50
# A filtered list is counted up to this many rows ("hơn 10.000"), so counting costs no more than a few pages.
COUNT_CAP = 10_000


@bp.route("/inspections")
@login_required
def list_inspections():
    listed = inspection_list_args(request.args)
    filters = listed.echo
    try:
        page = inspections_page(
            current_user,
            **listed.kwargs,
            after=request.args.get("after") or None,
            before=request.args.get("before") or None,
            limit=PAGE_SIZE,
            # The whole list is counted on its index; a filtered one up to the cap.
            count_cap=COUNT_CAP if any(filters.values()) else None,
        )
    except InvalidCursor:
        return redirect(url_for(".list_inspections", **filters))
    return render_template(
        "inspections/list.html",
        page=page,
        inspections=page.items,
        filters=filters,
        units=visible_units(),
        statuses=INSPECTION_STATUSES,
        kinds=INSPECTION_KINDS,
        handling=HANDLING,
    )


@bp.route("/inspections/<id:inspection_id>")
@login_required
def inspection_detail(inspection_id: int):
    inspection = get_or_404(Inspection, inspection_id)
    return _detail(inspection, _decision_choices(DecisionForm(obj=inspection), inspection))


def _decision_choices(form: DecisionForm, inspection: Inspection) -> DecisionForm:
    from ..decisions.service import usable_decisions

    form.decision_id.choices = [(None, "Không chọn — ghi tay bên dưới")] + [
        (
            d.id,
            f"Số {d.number_text} ngày {d.issued_on:%d/%m/%Y} ({d.period_from:%d/%m}–{d.period_to:%d/%m/%Y})",
        )
        for d in usable_decisions(inspection.unit_id, current_user)
    ]
    return form


@bp.route("/inspections/<id:inspection_id>/decision", methods=["POST"])
@login_required
def record_decision(inspection_id: int):
    """The decision that formed the team, printed in the biên bản's legal basis."""
    inspection = get_or_404(Inspection, inspection_id)
    require("minutes.issue")
    form = _decision_choices(DecisionForm(), inspection)
    if form.validate_on_submit():
        try:
            service.set_decision(
                inspection,
                form.decision_number.data or "",
                form.decision_date.data,
                form.decision_signer.data or "",
                current_user,
                decision_id=form.decision_id.data,
            )
        except Locked as exc:
            flash(exc.message, "error")
        except InvalidInput as exc:
            for name, message in exc.errors.items():
                getattr(form, name).errors = [message]
        else:
            flash("Đã lưu quyết định kiểm tra.", "success")
            return redirect(url_for(".inspection_detail", inspection_id=inspection.id))
    db.session.rollback()
    inspection = get_or_404(Inspection, inspection_id)
    return _detail(inspection, _decision_choices(form, inspection)), 422


def _being_corrected(inspection: Inspection, minutes: list):
    """The valid biên bản of an inspection reopened for a correction (None when there is none)."""
    if inspection.locked:
        return None
    return next((m for m in minutes if m.status == "valid"), None)


def _detail(inspection: Inspection, decision_form: DecisionForm):
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
    violations = violation_summary(inspection)
    suggestion = suggested_handling(
        Failure(item.fail_handling, finding.indicative)
        for _, rows in groups
        for item, finding in rows
        if finding is not None and finding.answer == "fail"
    )
    minutes = minutes_of(inspection)
    return render_template(
        "inspections/detail.html",
        inspection=inspection,
        violations=violations,
        suggestion=suggestion,
        indicative_failures=violations.indicative_failures,
        scope_notes={scope: indicative_note(scope) for scope in ("province", "referral")},
        marked_indicative=marked_indicative,
        indicative_note=indicative_note("province"),
        groups=groups,
        follow_ups=follow_ups,
        statuses=INSPECTION_STATUSES,
        kinds=INSPECTION_KINDS,
        handling=HANDLING,
        answers=ANSWERS,
        referral_bodies=REFERRAL_BODIES,
        flag_labels=FLAG_LABELS,
        minutes=minutes,
        correcting=_being_corrected(inspection, minutes),
        may_correct=can("finding.correct") and not inspection.locked,
        minutes_statuses=MINUTES_STATUSES,
        readings=measurements.readings_of(inspection, include_voided=True),
        lots=measurements.lots_of(inspection, include_voided=True),
        meter_checks=measurements.meter_checks_of(inspection),
        auto_findings=measurements.automatic_findings(inspection),
        decision_form=decision_form,
        complaint=inspection.complaint,
        show_complaint_contact=inspection.complaint is not None
        and may_see_contact(current_user, inspection.complaint),
        complaint_subjects=COMPLAINT_SUBJECTS,
    )


@bp.route("/findings/<finding_id>/edit", methods=["GET", "POST"])
@login_required
def edit_finding(finding_id: str):
    """A finding corrected at the desk with a reason: before the first biên bản, or once it is reopened for a
    correction (the replacement biên bản prints the corrected finding)."""
    finding = finding_by_key(finding_id)
    if finding is None:
        abort(404)
    require("finding.correct")
    inspection = finding.inspection
    form = FindingForm(obj=finding)
    if inspection.locked:
        status = 409 if request.method == "POST" else 200
    else:
        status = submitted(
            form,
            lambda: service.correct_finding(
                finding,
                {
                    "version": int_or_none(form.version.data),
                    "answer": form.answer.data,
                    "note": form.note.data,
                    "affected_count": form.affected_count.data,
                    "reason": form.reason.data,
                },
                current_user,
            ),
        )
    if status is None:
        flash(
            f"Đã sửa kết quả nội dung {finding.item_code}; lịch sử thay đổi ghi lại kết quả cũ, mới và lý do.",
            "success",
        )
        return redirect(
            url_for(".inspection_detail", inspection_id=inspection.id) + f"#item-{finding.item_code}"
        )
    item = load_catalogue(inspection.catalogue_version).get(finding.item_code)
    return render_template(
        "inspections/finding_form.html",
        form=form,
        finding=finding,
        inspection=inspection,
        item=item,
        answers=ANSWERS,
        correcting=_being_corrected(inspection, minutes_of(inspection)),
    ), status


@bp.route("/inspections/<id:inspection_id>/history")
@login_required
def inspection_history_page(inspection_id: int):
    inspection = get_or_404(Inspection, inspection_id)
    return render_template(
        "inspections/history.html", inspection=inspection, entries=inspection_history(inspection)
    )
