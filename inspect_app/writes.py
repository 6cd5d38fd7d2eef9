"""The write door: every create and edit of a record goes through here, as every read goes through access.py.

- A record a phone creates carries the phone's UUID. ``resend_of`` answers a resend with the stored record and
  different content under a known UUID with ``Conflict``; ``insert`` stores a new record and answers a concurrent
  create of the same UUID as a resend.
- An edit names the version it was made from. ``check_version`` tells a fresh edit from a replay of one already
  stored and from a stale edit (``Conflict``); ``apply_edit`` merges the changed fields over the stored ones.
- ``commit`` writes one ``AuditEvent`` per change in the same transaction as the change, with the fields that
  changed ({field: [old, new]}); ``log`` adds an event to a transaction its caller commits.
- Every commit keeps the premises' latest state (``premises.state``): each flush notes the premises whose
  inspections, results or instruments it wrote, and just before the commit their state is recomputed, in the same
  transaction, whichever service or command wrote them.

Services validate and build records; this module decides how they are stored. Nothing here knows about HTTP
beyond the caller's address, which the audit log keeps.
"""

from __future__ import annotations

import hashlib
import json
import uuid as uuid_module
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from flask import has_request_context, request
from sqlalchemy import inspect as inspect_record
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .access import scoped
from .domain.errors import Conflict, InvalidInput, Locked
from .extensions import db
from .models import AuditEvent, User
from .models.metrology import canonical_decimal
from .inspections import tallies
from .premises import state as premise_state

__all__ = [
    "Conflict",
    "InvalidInput",
    "Locked",
    "apply_edit",
    "changes_of",
    "check_version",
    "commit",
    "insert",
    "fingerprint",
    "log",
    "resend_of",
    "same_or_conflict",
]

Record = TypeVar("Record")

# Columns whose values never go into the audit log (only the fact that they changed).
SECRET_COLUMNS = {"password_hash", "token_hash"}
# Columns that change on every write and say nothing about what the person did.
NOISE_COLUMNS = {"version", "updated_at", "search_text"}

STALE_MESSAGE = "Bản ghi đã được sửa ở nơi khác sau khi bạn mở nó. Hãy xem bản hiện tại rồi sửa lại."


# ---- kept on every commit: the premises' latest state, each inspection's tallies ----------------------------------

for _kept in (premise_state, tallies):
    event.listen(Session, "after_flush", _kept.note_flush)
    event.listen(Session, "before_commit", _kept.refresh_touched)
    event.listen(Session, "after_rollback", _kept.forget_touched)


# ---- fingerprints -------------------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A value as JSON can hold it, for fingerprints and the audit log alike."""
    if isinstance(value, Decimal):
        # The exact text, so 1.50 and 1.5 are different requests (what the person typed is kept).
        return canonical_decimal(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid_module.UUID):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def fingerprint(payload: dict, **context: Any) -> str:
    """A stable SHA-256 of a create request's content (keys sorted, exact decimals, ISO dates), plus the context
    it was sent to (``inspection=7``), so the same body sent to another parent is different content."""
    text = json.dumps(
        _plain({**payload, **context}), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---- creates ------------------------------------------------------------------------------------------------------


def same_or_conflict(existing: Record, digest: str, user: User) -> Record:
    """A resend gets the stored record; different content gets Conflict. A record outside the user's scope is not
    revealed: its UUID is simply refused."""
    model = type(existing)
    if db.session.scalars(scoped(model, user).where(model.id == existing.id)).first() is None:
        raise Conflict("Mã định danh (UUID) này đã được dùng cho một bản ghi khác.")
    if existing.create_digest != digest:
        raise Conflict("Mã định danh (UUID) này đã có dữ liệu khác trên máy chủ.", existing)
    return existing


def _by_uuid(model, record_uuid: str):
    return db.session.scalars(select(model).where(model.uuid == record_uuid)).first()


def resend_of(model: type[Record], record_uuid: Any, digest: str, user: User) -> Record | None:
    """What is stored under this UUID when the request is a resend of it; None for a new UUID; Conflict when the
    UUID is known with other content."""
    existing = _by_uuid(model, str(record_uuid))
    return None if existing is None else same_or_conflict(existing, digest, user)


def insert(
    record: Record, digest: str, user: User, twin: Callable[[], Record | None] | None = None
) -> tuple[Record, bool]:
    """Store a new record with its audit event: (record, True); if a concurrent request stored the same UUID first,
    answer as for a resend: (stored, False). ``twin`` finds the stored record that another unique key of the table
    says is the same one (an instrument's serial at its premise), answered likewise when it stopped the insert."""
    db.session.add(record)
    record_uuid = record.uuid
    try:
        db.session.flush()
        log("create", record, user)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = _by_uuid(type(record), record_uuid)
        if existing is not None:
            return same_or_conflict(existing, digest, user), False
        if twin is not None and (same := twin()) is not None:
            return same, False
        raise
    return record, True


# ---- edits --------------------------------------------------------------------------------------------------------


def check_version(record, data: dict, comparable: dict) -> bool:
    """True if the edit made from ``data["version"]`` may go ahead; False if it replays what is already stored;
    Conflict if it was made from an older version and says something else."""
    if data["version"] == record.version:
        return True
    if all(getattr(record, key) == value for key, value in comparable.items()):
        return False
    raise Conflict(STALE_MESSAGE, record)


def apply_edit(
    record: Record, data: dict, fields: tuple[str, ...], clean: Callable[[dict], dict], user: User
):
    """An edit of ``fields`` made from data["version"]: the changed fields merged over the stored ones, checked
    together by ``clean`` (which raises InvalidInput), then committed with its audit event."""
    comparable = {key: data[key] for key in fields if key in data}
    if not check_version(record, data, comparable):
        return record
    checked = clean({key: getattr(record, key) for key in fields} | comparable)
    for key in fields:
        if getattr(record, key) != checked[key]:
            setattr(record, key, checked[key])
    return commit("edit", record, user)


# ---- the audit log ------------------------------------------------------------------------------------------------


def changes_of(record) -> dict[str, list]:
    """The columns of ``record`` changed in this transaction and not yet flushed: {column: [old, new]}."""
    state = inspect_record(record)
    changes = {}
    for column in state.mapper.column_attrs:
        name = column.key
        if name in NOISE_COLUMNS:
            continue
        history = state.attrs[name].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if old == new:
            continue
        if name in SECRET_COLUMNS:
            changes[name] = ["***", "***"]
        else:
            changes[name] = [_plain(old), _plain(new)]
    return changes


def _home_of(record) -> tuple[int | None, int | None]:
    """The unit (or, for province-level records, the province) a record belongs to, for scoping the log."""
    for path in ((), ("inspection",), ("instrument",), ("premise",)):
        owner = record
        for step in path:
            owner = getattr(owner, step, None)
        if owner is not None and hasattr(owner, "unit_id"):
            return owner.unit_id, getattr(owner, "province_id", None)
    return None, getattr(record, "province_id", None)


def log(
    action: str,
    record=None,
    user: User | None = None,
    changes: dict | None = None,
    *,
    record_type: str | None = None,
    record_id: int | None = None,
) -> AuditEvent:
    """Add one audit event to the current transaction (the caller commits). For an edit, the changed columns are
    read from the session unless ``changes`` says what changed (a team, a password). An event about no record (an
    export, a refusal) belongs to the actor's unit or province."""
    if changes is None:
        changes = changes_of(record) if record is not None and action == "edit" else {}
    owner = record if record is not None else user
    unit_id, province_id = _home_of(owner) if owner is not None else (None, None)
    event = AuditEvent(
        action=action,
        actor_id=getattr(user, "id", None),
        record_type=record_type or (record.__tablename__ if record is not None else ""),
        record_id=getattr(record, "id", record_id),
        record_uuid=getattr(record, "uuid", None),
        unit_id=unit_id,
        province_id=province_id,
        changes=_plain(changes),
        remote_addr=(request.remote_addr or "")[:64] if has_request_context() else "",
    )
    db.session.add(event)
    return event


def commit(action: str, record: Record, user: User | None, changes: dict | None = None) -> Record:
    """Commit the current transaction with one audit event for ``record``; an edit that changed nothing commits
    without an event."""
    if changes is None and action == "edit":
        changes = changes_of(record)
        if not changes:
            db.session.commit()
            return record
    log(action, record, user, changes)
    db.session.commit()
    return record
