"""The complaints register at the desk: the paged list with filters, a new complaint, one complaint with its
actions (assign, resolve, "đã báo kết quả", the inspection theo phản ánh)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..access import can, get_or_404, permission_required, visible_units
from ..domain.complaint_rules import is_open, is_overdue
from ..domain.errors import InvalidInput
from ..domain.time import today_vn
from ..domain.vocabulary import (
    COMPLAINT_CHANNELS,
    COMPLAINT_REFERRAL_BODIES,
    COMPLAINT_RESOLUTIONS,
    COMPLAINT_STATUSES,
    COMPLAINT_SUBJECTS,
    INSPECTION_STATUSES,
)
from ..extensions import db
from ..models import Complaint, Premise
from ..web.forms import SENT_BEFORE, int_or_none, uuid_or_new
from ..web.paging import InvalidCursor
from . import service
from .forms import AssignForm, ComplaintForm, InformForm, ResolveForm
from .queries import complaint_list_args, complaints_page, register_counts

bp = Blueprint("complaints", __name__)

PAGE_SIZE = 50


@bp.route("/complaints")
@login_required
def list_complaints():
    listed = complaint_list_args(request.args)
    try:
        page = complaints_page(
            current_user,
            **listed.kwargs,
            after=request.args.get("after") or None,
            before=request.args.get("before") or None,
            limit=PAGE_SIZE,
        )
    except InvalidCursor:
        return redirect(url_for(".list_complaints", **listed.echo))
    return render_template(
        "complaints/list.html",
        page=page,
        filters=listed.echo,
        counts=register_counts(current_user),
        today=today_vn(),
        is_overdue=is_overdue,
        statuses=COMPLAINT_STATUSES,
        channels=COMPLAINT_CHANNELS,
        subjects=COMPLAINT_SUBJECTS,
    )


def _new_form(form: ComplaintForm, premise: Premise | None):
    units = visible_units()
    form.unit_id.choices = [(u.id, u.name) for u in units]
    return render_template("complaints/new.html", form=form, premise=premise, choose_unit=len(units) > 1)


@bp.route("/complaints/new", methods=["GET", "POST"])
@permission_required("complaint.record")
def new_complaint():
    form = ComplaintForm()
    premise_id = int_or_none(form.premise_id.data if form.is_submitted() else request.args.get("premise_id"))
    premise = get_or_404(Premise, premise_id) if premise_id else None
    if not form.is_submitted():
        form.premise_id.data = premise.id if premise else ""
        form.received_on.data = today_vn()
        form.unit_id.data = premise.unit_id if premise else current_user.unit_id
        return _new_form(form, premise)
    if form.validate():
        try:
            complaint = service.create_complaint(
                service.NewComplaint(
                    unit_id=form.unit_id.data,
                    premise_id=premise.id if premise else None,
                    address=form.address.data or "",
                    received_on=form.received_on.data,
                    channel=form.channel.data,
                    subject=form.subject.data,
                    content=form.content.data or "",
                    complainant_name=form.complainant_name.data or "",
                    complainant_contact=form.complainant_contact.data or "",
                    uuid=form.new_uuid(),
                ),
                current_user,
            )
        except InvalidInput as exc:
            _show_errors(form, exc)
        else:
            flash("Đã ghi nhận phản ánh.", "success")
            return redirect(url_for(".complaint_detail", complaint_id=complaint.id))
    db.session.rollback()
    return _new_form(form, premise), 422


def _show_errors(form, exc: InvalidInput) -> None:
    for name, message in exc.errors.items():
        field = getattr(form, name, None)
        if field is None:
            flash(message, "error")
        else:
            field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]


def _detail(complaint: Complaint, *, assign=None, resolve=None, inform=None, status: int = 200):
    assign = assign or AssignForm(
        formdata=None, assignee_id=complaint.assignee_id, deadline=complaint.deadline
    )
    resolve = resolve or ResolveForm(formdata=None, resolved_on=today_vn())
    inform = inform or InformForm(formdata=None, informed_on=today_vn())
    inspections = service.answering_inspections(complaint, current_user)
    assign.assignee_id.choices = [
        (u.id, f"{u.full_name} — {u.role_label}") for u in service.assignees(complaint, current_user)
    ]
    resolve.inspection_id.choices = [
        (i.id, f"Số {i.id} — {i.started_at:%d/%m/%Y} — {INSPECTION_STATUSES[i.status]}") for i in inspections
    ]
    page = render_template(
        "complaints/detail.html",
        complaint=complaint,
        show_contact=service.may_see_contact(current_user, complaint),
        overdue=is_overdue(complaint.status, complaint.deadline, today_vn()),
        is_open=is_open(complaint.status),
        inspections=inspections,
        cited=next((i for i in inspections if i.id == complaint.resolution_inspection_id), None),
        assign_form=assign,
        resolve_form=resolve,
        inform_form=inform,
        statuses=COMPLAINT_STATUSES,
        channels=COMPLAINT_CHANNELS,
        subjects=COMPLAINT_SUBJECTS,
        resolutions=COMPLAINT_RESOLUTIONS,
        bodies=COMPLAINT_REFERRAL_BODIES,
        inspection_statuses=INSPECTION_STATUSES,
        may_assign=can("complaint.assign"),
        may_record=can("complaint.record"),
        # The UUID of the inspection "Tạo cuộc kiểm tra theo phản ánh" makes: pressed twice, it makes one.
        inspection_uuid=uuid_or_new(None),
    )
    return page, status


@bp.route("/complaints/<id:complaint_id>")
@login_required
def complaint_detail(complaint_id: int):
    return _detail(get_or_404(Complaint, complaint_id))


def _refused(complaint_id: int, **forms):
    db.session.rollback()
    return _detail(get_or_404(Complaint, complaint_id), **forms, status=422)


@bp.route("/complaints/<id:complaint_id>/assign", methods=["POST"])
@permission_required("complaint.assign")
def assign(complaint_id: int):
    complaint = get_or_404(Complaint, complaint_id)
    form = AssignForm()
    if form.validate():
        try:
            service.assign(complaint, form.assignee_id.data, form.deadline.data, current_user)
        except InvalidInput as exc:
            _show_errors(form, exc)
        else:
            flash("Đã giao xử lý phản ánh.", "success")
            return redirect(url_for(".complaint_detail", complaint_id=complaint.id))
    return _refused(complaint_id, assign=form)


@bp.route("/complaints/<id:complaint_id>/resolve", methods=["POST"])
@permission_required("complaint.record")
def resolve(complaint_id: int):
    complaint = get_or_404(Complaint, complaint_id)
    form = ResolveForm()
    if form.validate():
        try:
            service.resolve(
                complaint,
                resolution=form.resolution.data,
                resolved_on=form.resolved_on.data,
                inspection_id=form.inspection_id.data,
                referral_body=form.referral_body.data or None,
                note=form.note.data or "",
                user=current_user,
            )
        except InvalidInput as exc:
            _show_errors(form, exc)
        else:
            flash("Đã ghi nhận kết quả giải quyết phản ánh.", "success")
            return redirect(url_for(".complaint_detail", complaint_id=complaint.id))
    return _refused(complaint_id, resolve=form)


@bp.route("/complaints/<id:complaint_id>/inform", methods=["POST"])
@permission_required("complaint.record")
def inform(complaint_id: int):
    complaint = get_or_404(Complaint, complaint_id)
    form = InformForm()
    if form.validate():
        try:
            service.mark_informed(
                complaint, form.informed_on.data, form.informed_note.data or "", current_user
            )
        except InvalidInput as exc:
            _show_errors(form, exc)
        else:
            flash("Đã ghi nhận việc báo kết quả cho người phản ánh.", "success")
            return redirect(url_for(".complaint_detail", complaint_id=complaint.id))
    return _refused(complaint_id, inform=form)


@bp.route("/complaints/<id:complaint_id>/inspection", methods=["POST"])
@permission_required("inspection.edit")
def start_inspection(complaint_id: int):
    """A draft inspection theo phản ánh of the complaint's premise, opened at once."""
    complaint = get_or_404(Complaint, complaint_id)
    try:
        inspection, created = service.start_inspection(
            complaint, current_user, uuid_or_new(request.form.get("uuid"))
        )
    except InvalidInput as exc:
        db.session.rollback()
        for message in exc.errors.values():
            flash(message, "error")
        return _detail(get_or_404(Complaint, complaint_id), status=422)
    flash("Đã tạo cuộc kiểm tra theo phản ánh." if created else SENT_BEFORE, "success" if created else "info")
    return redirect(url_for("inspections.inspection_detail", inspection_id=inspection.id))
