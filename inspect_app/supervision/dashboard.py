"""The supervisor's dashboard (Tổng hợp): every figure of a period in the user's scope, counted in SQL, and the list of
the records behind each figure.

A figure is a named set of records (``FIGURES``): a kind (inspections, premises, findings, readings, lots,
standards) and a WHERE clause on top of that kind's base query, which is the scoping door plus the supervision
filters. ``dashboard()`` counts the figures with one aggregate statement per kind (``count(*) FILTER (WHERE …)``),
the inspections' grouped by month and unit for the bars; ``figure_page()`` lists the records of one figure with
exactly the same base and clause, so a list's length is the figure by construction. The one exception is the
inspections that checked a checklist group (or violated it): the list asks the findings by a semi-join, the count is
distinct inspection ids in the findings' own pass (``Figure.counted_as``), because a per-inspection subquery in a
``FILTER`` is planned row by row once its id set outgrows PostgreSQL's work_mem (minutes at province scale);
tests/test_supervision_dashboard.py follows every link to hold the two equal.

What the figures count:

- Inspections: the completed ones (completed, or with the biên bản issued) that started in the period and match the
  filters; the drafts in the period are one figure of their own. By month (Việt Nam day) and by unit, the bars link
  to the same list narrowed by ``from``/``to`` or ``unit``.
- Results by checklist group: inspections that checked the group (a finding of it answered đạt or không đạt), those
  with a violation in it (``counts_as_violation``) and those without; then the group's failed findings that count
  as violations and, apart, the "sơ bộ" ones (``indicative_failure``), which are never violations.
- Instruments failing, by reason, decided from the checklist answers (one finding per inspection and reason):
  PTD-02 tem/dấu, giấy chứng nhận kiểm định (no or expired stamp), PTD-03 niêm phong, kẹp chì (broken seal),
  PTD-06 sai số (error beyond the limit) and PTD-04 phạm vi đo, độ chia (unsuitable range); the items are the
  catalogue's auto-filled ones (``auto_source``), the seal item by its code. The instruments' own error is also
  counted from the readings: weighings and dispenser tests beyond the limit.
- Readings and lots in force (not voided) of those inspections: control measurements (phép đo đối chứng) and the
  non-conforming ones, the instruments' error tests, pre-packaged lots and failing ones; "sơ bộ" apart each time.
- Handling (the inspection's outcome): reminders, fix-by requests, violation records, referrals. A fix-by request
  is open while it is still its premise's latest completed inspection (the stored ``last_inspection_id``, as the
  map's states), overdue when open past its deadline, done at follow-up when it is no longer open and a completed
  follow-up (``follows_id``) found no violation and needed no more than a reminder; the rest had a later inspection
  that did not confirm the fix.
- Premises today (only the premise filters apply: province, unit, market, type, state): active premises by state
  (``state_expression``) and those with an in-use instrument whose stamp has expired.
- Reference standards (only the province and unit filters apply): active ones overdue (due date passed) and due
  within ``DUE_SOON_DAYS``.
- GPS: completed inspections whose fix was far from the premise, or poor.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from sqlalchemy import ColumnElement, String, and_, case, exists, func, not_, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased, joinedload, selectinload
from sqlalchemy.sql import Select
from sqlalchemy.sql.functions import FunctionElement

from ..access import Scope, scope_filter, scope_for
from ..domain.time import today_vn
from ..domain.vocabulary import (
    COMPLAINT_OPEN_STATUSES,
    COMPLAINT_RESOLUTIONS,
    DIRECTIONS,
    GROUPS,
    INSPECTION_KINDS,
    INSTRUMENT_TYPES,
    METER_TYPES,
    PREMISE_STATES,
    PREMISE_TYPES,
    REFERRAL_BODIES,
)
from ..extensions import db
from ..measurements.standards import DUE_SOON_DAYS
from ..inspections.tallies import REASONS, TALLIES, group_finding
from ..models import (
    Complaint,
    Finding,
    Inspection,
    InspectionInstrument,
    InspectionStandard,
    InspectionTally,
    Premise,
    PrepackagedLot,
    Province,
    Reading,
    Unit,
    User,
)
from ..models.metrology import Instrument, ReferenceStandard
from ..premises.queries import BY_NAME
from ..premises.state import (
    COMPLETED_STATUSES,
    inspection_has_violation,
    stamp_expired_expression,
    state_expression,
)
from ..inspections.queries import NEWEST_FIRST
from ..web.paging import Page, SortOrder, keyset_page
from .filters import InvalidFilters, SupervisionFilters

__all__ = [
    "FIGURES",
    "KINDS",
    "MAX_MONTHS",
    "Dashboard",
    "Figure",
    "REASONS",
    "dashboard",
    "figure_page",
    "month_range",
    "with_period",
]

# The longest period the dashboard draws month by month.
MAX_MONTHS = 120
GPS_FLAGS = {"far": "far_from_premise", "poor": "poor_accuracy"}
# The instrument types a reading tests (a meter is checked, never measured against a standard: MeterCheck).
MEASURED_TYPES = {code: label for code, label in INSTRUMENT_TYPES.items() if code not in METER_TYPES}


# ---- the period ---------------------------------------------------------------------------------------------------


def with_period(filters: SupervisionFilters, today: date | None = None) -> SupervisionFilters:
    """The filters with a period: from 1 January of this year (of ``to``'s year when only ``to`` is given) to today
    (or to ``from`` when that is later). Raises InvalidFilters when the period spans more than MAX_MONTHS months."""
    today = today or today_vn()
    start, end = filters.date_from, filters.date_to
    if start is None:
        start = date((end or today).year, 1, 1)
    if end is None:
        end = max(today, start)
    if len(month_range(start, end)) > MAX_MONTHS:
        raise InvalidFilters({"from": f"Khoảng thời gian quá dài: tối đa {MAX_MONTHS // 12} năm."})
    return replace(filters, date_from=start, date_to=end)


def month_range(start: date, end: date) -> list[tuple[int, int]]:
    """(year, month) of every month from start's to end's, both included."""
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        if len(months) > MAX_MONTHS:
            break
    return months


def month_period(filters: SupervisionFilters, year: int, month: int) -> dict[str, str]:
    """The filters' query string narrowed to one month of the period (the month bar's link)."""
    first, last = date(year, month, 1), date(year, month, monthrange(year, month)[1])
    narrowed = replace(
        filters, date_from=max(first, filters.date_from or first), date_to=min(last, filters.date_to or last)
    )
    return narrowed.to_args()


class vn_month(FunctionElement):
    """'YYYY-MM' of the Việt Nam day (UTC+7) of a stored UTC instant."""

    type = String()
    inherit_cache = True


@compiles(vn_month, "sqlite")
def _vn_month_sqlite(element, compiler, **kw):
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)}, '+7 hours')"


@compiles(vn_month, "postgresql")
def _vn_month_postgresql(element, compiler, **kw):
    return f"to_char(({compiler.process(element.clauses, **kw)}) + INTERVAL '7 hours', 'YYYY-MM')"


# ---- the base of each kind ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    scope: Scope
    filters: SupervisionFilters
    today: date
    # Subqueries built once per context, so a kind's base and its figures' conditions name the same one.
    memo: dict = field(default_factory=dict, compare=False, hash=False, repr=False)


def _completed():
    return Inspection.status.in_(COMPLETED_STATUSES)


def _inspections(ctx: Context) -> Select:
    """Inspections of the scope that the filters keep (any status)."""
    return ctx.filters.apply_to_inspections(
        select(Inspection).where(scope_filter(Inspection, scope=ctx.scope)), ctx.today
    )


def _completed_ids(ctx: Context) -> Select:
    return _inspections(ctx).where(_completed()).with_only_columns(Inspection.id).order_by(None)


def _children(model) -> Callable[[Context], Select]:
    """The model's records (findings, readings, lots) of the completed inspections the filters keep. Those
    inspections are scoped (``_inspections``), and a child's scope is its inspection's: no second scoping."""

    def base(ctx: Context) -> Select:
        return select(model).where(model.inspection_id.in_(_completed_ids(ctx)))

    return base


def _premises(ctx: Context) -> Select:
    """Active premises of the scope that the premise filters keep (the inspection filters do not apply: a premise
    never inspected has no inspection to match)."""
    return select(Premise).where(
        scope_filter(Premise, scope=ctx.scope), *ctx.filters.premise_conditions(ctx.today)
    )


def _inspected_premises(ctx: Context) -> Select:
    """Premises (whatever their status today) with a completed inspection the filters keep: each counted once."""
    inspected = _inspections(ctx).where(_completed()).with_only_columns(Inspection.premise_id).order_by(None)
    return select(Premise).where(scope_filter(Premise, scope=ctx.scope), Premise.id.in_(inspected))


def _each_once(ctx: Context, model, key: str, flag: str):
    """``model``'s rows (kept on write, a few per inspection) of the completed inspections the filters keep,
    grouped by ``key``: one row per instrument or standard, with ``flag`` 1 when it is set on one of them. Built once
    per context, so a kind's base and its figures' conditions name the same subquery."""
    name = model.__tablename__
    if name not in ctx.memo:
        ctx.memo[name] = (
            select(
                getattr(model, key).label(key),
                func.max(case((getattr(model, flag), 1), else_=0)).label(flag),
            )
            .where(model.inspection_id.in_(_completed_ids(ctx)))
            .group_by(getattr(model, key))
            .subquery(name)
        )
    return ctx.memo[name]


def _tested(ctx: Context):
    """The instruments with a reading in force in a completed inspection the filters keep, one row each, with
    ``failed`` 1 when one of those readings counts as a violation (``InspectionInstrument``)."""
    return _each_once(ctx, InspectionInstrument, "instrument_id", "failed")


def _checked_instruments(ctx: Context) -> Select:
    """Instruments tested in the period (``_tested``), each once however often it was tested."""
    tested = _tested(ctx)
    return (
        select(Instrument)
        .join(tested, tested.c.instrument_id == Instrument.id)
        .where(scope_filter(Instrument, scope=ctx.scope))
    )


def _used(ctx: Context):
    """The reference standards a reading in force of a completed inspection the filters keep used, one row each,
    with ``outside_verification`` 1 when one of those uses was outside its verification on the day
    (``InspectionStandard``)."""
    return _each_once(ctx, InspectionStandard, "standard_id", "outside_verification")


def _used_standards(ctx: Context) -> Select:
    """Reference standards (active or not today) used in the period (``_used``), each once; counted under their
    owner unit."""
    used = _used(ctx)
    query = (
        select(ReferenceStandard)
        .join(used, used.c.standard_id == ReferenceStandard.id)
        .where(scope_filter(ReferenceStandard, scope=ctx.scope))
    )
    return query.where(*ctx.filters.unit_conditions(ReferenceStandard.unit_id))


def _complaints(ctx: Context) -> Select:
    """Complaints of the scope received in the period (Việt Nam days, both included); only the province and unit
    filters apply besides (a complaint may be about an address, not a registered premise)."""
    query = select(Complaint).where(scope_filter(Complaint, scope=ctx.scope))
    if ctx.filters.date_from is not None:
        query = query.where(Complaint.received_on >= ctx.filters.date_from)
    if ctx.filters.date_to is not None:
        query = query.where(Complaint.received_on <= ctx.filters.date_to)
    return query.where(*ctx.filters.unit_conditions(Complaint.unit_id))


def _standards(ctx: Context) -> Select:
    query = select(ReferenceStandard).where(
        scope_filter(ReferenceStandard, scope=ctx.scope), ReferenceStandard.active.is_(True)
    )
    return query.where(*ctx.filters.unit_conditions(ReferenceStandard.unit_id))


@dataclass(frozen=True)
class Kind:
    """A kind of record a figure counts: its model, its base query, its list order and how its rows load."""

    name: str
    model: type
    base: Callable[[Context], Select]
    order: SortOrder
    options: tuple = ()

    @property
    def unit_column(self):
        """The column saying whose a record is, by which figures are counted per unit (the records of an
        inspection are counted through its tallies, in the inspections' statement)."""
        return self.model.unit_id


def _by_id_desc(model) -> SortOrder:
    return SortOrder(((model.id, True),), key=lambda r: (r.id,))


KINDS = {
    "inspections": Kind(
        "inspections",
        Inspection,
        _inspections,
        NEWEST_FIRST,
        (joinedload(Inspection.premise), selectinload(Inspection.unit)),
    ),
    "findings": Kind(
        "findings",
        Finding,
        _children(Finding),
        _by_id_desc(Finding),
        (joinedload(Finding.inspection).joinedload(Inspection.premise),),
    ),
    "readings": Kind(
        "readings",
        Reading,
        _children(Reading),
        _by_id_desc(Reading),
        (joinedload(Reading.inspection).joinedload(Inspection.premise),),
    ),
    "lots": Kind(
        "lots",
        PrepackagedLot,
        _children(PrepackagedLot),
        _by_id_desc(PrepackagedLot),
        (joinedload(PrepackagedLot.inspection).joinedload(Inspection.premise),),
    ),
    "premises": Kind(
        "premises",
        Premise,
        _premises,
        BY_NAME,
        (joinedload(Premise.market), selectinload(Premise.unit)),
    ),
    "inspected_premises": Kind(
        "inspected_premises",
        Premise,
        _inspected_premises,
        BY_NAME,
        (joinedload(Premise.market), selectinload(Premise.unit)),
    ),
    "instruments": Kind(
        "instruments",
        Instrument,
        _checked_instruments,
        _by_id_desc(Instrument),
        (joinedload(Instrument.premise), selectinload(Instrument.owner_unit)),
    ),
    "used_standards": Kind(
        "used_standards",
        ReferenceStandard,
        _used_standards,
        SortOrder(
            ((ReferenceStandard.due_on, False), (ReferenceStandard.id, False)), key=lambda s: (s.due_on, s.id)
        ),
        (selectinload(ReferenceStandard.owner_unit),),
    ),
    "complaints": Kind(
        "complaints",
        Complaint,
        _complaints,
        SortOrder(((Complaint.received_on, True), (Complaint.id, True)), key=lambda c: (c.received_on, c.id)),
        (joinedload(Complaint.premise), selectinload(Complaint.unit)),
    ),
    "standards": Kind(
        "standards",
        ReferenceStandard,
        _standards,
        SortOrder(
            ((ReferenceStandard.due_on, False), (ReferenceStandard.id, False)), key=lambda s: (s.due_on, s.id)
        ),
        (selectinload(ReferenceStandard.owner_unit),),
    ),
}


# ---- the figures --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A named set of records: ``kind``'s base narrowed by ``condition``, which the figure's list shows. The
    dashboard counts it as ``count(*) FILTER (WHERE condition)`` over that base, or, for the sets of an inspection's
    results (``inspections.tallies``), with ``tally``: an aggregate over the inspections' statement, which joins each
    inspection's stored counts (``InspectionTally``). The stored counts are the same conditions counted on write, so
    the sum is the list's length; tests/test_supervision_dashboard.py follows every link to hold them equal."""

    code: str
    kind: str
    label: str
    condition: Callable[[Context], ColumnElement[bool]]
    tally: Callable[[Context], ColumnElement] | None = None

    @property
    def counted_in(self) -> str:
        return "inspections" if self.tally else self.kind

    def count_expression(self, ctx: Context) -> ColumnElement:
        if self.tally:
            return self.tally(ctx)
        return func.count().filter(self.condition(ctx))


def _summed(name: str):
    """The completed inspections' stored count ``name``, added up (the statement joins only their tallies: the
    others' are NULL, which SUM skips)."""
    return lambda c: func.coalesce(func.sum(getattr(InspectionTally, name)), 0)


def _counted(*conditions):
    """How many completed inspections have these stored counts."""
    return lambda c: func.count().filter(_completed(), *conditions)


def _stored(group: str, what: str):
    return getattr(InspectionTally, f"{group.lower()}_{what}")


def _group_has(group: str, what: str) -> ColumnElement[bool]:
    """The inspection has a finding of the group that says ``what`` (filters.group_finding). For a list's WHERE: EXISTS is
    a semi-join on PostgreSQL and an index probe per inspection of the scope on SQLite (never a scan of every
    finding of the database, as ``IN (SELECT …)`` is there)."""
    return exists().where(Finding.inspection_id == Inspection.id, group_finding(group, what))


def _flag(name: str):
    return and_(Inspection.gps_flags != "", Inspection.gps_flags.contains(GPS_FLAGS[name]))


def _fix_request():
    return and_(_completed(), Inspection.outcome == "fix_request")


def _fix_open():
    """Still its premise's latest completed inspection, whose result is the pending fix (stored, kept on write).
    Its own premise, looked up by primary key: ``IN (SELECT …)`` hashed every premise of the database that waits
    for a fix (160,000 at national size) for each figure, even for one commune."""
    premise = aliased(Premise, name="fixing_premise")
    latest = exists().where(
        premise.id == Inspection.premise_id,
        premise.last_inspection_id == Inspection.id,
        premise.last_result == "pending_fix",
    )
    return and_(_fix_request(), latest)


def _fix_done():
    follow_up = aliased(Inspection)
    fixed = select(follow_up.follows_id).where(
        follow_up.follows_id.is_not(None),
        follow_up.status.in_(COMPLETED_STATUSES),
        follow_up.outcome.in_(("pass", "reminder")),
        not_(inspection_has_violation(follow_up.id)),
    )
    return and_(_fix_request(), not_(_fix_open()), Inspection.id.in_(fixed))


def _figures() -> dict[str, Figure]:
    figures: list[Figure] = []

    def add(code, kind, label, condition, tally=None):
        figures.append(Figure(code, kind, label, condition, tally))

    def add_tally(code, kind, label, name=None):
        """A set of an inspection's results: listed by the tally's condition, counted from the stored tallies."""
        tally = TALLIES[name or code]
        add(code, kind, label, lambda c: tally.condition(), _summed(tally.name))

    # Inspections and handling.
    add("inspections", "inspections", "Cuộc kiểm tra đã hoàn thành", lambda c: _completed())
    add("drafts", "inspections", "Đang kiểm tra (chưa hoàn thành)", lambda c: not_(_completed()))
    for code, label in (
        ("pass", "Đạt, không cần xử lý"),
        ("reminder", "Nhắc nhở"),
        ("fix_request", "Yêu cầu khắc phục"),
        ("violation_record", "Lập biên bản vi phạm hành chính"),
        ("referral", "Chuyển cơ quan có thẩm quyền"),
    ):
        add(
            f"handling_{code}",
            "inspections",
            label,
            lambda c, code=code: and_(_completed(), Inspection.outcome == code),
        )
    for code, label in INSPECTION_KINDS.items():
        add(
            f"kind_{code}",
            "inspections",
            f"Kiểm tra {label[0].lower()}{label[1:]}",
            lambda c, code=code: and_(_completed(), Inspection.kind == code),
        )
    for code, label in REFERRAL_BODIES.items():
        add(
            f"referral_{code}",
            "inspections",
            f"Chuyển {label}",
            lambda c, code=code: and_(
                _completed(), Inspection.outcome == "referral", Inspection.referral_body == code
            ),
        )
    issued = Inspection.status == "minutes_issued"
    add("minutes_issued", "inspections", "Biên bản kiểm tra đã lập", lambda c: issued)
    add(
        "minutes_nonconforming",
        "inspections",
        "Biên bản ghi nhận có vi phạm",
        lambda c: and_(issued, inspection_has_violation(Inspection.id)),
        _counted(
            issued,
            InspectionTally.findings_violated + InspectionTally.readings_failed + InspectionTally.lots_failed
            > 0,
        ),
    )
    add("fix_open", "inspections", "Yêu cầu khắc phục đang chờ", lambda c: _fix_open())
    add(
        "fix_overdue",
        "inspections",
        "Yêu cầu khắc phục quá hạn",
        lambda c: and_(_fix_open(), Inspection.fix_deadline < c.today),
    )
    add("fix_done", "inspections", "Đã khắc phục khi kiểm tra lại", lambda c: _fix_done())
    add(
        "fix_unconfirmed",
        "inspections",
        "Đã có lần kiểm tra sau, chưa xác nhận khắc phục",
        lambda c: and_(_fix_request(), not_(_fix_open()), not_(_fix_done())),
    )
    # GPS.
    add(
        "gps_any",
        "inspections",
        "Vị trí GPS xa cơ sở hoặc kém chính xác",
        lambda c: and_(_completed(), or_(_flag("far"), _flag("poor"))),
    )
    add("gps_far", "inspections", "Vị trí GPS xa cơ sở", lambda c: and_(_completed(), _flag("far")))
    add("gps_poor", "inspections", "GPS kém chính xác", lambda c: and_(_completed(), _flag("poor")))
    # Results by checklist group: inspections, then findings.
    for group, title in GROUPS.items():
        g = group.lower()
        add(
            f"group_{g}_checked",
            "inspections",
            f"{title}: số cuộc có kiểm tra",
            lambda c, group=group: and_(_completed(), _group_has(group, "checked")),
            _counted(_stored(group, "checked") > 0),
        )
        add(
            f"group_{g}_pass",
            "inspections",
            f"{title}: đạt",
            lambda c, group=group: and_(
                _completed(), _group_has(group, "checked"), not_(_group_has(group, "violated"))
            ),
            _counted(_stored(group, "checked") > 0, _stored(group, "violated") == 0),
        )
        add(
            f"group_{g}_violation",
            "inspections",
            f"{title}: có vi phạm",
            lambda c, group=group: and_(_completed(), _group_has(group, "violated")),
            _counted(_stored(group, "violated") > 0),
        )
        add_tally(f"group_{g}_failed", "findings", f"{title}: nội dung vi phạm", f"{g}_violated")
        add_tally(
            f"group_{g}_indicative",
            "findings",
            f"{title}: không đạt sơ bộ (không tính vi phạm)",
            f"{g}_indicative",
        )
    # Instruments failing, by reason (checklist answers).
    for reason, (label, _source) in REASONS.items():
        add_tally(f"reason_{reason}", "findings", label)
        add_tally(f"reason_{reason}_indicative", "findings", f"{label} (sơ bộ)")
    # Readings and lots.
    add_tally("control", "readings", "Phép đo đối chứng")
    add_tally("control_failed", "readings", "Phép đo đối chứng không đạt")
    add_tally("control_indicative", "readings", "Phép đo đối chứng không đạt sơ bộ")
    add_tally("control_inconclusive", "readings", "Phép đo đối chứng không đủ cơ sở kết luận")
    add_tally("error_tests", "readings", "Kiểm tra sai số phương tiện đo")
    add_tally("error_failed", "readings", "Sai số vượt giới hạn cho phép")
    add_tally("error_indicative", "readings", "Sai số vượt giới hạn, sơ bộ")
    for direction, label in DIRECTIONS.items():
        add_tally(f"control_{direction}", "readings", f"Phép đo đối chứng khi {label.lower()}")
        add_tally(
            f"control_{direction}_failed", "readings", f"Phép đo đối chứng khi {label.lower()} không đạt"
        )
    add_tally("label_quantity_checked", "findings", "Kiểm tra ghi lượng trên nhãn hàng đóng gói sẵn")
    add_tally("label_quantity_violated", "findings", "Ghi lượng trên nhãn không đạt")
    add_tally("lots", "lots", "Lô hàng đóng gói sẵn đã kiểm tra")
    add_tally("lots_failed", "lots", "Lô hàng không đạt")
    add_tally("lots_indicative", "lots", "Lô hàng không đạt sơ bộ")
    # Premises today.
    add("premises", "premises", "Cơ sở đang hoạt động", lambda c: Premise.id.is_not(None))
    for state, label in PREMISE_STATES.items():
        add(f"state_{state}", "premises", label, lambda c, state=state: state_expression(c.today) == state)
    add(
        "stamp_expired",
        "premises",
        "Có phương tiện đo hết hạn kiểm định",
        lambda c: stamp_expired_expression(c.today),
    )
    # Premises inspected in the period (each once), by type.
    add("inspected", "inspected_premises", "Cơ sở được kiểm tra", lambda c: Premise.id.is_not(None))
    for code, label in PREMISE_TYPES.items():
        add(
            f"inspected_{code}",
            "inspected_premises",
            f"Cơ sở được kiểm tra: {label[0].lower()}{label[1:]}",
            lambda c, code=code: Premise.premise_type == code,
        )
    # Measuring instruments tested in the period (each once), by type; those with a test that counts as a violation.
    add(
        "instruments_checked",
        "instruments",
        "Phương tiện đo được kiểm tra",
        lambda c: Instrument.id.is_not(None),
    )
    for code, label in MEASURED_TYPES.items():
        add(
            f"instruments_checked_{code}",
            "instruments",
            f"Phương tiện đo được kiểm tra: {label[0].lower()}{label[1:]}",
            lambda c, code=code: Instrument.instrument_type == code,
        )
    add("instruments_passed", "instruments", "Phương tiện đo đạt", lambda c: _tested(c).c.failed == 0)
    add("instruments_failed", "instruments", "Phương tiện đo không đạt", lambda c: _tested(c).c.failed == 1)
    # Reference standards used in the period, and those used outside their verification on the day.
    add(
        "standards_used",
        "used_standards",
        "Chuẩn đo lường đã dùng trong kỳ",
        lambda c: ReferenceStandard.id.is_not(None),
    )
    add(
        "standards_used_expired",
        "used_standards",
        "Chuẩn đã dùng khi quá hạn kiểm định/hiệu chuẩn",
        lambda c: _used(c).c.outside_verification == 1,
    )
    # Complaints received in the period (phản ánh, kiến nghị), how they were closed, and those still open today.
    add("complaints", "complaints", "Phản ánh, kiến nghị đã tiếp nhận", lambda c: Complaint.id.is_not(None))
    for code, label in COMPLAINT_RESOLUTIONS.items():
        add(
            f"complaints_{code}",
            "complaints",
            f"Đã giải quyết: {label[0].lower()}{label[1:]}",
            lambda c, code=code: and_(
                Complaint.status.not_in(COMPLAINT_OPEN_STATUSES), Complaint.resolution == code
            ),
        )
    add(
        "complaints_open",
        "complaints",
        "Phản ánh đang xử lý",
        lambda c: Complaint.status.in_(COMPLAINT_OPEN_STATUSES),
    )
    add(
        "complaints_overdue",
        "complaints",
        "Phản ánh quá hạn xử lý",
        lambda c: and_(Complaint.status.in_(COMPLAINT_OPEN_STATUSES), Complaint.deadline < c.today),
    )
    # Reference standards today.
    add("standards", "standards", "Chuẩn đo lường đang dùng", lambda c: ReferenceStandard.id.is_not(None))
    add(
        "standards_overdue",
        "standards",
        "Chuẩn quá hạn kiểm định/hiệu chuẩn",
        lambda c: ReferenceStandard.due_on < c.today,
    )
    add(
        "standards_due_soon",
        "standards",
        f"Chuẩn sắp đến hạn (trong {DUE_SOON_DAYS} ngày)",
        lambda c: ReferenceStandard.due_on.between(c.today, c.today + timedelta(days=DUE_SOON_DAYS)),
    )
    return {figure.code: figure for figure in figures}


FIGURES = _figures()


# ---- the dashboard ------------------------------------------------------------------------------------------------


@dataclass
class Dashboard:
    """Every figure (code → count), the completed inspections by month ((year, month, count) for each month of the
    period) and by group ((unit or province id, name, count), most first): by province at national scope
    (``grouped_by`` "province", ``by_province``), by unit otherwise."""

    filters: SupervisionFilters
    today: date
    counts: dict[str, int]
    by_month: list[tuple[int, int, int]] = field(default_factory=list)
    by_group: list[tuple[int, str, int]] = field(default_factory=list)
    grouped_by: str = "unit"


def by_province(scope: Scope, filters: SupervisionFilters) -> bool:
    """Whether the dashboard groups by province: a scope of every unit (an administrator with no home) in a
    database of several provinces, not narrowed to a province or a unit. A province is the unit of the national
    view; its drill-down (the ``province`` filter) shows its communes. One small statement when global."""
    if not scope.is_global or filters.province_id is not None or filters.unit_id is not None:
        return False
    return (db.session.scalar(select(func.count()).select_from(Province)) or 0) > 1


def dashboard(user: User, filters: SupervisionFilters, today: date | None = None) -> Dashboard:
    """The figures of ``filters`` (which have a period: ``with_period``) in the user's scope (``count_figures``),
    with the completed inspections by month and by unit, or by province at national scope (``by_province``)."""
    today = today or today_vn()
    scope = scope_for(user)
    grouped_by = "province" if by_province(scope, filters) else "unit"
    counted = count_figures(Context(scope, filters, today), by=grouped_by)
    months = month_range(filters.date_from or today, filters.date_to or today)
    return Dashboard(
        filters=filters,
        today=today,
        counts=counted.totals,
        by_month=[(year, m, counted.by_month.get(f"{year:04d}-{m:02d}", 0)) for year, m in months],
        by_group=sorted(
            (
                (group_id, counted.group_names[group_id], figures["inspections"])
                for group_id, figures in counted.by_group.items()
                if figures.get("inspections")
            ),
            key=lambda row: (-row[2], row[1]),
        ),
        grouped_by=grouped_by,
    )


@dataclass
class Counted:
    """Figures counted per unit (or per province): ``by_group`` (unit or province id → code → count, those with
    any record), their ``totals`` (code → count, every code asked for), the groups' names, and the completed
    inspections by month ('YYYY-MM' → count)."""

    totals: dict[str, int]
    by_group: dict[int, dict[str, int]]
    group_names: dict[int, str]
    by_month: dict[str, int]


def count_figures(
    ctx: Context, codes: Iterable[str] | None = None, *, months: bool = True, by: str = "unit"
) -> Counted:
    """Count the figures (every one, or ``codes``) per unit (``by="province"``: per province), in SQL: one
    aggregate statement per kind of record grouped by unit or province, joined to their stored tallies
    (inspections.tallies) for the sets of their results, and one more for the completed inspections by month unless
    ``months`` is false. A figure's list (``figure_page``) narrowed to a unit (a province) has as many records."""
    wanted = set(FIGURES) if codes is None else set(codes)
    totals: dict[str, int] = dict.fromkeys(wanted, 0)
    by_group: dict[int, dict[str, int]] = {}
    names: dict[int, str] = {}
    for name, kind in KINDS.items():
        figures = [f for f in FIGURES.values() if f.counted_in == name and f.code in wanted]
        if not figures:
            continue
        labels = [f.code for f in figures]
        expressions = [f.count_expression(ctx) for f in figures]
        query = kind.base(ctx)
        if name == "inspections":
            # The completed inspections' tallies only: a figure summed from them needs no condition of its own.
            query = query.outerjoin(
                InspectionTally, and_(InspectionTally.inspection_id == Inspection.id, _completed())
            )
        query = query.join(Unit, Unit.id == kind.unit_column)
        if by == "province":
            query = query.join(Province, Province.id == Unit.province_id)
        # Grouped by the joined table's primary key alone, its name following from it: PostgreSQL then expects
        # as many groups as units or provinces (not one per row, as it guessed for a key and a name, or a month and
        # a key) and hashes them instead of sorting every row, which spilled to disk for a province's year and took
        # seconds for the country's.
        group = Province if by == "province" else Unit
        grouped = query.with_only_columns(group.id, group.name, *expressions).group_by(group.id).order_by(None)
        for group_id, group_name, *values in db.session.execute(grouped).all():
            names[group_id] = group_name
            mine = by_group.setdefault(group_id, {})
            for code, value in zip(labels, values, strict=True):
                mine[code] = int(value or 0)
                totals[code] += int(value or 0)
    by_month: dict[str, int] = {}
    if months:
        month = vn_month(Inspection.started_at).label("month")
        monthly = _inspections(ctx).where(_completed()).with_only_columns(month, func.count())
        by_month = dict(db.session.execute(monthly.group_by(month).order_by(None)).all())
    return Counted(totals=totals, by_group=by_group, group_names=names, by_month=by_month)


def figure_page(
    user: User,
    filters: SupervisionFilters,
    code: str,
    *,
    after: str | None = None,
    before: str | None = None,
    limit: int = 50,
    today: date | None = None,
) -> Page:
    """One page of the records a figure counts, with their total (the figure): two statements and the loads of
    the rows' premise and unit. KeyError for an unknown figure; paging.InvalidCursor for a bad cursor."""
    figure = FIGURES[code]
    kind = KINDS[figure.kind]
    ctx = Context(scope_for(user), filters, today or today_vn())
    query = kind.base(ctx).where(figure.condition(ctx))
    return keyset_page(
        db.session,
        query.options(*kind.options),
        kind.order,
        after=after,
        before=before,
        size=limit,
        count=kind.model.id,
    )
