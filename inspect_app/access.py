"""The scoping door: every record lookup and list query goes through here.

A user of one commune-level unit sees only that unit's records; a supervisor or administrator of a province sees
the units under it; an administrator with no home sees everything. Another unit's record answers 404, exactly as a
record that does not exist, so ids cannot be probed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache, wraps
from typing import Any, TypeVar

from flask import abort, g, has_request_context
from flask_login import current_user, login_required
from sqlalchemy import ColumnElement, bindparam, false, or_, select, true
from sqlalchemy.sql import Select

from .extensions import db
from .models import (
    AuditEvent,
    Decision,
    DecisionMember,
    Finding,
    Inspection,
    Instrument,
    InstrumentPhoto,
    Job,
    MeterCheck,
    Photo,
    PlanPremise,
    Plan,
    PrepackagedLot,
    Premise,
    PremiseChange,
    Province,
    Reading,
    Report,
    ReportFile,
    ReportRequest,
    Unit,
    User,
)

M = TypeVar("M")


@dataclass(frozen=True)
class Scope:
    """What a user may see: unit ids (None = every unit) and province ids whose own records are visible."""

    unit_ids: frozenset[int] | None
    province_ids: frozenset[int]

    @property
    def is_global(self) -> bool:
        return self.unit_ids is None

    def covers_unit(self, unit_id: int | None) -> bool:
        return self.unit_ids is None or (unit_id is not None and unit_id in self.unit_ids)


def scope_for(user: User) -> Scope:
    if user.unit_id is not None:
        return Scope(frozenset({user.unit_id}), frozenset())
    if user.province_id is not None:
        unit_ids = db.session.scalars(select(Unit.id).where(Unit.province_id == user.province_id)).all()
        return Scope(frozenset(unit_ids), frozenset({user.province_id}))
    if user.role == "admin":
        return Scope(None, frozenset())
    # An account with no home and no admin role sees nothing.
    return Scope(frozenset(), frozenset())


def _in(column, ids: frozenset[int]) -> ColumnElement[bool]:
    return column.in_(sorted(ids)) if ids else false()


def _provinces(scope: Scope) -> frozenset[int]:
    """The provinces whose own records the scope sees: its provinces' and those of its units."""
    units = scope.unit_ids or frozenset()
    found = set(scope.province_ids)
    found |= set(db.session.scalars(select(Unit.province_id).where(_in(Unit.id, units))).all())
    return frozenset(found)


def _clause(model: type, scope: Scope) -> ColumnElement[bool]:
    """The filter that keeps a model's rows inside the scope. A model not listed here cannot be looked up."""
    if scope.is_global:
        return true()
    units = scope.unit_ids or frozenset()
    if model is Unit:
        return _in(Unit.id, units)
    if model is Province:
        return _in(Province.id, _provinces(scope))
    if model is ReportRequest:
        # A request of the Sở goes to every commune of its province: the province's accounts and the communes' see it.
        return _in(ReportRequest.province_id, _provinces(scope))
    if model is ReportFile:
        return ReportFile.report_id.in_(select(Report.id).where(_in(Report.unit_id, units)))
    if model is Job:
        # A job belongs to its requester's home: a commune's, or a province's for a province account.
        return or_(_in(Job.unit_id, units), _in(Job.province_id, scope.province_ids))
    if model is DecisionMember:
        return DecisionMember.decision_id.in_(select(Decision.id).where(_in(Decision.unit_id, units)))
    if model is User:
        return or_(_in(User.unit_id, units), _in(User.province_id, scope.province_ids))
    if model is AuditEvent:
        # A unit's events, and the province's own (its accounts' logins, its settings) for the province's accounts.
        return or_(_in(AuditEvent.unit_id, units), _in(AuditEvent.province_id, scope.province_ids))
    if model in (Finding, Photo, Reading, PrepackagedLot, MeterCheck):
        return model.inspection_id.in_(select(Inspection.id).where(_in(Inspection.unit_id, units)))
    if model is InstrumentPhoto:
        return InstrumentPhoto.instrument_id.in_(select(Instrument.id).where(_in(Instrument.unit_id, units)))
    if model is PlanPremise:
        return PlanPremise.plan_id.in_(select(Plan.id).where(_in(Plan.unit_id, units)))
    if model is PremiseChange:
        return PremiseChange.premise_id.in_(select(Premise.id).where(_in(Premise.unit_id, units)))
    unit_column = getattr(model, "unit_id", None)
    if unit_column is None:
        raise TypeError(f"{model.__name__} has no scoping rule")
    return _in(unit_column, units)


def scoped(model: type[M], user: User | None = None) -> Select:
    """SELECT model rows the user may see; add filters and ordering to it."""
    user = user or current_user
    return select(model).where(_clause(model, scope_for(user)))


def scope_filter(model: type, user: User | None = None, scope: Scope | None = None) -> ColumnElement[bool]:
    """The bare WHERE clause, for count and aggregate queries over a model. A query over several models may pass
    the user's ``scope_for(user)`` once instead of having it looked up for each."""
    if scope is None:
        scope = scope_for(user or current_user)
    return _clause(model, scope)


# The largest id an INTEGER column holds.
MAX_ID = 2**31 - 1


# Models whose scoping clause is read from the database (a unit's province): built afresh for every lookup.
_CLAUSE_READS_DATABASE = frozenset({Province, ReportRequest})


@lru_cache(maxsize=512)
def _lookup(model: type, scope: Scope, options: tuple = ()) -> Select:
    """One record by id inside a scope, built once per model, scope and loader options (a module's constant): every
    record URL starts with this lookup, and a statement kept keeps its compiled form's cache key too."""
    return select(model).where(_clause(model, scope), model.id == bindparam("record_id")).options(*options)


def get_or_404(model: type[M], record_id: Any, user: User | None = None, options: tuple = ()) -> M:
    """The record if it exists and the user may see it; otherwise 404, whichever the reason. ``options`` (loader
    options kept in a module-level tuple) load what the caller will read of it in the same few statements."""
    user = user or current_user
    try:
        record_id = int(record_id)
    except (TypeError, ValueError):
        abort(404)
    if not 0 < record_id <= MAX_ID:  # no such row, and more than the column (or SQLite) holds
        abort(404)
    scope = scope_for(user)
    statement = (_lookup.__wrapped__ if model in _CLAUSE_READS_DATABASE else _lookup)(model, scope, options)
    record = db.session.scalars(statement, {"record_id": record_id}).first()
    if record is None:
        if db.session.scalar(select(model.id).where(model.id == record_id)) is not None:
            # It exists, outside the user's scope: the answer is the same 404, the audit log keeps the attempt.
            note_denied(model.__tablename__, record_id)
        abort(404)
    return record


def visible_units(user: User | None = None) -> list[Unit]:
    user = user or current_user
    return list(db.session.scalars(scoped(Unit, user).order_by(Unit.name)))


def unit_in_scope(unit_id: int | None, user: User | None = None) -> bool:
    user = user or current_user
    return scope_for(user).covers_unit(unit_id)


# Who may change what: one table for the whole app, read by views and templates.
PERMISSIONS = {
    "premise.edit": {"inspector", "staff", "admin"},
    "market.edit": {"staff", "admin"},
    "premise.import": {"staff", "admin"},
    "user.manage": {"admin"},
    "inspection.edit": {"inspector", "supervisor", "admin"},
    "minutes.issue": {"inspector", "staff", "supervisor", "admin"},
    # Correcting a finding at the desk, with a reason (before the first biên bản, or once it is reopened for a
    # correction): the ward's staff too, who issue the replacement biên bản.
    "finding.correct": {"inspector", "staff", "supervisor", "admin"},
    "minutes.revoke": {"supervisor", "admin"},
    # Quyết định kiểm tra: drafted and issued by the unit's staff, its leadership and administrators.
    "decision.edit": {"staff", "supervisor", "admin"},
    # Re-judging readings judged with a superseded table (before the biên bản is issued).
    "reading.rejudge": {"supervisor", "admin"},
    "unit.manage": {"admin"},
    "standard.edit": {"inspector", "staff", "admin"},
    "instrument.edit": {"inspector", "staff", "admin"},
    "metrology.settings": {"admin"},
    # Readings and lots typed in at the desk (ward staff copy what the inspector wrote on paper).
    "measurement.record": {"inspector", "staff", "supervisor", "admin"},
    # Voiding a reading or lot before the biên bản: its recorder may void their own ("measurement.void"); staff,
    # supervisors and administrators of the unit may void anyone's ("measurement.void_any").
    "measurement.void": {"inspector", "staff", "supervisor", "admin"},
    "measurement.void_any": {"staff", "supervisor", "admin"},
    # The yearly report: a province's supervisors publish the Sở's request to its communes; a commune's staff and
    # supervisors prepare and send the commune's report (reports.service adds where the account must belong).
    "report.publish": {"supervisor", "admin"},
    "report.prepare": {"staff", "supervisor", "admin"},
    # The complaints register: receive and close (anyone who handles cases), assign (the desk and leadership);
    # the complainant's contact is further limited to the complaint's own unit (complaints.service).
    "complaint.record": {"inspector", "staff", "supervisor", "admin"},
    "complaint.assign": {"staff", "supervisor", "admin"},
    # The QR sticker of a premise's public page (where the unit has turned the page on).
    "sticker.print": {"inspector", "staff", "supervisor", "admin"},
    # The yearly inspection plan: the unit's staff and supervisors prepare it, its leadership approves it; the risk
    # weights that rank premises are an administrator's setting.
    "plan.prepare": {"staff", "supervisor", "admin"},
    "plan.approve": {"supervisor", "admin"},
    "plan.settings": {"admin"},
    # The audit log (nhật ký thao tác): read and exported by supervisors and administrators, within their scope.
    "audit.view": {"supervisor", "admin"},
    # A backup of the whole instance from the Tác vụ page, and its download (backup.jobs adds: an administrator
    # who sees every unit).
    "backup.create": {"admin"},
}


def can(action: str, user: User | None = None) -> bool:
    user = user or current_user
    return bool(getattr(user, "is_authenticated", False)) and user.role in PERMISSIONS[action]


def require(action: str) -> None:
    if not can(action):
        note_denied("permissions", None, action)
        abort(403)


def note_denied(record_type: str, record_id: int | None, permission: str | None = None) -> None:
    """Keep the first refusal of this request for the audit log (written by ``audit.hooks`` once the answer is
    made, in its own transaction, so nothing the request left pending is committed with it)."""
    if has_request_context() and "audit_denied" not in g:
        g.audit_denied = (record_type, record_id, permission)


def permission_required(action: str):
    """Route decorator: log in first, then 403 unless the user's role may do the action."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            require(action)
            return view(*args, **kwargs)

        return wrapped

    return decorator
