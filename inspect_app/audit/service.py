"""The audit log read back: each chain verified link by link, and the events listed for the viewer and the export
(in the user's scope, filtered by day, actor, action, kind of record and unit), each export itself logged."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.sql import Select

from .. import writes
from ..access import scope_filter
from ..domain.audit_chain import ChainWalk
from ..domain.time import VN_TZ
from ..domain.vocabulary import (
    AUDIT_ACTIONS,
    AUDIT_FIELDS_BY_RECORD,
    AUDIT_RECORD_TYPES,
    audit_action_label,
)
from ..exports.formats import Field
from ..extensions import db
from ..inspections.history import FIELD_LABELS
from ..models import AuditEvent, AuditHead, Unit, User
from ..web.paging import ListArgs, Page, SortOrder, keyset_page

# ---- verification -------------------------------------------------------------------------------------------------

BREAKS = {
    "missing": "thiếu sự kiện trước nó trong chuỗi (đã bị xóa)",
    "link": "không nối với sự kiện trước nó (chuỗi đã bị ghi lại)",
    "changed": "nội dung đã bị sửa sau khi ghi",
    "head": "các sự kiện cuối chuỗi đã bị xóa",
}


@dataclass(frozen=True)
class ChainBreak:
    """The first event of a chain that does not follow from the one before (None: events after the last one
    found are missing), its place in the chain and why."""

    chain: str
    event_id: int | None
    seq: int
    reason: str

    @property
    def message(self) -> str:
        where = f"sự kiện #{self.event_id}" if self.event_id is not None else f"sau vị trí {self.seq - 1}"
        return f"Chuỗi {self.chain}, {where}: {BREAKS[self.reason]}."


@dataclass
class Verification:
    chains: int = 0
    events: int = 0
    breaks: list[ChainBreak] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks


def _verify_chain(chain: str, head: tuple[int, str] | None, batch_size: int) -> tuple[int, ChainBreak | None]:
    """Walk one chain in place order, a batch at a time: (events checked, the first break or None)."""
    table = AuditEvent.__table__
    walk, after = ChainWalk(), 0
    while True:
        rows = (
            db.session.execute(
                select(table)
                .where(table.c.chain == chain, table.c.chain_seq > after)
                .order_by(table.c.chain_seq)
                .limit(batch_size)
            )
            .mappings()
            .all()
        )
        if not rows:
            break
        for row in rows:
            if (reason := walk.check(row)) is not None:
                return walk.count, ChainBreak(chain, row["id"], walk.last_seq + 1, reason)
        after = rows[-1]["chain_seq"]
    if head is None or tuple(head) != (walk.last_seq, walk.last_hash):
        return walk.count, ChainBreak(chain, None, walk.last_seq + 1, "head")
    return walk.count, None


def verify_all(batch_size: int = 2000) -> Verification:
    """Every chain checked from its first event to its head: the first broken link of each chain."""
    heads = {
        chain: (seq, digest)
        for chain, seq, digest in db.session.execute(
            select(AuditHead.chain, AuditHead.last_seq, AuditHead.hash)
        )
    }
    chains = set(heads) | set(db.session.scalars(select(AuditEvent.chain).distinct()))
    result = Verification(chains=len(chains))
    for chain in sorted(chains):
        count, broken = _verify_chain(chain, heads.get(chain), batch_size)
        result.events += count
        if broken is not None:
            result.breaks.append(broken)
    return result


# ---- the viewer's filters -----------------------------------------------------------------------------------------

FILTER_NAMES = ("from", "to", "actor", "action", "record_type", "unit")


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, VN_TZ).astimezone(UTC)


def _id(text: str) -> int | None:
    return int(text) if text.isdigit() and 0 < int(text) < 2**31 else None


def audit_list_args(args: Mapping[str, str]) -> ListArgs:
    """The viewer's filters: days (Việt Nam dates, both ends included), who, what action, what kind of record, which
    unit; a value that cannot be read is dropped with a message (the export refuses it)."""
    raw = {name: (args.get(name) or "").strip() for name in FILTER_NAMES}
    errors: dict[str, str] = {}
    kwargs: dict = {}
    for name, label in (("from", "Từ ngày"), ("to", "Đến ngày")):
        if raw[name]:
            if (day := _day(raw[name])) is None:
                errors[name] = f"{label} không hợp lệ (cần dạng năm-tháng-ngày)."
                raw[name] = ""
            else:
                kwargs["start" if name == "from" else "end"] = _start_of(day + timedelta(days=name == "to"))
    for name, label in (("actor", "Người thực hiện"), ("unit", "Đơn vị")):
        if raw[name]:
            if (value := _id(raw[name])) is None:
                errors[name] = f"{label} không hợp lệ."
                raw[name] = ""
            else:
                kwargs[f"{name}_id"] = value
    for name, codes, label in (
        ("action", AUDIT_ACTIONS, "Thao tác"),
        ("record_type", AUDIT_RECORD_TYPES, "Loại bản ghi"),
    ):
        if raw[name]:
            if raw[name] not in codes:
                errors[name] = f"{label} không hợp lệ."
                raw[name] = ""
            else:
                kwargs[name] = raw[name]
    if "start" in kwargs and "end" in kwargs and kwargs["end"] <= kwargs["start"]:
        errors["to"] = "Đến ngày không được trước Từ ngày."
    return ListArgs(echo={k: v for k, v in raw.items() if v}, kwargs=kwargs, errors=errors)


def audit_query(
    user: User,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    actor_id: int | None = None,
    action: str | None = None,
    record_type: str | None = None,
    unit_id: int | None = None,
) -> Select:
    """The events the user may see, with the actor's name and the unit's, filtered."""
    query = (
        select(AuditEvent, User.full_name, User.username, Unit.name)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .outerjoin(Unit, Unit.id == AuditEvent.unit_id)
        .where(scope_filter(AuditEvent, user))
    )
    for column, value in (
        (AuditEvent.actor_id, actor_id),
        (AuditEvent.action, action),
        (AuditEvent.record_type, record_type),
        (AuditEvent.unit_id, unit_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if start is not None:
        query = query.where(AuditEvent.occurred_at >= start)
    if end is not None:
        query = query.where(AuditEvent.occurred_at < end)
    return query


NEWEST_FIRST = SortOrder(
    columns=((AuditEvent.occurred_at, True), (AuditEvent.id, True)),
    key=lambda row: (row[0].occurred_at, row[0].id),
)


def audit_page(user: User, *, after: str | None, before: str | None, limit: int, **filters) -> Page:
    """One page of the log, newest first: rows of (event, actor's name, actor's username, unit's name)."""
    query = audit_query(user, **filters)
    return keyset_page(
        db.session,
        query,
        NEWEST_FIRST,
        after=after,
        before=before,
        size=limit,
        count=AuditEvent.id,
        count_cap=10_000,
        scalars=False,
    )


# ---- how an event is shown ----------------------------------------------------------------------------------------

EXTRA_LABELS = {
    "username": "Tên đăng nhập",
    "full_name": "Họ tên",
    "role": "Vai trò",
    "unit_id": "Đơn vị",
    "province_id": "Tỉnh",
    "active": "Đang hoạt động",
    "password_hash": "Mật khẩu",
    "members": "Thành viên đoàn",
    "reason": "Lý do",
    "file": "Tệp",
    "list": "Danh sách",
    "format": "Định dạng",
    "filters": "Bộ lọc",
    "permission": "Chức năng",
    "path": "Địa chỉ trang",
    "sha256": "SHA-256",
}


def _plain_text(value) -> str:
    if value is None or value == "":
        return "(trống)"
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, list):
        return "; ".join(_plain_text(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def describe_changes(changes: dict | None, record_type: str | None = None) -> list[tuple[str, str, str]]:
    """(field label, old, new) for each field an event names; a value that is not a pair is shown as the new one."""
    shown = []
    for name, value in (changes or {}).items():
        label = (
            AUDIT_FIELDS_BY_RECORD.get((record_type, name))
            or FIELD_LABELS.get(name)
            or EXTRA_LABELS.get(name)
            or name
        )
        if isinstance(value, list) and len(value) == 2:
            old, new = value
        else:
            old, new = None, value
        shown.append((label, "" if old is None else _plain_text(old), _plain_text(new)))
    return shown


def _changes_text(changes: dict | None, record_type: str | None) -> str:
    return " | ".join(
        f"{label}: {old} → {new}" if old else f"{label}: {new}"
        for label, old, new in describe_changes(changes, record_type)
    )


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


EXPORT_FIELDS = (
    Field("Mã sự kiện", "int"),
    Field("Thời điểm (UTC)"),
    Field("Thời điểm (giờ Việt Nam)", "datetime"),
    Field("Người thực hiện"),
    Field("Tên đăng nhập"),
    Field("Thao tác"),
    Field("Loại bản ghi", labels=AUDIT_RECORD_TYPES),
    Field("Mã bản ghi", "int"),
    Field("UUID bản ghi"),
    Field("Đơn vị"),
    Field("Thay đổi (cũ → mới)"),
    Field("Thay đổi (JSON)"),
    Field("Địa chỉ truy cập"),
    Field("Chuỗi"),
    Field("Vị trí trong chuỗi", "int"),
    Field("Mã băm trước"),
    Field("Mã băm"),
)


def export_query(user: User, **filters) -> Select:
    """The statement of the export: the filtered events, newest first, read in batches.

    Built in the view, before anything is committed or the response starts: the rows are read while the response
    is streamed, after the request's session has ended, when the user's record can no longer be read."""
    return audit_query(user, **filters).order_by(*NEWEST_FIRST.order_by()).execution_options(yield_per=1000)


def export_rows(query: Select) -> Iterator[tuple]:
    """The rows of ``export_query``'s statement, one CSV row per event, read as the CSV is written."""
    for event, full_name, username, unit_name in db.session.execute(query):
        yield (
            event.id,
            _utc(event.occurred_at),
            event.occurred_at,
            full_name or "",
            username or "",
            audit_action_label(event.action, event.record_type),
            event.record_type,
            event.record_id,
            event.record_uuid,
            unit_name or "",
            _changes_text(event.changes, event.record_type),
            json.dumps(event.changes or {}, ensure_ascii=False, sort_keys=True),
            event.remote_addr,
            event.chain,
            event.chain_seq,
            event.prev_hash,
            event.hash,
        )


def log_export(
    user: User, list_name: str, fmt: str, filters: Mapping[str, str], record_type: str = "exports"
) -> None:
    """An export is itself an event: which list, in which format, with which filters (committed before the file
    is streamed, so a download never goes unrecorded)."""
    writes.log(
        "export",
        None,
        user,
        {"list": [None, list_name], "format": [None, fmt], "filters": [None, dict(filters)]},
        record_type=record_type,
    )
    db.session.commit()


def log_download(record, user: User, filename: str) -> None:
    """A download of an issued file (biên bản, decision, notice, report): which record, which file."""
    writes.log("download", record, user, {"file": [None, filename]})
    db.session.commit()
