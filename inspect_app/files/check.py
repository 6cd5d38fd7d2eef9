"""`flask files check`: the stored files no row names (orphans) and the rows whose file is missing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from ..domain.time import utcnow
from .evidence import FileReference, audited_keys, references
from .uploads import storage_for

# A file younger than this may belong to an upload still in flight (written, its row not yet committed).
ORPHAN_MIN_AGE = timedelta(hours=1)


@dataclass
class FileCheck:
    orphans: list[str] = field(default_factory=list)
    missing: list[FileReference] = field(default_factory=list)
    stored: int = 0
    referenced: int = 0
    # Files no row names any more but the audit log does (a replaced certificate photo): kept as evidence.
    audited: int = 0


def check_files(storage) -> FileCheck:
    """Compare the store's keys with the keys the rows name; a file only the audit log names is not an orphan (nor
    is one it names and the store lacks a missing file: no record shows it)."""
    named: dict[str, list[FileReference]] = {}
    for reference in references():
        named.setdefault(reference.key, []).append(reference)
    stored = set(storage.keys())
    unnamed = stored - named.keys()
    audited = unnamed & audited_keys()
    result = FileCheck(stored=len(stored), referenced=len(named), audited=len(audited))
    result.orphans = sorted(unnamed - audited)
    result.missing = [ref for key in sorted(named.keys() - stored) for ref in named[key]]
    return result


def remove_orphans(storage, orphans: list[str], min_age: timedelta = ORPHAN_MIN_AGE) -> list[str]:
    """Remove the orphans written longer than ``min_age`` ago; the keys removed."""
    cutoff = utcnow() - min_age
    removed = []
    for key in orphans:
        try:
            if storage.modified_at(key) > cutoff:
                continue
        except FileNotFoundError:
            continue
        storage.delete(key)
        removed.append(key)
    return removed


files_cli = AppGroup(
    "files", help="Tệp đã lưu (ảnh, PDF đã ban hành, chữ ký): kiểm tra, dọn dẹp, chép lên kho S3."
)


@files_cli.command("check")
@click.option(
    "--delete-orphans",
    is_flag=True,
    help="Xóa các tệp không bản ghi nào dùng đến và đã lưu quá một giờ.",
)
def check_command(delete_orphans: bool) -> None:
    """Liệt kê tệp không bản ghi nào dùng đến và bản ghi thiếu tệp; mã thoát 1 khi có bản ghi thiếu tệp."""
    storage = storage_for(current_app)
    result = check_files(storage)
    click.echo(
        f"Tệp đã lưu: {result.stored}; tệp được bản ghi dùng đến: {result.referenced}; "
        f"tệp cũ nhật ký thay đổi còn ghi (giữ làm chứng cứ): {result.audited}."
    )
    for key in result.orphans:
        click.echo(f"Tệp không bản ghi nào dùng: {key}")
    for reference in result.missing:
        click.echo(f"Bản ghi thiếu tệp: {reference}")
    if delete_orphans:
        removed = remove_orphans(storage, result.orphans)
        kept = len(result.orphans) - len(removed)
        click.echo(f"Đã xóa {len(removed)} tệp không dùng; giữ lại {kept} tệp mới lưu chưa quá một giờ.")
    click.echo(f"Tổng kết: {len(result.orphans)} tệp không dùng, {len(result.missing)} bản ghi thiếu tệp.")
    if result.missing:
        raise SystemExit(1)
