"""Reading the supervisor's map at province scale: counts by state per group (province, unit or grid cell) or the
premises themselves in a view, the legend's counts, the list beside the map, the GPS mismatch layer and a premise's
popup. Every query starts at the scoping door and takes the filters of ``supervision.filters``; each answer is a
fixed number of statements whatever the number of premises.

Grouping is done in SQL on the stored latest state (``premises.state``), so the whole-province view of 50,000
premises is one GROUP BY that answers a few hundred rows (figures: bench/README.md, ``bench_map.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Float, Integer, and_, false, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.sql.functions import FunctionElement

from ..access import Scope, scope_filter, scope_for, scoped
from ..domain.map_grid import BBox, cell_degrees, grouping
from ..domain.premise_state import LatestState, premise_state
from ..domain.time import today_vn
from ..domain.vocabulary import PREMISE_STATES
from ..extensions import db
from ..models import Inspection, Market, Minutes, Premise, Province, Unit, User
from ..premises.queries import BY_NAME
from ..premises.state import stamp_expired_expression, state_expression
from ..web.paging import Page, keyset_page, prefer_index
from .filters import SupervisionFilters

__all__ = [
    "GPS_FLAGS",
    "GpsLayer",
    "MapGroup",
    "MapView",
    "PremiseCard",
    "Summary",
    "gps_mismatches",
    "map_list_page",
    "map_summary",
    "map_view",
    "premise_card",
    "state_of",
]

# The GPS flags the mismatch layer shows (domain.geo.assess_fix): the fix was far from the premise, or poor.
GPS_FLAGS = ("far_from_premise", "poor_accuracy")
COORDINATE_DIGITS = 6


class grid_index(FunctionElement):
    """floor(x) as an integer; x is never negative here (degrees shifted by +180 / +90)."""

    type = Integer()
    inherit_cache = True


@compiles(grid_index, "sqlite")
def _grid_index_sqlite(element, compiler, **kw):
    # SQLite's CAST truncates toward zero, which is floor for x ≥ 0 (floor() needs the math extension).
    return f"CAST(({compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(grid_index)
def _grid_index_default(element, compiler, **kw):
    return f"CAST(FLOOR({compiler.process(element.clauses, **kw)}) AS INTEGER)"


def state_of(premise: Premise, today: date | None = None) -> str:
    """A loaded premise's PREMISE_STATES code (domain.premise_state, the rule state_expression is in SQL)."""
    stored = LatestState(
        last_inspection_id=premise.last_inspection_id,
        last_inspected_on=premise.last_inspected_on,
        last_result=premise.last_result,
        next_due_on=premise.next_due_on,
        open_fix_deadline=premise.open_fix_deadline,
        earliest_stamp_expiry=premise.earliest_stamp_expiry,
    )
    return premise_state(stored, today or today_vn())


def _in_bbox(latitude, longitude, bbox: BBox | None):
    if bbox is None:
        return latitude.is_not(None)
    return and_(latitude.between(bbox.south, bbox.north), longitude.between(bbox.west, bbox.east))


def _premises(scope: Scope, filters: SupervisionFilters, today: date):
    """The scoped, filtered premises as one WHERE clause (for SELECTs of chosen columns)."""
    return filters.apply_to_premises(
        select(Premise.id).where(scope_filter(Premise, scope=scope)), today, scope=scope
    ).whereclause


def _zero_counts() -> dict[str, int]:
    return dict.fromkeys(PREMISE_STATES, 0)


# ---- the legend: counts by state of the whole filtered set -------------------------------------------------------


@dataclass
class Summary:
    """Premises the filters keep in the user's scope: by state (in PREMISE_STATES order), how many have a location
    (and so are on the map), and the bounds of those (south, west, north, east), None when none has one."""

    counts: dict[str, int]
    located: int
    bounds: tuple[float, float, float, float] | None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def unlocated(self) -> int:
        return self.total - self.located


def map_summary(user: User, filters: SupervisionFilters, today: date | None = None) -> Summary:
    """One statement: the filtered set grouped by state and by whether it has a location."""
    today = today or today_vn()
    inner = (
        select(
            state_expression(today).label("state"),
            Premise.latitude.label("lat"),
            Premise.longitude.label("lng"),
        )
        .where(_premises(scope_for(user), filters, today))
        .subquery()
    )
    rows = db.session.execute(
        select(
            inner.c.state,
            func.count(),
            func.count(inner.c.lat),
            func.min(inner.c.lat),
            func.min(inner.c.lng),
            func.max(inner.c.lat),
            func.max(inner.c.lng),
        ).group_by(inner.c.state)
    ).all()
    counts = _zero_counts()
    located_total = 0
    south = west = north = east = None
    for state, count, with_location, min_lat, min_lng, max_lat, max_lng in rows:
        counts[state] += count
        located_total += with_location
        if with_location:
            south = min_lat if south is None else min(south, min_lat)
            west = min_lng if west is None else min(west, min_lng)
            north = max_lat if north is None else max(north, max_lat)
            east = max_lng if east is None else max(east, max_lng)
    bounds = None if south is None else (south, west, north, east)
    return Summary(counts=counts, located=located_total, bounds=bounds)


# ---- the map's view ---------------------------------------------------------------------------------------------


@dataclass
class MapGroup:
    """Premises counted together: a province, a unit or a grid cell; placed at their mean position; ``bounds``
    (south, west, north, east) is where a click zooms to."""

    key: str
    label: str | None
    latitude: float
    longitude: float
    counts: dict[str, int]
    bounds: tuple[float, float, float, float]

    @property
    def count(self) -> int:
        return sum(self.counts.values())


@dataclass
class MapView:
    """What one view of the map draws: ``mode`` is ``points`` (``points`` holds (id, latitude, longitude, state)
    of every premise in the view) or the grouping (``groups``); ``counts`` are the view's premises by state."""

    mode: str
    zoom: int
    counts: dict[str, int]
    groups: list[MapGroup] = field(default_factory=list)
    points: list[tuple[int, float, float, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _span(scope: Scope, filters: SupervisionFilters) -> tuple[int, int]:
    """How many provinces and units the view can span (2 = several)."""
    if filters.unit_id is not None:
        return 1, 1
    if scope.is_global:
        return (1 if filters.province_id is not None else 2), 2
    units = len(scope.unit_ids or ())
    return (1 if scope.province_ids or units else 0), units


def map_view(
    user: User,
    filters: SupervisionFilters,
    *,
    bbox: BBox | None,
    zoom: int,
    point_limit: int = 2000,
    today: date | None = None,
) -> MapView:
    """The premises in the view (the whole filtered set when ``bbox`` is None), grouped for the zoom, or one by
    one when there are at most ``point_limit``: one GROUP BY, then the points when few enough (two statements)."""
    today = today or today_vn()
    scope = scope_for(user)
    provinces, units = _span(scope, filters)
    mode = grouping(zoom, provinces=provinces, units=units)
    state = state_expression(today).label("state")
    where = and_(_premises(scope, filters, today), _in_bbox(Premise.latitude, Premise.longitude, bbox))
    columns = [state, Premise.latitude.label("lat"), Premise.longitude.label("lng")]
    if mode == "cells":
        size = cell_degrees(zoom)
        columns += [
            grid_index((Premise.longitude + 180.0) / size).label("gx"),
            grid_index((Premise.latitude + 90.0) / size).label("gy"),
        ]
        inner = select(*columns).where(where).subquery()
        keys = [inner.c.gx, inner.c.gy]
        names = []
        join = None
    elif mode == "units":
        inner = select(*columns, Premise.unit_id.label("unit_id")).where(where).subquery()
        keys = [inner.c.unit_id]
        names = [Unit.name]
        join = (Unit, and_(Unit.id == inner.c.unit_id, scope_filter(Unit, scope=scope)))
    else:
        inner = (
            select(*columns, Unit.province_id.label("province_id"))
            .join(Unit, Unit.id == Premise.unit_id)
            .where(where)
            .subquery()
        )
        keys = [inner.c.province_id]
        names = [Province.name]
        join = (Province, and_(Province.id == inner.c.province_id, scope_filter(Province, scope=scope)))
    query = select(
        *keys,
        *names,
        inner.c.state,
        func.count(),
        func.avg(inner.c.lat, type_=Float),
        func.avg(inner.c.lng, type_=Float),
        func.min(inner.c.lat),
        func.min(inner.c.lng),
        func.max(inner.c.lat),
        func.max(inner.c.lng),
    ).select_from(inner)
    if join is not None:
        query = query.join(*join)
    rows = db.session.execute(query.group_by(*keys, *names, inner.c.state)).all()
    view = MapView(mode=mode, zoom=zoom, counts=_zero_counts())
    view.groups = _groups(rows, len(keys), len(names), mode)
    for group in view.groups:
        for code, count in group.counts.items():
            view.counts[code] += count
    if view.total <= point_limit:
        points = db.session.execute(
            select(Premise.id, Premise.latitude, Premise.longitude, state).where(where).order_by(Premise.id)
        ).all()
        view.mode, view.groups = "points", []
        view.points = [
            (pid, round(lat, COORDINATE_DIGITS), round(lng, COORDINATE_DIGITS), code)
            for pid, lat, lng, code in points
        ]
    return view


def _groups(rows: Iterable, n_keys: int, n_names: int, mode: str) -> list[MapGroup]:
    merged: dict[tuple, dict] = {}
    for row in rows:
        key = tuple(row[:n_keys])
        label = row[n_keys] if n_names else None
        code, count, mean_lat, mean_lng, min_lat, min_lng, max_lat, max_lng = row[n_keys + n_names :]
        entry = merged.setdefault(
            key,
            {"label": label, "counts": _zero_counts(), "lat": 0.0, "lng": 0.0, "bounds": None},
        )
        entry["counts"][code] += count
        # Weighted means across the states' rows of the group.
        entry["lat"] += mean_lat * count
        entry["lng"] += mean_lng * count
        b = entry["bounds"]
        entry["bounds"] = (
            (min_lat, min_lng, max_lat, max_lng)
            if b is None
            else (min(b[0], min_lat), min(b[1], min_lng), max(b[2], max_lat), max(b[3], max_lng))
        )
    groups = []
    for key, entry in merged.items():
        total = sum(entry["counts"].values())
        groups.append(
            MapGroup(
                key=f"{mode}:" + ":".join(str(part) for part in key),
                label=entry["label"],
                latitude=round(entry["lat"] / total, COORDINATE_DIGITS),
                longitude=round(entry["lng"] / total, COORDINATE_DIGITS),
                counts={code: n for code, n in entry["counts"].items() if n},
                bounds=tuple(round(v, COORDINATE_DIGITS) for v in entry["bounds"]),
            )
        )
    groups.sort(key=lambda g: g.key)
    return groups


# ---- the list beside the map ------------------------------------------------------------------------------------


def map_list_page(
    user: User,
    filters: SupervisionFilters,
    *,
    after: str | None = None,
    before: str | None = None,
    limit: int = 50,
    today: date | None = None,
) -> Page[Premise]:
    """The same premises as the map, by name, one page (each with its market and unit); the count is the
    summary's. Raises paging.InvalidCursor for a cursor that cannot be read."""
    query = filters.apply_to_premises(scoped(Premise, user), today or today_vn(), scope=scope_for(user))
    if user.unit_id is None and filters.unit_id is None and filters.market_id is None:
        # Many units: read by name through the order's index (see web.paging).
        query = prefer_index(query, Premise, "ix_premises_name_id")
    return keyset_page(
        db.session,
        query.options(joinedload(Premise.market), selectinload(Premise.unit)),
        BY_NAME,
        after=after,
        before=before,
        size=limit,
    )


# ---- the GPS mismatch layer ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GpsMismatch:
    inspection_id: int
    started_at: datetime
    flags: tuple[str, ...]
    latitude: float
    longitude: float
    accuracy_m: float | None
    distance_m: float | None
    premise_id: int
    premise_name: str
    premise_latitude: float | None
    premise_longitude: float | None


@dataclass(frozen=True)
class GpsLayer:
    items: list[GpsMismatch]
    more: bool


def gps_mismatches(
    user: User,
    filters: SupervisionFilters,
    *,
    bbox: BBox | None,
    limit: int = 300,
    today: date | None = None,
) -> GpsLayer:
    """Inspections whose GPS fix was far from the premise or poor, with the fix in the view, newest first, at
    most ``limit`` (``more`` says whether there are others): one statement. ``gps_flags <> ''`` is the condition
    of the partial index ix_inspections_gps_flagged, which finds the flagged fixes in a view by position."""
    flagged = and_(
        Inspection.gps_flags != "", or_(*[Inspection.gps_flags.contains(flag) for flag in GPS_FLAGS])
    )
    in_view = _in_bbox(Inspection.gps_latitude, Inspection.gps_longitude, bbox)
    query = (
        filters.apply_to_inspections(scoped(Inspection, user), today or today_vn())
        .join(Premise, Premise.id == Inspection.premise_id)
        .where(flagged, Inspection.gps_latitude.is_not(None), Inspection.gps_longitude.is_not(None), in_view)
        .with_only_columns(
            Inspection.id,
            Inspection.started_at,
            Inspection.gps_flags,
            Inspection.gps_latitude,
            Inspection.gps_longitude,
            Inspection.gps_accuracy_m,
            Inspection.gps_distance_m,
            Premise.id,
            Premise.name,
            Premise.latitude,
            Premise.longitude,
        )
        .order_by(Inspection.started_at.desc(), Inspection.id.desc())
        .limit(limit + 1)
    )
    rows = db.session.execute(query).all()
    items = [
        GpsMismatch(
            inspection_id=row[0],
            started_at=row[1],
            flags=tuple(flag for flag in row[2].split(",") if flag),
            latitude=round(row[3], COORDINATE_DIGITS),
            longitude=round(row[4], COORDINATE_DIGITS),
            accuracy_m=row[5],
            distance_m=row[6],
            premise_id=row[7],
            premise_name=row[8],
            premise_latitude=row[9],
            premise_longitude=row[10],
        )
        for row in rows[:limit]
    ]
    return GpsLayer(items=items, more=len(rows) > limit)


# ---- a premise's popup ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PremiseCard:
    """What a premise's popup shows: the premise, its state today, its latest completed inspection and that
    inspection's biên bản in force (each None when there is none)."""

    premise: Premise
    state: str
    stamp_expired: bool
    inspection: Inspection | None
    minutes: Minutes | None


def premise_card(user: User, premise_id: int, today: date | None = None) -> PremiseCard | None:
    """One statement; None when the premise does not exist or is not in the user's scope."""
    today = today or today_vn()
    scope = scope_for(user)
    row = db.session.execute(
        select(Premise, state_expression(today), stamp_expired_expression(today), Inspection, Minutes)
        .where(scope_filter(Premise, scope=scope), Premise.id == premise_id)
        .outerjoin(
            Inspection,
            and_(Inspection.id == Premise.last_inspection_id, scope_filter(Inspection, scope=scope)),
        )
        .outerjoin(
            Minutes,
            and_(
                Minutes.inspection_id == Inspection.id,
                Minutes.status == "valid",
                scope_filter(Minutes, scope=scope),
            ),
        )
        .options(joinedload(Premise.market), joinedload(Premise.unit))
        .order_by(Minutes.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    premise, state, expired, inspection, minutes = row
    return PremiseCard(premise, state, bool(expired), inspection, minutes)


def filter_choices(user: User, filters: SupervisionFilters | None = None) -> dict:
    """What the filter form offers: the user's units, their markets and the accounts of the scope (three
    statements after the scope's look-up). At national scope (every unit, several provinces) the provinces too,
    and the units, markets and accounts of the province chosen (by ``province``, or by the chosen unit's) only,
    none before one is chosen: a province is the unit of the national view, and the country's thousands of communes
    are no list to pick from (five statements at most)."""
    scope = scope_for(user)
    filters = filters or SupervisionFilters()
    units_clause = scope_filter(Unit, scope=scope)
    provinces: list[Province] = []
    chosen = None
    if scope.is_global:
        provinces = list(db.session.scalars(select(Province).order_by(Province.name)))
        if len(provinces) > 1:
            chosen = filters.province_id
            if chosen is None and filters.unit_id is not None:
                chosen = db.session.scalar(select(Unit.province_id).where(Unit.id == filters.unit_id))
            units_clause = Unit.province_id == chosen if chosen is not None else false()
        else:
            provinces = []
    units = list(db.session.scalars(select(Unit).where(units_clause).order_by(Unit.name)))
    markets = list(
        db.session.scalars(
            select(Market)
            .where(scope_filter(Market, scope=scope), Market.unit_id.in_([u.id for u in units] or [0]))
            .order_by(Market.name)
        )
    )
    people_query = select(User.id, User.full_name).where(
        scope_filter(User, scope=scope), User.role.in_(("inspector", "supervisor", "staff"))
    )
    if provinces:
        home = User.unit_id.in_([u.id for u in units]) if units else false()
        people_query = people_query.where(
            or_(home, User.province_id == chosen) if chosen is not None else home
        )
    people = db.session.execute(people_query.order_by(User.full_name, User.id)).all()
    return {"provinces": provinces, "units": units, "markets": markets, "people": people}
