"""The scoping door: every record lookup and list query goes through here.

A user of one commune-level unit sees only that unit's records; a supervisor or administrator of a province sees
the units under it; an administrator with no home sees everything. Another unit's record answers 404, exactly as a
record that does not exist, so ids cannot be probed.
"""

from __future__ import annotations

import weakref
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache, wraps
from typing import Any, TypeVar

from flask import abort, g, has_app_context, has_request_context
from flask_login import current_user, login_required
from sqlalchemy import (
    ColumnElement,
    Text,
    and_,
    bindparam,
    case,
    cast,
    event,
    false,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session, aliased
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
        if _exists_anywhere(model, record_id):
            # It exists, outside the user's scope: the answer is the same 404, the audit log keeps the attempt.
            note_denied(model.__tablename__, record_id)
        abort(404)
    return record


def _exists_anywhere(model: type, record_id: int) -> bool:
    """Whether the id exists in any unit (see ``exists_anywhere``)."""
    return exists_anywhere(model, model.id == record_id)


def exists_anywhere(model: type, condition: ColumnElement[bool]) -> bool:
    """Whether a row of ``model`` meeting ``condition`` exists in any unit, for an answer that reveals nothing of it.
    On PostgreSQL the user's own transaction sees only the user's units (row-level security), so it is asked on a
    short connection of its own that acts for nobody."""
    query = select(model.id).where(condition).limit(1)
    if db.engine.dialect.name != "postgresql":
        return db.session.scalar(query) is not None
    with db.engine.connect() as connection:
        system_transaction(connection)
        return connection.scalar(query) is not None


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


# ---- The database's own copy of the door (PostgreSQL row-level security, migration 0030) ----------------------------
#
# Each transaction tells PostgreSQL whose it is, and the policies keep a query that forgot the door inside the same
# units. Whom a transaction acts for is decided here, and only here:
#
# - a request: the logged-in user (session or bearer token), from the moment the loader knows them; before that,
#   and for an anonymous request, nothing at all is visible (the account tables are outside the policies, so the
#   loaders and the login can read them);
# - "system" (every unit), set explicitly by code that acts for nobody: the login (it logs tries against an account
#   before anyone is known), the public pages opened by a signed QR token (the signature is their door), every
#   ``flask`` command, the job queue's bookkeeping and the backup's counts; migrations set it themselves;
# - a background job: its requester, once the worker has loaded them (``act_for``).
#
# The settings are transaction-local (set_config(…, true)): nothing outlives the transaction, so a pooled connection
# never carries one request's scope into the next.

# ("user", id): what that account sees; SYSTEM: every unit; NOTHING: no unit.
DatabaseScope = tuple[str, int | None]
SYSTEM: DatabaseScope = ("every", None)
NOTHING: DatabaseScope = ("nothing", None)

_SET_FIXED_SCOPE = select(
    func.set_config("inspect.unit_ids", bindparam("units", type_=Text), true()),
    func.set_config("inspect.province_ids", "", true()),
)
# Code run from the command line acts for nobody (see ``system_commands``).
_command_acts_as_system: ContextVar[bool] = ContextVar("command_acts_as_system", default=False)


def scope_settings(user_id, valid: ColumnElement[bool] | None = None) -> list:
    """The two set_config() columns that give a transaction the scope of the account ``user_id`` (a value, or a
    column of the enclosing query), the same three homes as ``scope_for``: a commune's unit; a province's units
    (listed in the statement) and its own rows; everything for an administrator with no home. Nothing for an
    inactive account, or when ``valid`` is false (a revoked token)."""
    account = aliased(User, name="scope_account")
    province_units = (
        select(func.coalesce(func.string_agg(cast(Unit.id, Text), ","), ""))
        .where(Unit.province_id == account.province_id)
        .scalar_subquery()
    )
    units = case(
        (account.unit_id.is_not(None), cast(account.unit_id, Text)),
        (account.province_id.is_not(None), province_units),
        (account.role == "admin", "*"),
        else_="",
    )
    provinces = case(
        (and_(account.unit_id.is_(None), account.province_id.is_not(None)), cast(account.province_id, Text)),
        else_="",
    )
    settings = []
    for name, value in (("inspect.unit_ids", units), ("inspect.province_ids", provinces)):
        of_account = select(value).where(account.id == user_id, account.active).scalar_subquery()
        if valid is not None:
            of_account = case((valid, of_account), else_="")
        settings.append(func.set_config(name, func.coalesce(of_account, ""), True).label(name.replace(".", "_")))
    return settings


def database_scope(user: User) -> DatabaseScope:
    return ("user", user.id)


def _note(session, key: str, transaction, scope: DatabaseScope | None = None) -> None:
    """What the session knows of its transaction's scope. The transaction is held weakly: a strong reference from
    ``session.info`` would tie the session, its transaction and its connection into a cycle that only the garbage
    collector frees (four times as many collector runs per API read; the instructions a read runs were the same)."""
    session.info[key] = (weakref.ref(transaction), scope)


def _noted(session, key: str) -> tuple[Any, DatabaseScope | None]:
    held = session.info.get(key)
    return (held[0](), held[1]) if held is not None else (None, None)


def _set_scope(session, connection, scope: DatabaseScope) -> None:
    if scope[0] == "user":
        connection.execute(select(*scope_settings(literal(scope[1]))))
    else:
        connection.execute(_SET_FIXED_SCOPE, {"units": "*" if scope == SYSTEM else ""})
    _note(session, "db_scope_applied", session.get_transaction(), scope)


def _acting() -> DatabaseScope | None:
    if has_app_context() and "db_scope" in g:
        return g.db_scope
    return SYSTEM if _command_acts_as_system.get() else None


def act_as(scope: DatabaseScope) -> None:
    """From now on in this app context the database sees ``scope``; the transaction under way takes it at once."""
    g.db_scope = scope
    session = db.session()
    transaction = session.get_transaction()
    if transaction is None or _noted(session, "db_scope_transaction")[0] is not transaction:
        return  # no connection yet: the transaction's first statement (after_begin) will say it
    if _noted(session, "db_scope_applied") != (transaction, scope):
        _set_scope(session, session.connection(), scope)


def act_for(user: User) -> None:
    """The database sees what ``user`` sees (a background job acting for its requester)."""
    act_as(database_scope(user))


def act_as_system() -> None:
    """Every unit: for code that acts for nobody (see the list above)."""
    act_as(SYSTEM)


def loader_sets_scope() -> bool:
    """Whether the loaders' one query of the account (a token's or a session's) also sets its scope: on PostgreSQL,
    unless the request already acts for someone (a public page acts as the system whoever is logged in)."""
    return db.engine.dialect.name == "postgresql" and not (has_app_context() and "db_scope" in g)


def identity_scope_columns(user_id, valid: ColumnElement[bool] | None = None) -> list:
    """For the loaders' one query of the account: the columns that also set its scope when ``valid``, so knowing
    who asks costs no statement of its own. None where ``loader_sets_scope`` says no."""
    if not loader_sets_scope():
        return []
    return scope_settings(user_id, valid)


def identified(user: User | None, scope_set: bool = False) -> User | None:
    """A loader's last step: once the request's user is known, its transactions act for them (unless the request
    already acts as the system, as the public pages do). ``scope_set``: the loader's query already set it."""
    if user is None or not has_app_context() or "db_scope" in g:
        return user
    scope = database_scope(user)
    if scope_set:
        g.db_scope = scope
        session = db.session()
        _note(session, "db_scope_applied", session.get_transaction(), scope)
    else:
        act_as(scope)
    return user


def system_transaction(connection) -> None:
    """A connection of the app's own bookkeeping (the job queue, the backup's counts) sees every unit, for the
    transaction it is in."""
    if connection.dialect.name == "postgresql":
        connection.execute(_SET_FIXED_SCOPE, {"units": "*"})


def system_commands(group) -> None:
    """Every ``flask`` command of ``group`` (and its subgroups) acts for nobody: its transactions see every unit.
    The operator who runs one has the server's shell, and with it the database."""
    for command in group.commands.values():
        if hasattr(command, "commands"):
            system_commands(command)
        elif command.callback is not None and not getattr(command.callback, "acts_as_system", False):
            command.callback = _as_system(command.callback)


def _as_system(callback):
    @wraps(callback)
    def wrapped(*args, **kwargs):
        token = _command_acts_as_system.set(True)
        try:
            return callback(*args, **kwargs)
        finally:
            _command_acts_as_system.reset(token)

    wrapped.acts_as_system = True
    return wrapped


@event.listens_for(Session, "after_begin")
def _scope_transaction(session, transaction, connection) -> None:
    """One statement at the start of each transaction on PostgreSQL: whose it is. A transaction that begins before
    anyone is known sees nothing until ``act_as`` (or a loader's query) says whom it acts for."""
    if connection.dialect.name != "postgresql" or transaction.parent is not None:
        return
    _note(session, "db_scope_transaction", transaction)
    scope = _acting()
    if scope is not None:
        _set_scope(session, connection, scope)
