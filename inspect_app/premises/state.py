"""Keeping each premise's latest state (domain.premise_state) on write, and reading it as a filter-ready state.

One function, ``refresh_premise_state``, recomputes the stored columns with set-based SQL: for the premises a
transaction touched (the write door calls it before every commit, see ``writes``) or for all of them (``flask
rebuild-premise-state``). ``state_expression`` and ``stamp_expired_expression`` are the one SQL definition of the
map's and the dashboard's states; ``domain.premise_state.premise_state`` is the same rule in Python.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import cache

from sqlalchemy import (
    BindParameter,
    Date,
    Integer,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from ..domain.premise_state import DEFAULT_OVERDUE_MONTHS
from ..domain.time import today_vn
from ..extensions import db
from ..models import Finding, Inspection, Instrument, Premise
from ..models.metrology import PrepackagedLot, Reading
from ..tolerances.cycles import instrument_cycle_months

__all__ = [
    "COMPLETED_STATUSES",
    "inspection_has_violation",
    "STATE_COLUMNS",
    "refresh_premise_state",
    "stamp_expired_expression",
    "state_expression",
]

# An inspection counts for the latest state once it is completed (with or without its biên bản).
COMPLETED_STATUSES = ("completed", "minutes_issued")
STATE_COLUMNS = (
    "last_inspection_id",
    "last_inspected_on",
    "last_result",
    "next_due_on",
    "open_fix_deadline",
    "earliest_stamp_expiry",
)
# Refresh the touched premises in batches of ids (bound parameters stay well under every driver's limit).
BATCH = 500


# ---- date arithmetic the same in SQLite, PostgreSQL and domain.premise_state ----------------------------------------


class vn_date(FunctionElement):
    """The Việt Nam date (UTC+7, no daylight saving) of a stored UTC instant."""

    type = Date()
    inherit_cache = True


# PostgreSQL's dates go past year 9999 and Python's do not: a date these expressions compute from an odd stored
# value (an instant late on 31/12/9999) is kept at 9999-12-31, as ``domain.time.in_vn`` keeps it, so the rows it is
# written to stay readable. SQLite's date() answers NULL beyond 9999: the UTC day is taken then.
LAST_DATE = "DATE '9999-12-31'"


@compiles(vn_date, "sqlite")
def _vn_date_sqlite(element, compiler, **kw):
    instant = compiler.process(element.clauses, **kw)
    return f"coalesce(date({instant}, '+7 hours'), date({instant}))"


@compiles(vn_date, "postgresql")
def _vn_date_postgresql(element, compiler, **kw):
    return (
        f"LEAST(CAST(({compiler.process(element.clauses, **kw)}) + INTERVAL '7 hours' AS DATE), {LAST_DATE})"
    )


class add_months(FunctionElement):
    """``tolerances.cycles.add_months`` in SQL: the same day N months later, clamped to the end of a shorter month."""

    type = Date()
    inherit_cache = True


class cycle_end(FunctionElement):
    """``tolerances.cycles.cycle_expiry_date`` in SQL: the day before the same date N months later, or the last day
    of that month when it is too short for the date. It is min(first of the target month + (day − 2) days, last
    day of the target month), which is what both answer."""

    type = Date()
    inherit_cache = True


def _args(element, compiler, **kw) -> tuple[str, str]:
    day, months = element.clauses.clauses
    return compiler.process(day, **kw), compiler.process(months, **kw)


def _sqlite_from_first(day: str, months: str, day_offset: int) -> str:
    """min(first of the month N months after ``day`` + (its day + offset) days, the last day of that month)."""
    return (
        f"min(date({day}, 'start of month', ({months}) || ' months', "
        f"(CAST(strftime('%d', {day}) AS INTEGER) + ({day_offset})) || ' days'), "
        f"date({day}, 'start of month', (({months}) + 1) || ' months', '-1 day'))"
    )


@compiles(add_months, "sqlite")
def _add_months_sqlite(element, compiler, **kw):
    return _sqlite_from_first(*_args(element, compiler, **kw), -1)


@compiles(cycle_end, "sqlite")
def _cycle_end_sqlite(element, compiler, **kw):
    return _sqlite_from_first(*_args(element, compiler, **kw), -2)


@compiles(add_months, "postgresql")
def _add_months_postgresql(element, compiler, **kw):
    day, months = _args(element, compiler, **kw)
    # PostgreSQL's month arithmetic clamps to the end of a shorter month, as add_months does.
    return f"LEAST(CAST(CAST({day} AS DATE) + make_interval(months => ({months})) AS DATE), {LAST_DATE})"


@compiles(cycle_end, "postgresql")
def _cycle_end_postgresql(element, compiler, **kw):
    day, months = _args(element, compiler, **kw)
    first = f"date_trunc('month', CAST({day} AS TIMESTAMP))"
    return (
        f"LEAST(CAST({first} + make_interval(months => ({months}), "
        f"days => CAST(extract(day FROM CAST({day} AS DATE)) AS INTEGER) - 2) AS DATE), "
        f"CAST({first} + make_interval(months => ({months}) + 1) - INTERVAL '1 day' AS DATE), {LAST_DATE})"
    )


# ---- the pieces of the state, as SQL ------------------------------------------------------------------------------


def _cycle_months():
    """The verification cycle of an instrument's kind, in months (NULL where the table gives none)."""
    whens = []
    for (kind, variant), months in instrument_cycle_months().items():
        no_variant = or_(Instrument.variant.is_(None), Instrument.variant == "")
        whens.append(
            (
                and_(
                    Instrument.instrument_type == kind,
                    no_variant if variant is None else Instrument.variant == variant,
                ),
                months,
            )
        )
    return case(*whens, else_=literal(None, Integer))


def stamp_expiry_expression():
    """An instrument's stamp expiry: the date on the stamp, else the one its cycle gives from the verification date."""
    months = _cycle_months()
    computed = case(
        (
            and_(Instrument.verified_on.is_not(None), months.is_not(None)),
            cycle_end(Instrument.verified_on, months),
        ),
        else_=literal(None, Date),
    )
    return func.coalesce(Instrument.valid_until, computed)


def _has_violation(inspection_id):
    """The inspection has a result that counts as a violation (``counts_as_violation``; voided ones count for
    nothing)."""
    return or_(
        exists().where(Finding.inspection_id == inspection_id, Finding.counts_as_violation),
        exists().where(
            Reading.inspection_id == inspection_id, Reading.counts_as_violation, Reading.voided_at.is_(None)
        ),
        exists().where(
            PrepackagedLot.inspection_id == inspection_id,
            PrepackagedLot.counts_as_violation,
            PrepackagedLot.voided_at.is_(None),
        ),
    )


def _statements(premise_ids: list[int] | BindParameter | None, overdue_months: int):
    premises = Premise.__table__
    latest = Inspection.__table__.alias("latest")
    latest_id = (
        select(latest.c.id)
        .where(latest.c.premise_id == premises.c.id, latest.c.status.in_(COMPLETED_STATUSES))
        .order_by(latest.c.started_at.desc(), latest.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    earliest_expiry = (
        select(func.min(stamp_expiry_expression()))
        .where(Instrument.premise_id == premises.c.id, Instrument.in_use.is_(True))
        .scalar_subquery()
    )
    last = Inspection.__table__.alias("recorded")

    def of_last(expression):
        return select(expression).where(last.c.id == premises.c.last_inspection_id).scalar_subquery()

    inspected_on = vn_date(last.c.started_at)
    result = case(
        (last.c.outcome == "fix_request", "pending_fix"),
        (_has_violation(last.c.id), "violation"),
        else_="pass",
    )
    # updated_at is the registry's change feed (the phone syncs premises by it): the state is not an edit.
    keep_updated_at = {"updated_at": premises.c.updated_at}
    first = update(premises).values(
        last_inspection_id=latest_id, earliest_stamp_expiry=earliest_expiry, **keep_updated_at
    )
    second = update(premises).values(
        last_inspected_on=of_last(inspected_on),
        last_result=of_last(result),
        next_due_on=of_last(add_months(inspected_on, overdue_months)),
        open_fix_deadline=of_last(case((last.c.outcome == "fix_request", last.c.fix_deadline))),
        **keep_updated_at,
    )
    if premise_ids is not None:
        first = first.where(premises.c.id.in_(premise_ids))
        second = second.where(premises.c.id.in_(premise_ids))
    return first, second


def refresh_premise_state(
    premise_ids: Iterable[int] | None = None, *, overdue_months: int | None = None, session=None
) -> None:
    """Recompute the stored latest state of these premises (all of them when None) in the current transaction."""
    if overdue_months is None:
        overdue_months = _configured_months()
    session = session if session is not None else db.session
    if premise_ids is None:
        for statement in _statements(None, overdue_months):
            session.execute(statement)
        _expire(session, None)
        return
    ids = sorted(set(premise_ids))
    statements = _batch_statements(overdue_months)
    for start in range(0, len(ids), BATCH):
        for statement in statements:
            session.execute(statement, {"ids": ids[start : start + BATCH]})
    _expire(session, set(ids))


@cache
def _batch_statements(overdue_months: int) -> tuple:
    """The two UPDATEs for a batch of premises (bound as ``ids``), built once: every write of an inspection or its
    results runs them before its commit, and building them cost more CPU than running them for one premise."""
    return _statements(bindparam("ids", expanding=True), overdue_months)


def _configured_months() -> int:
    from flask import current_app, has_app_context

    if has_app_context():
        return int(current_app.config.get("INSPECTION_OVERDUE_MONTHS", DEFAULT_OVERDUE_MONTHS))
    return DEFAULT_OVERDUE_MONTHS


def _expire(session, ids: set[int] | None) -> None:
    """Premises loaded in this session show the state just written, not the one they were loaded with."""
    for record in list(session.identity_map.values()):
        if isinstance(record, Premise) and (ids is None or record.id in ids):
            session.expire(record, list(STATE_COLUMNS))


# ---- reading the state ----------------------------------------------------------------------------------------------


def state_expression(today: date | None = None):
    """The PREMISE_STATES code of a premise on ``today`` (Việt Nam's today by default), as a SQL expression to
    select, filter and group by: ``select(state_expression(), func.count()).group_by(...)``."""
    today = today or today_vn()
    return case(
        (Premise.last_inspection_id.is_(None), "never_inspected"),
        (Premise.open_fix_deadline < today, "fix_overdue"),
        (Premise.open_fix_deadline.is_not(None), "fix_pending"),
        (Premise.next_due_on < today, "inspection_overdue"),
        (Premise.last_result == "violation", "violation"),
        else_="pass",
    )


def stamp_expired_expression(today: date | None = None):
    """True when an in-use instrument of the premise has a stamp that expired before ``today``."""
    return and_(
        Premise.earliest_stamp_expiry.is_not(None), Premise.earliest_stamp_expiry < (today or today_vn())
    )


# ---- which premises a transaction touched ------------------------------------------------------------------------

# The columns whose change can change a premise's state, per model; a new or deleted row always can.
_RELEVANT = {
    Inspection: ("status", "outcome", "fix_deadline", "started_at", "premise_id"),
    Finding: ("answer", "indicative", "inspection_id"),
    Reading: ("outcome", "indicative", "voided_at", "inspection_id"),
    PrepackagedLot: ("outcome", "indicative", "voided_at", "inspection_id"),
    Instrument: ("valid_until", "verified_on", "instrument_type", "variant", "in_use", "premise_id"),
}
_PREMISES, _INSPECTIONS = "premise_state.premises", "premise_state.inspections"


def _changed(record, columns) -> bool:
    from sqlalchemy import inspect as inspect_record

    attrs = inspect_record(record).attrs
    return any(attrs[column].history.has_changes() for column in columns)


def note_flush(session, flush_context=None) -> None:
    """Called after each flush (ids assigned, history not yet reset): remember the premises (or inspections) whose state the flushed rows may change."""
    premises = session.info.setdefault(_PREMISES, set())
    inspections = session.info.setdefault(_INSPECTIONS, set())
    for group, is_new_or_gone in ((session.new, True), (session.deleted, True), (session.dirty, False)):
        for record in group:
            columns = _RELEVANT.get(type(record))
            if columns is None or not (is_new_or_gone or _changed(record, columns)):
                continue
            if isinstance(record, Inspection | Instrument):
                premises.add(record.premise_id)
                # A premise changed (never in practice): the one it left too.
                history = _history(record, "premise_id")
                premises.update(history)
            else:
                inspections.add(record.inspection_id)
                # A result moved from another inspection (never in practice): the one it left too.
                inspections.update(_history(record, "inspection_id"))


def _history(record, column) -> list[int]:
    from sqlalchemy import inspect as inspect_record

    return [value for value in inspect_record(record).attrs[column].history.deleted if value is not None]


def refresh_touched(session) -> None:
    """Before a commit: recompute the state of every premise the transaction touched (one door for every write)."""
    session.flush()
    premises = session.info.pop(_PREMISES, set())
    inspections = session.info.pop(_INSPECTIONS, set())
    premises.discard(None)
    inspections.discard(None)
    if inspections:
        # A result counts for the state only through the premise's latest completed inspection: the results of an
        # inspection still open change nothing (its completion, an Inspection change, names the premise itself).
        premises.update(
            session.scalars(
                select(Inspection.premise_id).where(
                    Inspection.id.in_(sorted(inspections)), Inspection.status.in_(COMPLETED_STATUSES)
                )
            )
        )
    if premises:
        refresh_premise_state(premises, session=session)


def forget_touched(session, previous_transaction=None) -> None:
    """After a rollback: nothing was written."""
    session.info.pop(_PREMISES, None)
    session.info.pop(_INSPECTIONS, None)


def inspection_has_violation(inspection_id):
    """SQL: the inspection has a result that counts as a violation (the rule the stored ``last_result`` uses);
    ``inspection_id`` is a column or value, e.g. ``Inspection.id`` in a correlated query."""
    return _has_violation(inspection_id)
