"""Ward staff tools for the biên bản: issue, list by day and status, download, print, batch print, correct, revoke.
The public verification page that a printed QR code opens is the public blueprint's."""

from __future__ import annotations

import base64
import hmac
from datetime import date

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..access import get_or_404, require, scoped
from ..extensions import db
from ..domain.vocabulary import MINUTES_STATUSES
from ..models import Inspection, Minutes
from ..domain.errors import RuleError
from ..domain.minutes_rules import salutation_code
from ..web.paging import InvalidCursor
from ..decisions import notices as notice_service
from ..domain.vocabulary import NOTICE_KINDS
from ..audit.service import log_download
from . import service
from ..jobs.kinds import minutes_print_params
from ..jobs.queue import enqueue
from ..jobs.service import queued
from .batch import batch_period, count_batch, nothing_to_print
from .queries import counts_by_day, minutes_list_args, minutes_page
from .forms import DayForm, IssueForm, ReasonForm, signature_png

bp = Blueprint("minutes", __name__)

PAGE_SIZE = 50


def _pdf(content: bytes, filename: str) -> Response:
    return Response(
        content,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )


NOT_PREVIEWED = (
    "Biên bản chưa được xem trước đúng với nội dung này (có mục đã thay đổi sau lần xem trước). Hãy bấm "
    "“Xem trước biên bản”, đọc lại bản xem trước rồi mới bấm “Lập và khóa”. Chưa có gì được lưu, chưa lấy số."
)


def _issue_request(form: IssueForm) -> service.IssueRequest:
    return service.IssueRequest(
        representative_name=form.representative_name.data,
        representative_position=form.representative_position.data or "",
        representative_id_number=form.representative_id_number.data or "",
        representative_statement=form.representative_statement.data or "",
        copies=form.copies.data,
        include_photos=bool(form.include_photos.data),
        business_signature=signature_png(form.business_signature.data),
        recorder_signature=signature_png(form.recorder_signature.data),
        leader_signature=signature_png(form.leader_signature.data),
        representative_salutation=salutation_code(form.representative_salutation.data),
        legal=form.legal_details(),
        recorder_member_id=form.recorder_member_id(),
    )


@bp.route("/inspections/<id:inspection_id>/minutes/new", methods=["GET", "POST"])
@login_required
def issue(inspection_id: int):
    """First "Xem trước biên bản": the PDF as it would be issued, marked, with no number; only then "Lập và khóa",
    which issues exactly what was previewed."""
    inspection = get_or_404(Inspection, inspection_id)
    require("minutes.issue")
    if request.method == "GET" and inspection.status != "completed":
        # The form is offered only where the inspection page offers it: Back or a second tab after issuing lands
        # on the biên bản that was issued, not on a form that would be refused (a form sent anyway is refused).
        return _not_issuable(inspection)
    form = IssueForm(
        inspected_on=service.inspected_on(inspection), recorders=service.recorder_choices(inspection)
    )
    if request.method == "GET":
        form.representative_name.data = inspection.premise.owner_name
        form.representative_position.data = "Chủ cơ sở"
    error, preview = None, None
    if form.validate_on_submit():
        digest = form.inputs_digest(inspection)
        try:
            if request.form.get("action") == "issue":
                if not hmac.compare_digest((form.preview_digest.data or "").encode(), digest.encode()):
                    raise service.MinutesError(NOT_PREVIEWED)
                minutes = service.issue_minutes(inspection, _issue_request(form), current_user)
                flash(f"Đã lập Biên bản số {minutes.label}.", "success")
                return redirect(url_for(".detail", minutes_id=minutes.id))
            preview = base64.b64encode(service.preview_pdf(inspection, _issue_request(form), current_user))
        except service.AlreadyIssued:
            # "Lập và khóa" sent twice (a double click, two clerks): the biên bản issued by the first.
            return _not_issuable(inspection)
        except (service.MinutesError, RuleError) as exc:
            error = str(exc)
        else:
            form.preview_digest.data = digest
    if preview is None:
        form.preview_digest.data = ""
    status = 422 if (form.errors or error) else 200
    page = render_template(
        "minutes/issue.html",
        form=form,
        inspection=inspection,
        error=error,
        preview=preview.decode("ascii") if preview else None,
    )
    # Never kept for Back: once issued, going back must ask the server (and land on the biên bản).
    return page, status, {"Cache-Control": "no-store"}


def _not_issuable(inspection: Inspection) -> Response:
    current = next((m for m in service.minutes_of(inspection) if m.status == "valid"), None)
    if inspection.status == "minutes_issued" and current is not None:
        flash(
            f"Cuộc kiểm tra này đã có Biên bản số {current.label} có hiệu lực. Muốn sửa, dùng “Đính chính” bên dưới.",
            "warning",
        )
        return redirect(url_for(".detail", minutes_id=current.id))
    flash("Chỉ lập biên bản cho cuộc kiểm tra đã hoàn thành.", "warning")
    return redirect(url_for("inspections.inspection_detail", inspection_id=inspection.id))


@bp.route("/minutes")
@login_required
def list_minutes():
    listed = minutes_list_args(request.args)
    if "day" in listed.errors:
        flash(listed.errors["day"], "error")
    status = listed.echo["status"]
    day_text = listed.echo["day"]
    try:
        page = minutes_page(
            current_user,
            **listed.kwargs,
            after=request.args.get("after") or None,
            before=request.args.get("before") or None,
            limit=PAGE_SIZE,
        )
    except InvalidCursor:
        return redirect(url_for(".list_minutes", day=day_text, status=status))
    by_day: dict[date, list[Minutes]] = {}
    for minutes in page.items:
        by_day.setdefault(minutes.issued_on, []).append(minutes)
    return render_template(
        "minutes/list.html",
        page=page,
        by_day=by_day,
        day_counts=counts_by_day(current_user, list(by_day), status=status or None),
        day=day_text,
        status=status,
        statuses=MINUTES_STATUSES,
        day_form=DayForm(),
    )


@bp.route("/minutes/<id:minutes_id>")
@login_required
def detail(minutes_id: int):
    minutes = get_or_404(Minutes, minutes_id)
    return render_template(
        "minutes/detail.html",
        minutes=minutes,
        statuses=MINUTES_STATUSES,
        verify_url=service.verification_url(minutes),
        reason_form=ReasonForm(),
        notices=notice_service.notices_of(minutes, current_user),
        notice_kinds=NOTICE_KINDS,
        may_notify=minutes.status == "valid" and notice_service.has_nonconformity(minutes),
        history=db.session.scalars(
            scoped(Minutes).where(Minutes.inspection_id == minutes.inspection_id).order_by(Minutes.issued_at)
        ).all(),
    )


@bp.route("/minutes/<id:minutes_id>/pdf")
@login_required
def download(minutes_id: int):
    minutes = get_or_404(Minutes, minutes_id)
    filename = f"bien-ban-{minutes.number}-{minutes.year}.pdf"
    content = service.issued_pdf(minutes)
    log_download(minutes, current_user, filename)
    return _pdf(content, filename)


@bp.route("/minutes/<id:minutes_id>/print", methods=["POST"])
@login_required
def print_one(minutes_id: int):
    minutes = get_or_404(Minutes, minutes_id)
    require("minutes.issue")
    return _pdf(
        service.print_copy([minutes], current_user), f"in-bien-ban-{minutes.number}-{minutes.year}.pdf"
    )


@bp.route("/minutes/print-day", methods=["POST"])
@login_required
def print_day():
    """Queue the batch print of a day ("day") or a period ("from", "to"), with the decisions and notices issued in
    it when "with_others" is ticked; the Tác vụ page gives the file."""
    require("minutes.issue")
    try:
        first, last = batch_period(request.form.get("from") or request.form.get("day"), request.form.get("to"))
    except RuleError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".list_minutes"))
    with_others = bool(request.form.get("with_others"))
    if count_batch(current_user, first, last, with_others=with_others) == 0:
        flash(nothing_to_print(first, last), "warning")
        return redirect(url_for(".list_minutes", day=first.isoformat() if first == last else ""))
    params = minutes_print_params(first, last, with_others)
    return queued(*enqueue("minutes-print", params, current_user))


def _reason_action(minutes_id: int, action: str, permission: str, done: str):
    minutes = get_or_404(Minutes, minutes_id)
    require(permission)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            getattr(service, action)(minutes, form.reason.data, current_user)
        except service.MinutesError as exc:
            flash(str(exc), "error")
        else:
            flash(done, "success")
    else:
        flash("; ".join(e for errors in form.errors.values() for e in errors), "error")
    return redirect(url_for(".detail", minutes_id=minutes.id))


@bp.route("/minutes/<id:minutes_id>/reopen", methods=["POST"])
@login_required
def reopen(minutes_id: int):
    return _reason_action(
        minutes_id,
        "reopen_for_correction",
        "minutes.issue",
        "Đã mở lại cuộc kiểm tra để đính chính; biên bản cũ còn hiệu lực đến khi lập biên bản thay thế.",
    )


@bp.route("/minutes/<id:minutes_id>/revoke", methods=["POST"])
@login_required
def revoke(minutes_id: int):
    return _reason_action(minutes_id, "revoke", "minutes.revoke", "Đã hủy biên bản.")
