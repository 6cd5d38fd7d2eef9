"""flask backup create / verify / restore."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..extensions import db
from ..files.uploads import storage_for
from .manifest import BackupError
from .text import app_version, summary
from .service import create_backup, default_archive_name, restore_backup, verify_backup

backup_cli = AppGroup("backup", help="Sao lưu và phục hồi cơ sở dữ liệu cùng các tệp đã lưu.")

ARCHIVE = click.Path(dir_okay=False, path_type=Path)


@backup_cli.command("create")
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Tệp .tar sẽ ghi, hoặc thư mục chứa nó (mặc định: BACKUP_DIR, tức instance/backups/).",
)
def create_command(output: Path | None):
    """Back up the database, every stored file and a manifest into one .tar archive, while the app keeps running."""
    name = default_archive_name(datetime.now(UTC))
    if output is None:
        output = Path(current_app.config["BACKUP_DIR"]) / name
    elif output.is_dir():
        output = output / name
    if output.exists():
        raise click.ClickException(f"Đã có tệp {output}; không ghi đè.")
    try:
        manifest = create_backup(db.engine, storage_for(current_app), output, app_version())
    except BackupError as error:
        raise click.ClickException(f"Không tạo được bản sao lưu. {error}") from None
    click.echo(f"Đã tạo bản sao lưu {output}: {summary(manifest)}.")


@backup_cli.command("verify")
@click.argument("archive", type=ARCHIVE)
def verify_command(archive: Path):
    """Check that an archive is complete and matches its manifest in every hash, size and row count."""
    try:
        with tempfile.TemporaryDirectory(prefix="inspect-verify-") as work:
            manifest = verify_backup(archive, Path(work)).manifest
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Bản sao lưu {archive} toàn vẹn: {summary(manifest)}.")


@backup_cli.command("restore")
@click.argument("archive", type=ARCHIVE)
def restore_command(archive: Path):
    """Restore an archive into this instance, whose database and file folder must be empty."""
    try:
        restored = restore_backup(
            db.engine, storage_for(current_app), archive, Path(current_app.extensions["migrate"].directory)
        )
    except BackupError as error:
        raise click.ClickException(f"Không phục hồi. {error}") from None
    click.echo(
        f"Đã phục hồi {archive}: {summary(restored.manifest)}; đã kiểm tra lại số dòng và mã băm của các tệp."
    )
    if restored.needs_upgrade:
        click.echo("Cơ sở dữ liệu cũ hơn phiên bản ứng dụng này: hãy chạy flask --app wsgi db upgrade.")
    click.echo(
        "Hãy dùng lại SECRET_KEY, VERIFY_SECRET và PUBLIC_BASE_URL của bản cài đặt cũ, để mã QR trên các văn bản "
        "đã in vẫn kiểm tra được."
    )
