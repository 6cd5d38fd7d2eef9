"""The Tác vụ pages: queue an export, list one's jobs with their progress (polled as JSON), download a result."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required

from ..access import get_or_404, note_denied, require
from ..backup.jobs import archive_of, may_back_up
from ..backup.manifest import BackupError
from ..audit.service import log_download
from ..exports.queries import EXPORTS, InvalidFilters, build_export
from ..models import ReportRequest
from ..reports.service import SUMMARY_FORMATS
from ..files.uploads import storage_for
from ..web.errors import error_response
from .kinds import export_params
from .queue import enqueue
from .service import job_summary, own_job_or_404, own_jobs, queued

bp = Blueprint("jobs", __name__)

LISTS = tuple(EXPORTS)


def _summary(job) -> dict:
    return job_summary(job, url_for("jobs.download", job_id=job.id))


@bp.route("/jobs")
@login_required
def list_jobs():
    jobs = [_summary(job) for job in own_jobs(current_user)]
    return render_template("jobs/list.html", jobs=jobs, may_back_up=may_back_up(current_user))


@bp.route("/jobs/status.json")
@login_required
def jobs_status():
    response = jsonify({"jobs": [_summary(job) for job in own_jobs(current_user)]})
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route(f"/jobs/exports/<any({', '.join(LISTS)}):list_name>.<any(csv, xlsx):fmt>", methods=["POST"])
@login_required
def queue_export(list_name: str, fmt: str):
    args = request.args.to_dict()
    try:
        build_export(
            list_name, current_user, args
        )  # the filters are checked now, the rows read by the worker
    except InvalidFilters as exc:
        return error_response(400, "Không xuất được danh sách: " + " ".join(exc.errors.values()))
    return queued(*enqueue("export", export_params(list_name, fmt, args), current_user))


@bp.route("/jobs/reports/requests/<id:request_id>/summary.<fmt>", methods=["POST"])
@login_required
def queue_report_summary(request_id: int, fmt: str):
    report_request = get_or_404(ReportRequest, request_id)
    if fmt not in SUMMARY_FORMATS:
        abort(404)
    params = {"request_id": report_request.id, "format": fmt}
    return queued(*enqueue("report-summary", params, current_user))


@bp.route("/jobs/backup", methods=["POST"])
@login_required
def queue_backup():
    _require_backup_rights()
    return queued(*enqueue("backup", {}, current_user))


def _require_backup_rights() -> None:
    require("backup.create")
    if not may_back_up(current_user):
        note_denied("jobs", None, "backup.create")
        abort(403)


@bp.route("/jobs/<id:job_id>/download")
@login_required
def download(job_id: int):
    job = own_job_or_404(job_id, current_user)
    if job.status != "done":
        return error_response(409, "Tác vụ chưa xong nên chưa có tệp để tải.")
    if job.kind == "backup":
        _require_backup_rights()  # still an administrator of everything, as when it was asked for
    try:
        if not job.result_key:
            raise FileNotFoundError(job.id)
        handle = storage_for(current_app).open(job.result_key)
        if job.kind == "backup":
            with handle:
                handle = archive_of(handle.read()).open("rb")
    except (FileNotFoundError, BackupError):
        return error_response(404, "Tệp kết quả không còn được lưu. Vui lòng yêu cầu lại.")
    log_download(job, current_user, job.result_filename or "ket-qua")
    response = send_file(
        handle,
        mimetype=job.result_content_type or "application/octet-stream",
        as_attachment=True,
        download_name=job.result_filename or "ket-qua",
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
