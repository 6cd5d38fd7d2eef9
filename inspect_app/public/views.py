"""The public verification page that a printed QR code opens (no login): a biên bản or a sent report, said to be
genuine and current or not, with the comparison of an uploaded file with the issued bytes."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, current_app, render_template
from sqlalchemy import select

from ..access import act_as_system
from ..documents.verification import compare_upload
from ..domain.time import VN_TZ
from ..domain.vocabulary import MINUTES_STATUSES
from ..extensions import db
from ..decisions import notices as notice_service
from ..decisions import service as decision_service
from ..domain.vocabulary import NOTICE_KINDS
from ..minutes import service as minutes_service
from ..models import Minutes
from ..reports import service as reports_service
from .forms import VerifyUploadForm

bp = Blueprint("public", __name__)


def _comparison(
    form: VerifyUploadForm, issued: dict[str, str], what: str
) -> tuple[tuple[str, str] | None, int]:
    """What the upload form says (None before a file is sent) and the page's status."""
    if form.validate_on_submit():
        upload = form.file.data.read(current_app.config["MAX_CONTENT_LENGTH"] + 1)
        kind, message = compare_upload(upload, issued, what)
        return (kind, message), 422 if kind == "error" else 200
    if form.is_submitted():
        message = "; ".join(e for errors in form.errors.values() for e in errors) or "Tệp không hợp lệ."
        return ("error", message), 422
    return None, 200


@bp.route("/v/<token>", methods=["GET", "POST"])
@bp.route("/V/<token>", methods=["GET", "POST"])  # the compact address printed in QR codes
def verify(token: str):
    # No login: the signed token names the one record shown, and it is read as the system (every unit) would.
    act_as_system()
    form = VerifyUploadForm()
    checked_at = datetime.now(VN_TZ)
    minutes = minutes_service.minutes_for_token(token)
    if minutes is not None:
        comparison, status = _comparison(form, {"pdf": minutes.pdf_sha256}, "biên bản")
        replacement = None
        if minutes.status == "superseded":
            replacement = db.session.scalars(
                select(Minutes).where(Minutes.supersedes_id == minutes.id)
            ).first()
        page = render_template(
            "minutes/verify.html",
            minutes=minutes,
            statuses=MINUTES_STATUSES,
            form=form,
            comparison=comparison,
            replacement=replacement,
            checked_at=checked_at,
        )
        return page, status
    report = reports_service.report_for_token(token)
    if report is not None:
        issued = {file.format: file.sha256 for file in report.files if file.format in ("pdf", "docx")}
        comparison, status = _comparison(form, issued, "báo cáo")
        page = render_template(
            "reports/verify.html", report=report, form=form, comparison=comparison, checked_at=checked_at
        )
        return page, status
    decision = decision_service.decision_for_token(token)
    notice = notice_service.notice_for_token(token) if decision is None else None
    if decision is not None or notice is not None:
        record = decision or notice
        what = "quyết định" if decision is not None else "thông báo"
        comparison, status = _comparison(form, {"pdf": record.pdf_sha256}, what)
        title = (
            f"Quyết định kiểm tra số {decision.number_text}"
            if decision is not None
            else f"{NOTICE_KINDS[notice.kind]} số {notice.number_text}"
        )
        page = render_template(
            "decisions/verify.html",
            record=record,
            title=title,
            form=form,
            comparison=comparison,
            checked_at=checked_at,
        )
        return page, status
    return render_template("minutes/verify_unknown.html"), 404
