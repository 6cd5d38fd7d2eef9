"""What each inspection's results add up to, kept on write (``inspection_tallies``): how many of its findings,
readings and lots fall in each of the dashboard's and the yearly report's sets; and, as a few rows each, the
instruments it tested and the reference standards it used (``inspection_instruments``, ``inspection_standards``),
which the report counts each once over a year.

A province's year holds some 800,000 findings and a million readings; counting them for every dashboard or report
view costs seconds. Each inspection's counts change only when its own results do, so the write door keeps them
(``note_flush`` after each flush remembers the inspections whose results changed, ``refresh_touched`` rewrites
their rows before the commit) and a view adds up one row per inspection. ``flask rebuild-inspection-tallies``
rewrites every row; a test proves that after any sequence of writes the stored rows equal a fresh count. The
instruments tested and the standards used are the same: counting them from the readings read a million rows for a
province's year (4–5 s); from these tables, a few rows per inspection.

``TALLIES`` is the one definition of each set: the stored count is ``count(*) FILTER (WHERE condition)`` over the
inspection's records of that model, and the list of the records behind a figure (``supervision.dashboard``) uses the
same condition, so a list's length is the summed count. The names are ``domain.vocabulary.TALLY_NAMES`` (the
table's columns); a test holds the two equal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.sql import Select

from ..checklists import load_catalogue
from ..domain.vocabulary import GROUPS, TALLY_NAMES
from ..models import (
    Finding,
    Inspection,
    InspectionInstrument,
    InspectionStandard,
    InspectionTally,
    PrepackagedLot,
    Reading,
    ReadingStandard,
)

__all__ = [
    "REASONS",
    "TALLIES",
    "Tally",
    "group_finding",
    "note_flush",
    "reason_codes",
    "refresh",
    "refresh_touched",
]

# Refresh the touched inspections in batches of ids (bound parameters stay well under every driver's limit).
BATCH = 500
# The instrument's own error tests (the control measurements are kind "control").
ERROR_KINDS = ("weighing", "dispenser")
# Reasons an instrument fails, as checklist items: reason → (label, the catalogue's auto_source or the item code).
REASONS = {
    "stamp": ("Không có tem/dấu hoặc hết hạn kiểm định", "instrument_verification"),
    "seal": ("Niêm phong, kẹp chì không còn nguyên vẹn", "PTD-03"),
    "error": ("Sai số vượt giới hạn cho phép", "instrument_readings"),
    "range": ("Phạm vi đo, độ chia không phù hợp", "instrument_range"),
}
CATALOGUE_VERSIONS = ("2026.1", "2026.2")
# The checklist item on the quantity written on pre-packaged goods' labels (TT 21/2014; TT 28/2013 Điều 19.3.a), the
# yearly report's "label-quantity checks" (the same code in every catalogue version, tested).
LABEL_QUANTITY_ITEMS = ("PTD-10",)


def reason_codes() -> dict[str, tuple[str, ...]]:
    """reason → the item codes that ask it, over every catalogue version (the same code in each, tested)."""
    codes: dict[str, set[str]] = {reason: set() for reason in REASONS}
    for version in CATALOGUE_VERSIONS:
        catalogue = load_catalogue(version)
        for item in catalogue.items:
            for reason, (_label, source) in REASONS.items():
                if item.auto_source == source or item.code == source:
                    codes[reason].add(item.code)
    return {reason: tuple(sorted(found)) for reason, found in codes.items()}


def group_finding(group: str, what: str) -> ColumnElement[bool]:
    """A finding of the checklist group (its codes "GIA-…", as a range: "-" + 1 is ".") that says the group was
    checked (``what="checked"``: answered đạt or không đạt), violated (``"violated"``: it counts as a violation,
    so it was answered không đạt and the group was checked too) or failed "sơ bộ" (``"indicative"``: never a
    violation)."""
    in_group = and_(Finding.item_code >= f"{group}-", Finding.item_code < f"{group}.")
    if what == "checked":
        return and_(in_group, Finding.answer.in_(("pass", "fail")))
    if what == "violated":
        return and_(in_group, Finding.counts_as_violation)
    if what == "indicative":
        return and_(in_group, Finding.indicative_failure)
    raise ValueError(what)


@dataclass(frozen=True)
class Tally:
    """A set of one inspection's records: ``model``'s rows of the inspection for which ``condition`` holds."""

    name: str
    model: type
    condition: Callable[[], ColumnElement[bool]]


def _tallies() -> dict[str, Tally]:
    tallies: list[Tally] = []

    def add(name, model, condition):
        tallies.append(Tally(name, model, condition))

    for group in GROUPS:
        for what in ("checked", "violated", "indicative"):
            add(f"{group.lower()}_{what}", Finding, lambda group=group, what=what: group_finding(group, what))
    codes = reason_codes()
    for reason in REASONS:
        add(
            f"reason_{reason}",
            Finding,
            lambda reason=reason: and_(Finding.item_code.in_(codes[reason]), Finding.counts_as_violation),
        )
        add(
            f"reason_{reason}_indicative",
            Finding,
            lambda reason=reason: and_(Finding.item_code.in_(codes[reason]), Finding.indicative_failure),
        )
    add("findings_violated", Finding, lambda: Finding.counts_as_violation)
    quantity = Finding.item_code.in_(LABEL_QUANTITY_ITEMS)
    add("label_quantity_checked", Finding, lambda: and_(quantity, Finding.answer.in_(("pass", "fail"))))
    add("label_quantity_violated", Finding, lambda: and_(quantity, Finding.counts_as_violation))
    add("readings_failed", Reading, lambda: Reading.counts_as_violation)
    is_control, is_error = Reading.kind == "control", Reading.kind.in_(ERROR_KINDS)
    add("control", Reading, lambda: and_(is_control, Reading.in_force))
    add("control_failed", Reading, lambda: and_(is_control, Reading.counts_as_violation))
    add("control_indicative", Reading, lambda: and_(is_control, Reading.indicative_failure))
    add(
        "control_inconclusive",
        Reading,
        lambda: and_(is_control, Reading.outcome == "inconclusive", Reading.in_force),
    )
    for direction in ("sell", "buy"):
        selling = and_(is_control, Reading.direction == direction)
        add(f"control_{direction}", Reading, lambda selling=selling: and_(selling, Reading.in_force))
        add(
            f"control_{direction}_failed",
            Reading,
            lambda selling=selling: and_(selling, Reading.counts_as_violation),
        )
    add("error_tests", Reading, lambda: and_(is_error, Reading.in_force))
    add("error_failed", Reading, lambda: and_(is_error, Reading.counts_as_violation))
    add("error_indicative", Reading, lambda: and_(is_error, Reading.indicative_failure))
    add("lots", PrepackagedLot, lambda: PrepackagedLot.in_force)
    add("lots_failed", PrepackagedLot, lambda: PrepackagedLot.counts_as_violation)
    add("lots_indicative", PrepackagedLot, lambda: PrepackagedLot.indicative_failure)
    return {tally.name: tally for tally in tallies}


TALLIES = _tallies()
assert tuple(TALLIES) == TALLY_NAMES, "TALLY_NAMES (the table's columns) must list TALLIES in order"


# ---- the refresh --------------------------------------------------------------------------------------------------


def fresh_counts(inspection_ids: Select | BindParameter | Iterable[int] | None = None):
    """SELECT inspection_id, one count per tally (TALLY_NAMES order), for the given inspections (ids, a SELECT of
    ids or an expanding bound parameter; every inspection when None): each model's records grouped by inspection, left-joined to the inspections."""
    inspections = select(Inspection.id.label("inspection_id"))
    if inspection_ids is not None:
        inspections = inspections.where(Inspection.id.in_(inspection_ids))
    inspections = inspections.subquery("tallied")
    query = select(inspections.c.inspection_id)
    columns: dict[str, ColumnElement] = {}
    for model in (Finding, Reading, PrepackagedLot):
        names = [tally.name for tally in TALLIES.values() if tally.model is model]
        counted = (
            select(
                model.inspection_id.label("inspection_id"),
                *[func.count().filter(TALLIES[name].condition()).label(name) for name in names],
            )
            .where(model.inspection_id.in_(select(inspections.c.inspection_id)))
            .group_by(model.inspection_id)
            .subquery(model.__tablename__)
        )
        query = query.outerjoin(counted, counted.c.inspection_id == inspections.c.inspection_id)
        columns.update({name: func.coalesce(counted.c[name], literal(0)) for name in names})
    return query.add_columns(*[columns[name].label(name) for name in TALLY_NAMES])


def _any(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """True when ``condition`` holds for one row of the group (a boolean on every dialect)."""
    return func.max(case((condition, 1), else_=0)) == 1


def fresh_instruments(inspection_ids: Select | BindParameter | Iterable[int] | None = None) -> Select:
    """SELECT inspection_id, instrument_id, failed: the instruments each inspection tested (a reading in force of
    them), once, failed when one of those readings counts as a violation (``InspectionInstrument``)."""
    query = select(
        Reading.inspection_id, Reading.instrument_id, _any(Reading.counts_as_violation).label("failed")
    ).where(Reading.in_force)
    if inspection_ids is not None:
        query = query.where(Reading.inspection_id.in_(inspection_ids))
    return query.group_by(Reading.inspection_id, Reading.instrument_id)


def fresh_standards(inspection_ids: Select | BindParameter | Iterable[int] | None = None) -> Select:
    """SELECT inspection_id, standard_id, outside_verification: the reference standards each inspection's readings
    in force used, once, outside their verification when one of those uses was (``InspectionStandard``)."""
    query = (
        select(
            Reading.inspection_id,
            ReadingStandard.standard_id,
            _any(ReadingStandard.within_verification.is_(False)).label("outside_verification"),
        )
        .join(Reading, Reading.id == ReadingStandard.reading_id)
        .where(Reading.in_force)
    )
    if inspection_ids is not None:
        query = query.where(Reading.inspection_id.in_(inspection_ids))
    return query.group_by(Reading.inspection_id, ReadingStandard.standard_id)


# What the refresh writes: each table, its columns, the SELECT of its fresh rows.
_KEPT = (
    (InspectionTally.__table__, ["inspection_id", *TALLY_NAMES], fresh_counts),
    (InspectionInstrument.__table__, ["inspection_id", "instrument_id", "failed"], fresh_instruments),
    (InspectionStandard.__table__, ["inspection_id", "standard_id", "outside_verification"], fresh_standards),
)


def refresh(
    session, inspection_ids: Iterable[int] | None = None, measured: Iterable[int] | None = None
) -> None:
    """Rewrite what is kept of these inspections (of every inspection when None) — their tallies, the instruments
    they tested and the standards they used — in the session's transaction. ``measured``: of ``inspection_ids``,
    those whose readings may have changed; the instruments and standards kept come from readings alone, so only
    these have them rewritten (every one of ``inspection_ids`` when None)."""
    if inspection_ids is None:
        for table, target, fresh in _KEPT:
            session.execute(delete(table))
            session.execute(insert(table).from_select(target, fresh()))
        return
    ids = sorted({i for i in inspection_ids if i is not None})
    of_readings = ids if measured is None else sorted({i for i in measured if i is not None})
    batches = _batch_statements()
    for batch_ids, statements in ((ids, batches["tallies"]), (of_readings, batches["measured"])):
        for start in range(0, len(batch_ids), BATCH):
            batch = batch_ids[start : start + BATCH]
            for statement in statements:
                session.execute(statement, {"ids": batch})
    # Rows of these tables loaded in the session show what was just written, not what they were loaded with.
    kept_models = (InspectionTally, InspectionInstrument, InspectionStandard)
    written = set(ids)
    for loaded in list(session.identity_map.values()):
        if isinstance(loaded, kept_models) and loaded.inspection_id in written:
            session.expire(loaded)


@cache
def _batch_statements() -> dict[str, tuple]:
    """The DELETE and INSERT … SELECT of every kept table for a batch of inspections (bound as ``ids``), built once:
    ``tallies`` (the inspections' counts) and ``measured`` (the instruments tested and the standards used, which
    come from readings alone).

    Every write of a finding, reading or lot runs them before its commit; building the tallies' SELECT (some sixty
    filtered counts) cost about 11 ms of CPU each time, more than running it for one inspection, and on SQLite that
    time is spent holding the write lock."""
    ids = bindparam("ids", expanding=True)
    tallies, instruments, standards = (
        (delete(table).where(table.c.inspection_id.in_(ids)), insert(table).from_select(target, fresh(ids)))
        for table, target, fresh in _KEPT
    )
    return {"tallies": tallies, "measured": instruments + standards}


# ---- which inspections a transaction touched ---------------------------------------------------------------------

# The columns whose change can change a tally, per model; a new or deleted row always can.
_RELEVANT = {
    Finding: ("item_code", "answer", "indicative", "inspection_id"),
    Reading: (
        "kind",
        "direction",
        "outcome",
        "indicative",
        "voided_at",
        "inspection_id",
        "instrument_id",
        "standards",
    ),
    PrepackagedLot: ("outcome", "indicative", "voided_at", "inspection_id"),
}
_TOUCHED, _MEASURED = "tallies.inspections", "tallies.measured"


def note_flush(session, flush_context=None) -> None:
    """After each flush (ids assigned, history not yet reset): remember the inspections whose tallies the flushed
    rows may change — a new inspection (so it has its row), and any whose findings, readings or lots changed."""
    from sqlalchemy import inspect as inspect_record

    touched = session.info.setdefault(_TOUCHED, set())
    measured = session.info.setdefault(_MEASURED, set())
    for record in session.new:
        if isinstance(record, Inspection):
            touched.add(record.id)
    for group, is_new_or_gone in ((session.new, True), (session.deleted, True), (session.dirty, False)):
        for record in group:
            columns = _RELEVANT.get(type(record))
            if columns is None:
                continue
            attrs = inspect_record(record).attrs
            if not is_new_or_gone and not any(attrs[c].history.has_changes() for c in columns):
                continue
            ids = {
                record.inspection_id,
                *(v for v in attrs["inspection_id"].history.deleted if v is not None),
            }
            touched.update(ids)
            if isinstance(record, Reading):
                measured.update(ids)


def refresh_touched(session) -> None:
    """Before the commit: rewrite the tallies of the inspections this transaction touched."""
    session.flush()
    touched = session.info.pop(_TOUCHED, None)
    measured = session.info.pop(_MEASURED, set())
    if touched:
        refresh(session, touched, measured)


def forget_touched(session, previous_transaction=None) -> None:
    session.info.pop(_TOUCHED, None)
    session.info.pop(_MEASURED, None)
