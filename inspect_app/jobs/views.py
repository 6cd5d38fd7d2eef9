"""The Tác vụ pages: queue an export, list one's jobs with their progress (polled as JSON), download a result."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from ..exports.queries import EXPORTS, InvalidFilters, build_export
from ..files.uploads import storage_for
from ..web.errors import error_response
from .kinds import export_params
from .queue import enqueue
from .service import job_summary, own_job_or_404, own_jobs

bp = Blueprint("jobs", __name__)

LISTS = tuple(EXPORTS)


def _summary(job) -> dict:
    return job_summary(job, url_for("jobs.download", job_id=job.id))


@bp.route("/jobs")
@login_required
def list_jobs():
    jobs = [_summary(job) for job in own_jobs(current_user)]
    return render_template("jobs/list.html", jobs=jobs)


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
        build_export(list_name, current_user, args)  # the filters are checked now, the rows read by the worker
    except InvalidFilters as exc:
        return error_response(400, "Không xuất được danh sách: " + " ".join(exc.errors.values()))
    job, created = enqueue("export", export_params(list_name, fmt, args), current_user)
    if created:
        flash("Đã đưa việc xuất danh sách vào hàng chờ. Tệp sẽ có ở đây khi làm xong.", "success")
    else:
        flash("Danh sách này đang được xuất, không tạo thêm tác vụ.", "info")
    return redirect(url_for(".list_jobs", _anchor=f"job-{job.id}"))


@bp.route("/jobs/<int:job_id>/download")
@login_required
def download(job_id: int):
    job = own_job_or_404(job_id, current_user)
    if job.status != "done":
        return error_response(409, "Tác vụ chưa xong nên chưa có tệp để tải.")
    try:
        if not job.result_key:
            raise FileNotFoundError(job.id)
        handle = storage_for(current_app).open(job.result_key)
    except FileNotFoundError:
        return error_response(404, "Tệp kết quả không còn được lưu. Vui lòng yêu cầu lại.")
    response = send_file(
        handle,
        mimetype=job.result_content_type or "application/octet-stream",
        as_attachment=True,
        download_name=job.result_filename or "ket-qua",
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
