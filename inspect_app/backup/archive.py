"""The backup archive on disk: a plain tar written to a temporary name and renamed when complete, every member
hashed while it is copied; read back member by member, streaming, a truncated or damaged archive named as such."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import tarfile
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from .manifest import BackupError, Stored

__all__ = ["ArchiveReader", "ArchiveWriter", "Member"]

CHUNK = 1024 * 1024
# A truncated archive: tarfile's "unexpected end of data", a short gzip stream, a damaged gzip block.
_DAMAGED = (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile)


class _Hashing:
    """A reader that hashes and counts what passes through it."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw, self.hash, self.size = raw, hashlib.sha256(), 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.hash.update(data)
        self.size += len(data)
        return data

    def stored(self) -> Stored:
        return Stored(sha256=self.hash.hexdigest(), size=self.size)


class ArchiveWriter:
    """Writes `<path>.partial` (mode 0600: the archive holds password hashes and personal data) and renames it to
    `path` only when `close()` is reached, so a backup cut short never lies under the final name."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.partial = path.with_name(path.name + ".partial")
        fd = os.open(self.partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._file = os.fdopen(fd, "wb")
        self._tar = tarfile.open(fileobj=self._file, mode="w", format=tarfile.PAX_FORMAT)
        self._mtime = int(time.time())

    def add_stream(self, name: str, stream: BinaryIO, size: int) -> Stored:
        """Copy `size` bytes of `stream` in as `name`, hashing them on the way."""
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = size, 0o600, self._mtime
        hashing = _Hashing(stream)
        self._tar.addfile(info, hashing)
        return hashing.stored()

    def add_file(self, name: str, source: Path) -> Stored:
        with source.open("rb") as stream:
            return self.add_stream(name, stream, os.fstat(stream.fileno()).st_size)

    def add_bytes(self, name: str, data: bytes) -> Stored:
        return self.add_stream(name, io.BytesIO(data), len(data))

    def close(self) -> None:
        self._tar.close()
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self.partial, self.path)

    def abort(self) -> None:
        try:
            self._tar.close()
        except (OSError, tarfile.TarError):
            pass
        self._file.close()
        self.partial.unlink(missing_ok=True)

    def __enter__(self) -> ArchiveWriter:
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()


class Member:
    """One regular file of the archive, read once: copied to a sink (or nowhere) while hashed."""

    def __init__(
        self, name: str, stream: BinaryIO, size: int, damaged: Callable[[Exception], BackupError]
    ) -> None:
        self.name, self.size, self._stream, self._damaged = name, size, stream, damaged

    def copy(self, write: Callable[[bytes], object] | None = None) -> Stored:
        hashing = _Hashing(self._stream)
        try:
            while chunk := hashing.read(CHUNK):
                if write is not None:
                    write(chunk)
        except _DAMAGED as error:
            raise self._damaged(error) from None
        return hashing.stored()

    def read(self, limit: int) -> bytes:
        """The member's bytes, if at most `limit` (a manifest, a digest line)."""
        if self.size > limit:
            raise BackupError(f"{self.name} dài bất thường ({self.size} byte).")
        parts: list[bytes] = []
        self.copy(parts.append)
        return b"".join(parts)

    def save(self, target: Path) -> Stored:
        with target.open("wb") as out:
            return self.copy(out.write)


class ArchiveReader:
    """The members of an archive in the order they were written (a gzip-compressed copy reads too)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _damaged(self, error: Exception) -> BackupError:
        return BackupError(
            f"Không đọc hết được {self.path}: tệp sao lưu bị cắt cụt hoặc hỏng ({error or type(error).__name__})."
        )

    def __iter__(self) -> Iterator[Member]:
        try:
            tar = tarfile.open(self.path, mode="r:*")
        except FileNotFoundError:
            raise BackupError(f"Không có tệp {self.path}.") from None
        except IsADirectoryError:
            raise BackupError(f"{self.path} là một thư mục, không phải tệp sao lưu.") from None
        except _DAMAGED as error:
            raise self._damaged(error) from None
        seen: set[str] = set()
        with tar:
            while True:
                try:
                    info = tar.next()
                except _DAMAGED as error:
                    raise self._damaged(error) from None
                if info is None:
                    return
                if not info.isreg():
                    raise BackupError(f"{self.path} chứa {info.name!r}, không phải một tệp thường.")
                if info.name in seen:
                    raise BackupError(f"{self.path} chứa {info.name!r} hai lần.")
                seen.add(info.name)
                stream = tar.extractfile(info)
                assert stream is not None  # a regular file always has one
                yield Member(info.name, stream, info.size, self._damaged)
