"""``flask audit verify``: every chain of the audit log checked from its first event to its head."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from .service import verify_all

audit_cli = AppGroup("audit", help="Nhật ký thao tác.")


@audit_cli.command("verify")
@click.option("--batch-size", default=2000, show_default=True, help="Events read at a time.")
def verify_command(batch_size: int) -> None:
    """Check the hash chains; exit 1 naming the first changed or missing event of each broken chain."""
    result = verify_all(batch_size=batch_size)
    if result.ok:
        click.echo(f"Nhật ký nguyên vẹn: {result.events} sự kiện trong {result.chains} chuỗi.")
        return
    for broken in result.breaks:
        click.echo(broken.message, err=True)
    click.echo(
        f"Nhật ký đã bị thay đổi: {len(result.breaks)} trong {result.chains} chuỗi có chỗ đứt.", err=True
    )
    raise SystemExit(1)
