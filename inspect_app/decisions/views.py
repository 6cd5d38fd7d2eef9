"""Desk pages of the decisions (list, draft, preview, issue with the certificate warning, download) and of the
notices issued from a biên bản. The public verification page is the public blueprint's."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..access import get_or_404, require, visible_units
from ..domain.errors import InvalidInput
from ..domain.vocabulary import DECISION_KINDS, DECISION_SCOPE_GROUPS, DECISION_STATUSES, NOTICE_KINDS
from ..models import Decision, Minutes, Notice
from ..web.forms import SENT_BEFORE
from ..web.paging import InvalidCursor
from ..audit.service import log_download
from . import notices, service
from .forms import DecisionForm, IssueForm, NoticeForm

bp = Blueprint("decisions", __name__)

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


def _field_errors(form, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]
        else:
            form.form_errors.append(message)


def _unit_choices(form: DecisionForm) -> None:
    form.unit_id.choices = [(u.id, u.name) for u in visible_units()]


@bp.route("/decisions")
@login_required
def list_decisions():
    try:
        page = service.decisions_page(
            current_user,
            after=request.args.get("after") or None,
            before=request.args.get("before") or None,
            limit=PAGE_SIZE,
        )
    except InvalidCursor:
        return redirect(url_for(".list_decisions"))
    return render_template("decisions/list.html", page=page, statuses=DECISION_STATUSES, kinds=DECISION_KINDS)


@bp.route("/decisions/new", methods=["GET", "POST"])
@login_required
def new():
    require("decision.edit")
    form = DecisionForm()
    _unit_choices(form)
    if not form.unit_id.choices:
        abort(403)
    if request.method == "GET" and current_user.unit_id:
        form.unit_id.data = current_user.unit_id
    if form.validate_on_submit():
        unit = next(u for u in visible_units() if u.id == form.unit_id.data)
        try:
            decision, created = service.create_draft(unit, form.draft(), current_user, form.new_uuid())
        except InvalidInput as exc:
            _field_errors(form, exc.errors)
        else:
            flash("Đã lưu dự thảo quyết định." if created else SENT_BEFORE, "success" if created else "info")
            return redirect(url_for(".detail", decision_id=decision.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("decisions/form.html", form=form, decision=None), status


@bp.route("/decisions/<id:decision_id>")
@login_required
def detail(decision_id: int):
    decision = get_or_404(Decision, decision_id)
    return render_template(
        "decisions/detail.html",
        decision=decision,
        statuses=DECISION_STATUSES,
        kinds=DECISION_KINDS,
        groups=DECISION_SCOPE_GROUPS,
        warnings=service.warnings_of(decision),
        verify_url=service.verification_url(decision) if decision.public_id else None,
    )


@bp.route("/decisions/<id:decision_id>/edit", methods=["GET", "POST"])
@login_required
def edit(decision_id: int):
    decision = get_or_404(Decision, decision_id)
    require("decision.edit")
    if decision.status != "draft":
        flash("Quyết định đã ban hành không sửa được.", "error")
        return redirect(url_for(".detail", decision_id=decision.id))
    form = DecisionForm(obj=None if request.method == "POST" else decision)
    form.unit_id.choices = [(decision.unit_id, decision.unit.name)]
    if request.method == "GET":
        form.unit_id.data = decision.unit_id
        form.scope_groups.data = decision.groups
        for index, member in enumerate(decision.members):
            if index >= len(form.members):
                form.members.append_entry()
            entry = form.members[index].form
            for name in ("name", "position", "organisation", "team_role", "technical", "certificate_number"):
                getattr(entry, name).data = getattr(member, name)
            entry.certificate_date.data = member.certificate_date
        for index in range(len(decision.members), len(form.members)):
            entry = form.members[index].form
            for name in ("name", "position", "organisation", "certificate_number"):
                getattr(entry, name).data = ""
            entry.team_role.data, entry.technical.data, entry.certificate_date.data = "member", False, None
    if form.validate_on_submit():
        try:
            service.update_draft(decision, form.draft(), current_user)
        except InvalidInput as exc:
            _field_errors(form, exc.errors)
        except service.DecisionError as exc:
            form.form_errors.append(str(exc))
        else:
            flash("Đã lưu dự thảo quyết định.", "success")
            return redirect(url_for(".detail", decision_id=decision.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("decisions/form.html", form=form, decision=decision), status


@bp.route("/decisions/<id:decision_id>/preview")
@login_required
def preview(decision_id: int):
    decision = get_or_404(Decision, decision_id)
    return _pdf(service.preview_pdf(decision), f"du-thao-quyet-dinh-{decision.id}.pdf")


@bp.route("/decisions/<id:decision_id>/issue", methods=["GET", "POST"])
@login_required
def issue(decision_id: int):
    decision = get_or_404(Decision, decision_id)
    require("decision.edit")
    form = IssueForm()
    warnings = service.warnings_of(decision)
    error = None
    if decision.status != "draft":
        return _already_issued(decision)
    if form.validate_on_submit():
        try:
            service.issue_decision(decision, current_user, confirmed=bool(form.confirm.data))
        except service.AlreadyIssued:
            # "Ban hành" sent twice: the first issued it; this one lands on the issued decision.
            return _already_issued(decision)
        except service.CertificatesMissing:
            error = "Cần xác nhận đã xem cảnh báo về chứng chỉ trước khi ban hành."
        except service.DecisionError as exc:
            error = str(exc)
        else:
            flash(f"Đã ban hành Quyết định số {decision.number_text}.", "success")
            return redirect(url_for(".detail", decision_id=decision.id))
    status = 422 if error or form.errors else 200
    return render_template(
        "decisions/issue.html", decision=decision, form=form, warnings=warnings, error=error
    ), status


def _already_issued(decision):
    flash("Quyết định này đã được ban hành.", "warning")
    return redirect(url_for(".detail", decision_id=decision.id))


@bp.route("/decisions/<id:decision_id>/pdf")
@login_required
def download(decision_id: int):
    decision = get_or_404(Decision, decision_id)
    if decision.status != "issued":
        abort(404)
    filename = f"quyet-dinh-{decision.number}-{decision.year}.pdf"
    content = service.issued_pdf(decision)
    log_download(decision, current_user, filename)
    return _pdf(content, filename)


@bp.route("/minutes/<id:minutes_id>/notices/new", methods=["GET", "POST"])
@login_required
def new_notice(minutes_id: int):
    minutes = get_or_404(Minutes, minutes_id)
    require("minutes.issue")
    form = NoticeForm()
    follow_ups = notices.follow_ups(minutes, current_user)
    form.follow_up_id.choices = [(None, "Không có")] + [
        (i.id, f"Kiểm tra lại ngày {i.started_at:%d/%m/%Y}") for i in follow_ups
    ]
    if request.method == "GET":
        form.kind.data = request.args.get("kind") if request.args.get("kind") in NOTICE_KINDS else "stop"
        form.subject.data = minutes.stop_order_subject
        form.fix_deadline.data = minutes.stop_order_deadline
    error = None
    if form.validate_on_submit():
        try:
            notices.issue_notice(
                minutes,
                notices.NoticeRequest(
                    kind=form.kind.data,
                    subject=form.subject.data or "",
                    fix_deadline=form.fix_deadline.data,
                    follow_up_id=form.follow_up_id.data,
                    note=form.note.data or "",
                    signer_title=form.signer_title.data or "",
                    signer_name=form.signer_name.data or "",
                ),
                current_user,
            )
        except InvalidInput as exc:
            _field_errors(form, exc.errors)
            error = exc.errors.get("minutes")
        else:
            flash(f"Đã lập {NOTICE_KINDS[form.kind.data].lower()}.", "success")
            return redirect(url_for("minutes.detail", minutes_id=minutes.id))
    status = 422 if error or form.errors or form.form_errors else 200
    return render_template("decisions/notice_form.html", form=form, minutes=minutes, error=error), status


@bp.route("/notices/<id:notice_id>/pdf")
@login_required
def notice_pdf(notice_id: int):
    notice = get_or_404(Notice, notice_id)
    filename = f"thong-bao-{notice.number}-{notice.year}.pdf"
    content = notices.issued_pdf(notice)
    log_download(notice, current_user, filename)
    return _pdf(content, filename)
