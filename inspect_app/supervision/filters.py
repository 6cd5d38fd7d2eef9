"""The supervisor's filters (bộ lọc), shared by the map, its list, its data API and the dashboard.

``parse_filters(request.args)`` reads a query string into a frozen ``SupervisionFilters``, or raises
``InvalidFilters`` with a Vietnamese message per bad value. The same object then narrows any scoped query:

    filters = parse_filters(request.args)
    premises = filters.apply_to_premises(scoped(Premise, user))          # the map, its list
    inspections = filters.apply_to_inspections(scoped(Inspection, user))  # the GPS layer, the dashboard
    url_for("supervision.map_page", **filters.to_args())                 # a link that keeps them

What each filter means:

- Premise filters: ``province`` (a province's units: the national view's drill-down), ``unit``, ``market``,
  ``type`` (premise type) and ``state`` (the premise's state today, the map's colour:
  ``premises.state.state_expression``). ``province`` and ``unit`` also narrow the inspections, complaints and
  standards (``unit_conditions``).
- Inspection filters: ``from``/``to`` (the Việt Nam day an inspection started, both included), ``group`` (a
  checklist group was checked: a finding of the group answered đạt or không đạt), ``result`` (``violation``: a
  result that counts as a violation, ``TeamConclusion.counts_as_violation``, within the group when one is given;
  ``pass``: none), ``handling`` (the inspection's outcome) and ``inspector`` (an account in the team). On premises they keep those with at least one inspection matching all of them; on inspections
  they keep the matching inspections, and the premise filters keep the inspections of matching premises.

Only active premises are shown on the map (``apply_to_premises``); closed ones have nothing to supervise. Values
name records by id; an id outside the user's scope matches nothing, since every query starts at the scoping door.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, not_, select
from sqlalchemy.sql import Select

from ..access import Scope, scope_filter
from ..domain.time import VN_TZ, today_vn
from ..domain.vocabulary import GROUPS, HANDLING, PREMISE_STATES, PREMISE_TYPES
from ..inspections.tallies import group_finding
from ..models import Finding, Inspection, InspectionMember, Premise, Unit
from ..premises.state import inspection_has_violation, state_expression

__all__ = [
    "INSPECTION_RESULTS",
    "PARAMETERS",
    "InvalidFilters",
    "SupervisionFilters",
    "parse_filters",
]

# Kết quả kiểm tra, as a filter: whether the inspection (or its checklist group) found a violation.
INSPECTION_RESULTS = {"pass": "Đạt", "violation": "Vi phạm"}

# Query-string name → (dataclass field, what it is, in Vietnamese for messages and the form).
PARAMETERS = {
    "province": ("province_id", "Tỉnh, thành phố"),
    "unit": ("unit_id", "Đơn vị"),
    "market": ("market_id", "Chợ"),
    "type": ("premise_type", "Loại hình cơ sở"),
    "state": ("state", "Tình trạng cơ sở"),
    "from": ("date_from", "Từ ngày"),
    "to": ("date_to", "Đến ngày"),
    "group": ("group", "Nhóm nội dung kiểm tra"),
    "result": ("result", "Kết quả kiểm tra"),
    "handling": ("handling", "Hình thức xử lý"),
    "inspector": ("inspector_id", "Cán bộ kiểm tra"),
}
_CHOICES = {
    "type": PREMISE_TYPES,
    "state": PREMISE_STATES,
    "group": GROUPS,
    "result": INSPECTION_RESULTS,
    "handling": HANDLING,
}
_IDS = ("province", "unit", "market", "inspector")
_DATES = ("from", "to")
# Dates a person might type: 2026-03-31 (the date input's own) or 31/03/2026.
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
MAX_ID = 2**31 - 1


class InvalidFilters(ValueError):
    """Filter values that cannot be read: ``errors`` maps each query-string name to a Vietnamese message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class SupervisionFilters:
    """What a supervisor narrowed the view to; None everywhere is the whole scope."""

    province_id: int | None = None
    unit_id: int | None = None
    market_id: int | None = None
    premise_type: str | None = None
    state: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    group: str | None = None
    result: str | None = None
    handling: str | None = None
    inspector_id: int | None = None

    # ---- reading back -----------------------------------------------------------------------------------------

    def to_args(self) -> dict[str, str]:
        """The query-string values that give these filters back through ``parse_filters`` (empty ones left out),
        in a fixed order: for ``url_for(..., **filters.to_args())`` and the form's fields."""
        args = {}
        for name, (attribute, _label) in PARAMETERS.items():
            value = getattr(self, attribute)
            if value is not None:
                args[name] = value.isoformat() if isinstance(value, date) else str(value)
        return args

    def to_query(self) -> str:
        """``unit=3&from=2026-01-01``: the filters as a query string (no leading "?"), "" for none."""
        return urlencode(self.to_args())

    @property
    def is_empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(self))

    @property
    def filters_inspections(self) -> bool:
        """Whether any filter is about inspections (then a premise needs a matching inspection to be shown)."""
        return any(
            value is not None
            for value in (
                self.date_from,
                self.date_to,
                self.group,
                self.result,
                self.handling,
                self.inspector_id,
            )
        )

    @property
    def filters_premises(self) -> bool:
        """Whether any filter is about the premise itself (beyond its unit)."""
        return any(value is not None for value in (self.market_id, self.premise_type, self.state))

    # ---- applying -------------------------------------------------------------------------------------------

    def unit_conditions(self, unit_column) -> list[ColumnElement[bool]]:
        """WHERE clauses on a record's unit column (``Premise.unit_id``, ``Inspection.unit_id``, …) for the
        ``province`` and ``unit`` filters."""
        conditions: list[ColumnElement[bool]] = []
        if self.province_id is not None:
            conditions.append(unit_column.in_(select(Unit.id).where(Unit.province_id == self.province_id)))
        if self.unit_id is not None:
            conditions.append(unit_column == self.unit_id)
        return conditions

    def premise_conditions(
        self, today: date | None = None, *, active_only: bool = True
    ) -> list[ColumnElement[bool]]:
        """WHERE clauses on Premise for the premise filters (the province and unit included); active premises only
        unless ``active_only=False``."""
        conditions: list[ColumnElement[bool]] = [Premise.status == "active"] if active_only else []
        conditions += self.unit_conditions(Premise.unit_id)
        if self.market_id is not None:
            conditions.append(Premise.market_id == self.market_id)
        if self.premise_type is not None:
            conditions.append(Premise.premise_type == self.premise_type)
        if self.state is not None:
            conditions.append(state_expression(today or today_vn()) == self.state)
        return conditions

    def inspection_conditions(self) -> list[ColumnElement[bool]]:
        """WHERE clauses on Inspection for the inspection filters (not the premise's, not its unit)."""
        conditions: list[ColumnElement[bool]] = []
        if self.date_from is not None:
            conditions.append(Inspection.started_at >= _vn_midnight(self.date_from))
        if self.date_to is not None:
            conditions.append(Inspection.started_at < _vn_midnight(self.date_to + timedelta(days=1)))
        if self.handling is not None:
            conditions.append(Inspection.outcome == self.handling)
        if self.inspector_id is not None:
            conditions.append(
                Inspection.id.in_(
                    select(InspectionMember.inspection_id).where(
                        InspectionMember.user_id == self.inspector_id
                    )
                )
            )
        if self.group is not None:
            # The findings of the group are found once, not per inspection.
            violated = Inspection.id.in_(
                select(Finding.inspection_id).where(group_finding(self.group, "violated"))
            )
            if self.result == "violation":
                conditions.append(violated)
            else:
                checked = select(Finding.inspection_id).where(group_finding(self.group, "checked"))
                conditions.append(Inspection.id.in_(checked))
                if self.result == "pass":
                    conditions.append(not_(violated))
        elif self.result is not None:
            violated = inspection_has_violation(Inspection.id)
            conditions.append(violated if self.result == "violation" else not_(violated))
        return conditions

    def apply_to_premises(
        self, query: Select, today: date | None = None, *, scope: Scope | None = None
    ) -> Select:
        """A scoped SELECT over Premise, narrowed to the active premises these filters keep. ``scope`` (the
        user's ``access.scope_for``) keeps the inspections looked at for the inspection filters to the user's:
        the answer is the same without it, the work is not."""
        query = query.where(*self.premise_conditions(today))
        if self.filters_inspections:
            # IN (…) rather than a correlated EXISTS: the matching inspections are found once (by date through
            # their index), not looked for premise by premise.
            matching = select(Inspection.premise_id).where(*self.inspection_conditions())
            if scope is not None:
                matching = matching.where(scope_filter(Inspection, scope=scope))
            query = query.where(Premise.id.in_(matching))
        return query

    def apply_to_inspections(self, query: Select, today: date | None = None) -> Select:
        """A scoped SELECT over Inspection, narrowed to the inspections these filters keep (of any status: add
        your own condition on ``Inspection.status`` where only completed ones count)."""
        query = query.where(*self.inspection_conditions(), *self.unit_conditions(Inspection.unit_id))
        if self.filters_premises:
            query = query.where(
                Inspection.premise_id.in_(
                    select(Premise.id).where(*self.premise_conditions(today, active_only=False))
                )
            )
        return query


def _vn_midnight(day: date) -> datetime:
    """The UTC instant a Việt Nam day starts (the stored started_at are UTC)."""
    return datetime.combine(day, time(0), VN_TZ).astimezone(UTC)


# The years a date filter may name (a period's midnight must be a datetime that exists in every time zone).
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _read_date(text: str) -> date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_filters(args: Mapping[str, str]) -> SupervisionFilters:
    """The filters in a query string (``request.args`` or any mapping); empty values are no filter.

    Raises InvalidFilters naming each value that is not valid, in Vietnamese. Names not listed in PARAMETERS are
    left for the caller (paging cursors, the map's bbox and zoom)."""
    values: dict[str, object] = {}
    errors: dict[str, str] = {}
    for name, (attribute, label) in PARAMETERS.items():
        raw = (args.get(name) or "").strip()
        if not raw:
            continue
        if name in _IDS:
            if raw.isascii() and raw.isdigit() and 0 < int(raw) <= MAX_ID:
                values[attribute] = int(raw)
            else:
                errors[name] = f"{label} không hợp lệ: «{raw[:40]}» không phải là mã số."
        elif name in _DATES:
            day = _read_date(raw)
            if day is None:
                errors[name] = f"{label} không hợp lệ: «{raw[:40]}»; nhập ngày dạng 31/12/2026."
            elif not FIRST_YEAR <= day.year <= LAST_YEAR:
                errors[name] = f"{label} phải trong các năm {FIRST_YEAR}–{LAST_YEAR}."
            else:
                values[attribute] = day
        else:
            if raw in _CHOICES[name]:
                values[attribute] = raw
            else:
                errors[name] = f"{label} không hợp lệ: «{raw[:40]}»."
    start, end = values.get("date_from"), values.get("date_to")
    if isinstance(start, date) and isinstance(end, date) and start > end:
        errors["to"] = "Đến ngày phải sau hoặc bằng Từ ngày."
    if errors:
        raise InvalidFilters(errors)
    return SupervisionFilters(**values)  # type: ignore[arg-type]
