"""A backup's manifest: what the archive holds (the database dump, every stored file with its size and SHA-256, the
row count of every table, the audit log's head), as JSON, and the check of an archive's contents against it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

__all__ = [
    "DATABASE_NAMES",
    "FILES_PREFIX",
    "MANIFEST_DIGEST_NAME",
    "MANIFEST_NAME",
    "AuditHead",
    "BackupError",
    "Manifest",
    "Stored",
    "compare_audit",
    "compare_contents",
    "compare_counts",
    "digest_line",
    "read_digest_line",
]

FORMAT = "inspect-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
# "<sha256>  manifest.json", as `sha256sum` writes it, so `sha256sum -c manifest.sha256` checks it by hand too.
MANIFEST_DIGEST_NAME = "manifest.sha256"
FILES_PREFIX = "files/"
DATABASE_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
# How many problems a refusal lists before it says how many more there are.
SHOWN_PROBLEMS = 20


class BackupError(Exception):
    """A backup cannot be made, read or restored; the message (Vietnamese) says what is wrong."""

    @classmethod
    def listing(cls, headline: str, problems: list[str]) -> BackupError:
        lines = [f"  - {problem}" for problem in problems[:SHOWN_PROBLEMS]]
        if len(problems) > SHOWN_PROBLEMS:
            lines.append(f"  … và {len(problems) - SHOWN_PROBLEMS} lỗi khác.")
        return cls("\n".join([headline, *lines]))


@dataclass(frozen=True)
class Stored:
    """The size and SHA-256 of one member of the archive."""

    sha256: str
    size: int


@dataclass(frozen=True)
class AuditHead:
    """Where the audit log stood when the backup was taken: its last event, how many events, and a digest of them."""

    last_event_id: int | None
    events: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    created_at: str  # ISO 8601, UTC
    app_version: str
    alembic_revision: str | None
    backend: str  # "sqlite" or "postgresql"
    database: Stored
    tables: dict[str, int]
    audit: AuditHead
    files: dict[str, Stored] = field(default_factory=dict)  # storage key -> size and SHA-256

    @property
    def database_name(self) -> str:
        return DATABASE_NAMES[self.backend]

    @property
    def rows(self) -> int:
        return sum(self.tables.values())

    @property
    def file_bytes(self) -> int:
        return sum(stored.size for stored in self.files.values())

    def to_json(self) -> bytes:
        document = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": self.created_at,
            "app_version": self.app_version,
            "alembic_revision": self.alembic_revision,
            "backend": self.backend,
            "database": {"name": self.database_name, **asdict(self.database)},
            "tables": dict(sorted(self.tables.items())),
            "audit": asdict(self.audit),
            "files": [{"key": key, **asdict(stored)} for key, stored in sorted(self.files.items())],
        }
        return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        """The manifest in `data`; BackupError when it is not one this version can read."""
        try:
            document = json.loads(data.decode("utf-8"))
            if document.get("format") != FORMAT:
                raise BackupError(f"{MANIFEST_NAME} không phải bảng kê của bản sao lưu ứng dụng này.")
            if document.get("format_version") != FORMAT_VERSION:
                raise BackupError(
                    f"{MANIFEST_NAME} có định dạng phiên bản {document.get('format_version')!r}; "
                    f"phiên bản ứng dụng này chỉ đọc được phiên bản {FORMAT_VERSION}."
                )
            backend = document["backend"]
            if backend not in DATABASE_NAMES:
                raise BackupError(f"{MANIFEST_NAME} ghi một loại cơ sở dữ liệu không biết: {backend!r}.")
            return cls(
                created_at=str(document["created_at"]),
                app_version=str(document["app_version"]),
                alembic_revision=document["alembic_revision"],
                backend=backend,
                database=_stored(document["database"]),
                tables={str(name): _count(count) for name, count in document["tables"].items()},
                audit=AuditHead(
                    last_event_id=document["audit"]["last_event_id"],
                    events=_count(document["audit"]["events"]),
                    sha256=str(document["audit"]["sha256"]),
                ),
                files={str(entry["key"]): _stored(entry) for entry in document["files"]},
            )
        except BackupError:
            raise
        except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise BackupError(f"{MANIFEST_NAME} không đọc được ({type(error).__name__}: {error}).") from None


def _count(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"not a count: {value!r}")
    return value


def _stored(entry: dict) -> Stored:
    sha256 = str(entry["sha256"])
    if len(sha256) != 64:
        raise ValueError(f"not a SHA-256: {sha256!r}")
    return Stored(sha256=sha256, size=_count(entry["size"]))


def digest_line(manifest_bytes: bytes) -> bytes:
    return f"{hashlib.sha256(manifest_bytes).hexdigest()}  {MANIFEST_NAME}\n".encode("ascii")


def read_digest_line(line: bytes, manifest_bytes: bytes) -> str | None:
    """None when `line` is the digest line of `manifest_bytes`, else what is wrong."""
    if line.strip() != digest_line(manifest_bytes).strip():
        return (
            f"{MANIFEST_NAME} không khớp SHA-256 ghi trong {MANIFEST_DIGEST_NAME}: bảng kê đã bị sửa "
            "hoặc tệp sao lưu bị hỏng."
        )
    return None


def compare_contents(manifest: Manifest, found: dict[str, Stored]) -> list[str]:
    """What differs between the manifest and the members found in the archive (name -> size and SHA-256), each
    problem as a sentence naming the member; an empty list when every member is there, whole and unchanged."""
    expected = {manifest.database_name: manifest.database}
    expected.update({FILES_PREFIX + key: stored for key, stored in manifest.files.items()})
    problems = []
    for name, stored in expected.items():
        actual = found.get(name)
        if actual is None:
            problems.append(f"thiếu {name}")
        elif actual.size != stored.size:
            problems.append(f"{name} dài {actual.size} byte, bảng kê ghi {stored.size} byte")
        elif actual.sha256 != stored.sha256:
            problems.append(
                f"{name} đã bị thay đổi: SHA-256 {actual.sha256[:16]}…, bảng kê ghi {stored.sha256[:16]}…"
            )
    for name in sorted(set(found) - set(expected) - {MANIFEST_NAME, MANIFEST_DIGEST_NAME}):
        problems.append(f"{name} có trong tệp sao lưu nhưng không có trong bảng kê")
    return problems


def compare_counts(expected: dict[str, int], actual: dict[str, int]) -> list[str]:
    """Tables whose row count differs from the manifest's, missing or not in it, each as a sentence."""
    problems = []
    for table in sorted(set(expected) | set(actual)):
        if table not in actual:
            problems.append(f"bảng {table} không có trong cơ sở dữ liệu")
        elif table not in expected:
            problems.append(f"bảng {table} có trong cơ sở dữ liệu nhưng không có trong bảng kê")
        elif actual[table] != expected[table]:
            problems.append(f"bảng {table} có {actual[table]} dòng, bảng kê ghi {expected[table]} dòng")
    return problems


def compare_audit(expected: AuditHead, actual: AuditHead) -> list[str]:
    """The audit log's head against the manifest's: the same last event, number of events and digest."""
    if actual == expected:
        return []
    return [
        f"nhật ký thao tác không khớp bảng kê: sự kiện cuối #{actual.last_event_id}, {actual.events} sự kiện "
        f"(bảng kê ghi #{expected.last_event_id}, {expected.events} sự kiện)"
        + ("" if actual.sha256 == expected.sha256 else ", mã băm khác")
    ]
