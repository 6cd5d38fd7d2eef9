"""A premise's latest state (what the map and the dashboard show): the rules, on plain values.

Kept on each premise in the same transaction as every write that can change it (``premises.state``), so nothing
computes "the latest inspection of each premise" at request time. The stored values never depend on today's date:
whether a fix or an inspection is overdue, or a stamp expired, is a comparison with today when the state is read.

- The latest inspection is the completed one (completed, or with its biên bản issued) that started last; a draft
  does not count until it is completed.
- Its result (``LATEST_RESULTS``): ``pending_fix`` when the handling was a fix request (yêu cầu khắc phục); else
  ``violation`` when it has a result that counts as a violation (``TeamConclusion.counts_as_violation``: failed and
  not "sơ bộ"; a voided reading or lot counts for nothing); else ``pass``. A reminder or a referral with no counted
  violation is ``pass``: nothing the team may conclude on failed.
- A fix-by deadline is open while the latest inspection is a fix request: any later completed inspection of the
  premise (usually its follow-up) decides again.
- The next inspection is due ``overdue_months`` after the day of the latest one (``add_months``: 31/1 + 1 month
  is the end of February). A premise never inspected has no due date: its state is "never inspected", not overdue.
- The stamp expiry is the earliest among the premise's in-use instruments: the date on the stamp, else the one
  the verification cycle gives from the verification date (TT 23/2013); an instrument with neither date (no stamp,
  or a kind without a cycle) has no expiry here: "no stamp" is a finding of an inspection, not a date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from ..tolerances.cycles import add_months
from .time import in_vn

__all__ = [
    "CompletedInspection",
    "LatestState",
    "inspection_result",
    "latest_state",
    "next_due_on",
    "open_fix_deadline",
    "premise_state",
    "stamp_expired",
]

DEFAULT_OVERDUE_MONTHS = 12


@dataclass(frozen=True)
class CompletedInspection:
    """What the latest state needs of one completed inspection."""

    id: int
    started_at: datetime  # aware
    outcome: str | None
    fix_deadline: date | None
    has_violation: bool

    @property
    def inspected_on(self) -> date:
        """The day of the inspection where it took place (Việt Nam)."""
        return in_vn(self.started_at).date()


@dataclass(frozen=True)
class LatestState:
    """The columns stored on a premise."""

    last_inspection_id: int | None = None
    last_inspected_on: date | None = None
    last_result: str | None = None
    next_due_on: date | None = None
    open_fix_deadline: date | None = None
    earliest_stamp_expiry: date | None = None


def inspection_result(outcome: str | None, has_violation: bool) -> str:
    """The LATEST_RESULTS code a completed inspection gives its premise."""
    if outcome == "fix_request":
        return "pending_fix"
    return "violation" if has_violation else "pass"


def open_fix_deadline(outcome: str | None, fix_deadline: date | None) -> date | None:
    """The fix-by date the premise owes after this inspection, if it asked for a fix."""
    return fix_deadline if outcome == "fix_request" else None


def next_due_on(inspected_on: date, overdue_months: int) -> date:
    """The day the next inspection is due; after it the premise is overdue."""
    return add_months(inspected_on, overdue_months)


def latest_state(
    completed: Iterable[CompletedInspection],
    stamp_expiries: Iterable[date | None],
    overdue_months: int = DEFAULT_OVERDUE_MONTHS,
) -> LatestState:
    """The state from scratch: every completed inspection of the premise and the stamp expiry of each in-use
    instrument (None where it has none)."""
    expiries = [day for day in stamp_expiries if day is not None]
    earliest = min(expiries) if expiries else None
    latest = max(completed, key=lambda i: (i.started_at, i.id), default=None)
    if latest is None:
        return LatestState(earliest_stamp_expiry=earliest)
    return LatestState(
        last_inspection_id=latest.id,
        last_inspected_on=latest.inspected_on,
        last_result=inspection_result(latest.outcome, latest.has_violation),
        next_due_on=next_due_on(latest.inspected_on, overdue_months),
        open_fix_deadline=open_fix_deadline(latest.outcome, latest.fix_deadline),
        earliest_stamp_expiry=earliest,
    )


def premise_state(state: LatestState, today: date) -> str:
    """The PREMISE_STATES code on ``today``: the first that applies, in the vocabulary's order."""
    if state.last_inspection_id is None:
        return "never_inspected"
    if state.open_fix_deadline is not None:
        return "fix_overdue" if state.open_fix_deadline < today else "fix_pending"
    if state.next_due_on is not None and state.next_due_on < today:
        return "inspection_overdue"
    return "violation" if state.last_result == "violation" else "pass"


def stamp_expired(state: LatestState, today: date) -> bool:
    """Whether an in-use instrument's stamp has expired by ``today`` (valid through its expiry day)."""
    return state.earliest_stamp_expiry is not None and state.earliest_stamp_expiry < today
