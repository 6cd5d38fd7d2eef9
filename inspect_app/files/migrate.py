"""`flask files migrate-to-s3`: copy every file under UPLOAD_DIR into the configured object store, verified.

Run it once before switching a single-machine install to STORAGE_BACKEND=s3 (with the S3_* settings already set), and
again after the last local writes: a file already in the store with the same SHA-256 is skipped, so a second run
copies only what is new. Nothing in the store is ever replaced: a key the store holds with other bytes is reported.
"""

from __future__ import annotations

import hashlib
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .storage import LocalStorage, Storage
from .uploads import storage_for

COPIED, PRESENT, DIFFERENT, DAMAGED, UNVERIFIED = "copied", "present", "different", "damaged", "unverified"
# Evidence keys end in the SHA-256 of their bytes (``evidence.content_key``); signatures are named by it too.
_NAMED_BY_HASH = re.compile(r"(?:^|/)([0-9a-f]{64})\.[a-z0-9]{1,8}$")
BATCH = 256


@dataclass
class CopyReport:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys((COPIED, PRESENT), 0))
    problems: list[tuple[str, str]] = field(default_factory=list)  # (outcome, key)

    @property
    def verified(self) -> int:
        return self.counts[COPIED] + self.counts[PRESENT]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def copy_one(source: Storage, target: Storage, key: str) -> str:
    """Copy ``key`` unless the target has the same bytes; read it back from the target and compare the hashes."""
    data = source.get(key)
    digest = _sha256(data)
    named = _NAMED_BY_HASH.search(key)
    if named and named.group(1) != digest:
        return DAMAGED  # the local file is not the bytes its key was made from: not copied
    created = target.put_if_absent(key, data)
    if _sha256(target.get(key)) != digest:
        return UNVERIFIED if created else DIFFERENT
    return COPIED if created else PRESENT


def copy_files(source: Storage, target: Storage, workers: int = 4) -> CopyReport:
    report = CopyReport()
    keys = source.keys()
    with ThreadPoolExecutor(max(1, workers)) as pool:
        while batch := list(islice(keys, BATCH)):
            for key, outcome in zip(
                batch, pool.map(lambda key: copy_one(source, target, key), batch), strict=True
            ):
                if outcome in report.counts:
                    report.counts[outcome] += 1
                else:
                    report.problems.append((outcome, key))
    return report


PROBLEM_TEXT = {
    DAMAGED: "Tệp trên máy không khớp mã băm trong tên (không chép)",
    DIFFERENT: "Kho đã có khóa này với nội dung khác (không ghi đè)",
    UNVERIFIED: "Đọc lại từ kho không khớp mã băm",
}


@click.command("migrate-to-s3")
@click.option(
    "--from",
    "source_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Thư mục tệp cần chép (mặc định: UPLOAD_DIR).",
)
@click.option("--workers", default=4, show_default=True, help="Số tệp chép cùng lúc.")
@with_appcontext
def migrate_command(source_dir: Path | None, workers: int) -> None:
    """Chép mọi tệp trong thư mục lưu tệp lên kho S3 đã cấu hình, bỏ qua tệp đã có cùng mã băm, kiểm tra mã băm
    từng tệp sau khi chép. Chạy lại bao nhiêu lần cũng được; mã thoát 1 nếu có tệp lỗi."""
    if current_app.config.get("STORAGE_BACKEND") != "s3":
        raise click.ClickException("Đặt STORAGE_BACKEND=s3 và các biến S3_* trước khi chép tệp lên kho S3.")
    source = LocalStorage(source_dir or current_app.config["UPLOAD_DIR"])
    if not source.root.is_dir():
        raise click.ClickException(f"Không có thư mục {source.root}.")
    target = storage_for(current_app)
    click.echo(f"Chép từ {source.root} lên {target!r} ...")
    report = copy_files(source, target, workers)
    for outcome, key in report.problems:
        click.echo(f"{PROBLEM_TEXT[outcome]}: {key}")
    click.echo(
        f"Tổng kết: đã chép {report.counts[COPIED]}, đã có sẵn {report.counts[PRESENT]}, "
        f"đã kiểm tra mã băm {report.verified}, lỗi {len(report.problems)}."
    )
    if report.problems:
        raise SystemExit(1)
