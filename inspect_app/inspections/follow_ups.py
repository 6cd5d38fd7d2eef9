"""Follow-ups (kiểm tra lại việc khắc phục): every fix-by request is due to be checked again on its deadline.

TT 28/2013 Điều 38 makes the commune check that a business carried out the fixes it was ordered. A follow-up is not a
record of its own: it is a premise whose latest completed inspection asked for a fix (``Premise.last_result`` is
"pending_fix", kept on write with its ``open_fix_deadline``), and it is closed by the next completed inspection of
that premise — the follow-up visit, which names the first in ``Inspection.follows_id``. The phone keeps the list
for offline use ("Việc cần làm"); the dashboard counts the open and overdue ones.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..access import scope_filter, scope_for
from ..extensions import db
from ..models import Premise, User
from ..web.paging import Page, SortOrder, keyset_page

__all__ = ["DUE_SOON_DAYS", "FOLLOW_UP_ORDER", "follow_up_state", "follow_ups_page"]

# A follow-up is "due soon" this many days before its deadline (the phone shows it among the things to do).
DUE_SOON_DAYS = 7

# Soonest deadline first.
FOLLOW_UP_ORDER = SortOrder(
    ((Premise.open_fix_deadline, False), (Premise.id, False)),
    key=lambda p: (p.open_fix_deadline, p.id),
)


def follow_up_state(deadline: date, today: date) -> str:
    """ "overdue" after the deadline, "due_soon" from DUE_SOON_DAYS before it to the day itself, else "later"."""
    if deadline < today:
        return "overdue"
    if deadline <= today + timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return "later"


def follow_ups_page(user: User, *, after: str | None = None, limit: int = 200) -> Page:
    """The open follow-ups of the user's scope, soonest deadline first: active premises whose latest completed
    inspection is a fix-by request. Two statements (the page and its count)."""
    query = select(Premise).where(
        scope_filter(Premise, scope=scope_for(user)),
        Premise.status == "active",
        Premise.last_result == "pending_fix",
        Premise.open_fix_deadline.is_not(None),
    )
    return keyset_page(
        db.session,
        query.options(joinedload(Premise.market)),
        FOLLOW_UP_ORDER,
        after=after,
        size=limit,
        count=Premise.id,
    )
