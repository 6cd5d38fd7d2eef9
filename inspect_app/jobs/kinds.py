"""The kinds of background work: what each runs, what it is called on the Tác vụ page, and its result file."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from flask import current_app
from sqlalchemy import func, select

from ..domain.time import today_vn
from ..exports.formats import csv_chunks, write_xlsx
from ..exports.queries import EXPORTS, InvalidFilters, build_export
from ..access import act_for, can, scoped
from ..backup import jobs as backup_jobs
from ..backup.jobs import may_back_up
from ..backup.manifest import BackupError
from ..domain.errors import RuleError
from ..minutes.batch import batch_period, period_text, print_batch, record_prints
from ..extensions import db
from ..models import ReportRequest, User
from ..reports import service as reports
from ..supervision import kept as kept_dashboard
from ..supervision.dashboard import dashboard
from .queue import Claim, report_progress

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Progress is reported (and the lease extended) after this many rows, or stored files copied into a backup.
PROGRESS_EVERY_ROWS = 1000
PROGRESS_EVERY_FILES = 200


class JobRefused(Exception):
    """The job cannot be done as asked (filters no longer valid, the account gone): it fails at once with this
    Vietnamese message and is not tried again."""


@dataclass(frozen=True)
class Result:
    """A job's file: bytes, or an open temporary file (a large one, written on disk) that the worker closes once it
    is stored. ``record``: the job's own writes, made in the transaction that finishes it (queue.finish)."""

    data: bytes | BinaryIO
    filename: str
    content_type: str
    record: Callable[[], None] | None = None
    # The stored object's extension when it is not the downloaded file itself (a backup's pointer).
    stored_extension: str | None = None


@dataclass(frozen=True)
class Kind:
    label: str
    run: Callable[[Claim], Result]


def _requester(held: Claim) -> User:
    user = db.session.get(User, held.requested_by_id)
    if user is None or not user.is_active:
        raise JobRefused("Tài khoản yêu cầu tác vụ này không còn hoạt động.")
    # The job's reads see what its requester sees, in the database too.
    act_for(user)
    return user


def export_params(list_name: str, fmt: str, args: dict[str, str]) -> dict:
    return {"list": list_name, "format": fmt, "args": dict(sorted(args.items()))}


def export_label(params: dict) -> str:
    list_name = params.get("list", "")
    title = EXPORTS_TITLES.get(list_name, list_name)
    return f"Xuất {title} ({str(params.get('format', '')).upper()})"


EXPORTS_TITLES = {
    "premises": "danh sách cơ sở",
    "inspections": "danh sách cuộc kiểm tra",
    "findings": "kết quả kiểm tra theo nội dung",
    "readings": "kết quả đo",
    "lots": "lô hàng đóng gói sẵn",
    "minutes": "danh sách biên bản",
    "quarterly": "kết quả quý",
}


def run_export(held: Claim) -> Result:
    """A desk list as CSV or XLSX, in the scope of the person who asked, as the download link would give it."""
    user = _requester(held)
    list_name, fmt = held.params.get("list"), held.params.get("format")
    if list_name not in EXPORTS or fmt not in ("csv", "xlsx"):
        raise JobRefused("Danh sách cần xuất không hợp lệ.")
    try:
        built = build_export(list_name, user, held.params.get("args") or {})
    except InvalidFilters as exc:
        raise JobRefused("Không xuất được danh sách: " + " ".join(exc.errors.values())) from None
    total = db.session.scalar(select(func.count()).select_from(built.query.order_by(None).subquery())) or 0
    report_progress(held, 1, f"Đang đọc {total} dòng")

    def counted() -> Iterator[tuple]:
        for number, row in enumerate(built.rows(), start=1):
            yield row
            if number % PROGRESS_EVERY_ROWS == 0:
                report_progress(held, 90 * number // max(total, 1), f"Đã đọc {number}/{total} dòng")

    filename = f"{built.filename}-{today_vn().strftime('%Y%m%d')}.{fmt}"
    if fmt == "csv":
        return Result(b"".join(csv_chunks(built.fields, counted())), filename, "text/csv; charset=utf-8")
    tmpdir = current_app.config.get("EXPORT_TMPDIR") or None
    spooled = tempfile.TemporaryFile(dir=tmpdir)
    try:
        write_xlsx(spooled, built.fields, counted(), built.title, tmpdir=tmpdir)
        report_progress(held, 95, "Đang lưu tệp")
        spooled.seek(0)
    except BaseException:
        spooled.close()
        raise
    return Result(spooled, filename, XLSX_MIMETYPE)


def run_report_summary(held: Claim) -> Result:
    """The Sở's summary of the communes' sent reports for one of its requests (XLSX or CSV), as the requester sees it."""
    user = _requester(held)
    fmt = held.params.get("format")
    found = db.session.scalars(
        scoped(ReportRequest, user).where(ReportRequest.id == int(held.params.get("request_id") or 0))
    ).first()
    if found is None or fmt not in reports.SUMMARY_FORMATS:
        raise JobRefused("Không tìm thấy yêu cầu báo cáo này.")
    report_progress(held, 10, "Đang tổng hợp các báo cáo đã gửi")
    content = reports.summary_file(found, user, fmt)
    return Result(content, reports.summary_file_name(found, fmt), reports.MIMETYPES[fmt])


def _test_pause() -> None:
    """With the test kinds on, a pause after each step of a real job (JOBS_TEST_PAUSE seconds), so a test can kill
    its worker in the middle of one."""
    if current_app.config.get("JOBS_TEST_KINDS"):
        time.sleep(float(current_app.config.get("JOBS_TEST_PAUSE") or 0))


def run_minutes_print(held: Claim) -> Result:
    """Every valid biên bản of a day or a period in the requester's scope (and the decisions and notices issued in it
    when asked), as one PDF to print (a ZIP of PDFs for more than BATCH_PRINT_PART_SIZE); each biên bản counts one
    print when the job finishes, and only then."""
    user = _requester(held)
    if not can("minutes.issue", user):
        raise JobRefused("Tài khoản yêu cầu tác vụ này không còn quyền in biên bản.")
    try:
        first, last = batch_period(held.params.get("from"), held.params.get("to"))
    except RuleError as refused:
        raise JobRefused(str(refused)) from None
    report_progress(held, 1, "Đang đếm biên bản")
    shown = [0]

    def progress(done: int, total: int) -> None:
        percent = 2 + 90 * done // total
        if percent != shown[0] or done == total:
            shown[0] = percent
            report_progress(held, percent, f"Đã ghép {done}/{total} biên bản")
        _test_pause()

    try:
        built, stem, printed = print_batch(
            user,
            first,
            last,
            with_others=bool(held.params.get("with_others")),
            part_size=int(current_app.config.get("BATCH_PRINT_PART_SIZE", 200)),
            tmpdir=current_app.config.get("EXPORT_TMPDIR") or None,
            progress=progress,
        )
    except RuleError as refused:
        raise JobRefused(str(refused)) from None
    requester_id = user.id

    def record() -> None:
        record_prints(printed, db.session.get(User, requester_id))

    return Result(built.file, f"{stem}.{built.extension}", built.content_type, record=record)


def minutes_print_params(first: date, last: date, with_others: bool = False) -> dict:
    params = {"from": first.isoformat(), "to": last.isoformat()}
    return {**params, "with_others": True} if with_others else params


def minutes_print_label(params: dict) -> str:
    try:
        first, last = batch_period(params.get("from"), params.get("to"))
    except RuleError:
        return "In biên bản"
    if params.get("with_others"):
        return f"In tất cả biên bản, quyết định và thông báo {period_text(first, last)}"
    return f"In tất cả biên bản {period_text(first, last)}"


def run_backup(held: Claim) -> Result:
    """The same archive as ``flask backup create``, into BACKUP_DIR; the job keeps a pointer to it (backup.jobs)."""
    user = _requester(held)
    if not may_back_up(user):
        raise JobRefused("Chỉ quản trị viên quản lý toàn bộ hệ thống mới tạo được bản sao lưu.")
    db.session.rollback()  # the snapshot is the backup's own, not this session's
    report_progress(held, 5, "Đang sao lưu cơ sở dữ liệu")

    def on_file(count: int) -> None:
        if count % PROGRESS_EVERY_FILES == 0:
            report_progress(held, 50, f"Đã chép {count} tệp")
        _test_pause()

    try:
        name, pointer, summary = backup_jobs.back_up_for_job(held.job_id, on_file)
    except BackupError as error:
        raise JobRefused(f"Không tạo được bản sao lưu. {error}") from None
    report_progress(held, 99, f"Đã tạo {name}: {summary}"[:200])
    return Result(pointer, name, backup_jobs.ARCHIVE_TYPE, stored_extension="json")


def run_dashboard(held: Claim) -> Result:
    """The dashboard's figures for the requester's filters and day, counted in the requester's scope and kept as
    the job's result (supervision.kept): the country's, which take too long for a web request."""
    user = _requester(held)
    try:
        filters, today = kept_dashboard.read_params(held.params)
    except ValueError:  # InvalidFilters too
        raise JobRefused("Bộ lọc của trang tổng hợp không còn hợp lệ.") from None
    report_progress(held, 5, "Đang đếm số liệu")
    board = dashboard(user, filters, today)
    name = f"tong-hop-{today.strftime('%Y%m%d')}.json"
    return Result(kept_dashboard.encode(board), name, "application/json")


def run_slow_test_job(held: Claim) -> Result:
    """For the tests only (JOBS_TEST_KINDS): steps with a pause between progress reports, so a worker can be killed
    in the middle of one."""
    steps = int(held.params.get("steps", 3))
    for step in range(steps):
        report_progress(held, 100 * step // steps, f"Bước {step + 1}/{steps}")
        time.sleep(float(held.params.get("pause", 0.1)))
    return Result(f"job {held.job_id}: {steps} steps\n".encode(), "ket-qua.txt", "text/plain; charset=utf-8")


KINDS: dict[str, Kind] = {
    "export": Kind("Xuất danh sách", run_export),
    "report-summary": Kind("Bảng tổng hợp báo cáo của các xã", run_report_summary),
    "minutes-print": Kind("In biên bản", run_minutes_print),
    "backup": Kind("Sao lưu toàn bộ dữ liệu", run_backup),
    kept_dashboard.JOB_KIND: Kind("Tổng hợp toàn quốc", run_dashboard),
}
TEST_KINDS: dict[str, Kind] = {"test-slow": Kind("Tác vụ thử", run_slow_test_job)}


def kinds_for(app) -> dict[str, Kind]:
    """The kinds this app runs: the test kinds only where the configuration turns them on."""
    return {**KINDS, **TEST_KINDS} if app.config.get("JOBS_TEST_KINDS") else dict(KINDS)


def job_label(kind: str, params: dict) -> str:
    if kind == "export":
        return export_label(params)
    if kind == "minutes-print":
        return minutes_print_label(params)
    if kind == kept_dashboard.JOB_KIND:
        return kept_dashboard.job_label(params)
    if kind == "report-summary":
        return f"Bảng tổng hợp báo cáo, yêu cầu số {params.get('request_id')} ({str(params.get('format', '')).upper()})"
    found = KINDS.get(kind) or TEST_KINDS.get(kind)
    return found.label if found else kind
