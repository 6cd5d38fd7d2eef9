"""The audit log's head as a backup records it and checks it after a restore."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from ..models import AuditEvent
from ..models.audit import AuditHead as AuditHeadRow
from .manifest import AuditHead

__all__ = ["audit_head"]


def audit_head(connection: Connection) -> AuditHead:
    """The last audit event's id, the number of events, and a SHA-256 over the heads of the log's hash chains (each
    chain's name, last place and hash, as one line of canonical JSON, in the chains' order), read in the caller's
    transaction. Each head's hash covers every event of its chain, so the digest stands for the whole log (which
    `flask audit verify` walks event by event)."""
    events_table, heads = AuditEvent.__table__, AuditHeadRow.__table__
    last_id, events = connection.execute(select(func.max(events_table.c.id), func.count(events_table.c.id))).one()
    digest = hashlib.sha256()
    for row in connection.execute(select(heads).order_by(heads.c.chain)).mappings():
        line = json.dumps(dict(row), sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
        digest.update(line.encode("utf-8") + b"\n")
    return AuditHead(last_event_id=last_id, events=events, sha256=digest.hexdigest())
