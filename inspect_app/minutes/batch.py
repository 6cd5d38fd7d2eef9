"""Batch printing: every valid biên bản of a day (or of a period) in the requester's scope, as one print job made in
the background. The rows are read a page at a time, the issued files added to the batch one by one on disk."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import defer, joinedload
from sqlalchemy.sql import Select

from ..access import scoped
from ..documents.minutes_pdf.batch import BatchEntry, BatchFile, BatchPrint
from ..domain.errors import RuleError
from ..extensions import db
from ..models import Inspection, Minutes, User
from .service import count_prints, issued_pdf

# Rows read per statement; the longest period one batch may cover.
BATCH_PAGE_ROWS = 100
MAX_PERIOD_DAYS = 366
# The print order: by unit, then by number within the unit's year (the numbers' own order).
ORDER = (Minutes.unit_id, Minutes.year, Minutes.number, Minutes.id)


def batch_period(first_text: str | None, last_text: str | None = None) -> tuple[date, date]:
    """The period asked for (one day when only the first is given); RuleError with a Vietnamese message."""
    try:
        first = date.fromisoformat(first_text or "")
        last = date.fromisoformat(last_text) if last_text else first
    except ValueError:
        raise RuleError("Ngày không hợp lệ (định dạng YYYY-MM-DD).") from None
    if last < first:
        raise RuleError("Ngày kết thúc phải bằng hoặc sau ngày bắt đầu.")
    if (last - first).days >= MAX_PERIOD_DAYS:
        raise RuleError(f"Mỗi lần in tối đa {MAX_PERIOD_DAYS} ngày; hãy chọn khoảng ngày ngắn hơn.")
    return first, last


def period_text(first: date, last: date) -> str:
    if first == last:
        return f"ngày {first:%d/%m/%Y}"
    return f"từ ngày {first:%d/%m/%Y} đến ngày {last:%d/%m/%Y}"


def batch_stem(first: date, last: date) -> str:
    if first == last:
        return f"bien-ban-ngay-{first.isoformat()}"
    return f"bien-ban-{first.isoformat()}-den-{last.isoformat()}"


def batch_query(user: User, first: date, last: date) -> Select:
    """The valid biên bản issued in the period, in the user's scope."""
    return scoped(Minutes, user).where(
        Minutes.issued_on >= first, Minutes.issued_on <= last, Minutes.status == "valid"
    )


def count_batch(user: User, first: date, last: date) -> int:
    return db.session.scalar(select(func.count()).select_from(batch_query(user, first, last).subquery())) or 0


def batch_rows(user: User, first: date, last: date) -> Iterator[Minutes]:
    """The batch's biên bản in print order, read ``BATCH_PAGE_ROWS`` at a time (keyset on the order's columns)."""
    query = (
        batch_query(user, first, last)
        .options(
            defer(Minutes.business_signature),
            defer(Minutes.recorder_signature),
            joinedload(Minutes.inspection).joinedload(Inspection.premise),
            joinedload(Minutes.unit),
        )
        .order_by(*ORDER)
        .limit(BATCH_PAGE_ROWS)
    )
    after = None
    while True:
        page_query = query if after is None else query.where(tuple_(*ORDER) > tuple_(*after))
        page = list(db.session.scalars(page_query).unique())
        yield from page
        if len(page) < BATCH_PAGE_ROWS:
            return
        last_row = page[-1]
        after = (last_row.unit_id, last_row.year, last_row.number, last_row.id)


def nothing_to_print(first: date, last: date) -> str:
    return f"Không có biên bản có hiệu lực nào {period_text(first, last)}."


def print_batch(
    user: User,
    first: date,
    last: date,
    *,
    part_size: int,
    tmpdir: str | None,
    progress: Callable[[int, int], None],
) -> tuple[BatchFile, str, list[int]]:
    """The batch written to a temporary file, its file name (without extension) and the ids it prints, in order;
    RuleError when the period holds no valid biên bản. ``progress(done, total)`` after each one."""
    total = count_batch(user, first, last)
    if total == 0:
        raise RuleError(nothing_to_print(first, last))
    batch = BatchPrint(f"BIÊN BẢN KIỂM TRA {period_text(first, last).upper()}", batch_stem(first, last), part_size, tmpdir)
    printed: list[int] = []
    for minutes in batch_rows(user, first, last):
        entry = BatchEntry(
            minutes.label,
            minutes.issued_on,
            minutes.unit.name,
            minutes.inspection.premise.name,
            copy=minutes.print_count > 0,
        )
        batch.add(issued_pdf(minutes), entry)
        printed.append(minutes.id)
        progress(len(printed), total)
    return batch.close(), batch_stem(first, last), printed


def record_prints(ids: list[int], user: User) -> None:
    """Each printed biên bản counts one print more, in the audit log (the caller commits)."""
    for start in range(0, len(ids), BATCH_PAGE_ROWS):
        chunk = ids[start : start + BATCH_PAGE_ROWS]
        count_prints(list(db.session.scalars(scoped(Minutes, user).where(Minutes.id.in_(chunk)))), user)
