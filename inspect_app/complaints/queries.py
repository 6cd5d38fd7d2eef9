"""Reading the complaints register: the paged list with its filters, and the open complaints of an inspector."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.sql import Select

from ..access import scope_filter, scoped
from ..domain.time import today_vn
from ..domain.vocabulary import COMPLAINT_CHANNELS, COMPLAINT_OPEN_STATUSES, COMPLAINT_STATUSES
from ..extensions import db
from ..models import Complaint, Premise, User
from ..web.paging import ListArgs, Page, SortOrder, keyset_page

# Latest received first (indexes ix_complaints_unit_id_received_on_id and ix_complaints_received_on_id).
LATEST_FIRST = SortOrder(
    ((Complaint.received_on, True), (Complaint.id, True)), key=lambda c: (c.received_on, c.id)
)


def complaint_list_args(args: Mapping[str, str]) -> ListArgs:
    """The register's filters (status, overdue, channel); a value that is not one of them is dropped."""
    status = args.get("status") or ""
    channel = args.get("channel") or ""
    overdue = (args.get("overdue") or "") == "1"
    errors = {}
    if status and status not in COMPLAINT_STATUSES:
        errors["status"] = "Trạng thái không hợp lệ."
        status = ""
    if channel and channel not in COMPLAINT_CHANNELS:
        errors["channel"] = "Kênh tiếp nhận không hợp lệ."
        channel = ""
    return ListArgs(
        echo={"status": status, "channel": channel, "overdue": "1" if overdue else ""},
        kwargs={"status": status or None, "channel": channel or None, "overdue": overdue},
        errors=errors,
    )


def overdue_clause(today: date):
    return (Complaint.deadline < today) & Complaint.status.in_(COMPLAINT_OPEN_STATUSES)


def complaints_query(
    user: User, *, status: str | None = None, channel: str | None = None, overdue: bool = False
) -> Select:
    query = scoped(Complaint, user)
    if status:
        query = query.where(Complaint.status == status)
    if channel:
        query = query.where(Complaint.channel == channel)
    if overdue:
        query = query.where(overdue_clause(today_vn()))
    return query


def complaints_page(
    user: User,
    *,
    status: str | None = None,
    channel: str | None = None,
    overdue: bool = False,
    after: str | None = None,
    before: str | None = None,
    limit: int = 50,
    with_total: bool = True,
) -> Page[Complaint]:
    """One page of the register, each complaint with its premise, unit and assignee loaded (a statement each)."""
    query = complaints_query(user, status=status, channel=channel, overdue=overdue).options(
        selectinload(Complaint.premise), selectinload(Complaint.unit), selectinload(Complaint.assignee)
    )
    return keyset_page(
        db.session,
        query,
        LATEST_FIRST,
        after=after,
        before=before,
        size=limit,
        count=Complaint.id if with_total else None,
        count_query=complaints_query(user, status=status, channel=channel, overdue=overdue),
    )


def assigned_open_page(user: User, *, after: str | None = None, limit: int = 50) -> Page[Complaint]:
    """The complaints given to the user still waiting for their visit, latest received first (the phone's list): one
    "đang xử lý" had its inspection completed and waits for the desk to close it, so it is off the phone."""
    query = (
        scoped(Complaint, user)
        .where(Complaint.assignee_id == user.id, Complaint.status.in_(("new", "assigned")))
        .options(selectinload(Complaint.premise).selectinload(Premise.market))
    )
    return keyset_page(db.session, query, LATEST_FIRST, after=after, size=limit)


def register_counts(user: User) -> dict[str, int]:
    """How many complaints are open and overdue in the user's scope (one statement)."""
    today = today_vn()
    is_open = Complaint.status.in_(COMPLAINT_OPEN_STATUSES)
    row = db.session.execute(
        select(
            func.count(Complaint.id).filter(is_open),
            func.count(Complaint.id).filter(overdue_clause(today)),
        ).where(scope_filter(Complaint, user))
    ).one()
    return {"open": row[0], "overdue": row[1]}
