"""Evidence files (photos, thumbnails, certificates, issued PDFs, signatures): stored under keys derived from their
content, never overwritten, and written so that a refused request leaves no file behind.

The database row decides which file a record points at. The same bytes always get the same key, so two records may
share one file; a file is removed only when no row names it (``references``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import exists, select, union

from ..extensions import db
from ..models import AuditEvent, Decision, InstrumentPhoto, Minutes, Notice, Photo, ReferenceStandard, ReportFile

__all__ = ["NewFiles", "FileReference", "audited_keys", "content_key", "is_referenced", "references"]

_KIND = re.compile(r"[a-z][a-z0-9-]*")
_EXTENSION = re.compile(r"[a-z0-9]{1,8}")


def content_key(kind: str, data: bytes, extension: str) -> str:
    """ "<kind>/<sha256[:2]>/<sha256>.<extension>": the same bytes, the same key."""
    if not _KIND.fullmatch(kind) or not _EXTENSION.fullmatch(extension):
        raise ValueError(f"bad evidence kind or extension: {kind!r}, {extension!r}")
    digest = hashlib.sha256(data).hexdigest()
    return f"{kind}/{digest[:2]}/{digest}.{extension}"


# ---- which rows name which files ----------------------------------------------------------------------------------

# Every column that holds a storage key. A new kind of stored file adds its column here, or `flask files check`
# reports its files as orphans (and a test says so).
KEY_COLUMNS = (
    (Photo, "storage_key"),
    (Photo, "thumbnail_key"),
    (InstrumentPhoto, "storage_key"),
    (InstrumentPhoto, "thumbnail_key"),
    (ReferenceStandard, "certificate_key"),
    (ReferenceStandard, "certificate_thumbnail_key"),
    (Minutes, "pdf_key"),
    (Decision, "pdf_key"),
    (Notice, "pdf_key"),
    (ReportFile, "storage_key"),
)
# The team leader's signature is named by its digest (``minutes.service.signature_key``).
SIGNATURE_PREFIX = "signatures/"


@dataclass(frozen=True)
class FileReference:
    """A row that names a stored file: "minutes 12 pdf_key"."""

    key: str
    table: str
    row_id: int
    column: str

    def __str__(self) -> str:
        return f"{self.table} {self.row_id} ({self.column}): {self.key}"


def references() -> Iterator[FileReference]:
    """Every (row, column) that names a stored file, read in the database."""
    for model, name in KEY_COLUMNS:
        column = getattr(model, name)
        primary = model.__mapper__.primary_key[0]
        query = select(primary, column).where(column.is_not(None), column != "")
        for row_id, key in db.session.execute(query):
            yield FileReference(key, model.__tablename__, row_id, name)
    query = select(Minutes.id, Minutes.leader_signature_sha256).where(
        Minutes.leader_signature_sha256.is_not(None)
    )
    for row_id, digest in db.session.execute(query):
        yield FileReference(f"{SIGNATURE_PREFIX}{digest}.png", "minutes", row_id, "leader_signature_sha256")


def audited_keys() -> set[str]:
    """The keys the audit log names as a value some record had ({column: [old, new]} of its events): a certificate
    photo since replaced is no longer named by any row, but it is the evidence of what the record was. One
    statement, whatever the size of the log."""
    parts = []
    for model, name in KEY_COLUMNS:
        for index in (0, 1):
            key = AuditEvent.changes[(name, index)].as_string()
            parts.append(
                select(key.label("key")).where(AuditEvent.record_type == model.__tablename__, key.is_not(None))
            )
    return {key for key in db.session.scalars(union(*parts)) if key}


def is_referenced(key: str) -> bool:
    """Whether any row names ``key`` (committed, or pending in this transaction)."""
    conditions = [getattr(model, name) == key for model, name in KEY_COLUMNS]
    if key.startswith(SIGNATURE_PREFIX) and key.endswith(".png"):
        conditions.append(Minutes.leader_signature_sha256 == key[len(SIGNATURE_PREFIX) : -len(".png")])
    for condition in conditions:
        if db.session.scalar(select(exists().where(condition))):
            return True
    return False


# ---- writing them -------------------------------------------------------------------------------------------------


class NewFiles:
    """The files one request writes. ``put`` stores bytes under their content key without replacing anything;
    ``discard`` removes the files this request created, unless a row names them (another record with the same
    bytes); ``keep`` makes sure every file the committed row names is there.

    Used as a context manager, an exception discards (after the caller's rollback, or it rolls back itself).
    """

    def __init__(self, storage) -> None:
        self.storage = storage
        self.written: dict[str, bytes] = {}
        self.created: list[str] = []

    def put(self, kind: str, data: bytes, extension: str) -> str:
        return self.put_key(content_key(kind, data, extension), data)

    def put_key(self, key: str, data: bytes) -> str:
        """Store under a key the caller derived from the content (a signature's digest)."""
        if self.storage.put_if_absent(key, data):
            self.created.append(key)
        self.written[key] = data
        return key

    def keep(self) -> None:
        """After the commit: a concurrent request refused with the same bytes may have removed a file this one
        found already there (before its row was committed); put it back."""
        for key, data in self.written.items():
            self.storage.put_if_absent(key, data)
        self.written, self.created = {}, []

    def discard(self) -> None:
        """The request was refused: remove what it created and no row names. Rolls the session back first."""
        db.session.rollback()
        for key in self.created:
            if not is_referenced(key):
                self.storage.delete(key)
        db.session.rollback()
        self.written, self.created = {}, []

    def __enter__(self) -> NewFiles:
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if error is not None:
            self.discard()
