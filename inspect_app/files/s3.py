"""Files in an S3-compatible object store (AWS S3, SeaweedFS, MinIO, Ceph...), through boto3.

Several app servers share one bucket, so every server reads every photo and PDF. The contract is the one
`Storage` states: a missing key is FileNotFoundError, an unsafe key ValueError, and a store that cannot be reached
(refused connection, timeout, a 5xx, a bucket or credentials the store refuses) is StorageUnavailable, which the
app answers with 503 and Retry-After so the phone keeps the upload in its outbox and sends it again.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
import threading
from typing import BinaryIO

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from urllib3.exceptions import HTTPError as Urllib3Error

from .storage import Storage, StorageUnavailable, validate_key

__all__ = ["S3Storage"]

# The codes S3 answers for an absent object (GetObject says NoSuchKey, HeadObject has no body: just "404").
_MISSING = {"NoSuchKey", "404", "NotFound"}
READ_CHUNK = 64 * 1024


def _status(error: ClientError) -> int:
    return int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code") or "")


# One boto3 session for the process: a new session reads and parses botocore's description of S3 again (about
# 0.15 s of CPU), a client made from a session that has it costs a tenth of that. A session is not safe for two
# threads creating clients at once, hence the lock; the clients themselves are thread-safe.
_SESSION_LOCK = threading.Lock()
_session: boto3.session.Session | None = None


def _client(*args, **kwargs):
    global _session
    with _SESSION_LOCK:
        if _session is None:
            _session = boto3.session.Session()
        return _session.client(*args, **kwargs)


class S3Storage(Storage):
    """Objects in ``bucket`` under ``prefix`` + key (the prefix lets several installs, or test runs, share a bucket).

    ``put_if_absent`` is one conditional PUT (``If-None-Match: *``): the store creates the object only if no object
    is there, atomically, so of two racing writers exactly one creates it and the other gets 412. A store that does
    not implement conditional writes answers 501; then the object is looked up first and written if absent. That
    fallback is not atomic, but every key `put_if_absent` writes is derived from the SHA-256 of its bytes
    (``files.evidence``): two writers of one key write the same bytes, so the loser's write replaces the object with
    an identical one and no reader ever sees other bytes. Both writers may then believe they created it; a refused
    request removes a file it created only when no row names it, and the committed request puts it back
    (``NewFiles.keep``), so the file the database names stays in the store either way.
    """

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        prefix: str = "",
        addressing_style: str = "path",
        connect_timeout: float = 5,
        read_timeout: float = 30,
        max_attempts: int = 3,
    ) -> None:
        if not bucket:
            raise ValueError("S3Storage needs a bucket")
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        if prefix:
            validate_key(prefix.rstrip("/"))
        self.bucket = bucket
        self.prefix = prefix
        self.endpoint_url = endpoint_url or None
        self.conditional_writes = True  # until the store answers 501 to one
        self.client = _client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=region or None,
            aws_access_key_id=access_key_id or None,
            aws_secret_access_key=secret_access_key or None,
            config=Config(
                connect_timeout=connect_timeout,
                read_timeout=read_timeout,
                retries={"mode": "standard", "max_attempts": max(1, max_attempts)},
                s3={"addressing_style": addressing_style},
                # Threaded gunicorn workers and the job worker share this client (boto3 clients are thread-safe).
                max_pool_connections=32,
            ),
        )

    @classmethod
    def from_config(cls, config) -> S3Storage:
        return cls(
            config["S3_BUCKET"],
            endpoint_url=config.get("S3_ENDPOINT_URL"),
            region=config.get("S3_REGION"),
            access_key_id=config.get("S3_ACCESS_KEY_ID"),
            secret_access_key=config.get("S3_SECRET_ACCESS_KEY"),
            prefix=config.get("S3_PREFIX") or "",
            addressing_style=config.get("S3_ADDRESSING_STYLE") or "path",
            connect_timeout=config.get("S3_CONNECT_TIMEOUT_SECONDS", 5),
            read_timeout=config.get("S3_READ_TIMEOUT_SECONDS", 30),
            max_attempts=config.get("S3_MAX_ATTEMPTS", 3),
        )

    def __repr__(self) -> str:
        where = f" at {self.endpoint_url}" if self.endpoint_url else ""
        return f"S3Storage({self.bucket}/{self.prefix}{where})"

    # ---- errors ---------------------------------------------------------------------------------------------------

    @contextmanager
    def _errors(self, action: str, key: str):
        """Absent → FileNotFoundError; anything else the store or the network says → StorageUnavailable."""
        try:
            yield
        except FileNotFoundError:
            raise
        except ClientError as error:
            if _code(error) in _MISSING:
                raise FileNotFoundError(f"{key!r} is not in {self!r}") from error
            raise StorageUnavailable(f"cannot {action} {key!r} in {self!r}: {error}") from error
        except (BotoCoreError, Urllib3Error, OSError) as error:
            raise StorageUnavailable(f"cannot {action} {key!r} in {self!r}: {error}") from error

    def _name(self, key: str) -> str:
        return self.prefix + validate_key(key)

    # ---- writing --------------------------------------------------------------------------------------------------

    def put(self, key: str, data: bytes) -> None:
        name = self._name(key)
        with self._errors("write", key):
            self.client.put_object(Bucket=self.bucket, Key=name, Body=data)

    def put_if_absent(self, key: str, data: bytes) -> bool:
        name = self._name(key)
        if not self.conditional_writes:
            if self.exists(key):
                return False
            self.put(key, data)
            return True
        with self._errors("write", key):
            for _ in range(3):
                try:
                    self.client.put_object(Bucket=self.bucket, Key=name, Body=data, IfNoneMatch="*")
                    return True
                except ClientError as error:
                    status = _status(error)
                    if status == 412:  # an object is there: nothing was written
                        return False
                    if status == 409:  # AWS: another conditional write of this key is under way; ask again
                        continue
                    if status == 501:
                        self.conditional_writes = False
                        return self.put_if_absent(key, data)
                    raise
        # Still conflicting: another writer is creating this key, with these same bytes (the key is their hash).
        # If its write fails after all, NewFiles.keep puts the file back once the row naming it is committed.
        return False

    def delete(self, key: str) -> None:
        name = self._name(key)
        with self._errors("delete", key):
            self.client.delete_object(Bucket=self.bucket, Key=name)

    # ---- reading --------------------------------------------------------------------------------------------------

    def get(self, key: str) -> bytes:
        with self.open(key) as stream:
            return stream.read()

    def open(self, key: str) -> BinaryIO:
        """The object streamed in chunks (never read whole into memory); seekable, for range requests and sizes."""
        name = self._name(key)
        with self._errors("read", key):
            response = self.client.get_object(Bucket=self.bucket, Key=name)
        return io.BufferedReader(_ObjectReader(self, key, name, response), buffer_size=READ_CHUNK)

    def exists(self, key: str) -> bool:
        try:
            self._head(key)
        except FileNotFoundError:
            return False
        return True

    def modified_at(self, key: str) -> datetime:
        return self._head(key)["LastModified"].astimezone(UTC)

    def _head(self, key: str) -> dict:
        name = self._name(key)
        with self._errors("look up", key):
            return self.client.head_object(Bucket=self.bucket, Key=name)

    def keys(self, prefix: str = "") -> Iterator[str]:
        # S3 lists a page of up to 1000 keys at a time, AWS in the order of their bytes, but a store built on a
        # file tree (SeaweedFS) lists a folder's keys before "folder-x": the keys are sorted here (a few hundred
        # bytes each, so a million keys hold some hundred megabytes). Objects that are not valid keys (put there by
        # something else) are skipped, as LocalStorage skips such files.
        found = []
        paginator = self.client.get_paginator("list_objects_v2")
        with self._errors("list", prefix or "every key"):
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + prefix):
                for item in page.get("Contents", ()):
                    key = item["Key"][len(self.prefix) :]
                    try:
                        found.append(validate_key(key))
                    except ValueError:
                        continue
        found.sort()
        yield from found


class _ObjectReader(io.RawIOBase):
    """A GetObject body as a seekable raw stream: reads go on in the open body; after a seek elsewhere the next read
    asks for the rest from there (a Range request, on the condition that the object is still the one opened)."""

    def __init__(self, storage: S3Storage, key: str, name: str, response: dict) -> None:
        super().__init__()
        self._storage, self._key, self._name = storage, key, name
        self._body = response["Body"]
        self._etag = response.get("ETag")
        self._size = int(response["ContentLength"])
        self._position = 0  # where the reader is
        self._body_position = 0  # where the open body is

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._position = base + offset
        return self._position

    def readinto(self, buffer) -> int:
        if self._position >= self._size:
            return 0
        with self._storage._errors("read", self._key):
            if self._body is None or self._body_position != self._position:
                self._reopen()
            data = self._body.read(len(buffer))
        count = len(data)
        if not count:
            raise StorageUnavailable(f"{self._key!r} ended after {self._position} of {self._size} bytes")
        buffer[:count] = data
        self._position += count
        self._body_position += count
        return count

    def readall(self) -> bytes:
        # What read() with no size calls: in large reads, not io's 8 KiB ones.
        chunks = []
        while data := self.read(READ_CHUNK * 16):
            chunks.append(data)
        return b"".join(chunks)

    def _reopen(self) -> None:
        self._close_body()
        arguments = {"Bucket": self._storage.bucket, "Key": self._name, "Range": f"bytes={self._position}-"}
        if self._etag:
            arguments["IfMatch"] = self._etag
        response = self._storage.client.get_object(**arguments)
        self._body, self._body_position = response["Body"], self._position

    def _close_body(self) -> None:
        if self._body is not None:
            self._body.close()
            self._body = None

    def close(self) -> None:
        self._close_body()
        super().close()
