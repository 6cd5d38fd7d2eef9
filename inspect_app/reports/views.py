"""The yearly report's pages: the list of requests and reports (a commune's tasks, the Sở's progress), publishing a
request, the Sở's overview of one, a report's page with its figures (each a link to its records), its draft's
form, sending it, and its files."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..access import get_or_404
from ..domain.errors import Conflict, InvalidInput
from ..domain.time import today_vn
from ..domain.vocabulary import REPORT_FORMATS, REPORT_STATUSES, REPORT_TASK_STATUSES
from ..extensions import db
from ..models import Report, ReportRequest
from ..web.forms import SENT_BEFORE
from ..audit.service import log_download
from . import service
from .content import SECTION_HEADING
from .figures import REPORT_ROWS, figure_url
from .forms import NewReportForm, ReportForm, RequestForm, SendForm
from .frozen import value_of

bp = Blueprint("reports", __name__)


def _apply_errors(form, errors: dict[str, str]) -> None:
    """The service's messages onto the form's fields (a period's onto its two days, or the preset's year)."""
    for name, message in errors.items():
        if name in ("period_from", "period_to") and getattr(form, "preset", None) is not None:
            if form.preset.data != "custom":
                name = "year"
        field = getattr(form, name, None)
        if field is None:
            flash(message, "error")
        else:
            field.errors = [*field.errors, message]


def _has_errors(errors) -> bool:
    """Whether a form (or a field's, a subform's, a list's errors) holds any message; read from the fields, as the
    form's own ``errors`` is kept from the first time it is read."""
    if hasattr(errors, "_fields"):
        return any(_has_errors(field.errors) for field in errors)
    if isinstance(errors, dict):
        return any(_has_errors(value) for value in errors.values())
    if isinstance(errors, list | tuple):
        return any(_has_errors(value) for value in errors)
    return bool(errors)


def _status(form) -> int:
    return 422 if _has_errors(form) else 200


def _labels() -> dict:
    return {"statuses": REPORT_STATUSES, "task_labels": REPORT_TASK_STATUSES, "formats": REPORT_FORMATS}


@bp.route("/reports")
@login_required
def list_reports():
    user = current_user
    commune = user.unit_id is not None
    return render_template(
        "reports/list.html",
        commune=commune,
        tasks=service.commune_tasks(user) if commune else [],
        progress=[] if commune else service.province_progress(user),
        own_reports=service.own_reports(user),
        may_publish=service.may_publish(user),
        may_prepare=service.may_prepare(user),
        **_labels(),
    )


def _create(form, read, create, done, template: str):
    """A form that makes one record: shown empty (this year's period), then on a valid POST ``read`` gives the
    values, ``create`` makes the record under the form's UUID (its messages come back onto the fields; the same form
    sent again gets the stored record) and ``done`` names the page to go to, with what to say."""
    if request.method == "GET":
        form.show_period(None, None)
    if form.validate_on_submit():
        values = read(form)
        if not _has_errors(form):
            try:
                made, created = create({**values, "uuid": form.new_uuid()}, current_user)
            except InvalidInput as error:
                db.session.rollback()
                _apply_errors(form, error.errors)
            else:
                url, message = done(made)
                flash(message if created else SENT_BEFORE, "success" if created else "info")
                return redirect(url)
    return render_template(template, form=form), _status(form)


@bp.route("/reports/requests/new", methods=["GET", "POST"])
@login_required
def new_request():
    if not service.may_publish(current_user):
        abort(403)
    return _create(
        RequestForm(),
        RequestForm.values,
        service.publish_request,
        lambda made: (
            url_for(".request_detail", request_id=made.id),
            f"Đã gửi yêu cầu báo cáo theo Công văn số {made.letter_number}.",
        ),
        "reports/request_form.html",
    )


@bp.route("/reports/requests/<id:request_id>")
@login_required
def request_detail(request_id: int):
    report_request = get_or_404(ReportRequest, request_id)
    return render_template(
        "reports/request.html",
        report_request=report_request,
        overview=service.overview(report_request, current_user),
        may_prepare=service.may_prepare(current_user),
        rows=REPORT_ROWS,
        figure_url=figure_url,
        value_of=value_of,
        **_labels(),
    )


@bp.route("/reports/requests/<id:request_id>/summary.<fmt>")
@login_required
def summary(request_id: int, fmt: str):
    report_request = get_or_404(ReportRequest, request_id)
    if fmt not in service.SUMMARY_FORMATS:
        abort(404)
    content = service.summary_file(report_request, current_user, fmt)
    filename = service.summary_file_name(report_request, fmt)
    log_download(report_request, current_user, filename)
    return _file(content, fmt, filename)


@bp.route("/reports/requests/<id:request_id>/start", methods=["POST"])
@login_required
def start(request_id: int):
    report_request = get_or_404(ReportRequest, request_id)
    if not service.may_prepare(current_user):
        abort(403)
    if not SendForm().validate_on_submit():
        abort(400)
    report, created = service.start_report(report_request, current_user)
    if created:
        flash("Đã lập bản nháp báo cáo; số liệu và đoạn văn được điền từ các cuộc kiểm tra.", "success")
    return redirect(url_for(".edit_report", report_id=report.id))


@bp.route("/reports/new", methods=["GET", "POST"])
@login_required
def new_report():
    if not service.may_prepare(current_user):
        abort(403)
    return _create(
        NewReportForm(),
        NewReportForm.own_values,
        service.create_report,
        lambda made: (url_for(".edit_report", report_id=made.id), "Đã lập bản nháp báo cáo."),
        "reports/new.html",
    )


def _report_page(report: Report, status: int = 200):
    """The report's page: its figures (the sent ones for a sent report, with what has changed since), linked."""
    user = current_user
    if report.is_sent:
        table = service.sent_table(report)
        changes = service.changes_since_sent(report, user)
    else:
        table, changes = service.live_table(report, user), []
    page = render_template(
        "reports/report.html",
        report=report,
        table=table,
        changes=changes,
        rows=REPORT_ROWS,
        figure_url=figure_url,
        value_of=value_of,
        verify_url=service.verification_url(report),
        may_prepare=service.may_prepare(user, report),
        send_form=SendForm(version=report.version),
        section_heading=SECTION_HEADING,
        today=today_vn(),
        **_labels(),
    )
    return page, status


@bp.route("/reports/<id:report_id>")
@login_required
def report_detail(report_id: int):
    return _report_page(get_or_404(Report, report_id))


def _edit_page(report: Report, form: ReportForm, status: int):
    return render_template("reports/report_form.html", report=report, form=form, **_labels()), status


@bp.route("/reports/<id:report_id>/edit", methods=["GET", "POST"])
@login_required
def edit_report(report_id: int):
    report = get_or_404(Report, report_id)
    if not service.may_prepare(current_user, report):
        abort(403)
    if report.is_sent:
        flash(service.ALREADY_SENT, "error")
        return _report_page(report, 409)
    form = ReportForm(obj=report)
    own = report.request_id is None
    if request.method == "GET":
        form.version.data = report.version
        form.show_rows(report.typed_rows or [])
        form.show_period(report.period_from, report.period_to)
        return _edit_page(report, form, 200)
    if "refill" in request.form and form.validate_on_submit():
        # Rewrite the section's text from the figures now; nothing is saved until "Lưu".
        form.section_text.data = service.generated_text(report, current_user)
        return _edit_page(report, form, 200)
    if form.validate_on_submit():
        values = form.values(own)
        if not _has_errors(form):
            try:
                service.update_report(report, values, current_user)
            except InvalidInput as error:
                db.session.rollback()
                _apply_errors(form, error.errors)
            except Conflict as error:
                db.session.rollback()
                flash(error.message, "error")
                return _edit_page(report, form, 409)
            else:
                flash("Đã lưu bản nháp báo cáo.", "success")
                return redirect(url_for(".report_detail", report_id=report.id))
    return _edit_page(report, form, 422 if _has_errors(form) else 400)


@bp.route("/reports/<id:report_id>/send", methods=["POST"])
@login_required
def send(report_id: int):
    report = get_or_404(Report, report_id)
    if not service.may_prepare(current_user, report):
        abort(403)
    form = SendForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        service.send_report(report, current_user, read_version=form.version.data)
    except InvalidInput as error:
        db.session.rollback()
        form = ReportForm(obj=report, formdata=None)
        form.version.data = report.version
        form.show_rows(report.typed_rows or [])
        form.show_period(report.period_from, report.period_to)
        _apply_errors(form, error.errors)
        flash("Chưa gửi được: hãy bổ sung các mục được đánh dấu, lưu lại rồi gửi.", "error")
        return _edit_page(report, form, 422)
    except Conflict as error:
        db.session.rollback()
        flash(error.message, "error")
        return _report_page(report, 409)
    flash(
        f"Đã gửi Báo cáo số {report.number}; số liệu và tệp của báo cáo được giữ nguyên như khi gửi.",
        "success",
    )
    return redirect(url_for(".report_detail", report_id=report.id))


@bp.route("/reports/<id:report_id>/file.<fmt>")
@login_required
def download(report_id: int, fmt: str):
    report = get_or_404(Report, report_id)
    if fmt not in REPORT_FORMATS:
        abort(404)
    try:
        content = service.report_file(report, fmt, current_user)
    except FileNotFoundError:
        abort(404)
    filename = service.file_name(report, fmt)
    log_download(report, current_user, filename)
    return _file(content, fmt, filename)


def _file(content: bytes, fmt: str, name: str) -> Response:
    disposition = "inline" if fmt == "pdf" else "attachment"
    return Response(
        content,
        mimetype=service.MIMETYPES[fmt],
        headers={
            "Content-Disposition": f'{disposition}; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )
