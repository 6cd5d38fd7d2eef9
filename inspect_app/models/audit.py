"""The audit log (nhật ký thao tác): one event per change, written by the write door in the change's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column

from ..domain.vocabulary import AUDIT_ACTIONS, one_of
from ..extensions import db
from .base import UTCDateTime, utcnow


class AuditEvent(db.Model):
    """Who did what to which record, when and from where; ``changes`` holds {field: [old, new]} for edits.

    Append-only: the application never updates or deletes a row.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        CheckConstraint(one_of("action", AUDIT_ACTIONS), name="action"),
        Index("ix_audit_events_unit_time", "unit_id", "occurred_at"),
        Index("ix_audit_events_record", "record_type", "record_id"),
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


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _append_only(mapper, connection, target):
    raise RuntimeError("audit events are append-only")
