"""File storage behind a small interface: local disk now, S3-compatible storage later."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

__all__ = ["LocalStorage", "Storage", "StorageUnavailable", "validate_key"]

MAX_KEY_LENGTH = 1024  # S3's limit; the photos table keeps keys in String(200)

# One path segment: letters, digits, ".", "_", "-", never starting with "." (so no "." or "..", no hidden
# files, and no clash with the ".name.XXXX.tmp" files that LocalStorage.put writes before renaming).
_SEGMENT = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")


def validate_key(key: str) -> str:
    """Return `key` if it is a safe relative POSIX key like "photos/2026/11/42/<uuid>.jpg", else ValueError.

    Keys are built by the caller from internal ids, never from user input, so the rule is strict: no
    absolute paths, no backslashes, no empty, "." or ".." segments, only ASCII letters, digits, ".", "_", "-".
    A key that is not a str at all is a TypeError.
    """
    if not isinstance(key, str):
        raise TypeError(f"storage key must be a string, not {type(key).__name__}")
    if not key:
        raise ValueError("storage key is empty")
    if len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"storage key is longer than {MAX_KEY_LENGTH} characters")
    if "\\" in key:
        raise ValueError(f"storage key contains a backslash: {key!r}")
    if key.startswith("/"):
        raise ValueError(f"storage key is absolute: {key!r}")
    for segment in key.split("/"):
        if not segment:
            raise ValueError(f"storage key has an empty segment: {key!r}")
        if segment in (".", ".."):
            raise ValueError(f"storage key has a {segment!r} segment: {key!r}")
        if not _SEGMENT.fullmatch(segment):
            raise ValueError(f"storage key has a forbidden segment {segment!r}: {key!r}")
    return key


class StorageUnavailable(Exception):
    """The store could not take a file (a folder not writable, a full disk, a store out of reach): nothing was
    written under the key, and the request that wanted it must record nothing and may be sent again later."""


class Storage(ABC):
    """Where photos and issued PDFs live. Every method validates the key (ValueError if unsafe).

    A missing key is FileNotFoundError from `get` and `open`; deleting a missing key is a no-op (as on S3).
    Evidence is written with `put_if_absent` under a key derived from its content (`files.evidence`), so a
    stored object is never replaced; `put` (which replaces) is for everything else.
    """

    @abstractmethod
    def put(self, key: str, data: bytes) -> None:
        """Store `data` under `key` atomically: readers see the old object or the new one, never a part."""

    def put_file(self, key: str, source: BinaryIO) -> None:
        """Store the rest of the open binary file `source` under `key`, as `put` does; backends override this to
        copy it in chunks, so a large file is never held in memory."""
        self.put(key, source.read())

    def put_if_absent(self, key: str, data: bytes) -> bool:
        """Store `data` under `key` unless an object is already there (then nothing is written): True if this call
        created it. Backends override this with an atomic create; this fallback is not race-free."""
        if self.exists(key):
            return False
        self.put(key, data)
        return True

    def keys(self, prefix: str = "") -> Iterator[str]:
        """Every stored key that starts with `prefix` (a plain string prefix, as S3 lists), in sorted order;
        files still being written are not keys."""
        raise NotImplementedError(f"{type(self).__name__} cannot list its keys")

    def modified_at(self, key: str) -> datetime:
        """When the object under `key` was written (aware UTC); FileNotFoundError if absent."""
        raise NotImplementedError(f"{type(self).__name__} cannot tell when a key was written")

    @abstractmethod
    def get(self, key: str) -> bytes:
        """The bytes stored under `key`."""

    @abstractmethod
    def open(self, key: str) -> BinaryIO:
        """A binary file object for reading `key`; the caller closes it (use it in a `with`)."""

    @abstractmethod
    def exists(self, key: str) -> bool:
        """Whether an object is stored under `key`."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove `key`; nothing happens if it is absent."""

    def path(self, key: str) -> Path:
        """The local file behind `key`, for storages that have one (e.g. for `send_file`)."""
        raise NotImplementedError(f"{type(self).__name__} has no local paths")


class LocalStorage(Storage):
    """Files under a root directory; `put` writes a temp file beside the target, fsyncs it, then renames it.

    Files get mode 0600 (readable by the application's user only), as `tempfile.mkstemp` creates them.
    `fsync=False` skips both fsyncs (the rename stays atomic, but a power cut may lose the file): for tests only.
    """

    def __init__(self, root: str | os.PathLike[str], fsync: bool = True) -> None:
        self.root = Path(root).resolve()
        self.fsync = fsync

    def __repr__(self) -> str:
        return f"LocalStorage({str(self.root)!r})"

    def path(self, key: str) -> Path:
        full = self.root.joinpath(*validate_key(key).split("/"))
        # A valid key cannot climb out of the root, but a symlink placed inside the root could.
        if not full.resolve().is_relative_to(self.root):
            raise ValueError(f"storage key resolves outside the storage root: {key!r}")
        return full

    def put(self, key: str, data: bytes | BinaryIO) -> None:
        target = self.path(key)
        try:
            self._write(target, data)
        except OSError as error:
            raise StorageUnavailable(f"cannot write {key!r} under {self.root}: {error}") from error

    put_file = put  # _write copies an open file in chunks

    def _write(self, target: Path, data: bytes | BinaryIO, *, replace: bool = True) -> bool:
        """Write a temp file beside ``target`` (from bytes, or copied in chunks from an open file) and rename it into
        place (``replace``) or hard-link it there, which fails if ``target`` exists (then nothing is written:
        False)."""
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as tmp:
                if isinstance(data, bytes | bytearray | memoryview):
                    tmp.write(data)
                else:
                    shutil.copyfileobj(data, tmp)
                tmp.flush()
                if self.fsync:
                    os.fsync(tmp.fileno())
            if replace:
                os.replace(tmp_name, target)
            else:
                try:
                    os.link(tmp_name, target)
                except FileExistsError:
                    return False
        finally:
            try:
                os.unlink(tmp_name)  # the link's other name, or what a failed write left
            except FileNotFoundError:
                pass
        if self.fsync:
            _fsync_directory(target.parent)
        return True

    def put_if_absent(self, key: str, data: bytes) -> bool:
        """The temp file is hard-linked to the key, which fails if the key exists: of two racing writers exactly
        one creates the object, and the other's bytes never become visible under it."""
        target = self.path(key)
        if target.is_file():
            return False
        try:
            return self._write(target, data, replace=False)
        except OSError as error:
            raise StorageUnavailable(f"cannot write {key!r} under {self.root}: {error}") from error

    def modified_at(self, key: str) -> datetime:
        return datetime.fromtimestamp(self.path(key).stat().st_mtime, UTC)

    def get(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    def open(self, key: str) -> BinaryIO:
        return self.path(key).open("rb")

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def keys(self, prefix: str = "") -> Iterator[str]:
        # Walked folder by folder in sorted order; hidden names (the ".name.XXXX.tmp" files of a `put` under way)
        # and anything else that is not a valid key are skipped, and symlinks are never followed.
        def walk(folder: Path, base: str) -> Iterator[str]:
            try:
                # A folder sorts as "name/", so keys come out in the order of their strings.
                entries = sorted(
                    os.scandir(folder),
                    key=lambda entry: entry.name + ("/" if entry.is_dir(follow_symlinks=False) else ""),
                )
            except (FileNotFoundError, NotADirectoryError):
                return
            for entry in entries:
                if not _SEGMENT.fullmatch(entry.name):
                    continue
                key = f"{base}{entry.name}"
                if entry.is_dir(follow_symlinks=False):
                    if key.startswith(prefix[: len(key)]):
                        yield from walk(Path(entry.path), f"{key}/")
                elif (
                    entry.is_file(follow_symlinks=False)
                    and key.startswith(prefix)
                    and len(key) <= MAX_KEY_LENGTH
                ):
                    yield key

        yield from walk(self.root, "")


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX); silently skipped where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
