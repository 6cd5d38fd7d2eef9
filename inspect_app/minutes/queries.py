"""Reading issued biên bản at province scale: the paged list by day, and how many each day on a page holds."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import defer, joinedload, selectinload
from sqlalchemy.sql import Select

from ..access import scope_filter, scoped
from ..domain.vocabulary import MINUTES_STATUSES
from ..extensions import db
from ..models import Inspection, Minutes, User
from ..web.paging import ListArgs, Page, SortOrder, full_scan, keyset_page, prefer_index

# Latest day first, then by number (indexes ix_minutes_issued_on_number_id and ix_minutes_unit_id_issued_on_number_id).
LATEST_FIRST = SortOrder(
    ((Minutes.issued_on, True), (Minutes.number, True), (Minutes.id, True)),
    key=lambda m: (m.issued_on, m.number, m.id),
)


def minutes_list_args(args: Mapping[str, str]) -> ListArgs:
    """The biên bản list's filters (day, status), read exactly as the desk reads them."""
    raw = {key: args.get(key) or "" for key in ("day", "status")}
    errors = {}
    day = None
    if raw["day"]:
        try:
            day = date.fromisoformat(raw["day"])
        except ValueError:
            errors["day"] = "Ngày không hợp lệ (định dạng YYYY-MM-DD)."
    if raw["status"] and raw["status"] not in MINUTES_STATUSES:
        errors["status"] = "Trạng thái biên bản không hợp lệ."
    status = raw["status"] if raw["status"] in MINUTES_STATUSES else ""
    return ListArgs(
        echo={"day": raw["day"], "status": status},
        kwargs={"day": day, "status": status or None},
        errors=errors,
    )


def minutes_query(user: User, *, day: date | None = None, status: str | None = None) -> Select:
    query = scoped(Minutes, user)
    if day is not None:
        query = query.where(Minutes.issued_on == day)
    if status in MINUTES_STATUSES:
        query = query.where(Minutes.status == status)
    return query


def minutes_page(
    user: User,
    *,
    day: date | None = None,
    status: str | None = None,
    after: str | None = None,
    before: str | None = None,
    limit: int = 50,
    with_total: bool = True,
    count_cap: int | None = None,
) -> Page[Minutes]:
    """One page of biên bản, latest first, each with its inspection, premise and unit loaded (a unit not yet in the
    session adds a statement); the signature images stay in the database. Raises paging.InvalidCursor for a cursor
    that cannot be read."""
    query = minutes_query(user, day=day, status=status)
    page_query, count_query = query, query
    if user.unit_id is None:
        # Many units: read latest first through the order's index, count by scanning (see web.paging).
        page_query = prefer_index(query, Minutes, "ix_minutes_issued_on_number_id")
        if status in MINUTES_STATUSES:
            count_query = full_scan(query, Minutes)
    page_query = page_query.options(
        defer(Minutes.business_signature),
        defer(Minutes.recorder_signature),
        joinedload(Minutes.inspection).joinedload(Inspection.premise),
        selectinload(Minutes.unit),
    )
    return keyset_page(
        db.session,
        page_query,
        LATEST_FIRST,
        after=after,
        before=before,
        size=limit,
        count=Minutes.id if with_total else None,
        count_cap=count_cap,
        count_query=count_query,
    )


def counts_by_day(user: User, days: list[date], *, status: str | None = None) -> dict[date, int]:
    """How many biên bản each of the days holds in the user's scope (one statement): a day's heading shows all of
    them even when the day runs over two pages."""
    if not days:
        return {}
    query = (
        select(Minutes.issued_on, func.count(Minutes.id))
        .where(scope_filter(Minutes, user), Minutes.issued_on.in_(sorted(set(days))))
        .group_by(Minutes.issued_on)
    )
    if status in MINUTES_STATUSES:
        query = query.where(Minutes.status == status)
    return dict(db.session.execute(query).all())
