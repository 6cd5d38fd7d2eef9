"""Reading the premises registry at province scale: the paged list, the nearest premises to a point, and the changes
since a phone's last fetch. Every query starts at the scoping door; none loads more rows than it shows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.sql import Select

from ..access import scoped
from ..domain.geo import distance_m
from ..domain.text import fold
from ..domain.vocabulary import PREMISE_STATUSES, PREMISE_TYPES
from ..extensions import db
from ..models import Premise, User
from ..web.paging import (
    ListArgs,
    Page,
    SortOrder,
    changes_page,
    count_rows,
    full_scan,
    keyset_page,
    prefer_index,
)

# The registry's order on the desk and in the API: by name, then id (index ix_premises_name_id).
BY_NAME = SortOrder(((Premise.name, False), (Premise.id, False)), key=lambda p: (p.name, p.id))
# The order of the offline cache's change feed (index ix_premises_updated_at_id).
BY_CHANGE = SortOrder(((Premise.updated_at, False), (Premise.id, False)), key=lambda p: (p.updated_at, p.id))


def premise_list_args(args: Mapping[str, str]) -> ListArgs:
    """The registry list's filters (q, type, market, status, unit), read exactly as the desk's list reads them."""
    q = (args.get("q") or "").strip()
    raw = {key: args.get(key) or "" for key in ("type", "market", "status", "unit")}
    errors = {}
    if raw["type"] and raw["type"] not in PREMISE_TYPES:
        errors["type"] = "Loại hình cơ sở không hợp lệ."
    if raw["market"] and not raw["market"].isdigit():
        errors["market"] = "Chợ không hợp lệ."
    if raw["status"] and raw["status"] not in PREMISE_STATUSES:
        errors["status"] = "Trạng thái cơ sở không hợp lệ."
    if raw["unit"] and not raw["unit"].isdigit():
        errors["unit"] = "Đơn vị không hợp lệ."
    kwargs = {
        "q": q,
        "status": raw["status"] or None,
        "premise_type": raw["type"] or None,
        "market_id": int(raw["market"]) if raw["market"].isdigit() else None,
        "unit_id": int(raw["unit"]) if raw["unit"].isdigit() else None,
    }
    return ListArgs(echo={"q": q, **raw}, kwargs=kwargs, errors=errors)


def premise_query(
    user: User,
    q: str = "",
    *,
    premise_type: str | None = None,
    market_id: int | None = None,
    status: str | None = None,
    unit_id: int | None = None,
) -> Select:
    """Scoped premises matching a search (every folded word in the search text) and the desk's filters."""
    query = scoped(Premise, user)
    for word in fold(q).split():
        query = query.where(Premise.search_text.contains(word, autoescape=True))
    if premise_type:
        query = query.where(Premise.premise_type == premise_type)
    if market_id is not None:
        query = query.where(Premise.market_id == market_id)
    if status:
        query = query.where(Premise.status == status)
    if unit_id is not None:
        query = query.where(Premise.unit_id == unit_id)
    return query


def premises_page(
    user: User,
    q: str = "",
    *,
    status: str | None = "active",
    after: str | None = None,
    before: str | None = None,
    limit: int = 50,
    with_total: bool = True,
    count_cap: int | None = None,
    **filters,
) -> Page[Premise]:
    """One page of the registry by name, each premise with its market and unit (two statements with the total;
    a unit not yet in the session adds one).

    ``status=None`` lists closed premises too; `filters` are premise_query's. Raises paging.InvalidCursor for a
    cursor that cannot be read.
    """
    query = premise_query(user, q, status=status, **filters)
    page_query, count_query = query, query
    if _province_wide(user, filters.get("unit_id")) and filters.get("market_id") is None:
        page_query = prefer_index(query, Premise, "ix_premises_name_id")
        if q or status or any(value is not None for value in filters.values()):
            count_query = full_scan(query, Premise)
    return keyset_page(
        db.session,
        page_query.options(joinedload(Premise.market), selectinload(Premise.unit)),
        BY_NAME,
        after=after,
        before=before,
        size=limit,
        count=Premise.id if with_total else None,
        count_cap=count_cap,
        count_query=count_query,
    )


def _province_wide(user: User, unit_id: int | None = None) -> bool:
    """Whether the list spans many units, so it is read in its sort index's order (see web.paging)."""
    return user.unit_id is None and unit_id is None


def premises_changed(
    user: User, since: datetime | None = None, *, after: str | None = None, limit: int = 500
) -> Page[Premise]:
    """The phone's offline copy of the premises, fetched incrementally (``paging.changes_page``): closed ones
    included so the phone can drop them."""
    query = scoped(Premise, user).options(joinedload(Premise.market))
    if _province_wide(user):
        query = prefer_index(query, Premise, "ix_premises_updated_at_id")
    return changes_page(db.session, query, BY_CHANGE, since, after=after, limit=limit)


# ---- nearest premises -------------------------------------------------------------------------------------------

# Metres per degree: the smallest a degree of latitude gets (at the equator) and a degree of longitude at the
# equator; dividing by them makes a box at least as large as the radius asked for, anywhere on the ellipsoid.
_M_PER_DEG_LAT = 110_574.0
_M_PER_DEG_LON = 111_319.0
# Distances on a sphere are within −0.2 % … +0.6 % of the geodesic ones; 1 % more keeps every possible candidate.
_SLACK = 1.01


@dataclass(frozen=True)
class Nearest:
    """Premises nearest a point, nearest first, each with its geodesic distance in metres (None: no location)."""

    items: list[tuple[Premise, float | None]]
    total: int | None

    def __iter__(self):
        return iter(self.items)


def _box(latitude: float, longitude: float, radius_m: float) -> ColumnElement[bool]:
    dlat = radius_m / _M_PER_DEG_LAT
    poleward = min(89.9, abs(latitude) + dlat)
    dlon = min(180.0, radius_m / (_M_PER_DEG_LON * math.cos(math.radians(poleward))))
    return Premise.latitude.between(latitude - dlat, latitude + dlat) & Premise.longitude.between(
        longitude - dlon, longitude + dlon
    )


def _approx_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular distance on a sphere: good to well under 1 % at the distances of a box."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6_371_008.8 * math.hypot(x, y)


def nearest_premises(
    user: User,
    latitude: float,
    longitude: float,
    *,
    limit: int = 50,
    q: str = "",
    status: str | None = "active",
    start_radius_m: float = 400.0,
    max_radius_m: float = 150_000.0,
    fill_unlocated: bool = True,
    with_total: bool = True,
    count_cap: int | None = None,
) -> Nearest:
    """The `limit` premises nearest to the point, found in SQL.

    A box on the indexed latitude/longitude (ix_premises_latitude_longitude) is widened, guided by how many
    premises the last one held, until it holds `limit` or reaches `max_radius_m`; ids and coordinates only. The
    k-th nearest of those may lie beyond the circle the box was drawn round, so the box is then redrawn round that
    distance once, which makes the answer exact. Geodesic distances (domain.geo) are computed only for the
    candidates that can still be among the nearest. With fewer than `limit` located premises, those without a
    location follow by name (as the API always answered). `total` counts every premise matching `q` and `status`
    (up to `count_cap`: the phone only asks whether there are more than it was sent, which limit + 1 answers).
    """
    base = premise_query(user, q, status=status).where(Premise.latitude.is_not(None))
    coordinates = prefer_index(
        base.with_only_columns(Premise.id, Premise.latitude, Premise.longitude).order_by(None),
        Premise,
        "ix_premises_latitude_longitude",
    )
    radius = start_radius_m
    while True:
        rows = db.session.execute(coordinates.where(_box(latitude, longitude, radius))).all()
        if len(rows) >= limit or radius >= max_radius_m:
            break
        # Premises per area is roughly even at this scale: aim for 1.5 × limit, growing at least 2× a step.
        growth = math.sqrt(1.5 * limit / len(rows)) if rows else 4.0
        radius = min(max_radius_m, radius * max(2.0, growth))
    approx = sorted((_approx_m(latitude, longitude, lat, lon), pid, lat, lon) for pid, lat, lon in rows)
    if len(approx) >= limit:
        kth = approx[limit - 1][0] * _SLACK + 1.0
        if kth > radius:
            # A premise just outside the box may be nearer than the k-th in it: look again out to that distance.
            rows = db.session.execute(coordinates.where(_box(latitude, longitude, kth))).all()
            approx = sorted(
                (_approx_m(latitude, longitude, lat, lon), pid, lat, lon) for pid, lat, lon in rows
            )
            kth = approx[limit - 1][0] * _SLACK + 1.0
        approx = [row for row in approx if row[0] <= kth]
    exact = sorted((distance_m(latitude, longitude, lat, lon), pid) for _, pid, lat, lon in approx)[:limit]
    by_id = {}
    if exact:
        loaded = db.session.scalars(
            scoped(Premise, user)
            .where(Premise.id.in_([pid for _, pid in exact]))
            .options(joinedload(Premise.market))
        ).all()
        by_id = {p.id: p for p in loaded}
    items: list[tuple[Premise, float | None]] = [(by_id[pid], d) for d, pid in exact if pid in by_id]
    if fill_unlocated and len(items) < limit:
        unlocated = db.session.scalars(
            premise_query(user, q, status=status)
            .where(Premise.latitude.is_(None))
            .options(joinedload(Premise.market))
            .order_by(*BY_NAME.order_by())
            .limit(limit - len(items))
        ).all()
        items += [(p, None) for p in unlocated]
    total = None
    if with_total:
        counted = premise_query(user, q, status=status)
        if _province_wide(user) and (q or status):
            counted = full_scan(counted, Premise)
        total, _ = count_rows(db.session, counted, Premise.id, count_cap)
    return Nearest(items=items, total=total)
