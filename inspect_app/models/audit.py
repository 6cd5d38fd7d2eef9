"""The audit log (nhật ký thao tác): one event per change, written by the write door in the change's transaction.

The log is append-only (database triggers refuse UPDATE, DELETE and TRUNCATE of ``audit_events``) and hash-chained:
each event carries the hash of the one before it in its chain (a commune-level unit, a province, or the system), and
``audit_heads`` holds each chain's last place and hash. Every flush that adds events moves each head it touches once,
with an UPDATE that locks the head's row until the transaction ends, so two writers of one chain never fork it.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..domain.audit_chain import GENESIS, HASHED_FIELDS, chain_key, event_hash
from ..domain.vocabulary import AUDIT_ACTIONS, one_of
from ..extensions import db
from .base import UTCDateTime, utcnow


class AuditEvent(db.Model):
    """Who did what to which record, when and from where; ``changes`` holds {field: [old, new]} for edits.

    Append-only: the application never updates or deletes a row, and the database refuses it.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        CheckConstraint(one_of("action", AUDIT_ACTIONS), name="action"),
        Index("ix_audit_events_unit_time", "unit_id", "occurred_at"),
        Index("ix_audit_events_record", "record_type", "record_id"),
        Index("ix_audit_events_province_time", "province_id", "occurred_at"),
        UniqueConstraint("chain", "chain_seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    # The record's table name and id (and UUID when the phone made it); empty for a failed login.
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[int | None]
    record_uuid: Mapped[str | None] = mapped_column(String(36))
    # The commune-level unit or the province the record belongs to, for scoping the log.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    province_id: Mapped[int | None] = mapped_column(ForeignKey("provinces.id"))
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    # The hash chain: which chain, the place in it (1, 2, …), the hash of the event before and this event's own.
    chain: Mapped[str] = mapped_column(String(24))
    chain_seq: Mapped[int] = mapped_column(BigInteger)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(db.Model):
    """The last event of each chain: its place and its hash, which the next event links to."""

    __tablename__ = "audit_heads"

    chain: Mapped[str] = mapped_column(String(24), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    hash: Mapped[str] = mapped_column(String(64), default=GENESIS)


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _append_only(mapper, connection, target):
    raise RuntimeError("audit events are append-only")


_MOVE_HEAD = text(
    "UPDATE audit_heads SET last_seq = last_seq + :count WHERE chain = :chain RETURNING last_seq, hash"
)
_ADD_HEAD = text(
    "INSERT INTO audit_heads (chain, last_seq, hash) VALUES (:chain, 0, :genesis) ON CONFLICT (chain) DO NOTHING"
)
_SET_HEAD_HASH = text("UPDATE audit_heads SET hash = :hash WHERE chain = :chain")


def _move_head(connection, chain: str, count: int) -> tuple[int, str]:
    """Take ``count`` places at the end of ``chain`` (the row stays locked until the transaction ends): the seq
    and hash of the event before the first of them."""
    row = connection.execute(_MOVE_HEAD, {"chain": chain, "count": count}).first()
    if row is None:
        # A chain's first event: add its head (a concurrent first writer's insert wins, ours does nothing).
        connection.execute(_ADD_HEAD, {"chain": chain, "genesis": GENESIS})
        row = connection.execute(_MOVE_HEAD, {"chain": chain, "count": count}).first()
    last_seq, last_hash = row
    return last_seq - count, last_hash


@event.listens_for(Session, "before_flush")
def _chain_new_events(session, flush_context, instances):
    added = [obj for obj in session.new if isinstance(obj, AuditEvent)]
    if not added:
        return
    by_chain: dict[str, list[AuditEvent]] = defaultdict(list)
    for audit_event in added:
        if audit_event.occurred_at is None:
            audit_event.occurred_at = utcnow()
        if audit_event.changes is None:
            audit_event.changes = {}
        if audit_event.remote_addr is None:
            audit_event.remote_addr = ""
        audit_event.chain = chain_key(audit_event.unit_id, audit_event.province_id)
        by_chain[audit_event.chain].append(audit_event)
    connection = session.connection()
    # Chains in one order, so two transactions touching the same chains lock them in the same order.
    for chain in sorted(by_chain):
        # session.new is a set: the events of one chain keep the order they were added in (creation order).
        events = sorted(by_chain[chain], key=_added_order)
        seq, previous = _move_head(connection, chain, len(events))
        for audit_event in events:
            seq += 1
            audit_event.chain_seq = seq
            audit_event.prev_hash = previous
            audit_event.hash = event_hash({name: getattr(audit_event, name) for name in HASHED_FIELDS})
            previous = audit_event.hash
        connection.execute(_SET_HEAD_HASH, {"chain": chain, "hash": previous})


_CREATED = itertools.count()


@event.listens_for(AuditEvent, "init")
def _note_order(target, args, kwargs):
    target._added_order = next(_CREATED)


def _added_order(audit_event: AuditEvent) -> int:
    return getattr(audit_event, "_added_order", 0)
