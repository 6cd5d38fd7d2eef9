"""The audit log's head as a backup records it and checks it after a restore."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from ..models import AuditEvent
from .manifest import AuditHead

__all__ = ["audit_head"]


def audit_head(connection: Connection) -> AuditHead:
    """The last audit event's id, the number of events and a SHA-256 over every event in id order (each as one line
    of canonical JSON of all its columns), read in the caller's transaction.

    One function on purpose: once the log carries its own hash chain, the chain's head takes the digest's place."""
    table = AuditEvent.__table__
    digest = hashlib.sha256()
    events = 0
    last_id = connection.scalar(select(func.max(table.c.id)))
    rows = connection.execution_options(yield_per=2000).execute(select(table).order_by(table.c.id))
    for row in rows.mappings():
        line = json.dumps(dict(row), sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
        digest.update(line.encode("utf-8") + b"\n")
        events += 1
    return AuditHead(last_event_id=last_id, events=events, sha256=digest.hexdigest())
