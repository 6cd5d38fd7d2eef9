"""Keyset (cursor) paging, shared by the list pages and the API lists.

A list is a scoped SELECT with a fixed sort order whose last column is unique (the id). A page is found by the sort
key of the row just before it (``after``) or just after it (``before``), never by OFFSET, so page 4,000 costs what
page 1 costs when the sort order has an index. The cursor handed to the client is that sort key, as opaque URL-safe
text; it names a position, not a row, so a row deleted since is no problem.

Sort columns must be NOT NULL (NULLs do not compare).

SQLite plans without statistics: given ``unit_id IN (…96 units…)`` and an index on (unit_id, sort key) it reads
every row of the province through that index and sorts them. ``prefer_index`` and ``full_scan`` add SQLite's
INDEXED BY / NOT INDEXED to a query (PostgreSQL, which keeps statistics, ignores them) for the callers that know
which plan a province-wide list needs.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, and_, func, literal, or_, select, tuple_
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

T = TypeVar("T")


class InvalidCursor(ValueError):
    """A cursor that this server did not hand out (or from a list with another sort order)."""


def encode_cursor(values: Sequence[Any]) -> str:
    """Sort-key values → opaque URL-safe text. Dates and datetimes keep their type; datetimes are stored as UTC."""
    encoded = []
    for value in values:
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError("naive datetime in a cursor")
            encoded.append({"t": value.astimezone(UTC).isoformat()})
        elif isinstance(value, date):
            encoded.append({"d": value.isoformat()})
        elif value is None or isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValueError(f"cannot put {value!r} in a cursor")
        else:
            encoded.append(value)
    text = json.dumps(encoded, ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(text: str, width: int | None = None) -> list[Any]:
    """The values encode_cursor was given; InvalidCursor for anything else (or for a cursor of another width)."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        values = json.loads(raw.decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidCursor("cursor is not readable") from None
    if not isinstance(values, list) or not values or (width is not None and len(values) != width):
        raise InvalidCursor("cursor has the wrong shape")
    decoded = []
    for value in values:
        if isinstance(value, dict) and len(value) == 1:
            ((tag, inner),) = value.items()
            try:
                if tag == "t":
                    parsed = datetime.fromisoformat(inner)
                    decoded.append(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC))
                    continue
                if tag == "d":
                    decoded.append(date.fromisoformat(inner))
                    continue
            except (TypeError, ValueError):
                pass
            raise InvalidCursor("cursor has an unreadable value")
        if value is None or isinstance(value, bool | list | dict):
            raise InvalidCursor("cursor has an unreadable value")
        decoded.append(value)
    return decoded


@dataclass(frozen=True)
class SortOrder:
    """The columns a list is sorted by, each ascending or descending, and how to read them off a row."""

    columns: tuple[tuple[ColumnElement, bool], ...]  # (column, descending)
    key: Callable[[Any], Sequence[Any]]

    def order_by(self, reverse: bool = False) -> list[ColumnElement]:
        return [(col.asc() if desc == reverse else col.desc()) for col, desc in self.columns]

    def beyond(self, values: Sequence[Any], reverse: bool = False) -> ColumnElement[bool]:
        """Rows strictly after the position `values` in this order (strictly before it when reverse)."""
        directions = {desc for _, desc in self.columns}
        cols = [col for col, _ in self.columns]
        if len(directions) == 1:
            # One direction for every column: a row-value comparison, which both databases match to an index.
            greater = (directions == {False}) != reverse
            # Each value bound with its column's type (UTCDateTime stores naive UTC), as `col > value` would be.
            right = tuple_(*[literal(value, col.type) for col, value in zip(cols, values, strict=True)])
            left = tuple_(*cols)
            return left > right if greater else left < right
        alternatives = []
        for index, (col, desc) in enumerate(self.columns):
            greater = (not desc) != reverse
            step = col > values[index] if greater else col < values[index]
            alternatives.append(
                and_(*[c == v for c, v in zip(cols[:index], values[:index], strict=True)], step)
            )
        return or_(*alternatives)


@dataclass
class Page(Generic[T]):
    """One page of a list: its rows, the cursors of the pages either side (None at an end) and the total."""

    items: list[T]
    next_cursor: str | None = None
    prev_cursor: str | None = None
    # The number of rows in the whole list, counted up to the cap: None when not counted.
    total: int | None = None
    total_capped: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_prev(self) -> bool:
        return self.prev_cursor is not None

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class ListArgs:
    """A desk list's filters as read from its query string: ``echo`` (the raw values, for the page's form, its
    paging links and its export links), ``kwargs`` (what the list's query function takes) and ``errors`` (a
    Vietnamese message per value that is not valid; the page ignores them, an export answers 400)."""

    echo: dict[str, str]
    kwargs: dict
    errors: dict[str, str]


def count_rows(
    session: Session, query: Select, id_column: ColumnElement, cap: int | None = None
) -> tuple[int, bool]:
    """Rows of `query`, counted in SQL; with a cap, at most cap are looked at: (cap, True) means "cap or more"."""
    inner = query.with_only_columns(id_column).order_by(None)
    if cap is not None:
        inner = inner.limit(cap)
    total = session.scalar(select(func.count()).select_from(inner.subquery())) or 0
    return total, cap is not None and total >= cap


def keyset_page(
    session: Session,
    query: Select,
    order: SortOrder,
    *,
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
    count: ColumnElement | None = None,
    count_cap: int | None = None,
    count_query: Select | None = None,
    scalars: bool = True,
) -> Page:
    """The page of `query` after the `after` cursor (or before the `before` cursor, or the first page).

    Two statements: the page (size + 1 rows, to know whether another follows) and, when `count` names the id
    column, the total of `count_query` (default: `query`) up to `count_cap`. Raises InvalidCursor for a cursor
    that cannot be read.
    """
    width = len(order.columns)
    reverse = before is not None and after is None
    cursor = decode_cursor(before if reverse else after, width) if (after or before) else None
    page_query = query
    if cursor is not None:
        page_query = page_query.where(order.beyond(cursor, reverse=reverse))
    page_query = page_query.order_by(None).order_by(*order.order_by(reverse=reverse)).limit(size + 1)
    result = session.execute(page_query)
    rows = list(result.unique().scalars() if scalars else result.unique())
    more = len(rows) > size
    rows = rows[:size]
    if reverse:
        rows.reverse()
    page: Page = Page(items=rows)
    if rows:
        first, last = encode_cursor(order.key(rows[0])), encode_cursor(order.key(rows[-1]))
        if reverse:
            page.prev_cursor = first if more else None
            page.next_cursor = last
        else:
            page.prev_cursor = first if cursor is not None else None
            page.next_cursor = last if more else None
    elif cursor is not None:
        # Past either end (rows deleted since, or a hand-made cursor): offer the way back.
        if reverse:
            page.next_cursor = encode_cursor(cursor)
        else:
            page.prev_cursor = encode_cursor(cursor)
    if count is not None:
        page.total, page.total_capped = count_rows(
            session, query if count_query is None else count_query, count, count_cap
        )
    return page


# A change feed asked for "since T" answers from T minus this: a write flushed before T but committed after the
# phone's fetch is still sent next time. Rows in the overlap are sent twice; the phone replaces them by id.
CHANGE_OVERLAP = timedelta(minutes=10)


def changes_page(
    session: Session,
    query: Select,
    order: SortOrder,
    since: datetime | None,
    *,
    after: str | None,
    limit: int,
) -> Page:
    """One page of a change feed for the phone's offline copies: rows written since `since` (all when None),
    oldest change first, in `order` (the change time, then the id).

    Page through with ``after=page.next_cursor`` until it is None; then keep ``page.extra["next_since"]`` and send
    it as `since` next time. `since` is moved back by CHANGE_OVERLAP, so a few rows come again: replace them by id.
    """
    changed_at = order.columns[0][0]
    if since is not None:
        query = query.where(changed_at >= since - CHANGE_OVERLAP)
    page = keyset_page(session, query, order, after=after, size=limit)
    latest = max((order.key(row)[0] for row in page.items), default=None)
    if since is not None and (latest is None or latest < since):
        latest = since
    page.extra["next_since"] = latest
    return page


def _sqlite_from_hint_text(compiler, table, text: str) -> str:
    return text


# SQLAlchemy drops table hints on SQLite unless its compiler says how to write them: right after the table name,
# which is where INDEXED BY and NOT INDEXED go.
SQLiteCompiler.get_from_hint_text = _sqlite_from_hint_text


def prefer_index(query: Select, table, index_name: str) -> Select:
    """On SQLite, read `table` through the named index (the one in the list's sort order)."""
    return query.with_hint(table, f"INDEXED BY {index_name}", "sqlite")


def full_scan(query: Select, table) -> Select:
    """On SQLite, read `table` in storage order: faster than an index when most rows must be looked at anyway."""
    return query.with_hint(table, "NOT INDEXED", "sqlite")
