"""The yearly report's work: the Sở publishes a request to its communes; each commune starts its report (or one of
its own), edits the draft and sends it; sending freezes the figures and the exact bytes of its files, verifiable on
the public page; the Sở sees each commune's task and the province's sum of the sent reports.

Every lookup goes through the scoping door and every write through the write door. Sending is decided by the
report's row: the UPDATE that marks it sent names the version the sender read, so of two sends (or a send and an
edit) one wins and the other is told so (``Conflict``), on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import hashlib
import uuid as uuid_module
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from .. import writes
from ..access import can, scoped
from ..documents import verification
from ..documents.tokens import new_public_id
from ..domain.errors import Conflict, InvalidInput
from ..domain.report_rules import (
    letter_subject,
    multiline,
    report_errors,
    request_errors,
    sending_errors,
    sent_late,
    task_status,
)
from ..domain.text import nfc, without_controls
from ..domain.time import today_vn, utcnow
from ..domain.vocabulary import REPORT_FORMATS
from ..extensions import db
from ..files.evidence import NewFiles
from ..files.uploads import storage_for
from ..models import Report, ReportFile, ReportRequest, Unit, User
from ..plans import service as plans
from . import rendering
from .appendix import appendix
from .content import (
    DEFAULT_SIGNER_TITLE,
    build_document,
    default_recipients,
    default_subject,
    summary_document,
)
from .figures import ReportTable, report_table
from .frozen import Change, changes_since, combine, freeze, thaw

ALREADY_SENT = "Báo cáo này đã được gửi; báo cáo đã gửi không sửa hay gửi lại được."
EDITED_MEANWHILE = "Báo cáo vừa được sửa ở nơi khác. Hãy xem lại bản hiện tại rồi gửi."
# The fields of a request, and those of a report a draft edits (the letter and period only on a free-standing one).
REQUEST_FIELDS = ("letter_number", "letter_date", "subject", "plan", "period_from", "period_to", "deadline")
OWN_FIELDS = (
    "period_from",
    "period_to",
    "letter_number",
    "letter_date",
    "letter_subject",
    "deadline",
    "plan",
)
DRAFT_FIELDS = (
    "number",
    "issued_on",
    "subject",
    "section_text",
    "typed_rows",
    "signer_title",
    "signer_name",
    "recipients",
)
MULTILINE = {"section_text", "signer_title", "recipients"}
DATE_FIELDS = {"letter_date", "issued_on", "deadline", "period_from", "period_to"}
MIMETYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "acsv": "text/csv",
}


# ---- who may do what ------------------------------------------------------------------------------------------------


def may_publish(user: User) -> bool:
    """A province's supervisors and administrators publish the Sở's requests to that province's communes."""
    return can("report.publish", user) and user.province_id is not None


def may_prepare(user: User, report: Report | None = None) -> bool:
    """A commune's staff and supervisors prepare and send their commune's reports."""
    return (
        can("report.prepare", user)
        and user.unit_id is not None
        and (report is None or report.unit_id == user.unit_id)
    )


# ---- values ---------------------------------------------------------------------------------------------------------


def _clean_text(values: dict) -> dict:
    """Texts in NFC: a line with its spaces folded, a text of several lines kept as lines; days and rows as given."""
    cleaned = {}
    for key, value in values.items():
        if key in DATE_FIELDS or key == "typed_rows":
            cleaned[key] = value
        else:
            value = without_controls(value)
            cleaned[key] = multiline(value) if key in MULTILINE else nfc(value)
    return cleaned


def _clean_letter(values: dict, subject_field: str) -> dict:
    values = _clean_text(values)
    if subject_field in values:
        values[subject_field] = letter_subject(values[subject_field])
    return values


def clean_typed_rows(rows: list[dict]) -> list[dict]:
    """Rows typed in, each {"label", "value"} in NFC; a row without a value is left out (a suggested label the staff
    did not fill)."""
    cleaned = [
        {"label": nfc(without_controls(row.get("label"))), "value": nfc(without_controls(row.get("value")))}
        for row in rows
    ]
    return [row for row in cleaned if row["value"]]


# ---- the Sở's requests ----------------------------------------------------------------------------------------------


def publish_request(values: dict, user: User) -> tuple[ReportRequest, bool]:
    """The Sở's letter, published to every commune of the user's province at once: (it, True). Sent again under
    the UUID of its form (``values["uuid"]``), one after the other or at the same moment: (the stored one, False)."""
    if not may_publish(user):
        raise PermissionError("only a province account publishes a request")
    uuid = values.get("uuid") or str(uuid_module.uuid4())
    if (stored := writes.resend_of(ReportRequest, uuid, "", user)) is not None:
        return stored, False
    values = _clean_letter({key: values.get(key) for key in REQUEST_FIELDS}, "subject")
    if errors := request_errors(values):
        raise InvalidInput(errors)
    request = ReportRequest(uuid=uuid, province_id=user.province_id, created_by_id=user.id, **values)
    changes = {key: [None, values[key]] for key in REQUEST_FIELDS}
    return writes.insert(request, "", user, changes=changes, action="publish")


@dataclass(frozen=True)
class Task:
    """A commune's task for a request: its report (None before it is started), its state, whether it was late."""

    request: ReportRequest
    unit: Unit
    report: Report | None
    status: str
    late: bool


def _task(request: ReportRequest, unit: Unit, report: Report | None, today: date) -> Task:
    status = task_status(report.status if report else None, request.deadline, today)
    return Task(
        request, unit, report, status, sent_late(report.sent_on if report else None, request.deadline)
    )


def _requests(user: User) -> list[ReportRequest]:
    return list(
        db.session.scalars(
            scoped(ReportRequest, user).order_by(ReportRequest.letter_date.desc(), ReportRequest.id.desc())
        )
    )


def commune_tasks(user: User, today: date | None = None) -> list[Task]:
    """Every request to the user's commune, newest letter first, with the commune's report and task state."""
    today = today or today_vn()
    requests = _requests(user)
    unit = user.unit
    reports = {
        report.request_id: report
        for report in db.session.scalars(
            scoped(Report, user).where(
                Report.unit_id == user.unit_id, Report.request_id.in_([r.id for r in requests] or [0])
            )
        )
    }
    return [_task(request, unit, reports.get(request.id), today) for request in requests]


@dataclass(frozen=True)
class Progress:
    """A request as the Sở follows it: how many of its communes have sent, are drafting, are late."""

    request: ReportRequest
    communes: int
    sent: int
    drafts: int
    overdue: int


def province_progress(user: User, today: date | None = None) -> list[Progress]:
    """Every request the user sees, with its communes' progress: one statement for the requests, one for the counts
    of reports by request and status, one for the number of communes by province."""
    today = today or today_vn()
    requests = _requests(user)
    counted: dict[tuple[int, str], int] = {
        (request_id, status): n
        for request_id, status, n in db.session.execute(
            scoped(Report, user)
            .where(Report.request_id.in_([r.id for r in requests] or [0]))
            .with_only_columns(Report.request_id, Report.status, func.count())
            .group_by(Report.request_id, Report.status)
        )
    }
    communes = dict(
        db.session.execute(
            scoped(Unit, user).with_only_columns(Unit.province_id, func.count()).group_by(Unit.province_id)
        ).all()
    )
    progress = []
    for request in requests:
        total = communes.get(request.province_id, 0)
        sent, drafts = counted.get((request.id, "sent"), 0), counted.get((request.id, "draft"), 0)
        overdue = total - sent if today > request.deadline else 0
        progress.append(Progress(request, total, sent, drafts, overdue))
    return progress


@dataclass
class Overview:
    """A request's communes (those the user sees), each with its task, and the sum of the sent reports' frozen
    figures (``sent``: every sent commune a column, and their total)."""

    request: ReportRequest
    tasks: list[Task]
    sent: ReportTable

    def count(self, status: str) -> int:
        return sum(1 for task in self.tasks if task.status == status)

    @property
    def late(self) -> int:
        return sum(1 for task in self.tasks if task.late)


def overview(request: ReportRequest, user: User, today: date | None = None) -> Overview:
    """The Sở's view of its request: one statement for the communes, one for their reports."""
    today = today or today_vn()
    units = db.session.scalars(
        scoped(Unit, user).where(Unit.province_id == request.province_id).order_by(Unit.name, Unit.id)
    ).all()
    reports = {
        report.unit_id: report
        for report in db.session.scalars(scoped(Report, user).where(Report.request_id == request.id))
    }
    tasks = [_task(request, unit, reports.get(unit.id), today) for unit in units]
    sent = [thaw(report.figures) for report in reports.values() if report.is_sent]
    return Overview(request, tasks, combine(sent, request.period_from, request.period_to, today))


SUMMARY_FORMATS = ("xlsx", "csv")


def summary_file(request: ReportRequest, user: User, fmt: str) -> bytes:
    """The overview's table as a file: the sent reports of the communes the user sees, a column each, and their
    total."""
    return rendering.render(fmt, summary_document(request, overview(request, user).sent))


def summary_file_name(request: ReportRequest, fmt: str) -> str:
    return f"tong-hop-bao-cao-{request.id}-{request.period_from:%Y%m%d}-{request.period_to:%Y%m%d}.{fmt}"


# ---- a commune's report ---------------------------------------------------------------------------------------------


def _prefilled(report: Report, user: User) -> Report:
    """A new report's defaults: its title line, the section's text written from the figures, the signer's title and
    the recipients."""
    report.subject = default_subject(report.plan, report.period_from, report.period_to)
    report.section_text = generated_text(report, user)
    report.signer_title = DEFAULT_SIGNER_TITLE
    report.recipients = default_recipients(report.unit)
    return report


def generated_text(report: Report, user: User) -> str:
    """The section's prose for the report's figures now, and, when the commune has an approved plan for the year
    the period ends in, a paragraph comparing the plan's targets with what was done."""
    table = live_table(report, user)
    text = rendering.section_text(table, report.unit.name)
    plan = plans.approved_plan(report.unit_id, report.period_to.year)
    if plan is None:
        return text
    size, inspected = plans.annex_inspected(plan, report.period_from, report.period_to)
    result = rendering.PlanResult(plan.number, plan.year, dict((plan.targets or {}).get("kinds") or {}), size, inspected)
    return f"{text}\n\n{rendering.plan_paragraph(table, result)}"


def start_report(request: ReportRequest, user: User) -> tuple[Report, bool]:
    """The user's commune's report for a request: (the one started before, False), or a new draft with the
    request's letter and period (True). Two clerks starting it at once get the same report."""
    if not may_prepare(user):
        raise PermissionError("only a commune's staff and supervisors prepare its report")
    query = scoped(Report, user).where(Report.unit_id == user.unit_id, Report.request_id == request.id)
    existing = db.session.scalars(query).first()
    if existing is not None:
        return existing, False
    report = Report(
        unit_id=user.unit_id,
        request_id=request.id,
        period_from=request.period_from,
        period_to=request.period_to,
        letter_number=request.letter_number,
        letter_date=request.letter_date,
        letter_subject=request.subject,
        deadline=request.deadline,
        plan=request.plan,
        created_by_id=user.id,
        typed_rows=[],
    )
    report.unit, report.request = user.unit, request
    _prefilled(report, user)
    db.session.add(report)
    try:
        db.session.flush()
        writes.commit("create", report, user)
    except IntegrityError:
        db.session.rollback()
        return db.session.scalars(query).one(), False
    return report, True


def create_report(values: dict, user: User) -> tuple[Report, bool]:
    """A free-standing report of the user's commune: its own period, and the letter and plan it answers if any:
    (it, True). Sent again under the UUID of its form (``values["uuid"]``): (the stored one, False)."""
    if not may_prepare(user):
        raise PermissionError("only a commune's staff and supervisors prepare its report")
    uuid = values.get("uuid") or str(uuid_module.uuid4())
    if (stored := writes.resend_of(Report, uuid, "", user)) is not None:
        return stored, False
    values = _clean_letter({key: values.get(key) for key in OWN_FIELDS}, "letter_subject")
    if errors := report_errors(values, own_period=True):
        raise InvalidInput(errors)
    report = Report(uuid=uuid, unit_id=user.unit_id, created_by_id=user.id, typed_rows=[], **values)
    report.unit = user.unit
    _prefilled(report, user)
    return writes.insert(report, "", user)


def update_report(report: Report, values: dict, user: User) -> Report:
    """An edit of a draft made from ``values["version"]``: the fields given, checked together; Conflict for a sent
    report or an edit made from an older version."""
    if report.is_sent:
        raise Conflict(ALREADY_SENT, report)
    own = report.request_id is None
    fields = DRAFT_FIELDS + (OWN_FIELDS if own else ())
    data = _clean_letter({key: values[key] for key in fields if key in values}, "letter_subject")
    if "typed_rows" in data:
        data["typed_rows"] = clean_typed_rows(data["typed_rows"])

    def clean(merged: dict) -> dict:
        if errors := report_errors(merged, own_period=own):
            raise InvalidInput(errors)
        return merged

    try:
        return writes.apply_edit(report, {**data, "version": values["version"]}, fields, clean, user)
    except (StaleDataError, writes.StaleWrite):
        db.session.rollback()
        raise Conflict(ALREADY_SENT if report.is_sent else EDITED_MEANWHILE, report) from None


def live_table(report: Report, user: User, today: date | None = None) -> ReportTable:
    """The report's figures from the records now (for the commune's unit and the report's period)."""
    return report_table(user, report.period_from, report.period_to, [report.unit_id], today=today)


def sent_table(report: Report) -> ReportTable:
    return thaw(report.figures)


def changes_since_sent(report: Report, user: User) -> list[Change]:
    """The rows whose figure the records now give otherwise than the sent report (counted as of the day it was
    sent, so only corrections of the records show, not the days that have passed since)."""
    sent = sent_table(report)
    return changes_since(sent, live_table(report, user, today=sent.today), report.unit_id)


# The appendix CSV is a CSV file like the other.
FILE_EXTENSIONS = {"acsv": "csv"}


def send_report(
    report: Report, user: User, today: date | None = None, *, read_version: str | int | None = None
) -> Report:
    """Freeze and send: the figures counted now, the files rendered once (the PDF's QR code names the public page),
    stored with their SHA-256, and the report marked sent, in one transaction. The UPDATE that marks it sent names
    the version read here: a concurrent send or edit makes it match no row, and this one answers Conflict.
    ``read_version``, the version the sender's page showed: an edit made since then is refused too (the sender
    would freeze a text they never saw)."""
    if report.is_sent:
        raise Conflict(ALREADY_SENT, report)
    if read_version not in (None, "") and str(read_version) != str(report.version):
        raise Conflict(EDITED_MEANWHILE, report)
    values = {key: getattr(report, key) for key in DRAFT_FIELDS + OWN_FIELDS}
    errors = report_errors(values, own_period=report.request_id is None) | sending_errors(values)
    if errors:
        raise InvalidInput(errors)
    today = today or today_vn()
    table = live_table(report, user, today=today)
    public_id = new_public_id()
    document = build_document(
        report, table, verification.verification_url(public_id), appendix(user, table, report.unit_id)
    )
    contents = {fmt: rendering.render(fmt, document) for fmt in REPORT_FORMATS}
    report.status = "sent"
    report.sent_at = utcnow()
    report.sent_on = today
    report.sent_by_id = user.id
    report.public_id = public_id
    report.figures = freeze(table)
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise Conflict(ALREADY_SENT if report.is_sent else EDITED_MEANWHILE, report) from None
    files = NewFiles(storage_for(current_app))
    try:
        digests = {}
        for fmt, content in contents.items():
            key = files.put("reports", content, FILE_EXTENSIONS.get(fmt, fmt))
            digests[fmt] = hashlib.sha256(content).hexdigest()
            db.session.add(
                ReportFile(
                    report_id=report.id, format=fmt, storage_key=key, sha256=digests[fmt], size=len(content)
                )
            )
        writes.commit(
            "send",
            report,
            user,
            {"status": ["draft", "sent"], "number": [None, report.number], "sha256": [None, digests]},
        )
    except Exception:
        files.discard()
        raise
    files.keep()
    return report


def report_file(report: Report, fmt: str, user: User) -> bytes:
    """A file of the report: the bytes kept when it was sent, or, for a draft, rendered from its figures now."""
    if report.is_sent:
        stored = next((file for file in report.files if file.format == fmt), None)
        if stored is None:
            raise FileNotFoundError(fmt)
        content = storage_for(current_app).get(stored.storage_key)
        if hashlib.sha256(content).hexdigest() != stored.sha256:
            raise RuntimeError(f"stored {fmt} of report {report.id} does not match its SHA-256")
        return content
    table = live_table(report, user)
    return rendering.render(fmt, build_document(report, table, None, appendix(user, table, report.unit_id)))


def file_name(report: Report, fmt: str) -> str:
    """ "bao-cao-21496-20251121-20261120.pdf" (the appendix's CSV "…-phu-luc.csv"): ASCII, so every browser keeps
    it."""
    stem = f"bao-cao-{report.unit.code}-{report.period_from:%Y%m%d}-{report.period_to:%Y%m%d}"
    return f"{stem}-phu-luc.csv" if fmt == "acsv" else f"{stem}.{fmt}"


def report_for_token(token: str) -> Report | None:
    """The sent report a QR token names, or None for a forged, tampered or unknown token."""
    public_id = verification.public_id_of(token)
    if public_id is None:
        return None
    return db.session.scalars(
        select(Report).where(Report.public_id == public_id, Report.status == "sent")
    ).first()


def verification_url(report: Report) -> str | None:
    return verification.verification_url(report.public_id) if report.public_id else None


def own_reports(user: User) -> list[Report]:
    """The reports made without a request, that the user sees, newest period first."""
    return list(
        db.session.scalars(
            scoped(Report, user)
            .where(Report.request_id.is_(None))
            .options(joinedload(Report.unit))
            .order_by(Report.period_to.desc(), Report.id.desc())
        )
    )
