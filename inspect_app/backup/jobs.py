"""A backup asked for on the Tác vụ page: the same archive as ``flask backup create``, written into BACKUP_DIR.

The archive is not the job's stored result: it holds every stored file, so keeping it in the file store would put
a copy of the store inside the store (and into the next backup), and a backup must not live only where the data it
saves lives. The job's result is a small pointer (the archive's name, size, SHA-256 and summary); its download
streams the archive from BACKUP_DIR, to an administrator who sees every unit only."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app

from ..access import can, scope_for
from ..extensions import db
from ..files.uploads import storage_for
from ..models import User
from .manifest import BackupError
from .service import create_backup, default_archive_name
from .text import app_version, summary

ARCHIVE_TYPE = "application/x-tar"
POINTER_TYPE = "application/json"


def may_back_up(user: User) -> bool:
    """A backup holds every unit's records and files: only an administrator who sees every unit asks for one."""
    return can("backup.create", user) and scope_for(user).is_global


def backup_folder() -> Path:
    return Path(current_app.config["BACKUP_DIR"])


def job_archive_name(job_id: int, moment: datetime) -> str:
    return default_archive_name(moment).removesuffix(".tar") + f"-job{job_id}.tar"


def forget_earlier_attempts(job_id: int) -> None:
    """An attempt that died left its archive (whole or ``.partial``): the new attempt makes a fresh one."""
    for leftover in backup_folder().glob(f"inspect-backup-*-job{job_id}.tar*"):
        leftover.unlink(missing_ok=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def back_up_for_job(job_id: int, on_file: Callable[[int], None]) -> tuple[str, bytes, str]:
    """Write the archive; (its name, the pointer kept as the job's result, the summary to show)."""
    forget_earlier_attempts(job_id)
    name = job_archive_name(job_id, datetime.now(UTC))
    output = backup_folder() / name
    manifest = create_backup(db.engine, storage_for(current_app), output, app_version(), on_file=on_file)
    text = summary(manifest)
    pointer = {
        "archive": name,
        "size": output.stat().st_size,
        "sha256": _sha256(output),
        "summary": text,
    }
    return name, json.dumps(pointer, ensure_ascii=False, sort_keys=True).encode("utf-8"), text


def archive_of(pointer: bytes) -> Path:
    """The archive a job's pointer names, in BACKUP_DIR; FileNotFoundError if it is not (or no longer) there, or is
    not the size it was written with."""
    try:
        found = json.loads(pointer)
        name, size = str(found["archive"]), int(found["size"])
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError("the job's result is not a backup pointer") from error
    path = backup_folder() / Path(name).name
    if not path.is_file() or path.stat().st_size != size:
        raise FileNotFoundError(name)
    return path
