"""Batch printing: every valid biên bản of a day (or of a period) in the requester's scope, and if asked the decisions
and notices issued in it, as one print job made in the background. The rows are read a page at a time, the issued
files added to the batch one by one on disk."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from functools import partial

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import defer, joinedload
from sqlalchemy.sql import Select

from ..access import scoped
from ..decisions import notices
from ..decisions import service as decisions
from ..documents.minutes_pdf.batch import BatchEntry, BatchFile, BatchPrint
from ..domain.errors import RuleError
from ..extensions import db
from ..domain.vocabulary import NOTICE_KINDS
from ..models import Decision, Inspection, Minutes, Notice, User
from .service import count_prints, issued_pdf

# Rows read per statement; the longest period one batch may cover.
BATCH_PAGE_ROWS = 100
MAX_PERIOD_DAYS = 366


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


def decisions_query(user: User, first: date, last: date) -> Select:
    """The decisions issued in the period, in the user's scope."""
    return scoped(Decision, user).where(
        Decision.status == "issued", Decision.issued_on >= first, Decision.issued_on <= last
    )


def notices_query(user: User, first: date, last: date) -> Select:
    """The notices (tạm dừng, được tiếp tục) issued in the period, in the user's scope."""
    return scoped(Notice, user).where(Notice.issued_on >= first, Notice.issued_on <= last)


def _count(query: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def count_batch(user: User, first: date, last: date, *, with_others: bool = False) -> int:
    """How many documents the batch prints: the biên bản, and with ``with_others`` the decisions and notices."""
    total = _count(batch_query(user, first, last))
    if with_others:
        total += _count(decisions_query(user, first, last)) + _count(notices_query(user, first, last))
    return total


def _paged(query: Select, model) -> Iterator:
    """The query's records in the print order (unit, year, number), read ``BATCH_PAGE_ROWS`` at a time with a
    keyset on those columns."""
    order = (model.unit_id, model.year, model.number, model.id)
    query = query.order_by(*order).limit(BATCH_PAGE_ROWS)
    after = None
    while True:
        page_query = query if after is None else query.where(tuple_(*order) > tuple_(*after))
        page = list(db.session.scalars(page_query).unique())
        yield from page
        if len(page) < BATCH_PAGE_ROWS:
            return
        after = (page[-1].unit_id, page[-1].year, page[-1].number, page[-1].id)


def batch_documents(
    user: User, first: date, last: date, *, with_others: bool = False
) -> Iterator[tuple[BatchEntry, Callable[[], bytes], int | None]]:
    """The batch in print order: the biên bản, then (``with_others``) the decisions, then the notices, each series in
    number order; for each its cover entry, how to read its issued file, and the biên bản's id (None otherwise)."""
    minutes_rows = batch_query(user, first, last).options(
        defer(Minutes.business_signature),
        defer(Minutes.recorder_signature),
        joinedload(Minutes.inspection).joinedload(Inspection.premise),
        joinedload(Minutes.unit),
    )
    for m in _paged(minutes_rows, Minutes):
        entry = BatchEntry(
            "Biên bản", m.label, m.issued_on, m.unit.name, m.inspection.premise.name, copy=m.print_count > 0
        )
        yield entry, partial(issued_pdf, m), m.id
    if not with_others:
        return
    for d in _paged(decisions_query(user, first, last).options(joinedload(Decision.unit)), Decision):
        entry = BatchEntry("Quyết định", d.number_text, d.issued_on, d.unit.name, d.subject, copy=False)
        yield entry, partial(decisions.issued_pdf, d), None
    notice_rows = notices_query(user, first, last).options(
        joinedload(Notice.unit),
        joinedload(Notice.minutes).joinedload(Minutes.inspection).joinedload(Inspection.premise),
    )
    for n in _paged(notice_rows, Notice):
        kind = NOTICE_KINDS.get(n.kind, n.kind)
        premise = n.minutes.inspection.premise.name
        yield (
            BatchEntry(
                "Thông báo", n.number_text, n.issued_on, n.unit.name, f"{kind}: {premise}", copy=False
            ),
            partial(notices.issued_pdf, n),
            None,
        )


def nothing_to_print(first: date, last: date) -> str:
    return f"Không có biên bản có hiệu lực nào {period_text(first, last)}."


def print_batch(
    user: User,
    first: date,
    last: date,
    *,
    with_others: bool = False,
    part_size: int,
    tmpdir: str | None,
    progress: Callable[[int, int], None],
) -> tuple[BatchFile, str, list[int]]:
    """The batch written to a temporary file, its file name (without extension) and the ids of the biên bản it
    prints; RuleError when the period holds nothing to print. ``progress(done, total)`` after each document."""
    total = count_batch(user, first, last, with_others=with_others)
    if total == 0:
        raise RuleError(nothing_to_print(first, last))
    title = f"{'VĂN BẢN' if with_others else 'BIÊN BẢN KIỂM TRA'} {period_text(first, last).upper()}"
    batch = BatchPrint(title, batch_stem(first, last), part_size, tmpdir)
    printed: list[int] = []
    for done, (entry, content, minutes_id) in enumerate(
        batch_documents(user, first, last, with_others=with_others), start=1
    ):
        batch.add(content(), entry)
        if minutes_id is not None:
            printed.append(minutes_id)
        progress(done, total)
    return batch.close(), batch_stem(first, last), printed


def record_prints(ids: list[int], user: User) -> None:
    """Each printed biên bản counts one print more, in the audit log (the caller commits)."""
    for start in range(0, len(ids), BATCH_PAGE_ROWS):
        chunk = ids[start : start + BATCH_PAGE_ROWS]
        count_prints(list(db.session.scalars(scoped(Minutes, user).where(Minutes.id.in_(chunk)))), user)
