"""The write door: every create and edit of a record goes through here, as every read goes through access.py.

- A record a phone creates carries the phone's UUID. ``resend_of`` answers a resend with the stored record and
  different content under a known UUID with ``Conflict``; ``insert`` stores a new record and answers a concurrent
  create of the same UUID as a resend.
- An edit names the version it was made from. ``check_version`` tells a fresh edit from a replay of one already
  stored and from a stale edit (``Conflict``); ``apply_edit`` merges the changed fields over the stored ones.
- ``commit`` writes one ``AuditEvent`` per change in the same transaction as the change, with the fields that
  changed ({field: [old, new]}); ``log`` adds an event to a transaction its caller commits. The version check is
  the UPDATE's own ``WHERE version = :v``: an edit that lost a race to another one from the same version matches no
  row and is answered with ``Conflict``, as a create whose unique key another request took first is (``insert``),
  never with a 500.
- A record that names stored files (photos, issued PDFs) is written with ``files.evidence.NewFiles``:
  ``insert_with_files`` keeps the files of the record that was stored and removes those of a refused request.
- ``stamp_last_use`` notes when a token or a session was last used, at most so often and never failing a read.
- Every commit keeps the premises' latest state (``premises.state``): each flush notes the premises whose
  inspections, results or instruments it wrote, and just before the commit their state is recomputed, in the same
  transaction, whichever service or command wrote them.

Services validate and build records; this module decides how they are stored. Nothing here knows about HTTP
beyond the caller's address, which the audit log keeps.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid as uuid_module
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from flask import has_request_context, request
from sqlalchemy import inspect as inspect_record
from sqlalchemy import event, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from .access import exists_anywhere, scoped
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
    "StaleWrite",
    "apply_edit",
    "changes_of",
    "check_version",
    "commit",
    "insert",
    "fingerprint",
    "insert_with_files",
    "is_unique_violation",
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
TAKEN_MESSAGE = "Bản ghi này vừa được tạo ở nơi khác cùng lúc. Hãy tải lại để xem bản đã lưu."
UUID_TAKEN_MESSAGE = "Mã định danh (UUID) này đã được dùng cho một bản ghi khác."
# The phone's API (``api.core.bp``): its writes answer with what they wrote.
API_BLUEPRINT = "api"


class StaleWrite(Conflict):
    """An UPDATE whose version check matched no row at commit: another request changed the record first. A
    Conflict like any other; services that answer a lost race in their own words catch it with StaleDataError."""


def is_unique_violation(error: IntegrityError) -> bool:
    """Whether the database refused a row because a unique key was already taken (not a foreign key or a check):
    the trace of a concurrent request that wrote the same thing first."""
    orig = error.orig
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if state:
        return state == "23505"
    return "UNIQUE constraint failed" in str(orig)


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


def same_or_conflict(existing: Record, digest: str, user: User | None) -> Record:
    """A resend gets the stored record; different content gets Conflict. A record outside the user's scope is not
    revealed: its UUID is simply refused. With no user (the stall's public form, no login) the caller has made sure
    the UUID can only be its own record's."""
    model = type(existing)
    if (
        user is not None
        and db.session.scalars(scoped(model, user).where(model.id == existing.id)).first() is None
    ):
        raise Conflict(UUID_TAKEN_MESSAGE)
    # A record made at the desk keeps no digest (""): the same form sent again is the same record, whatever it
    # says, and the person lands on it to edit it.
    if getattr(existing, "create_digest", "") != digest:
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
    record: Record,
    digest: str,
    user: User,
    twin: Callable[[], Record | None] | None = None,
    changes: dict | None = None,
    action: str = "create",
) -> tuple[Record, bool]:
    """Store a new record with its audit event (``action``, with ``changes`` if the event names some): (record,
    True); if a concurrent request stored the same UUID first, answer as for a resend: (stored, False). ``twin``
    finds the stored record that another unique key of the table says is the same one (an instrument's serial at its
    premise), answered likewise when it stopped the insert."""
    db.session.add(record)
    record_uuid = record.uuid
    try:
        _keep_up()
        log(action, record, user, changes)
        _commit_answering()
    except IntegrityError as error:
        db.session.rollback()
        existing = _by_uuid(type(record), record_uuid)
        if existing is not None:
            return same_or_conflict(existing, digest, user), False
        if twin is not None and (same := twin()) is not None:
            return same, False
        if is_unique_violation(error):
            # A UUID another unit's record holds (which row-level security hides from this user's transaction)
            # is refused as it is where the record is visible, revealing nothing of it.
            model = type(record)
            if exists_anywhere(model, model.uuid == record_uuid):
                raise Conflict(UUID_TAKEN_MESSAGE) from None
            raise Conflict(TAKEN_MESSAGE) from None
        raise
    return record, True


def insert_with_files(
    record: Record, digest: str, user: User, files, twin: Callable[[], Record | None] | None = None
) -> tuple[Record, bool]:
    """``insert`` for a record naming files this request wrote (``files``, an ``evidence.NewFiles``): if the
    record is stored, its files stay; if a concurrent request stored this UUID first (a resend or a Conflict), or
    anything refuses it, the files this request created are removed unless a row names them."""
    try:
        stored, created = insert(record, digest, user, twin)
    except BaseException:
        files.discard()
        raise
    if created:
        files.keep()
    else:
        files.discard()
    return stored, created


def _commit_or_conflict(record) -> None:
    """Commit; an UPDATE whose version check matched no row (an edit from the same version committed first) is
    rolled back and answered with Conflict and the record as now stored. (A unique key taken meanwhile stays an
    IntegrityError here: the services that can meet one say in their own words what was taken.)"""
    try:
        _commit_answering()
    except StaleDataError:
        db.session.rollback()
        raise StaleWrite(STALE_MESSAGE, record) from None


def _keep_up() -> None:
    """Flush the write, and rewrite now what is kept of what it touched (the premises' state, the inspections'
    tallies), before its audit event is added: the event's flush locks its chain's head until the commit, and the
    next write of the same commune waits for that lock, so only the event and the commit should run while it is held.
    (The same rewrite also runs before every commit, for writes that reach one without this door.)"""
    session = db.session()
    for kept in (premise_state, tallies):
        kept.refresh_touched(session)


def _commit_answering() -> None:
    """Commit. For the phone's API, whose answer is the record just written (and what it names), the session's
    objects stay as this transaction left them: reading them all back after the commit cost a transaction of its
    own (on PostgreSQL with its scope statement) and a statement per object, to fetch what this one had just
    written. What SQL statements wrote behind the session's back is expired before the commit by whoever wrote it
    (the premise state, the kept tallies); columns the database fills in are expired by the flush (every column
    with a server default also has a Python one, and no trigger fills a column). Everywhere else (the desk's
    pages, commands, jobs) a commit expires everything, as SQLAlchemy does by default: a page built after a commit
    shows what the database holds."""
    session = db.session()
    if not (has_request_context() and request.blueprint == API_BLUEPRINT):
        session.commit()
        return
    previous, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = previous


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


# ---- last use -----------------------------------------------------------------------------------------------------


def stamp_last_use(model, record_id: int, column: str, last: datetime | None, every: timedelta, now: datetime) -> None:
    """Note in ``<model>.<column>`` of row ``record_id`` that a token or a session was used at ``now``, unless it was
    last noted (``last``) less than ``every`` before, so reads stay reads: a phone syncing every few seconds does not
    queue a write behind every other phone's on SQLite's single writer lock.

    The UPDATE carries the same condition, so of many requests arriving together only one writes. The stamp is best
    effort: if the database is busy it is skipped (the next request tries again) instead of failing a read. No audit
    event: nothing was changed by anyone.
    """
    if last is not None and now - last < every:
        return
    stamped = getattr(model, column)
    try:
        db.session.execute(
            update(model)
            .where(model.id == record_id, or_(stamped.is_(None), stamped <= now - every))
            .values({column: now})
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    except OperationalError as error:
        logging.getLogger(__name__).warning(
            "%s %s: last use not stamped (%s)", model.__tablename__, record_id, error.orig
        )
        db.session.rollback()


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
            _commit_or_conflict(record)
            return record
    try:
        _keep_up()
        log(action, record, user, changes)
    except StaleDataError:  # the flush ran the losing UPDATE
        db.session.rollback()
        raise StaleWrite(STALE_MESSAGE, record) from None
    _commit_or_conflict(record)
    return record
