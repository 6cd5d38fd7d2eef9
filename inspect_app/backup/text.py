"""What a backup says about itself: the app's version written into its manifest, and its one-line summary in
Vietnamese (the commands' output, a backup job's message)."""

from __future__ import annotations

from importlib import metadata

from .manifest import Manifest


def app_version() -> str:
    try:
        return metadata.version("inspect-app")
    except metadata.PackageNotFoundError:
        return "unknown"


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def summary(manifest: Manifest) -> str:
    audit = manifest.audit
    megabytes = f"{manifest.file_bytes / 1024 / 1024:.1f}".replace(".", ",")
    return (
        f"tạo lúc {manifest.created_at}, cơ sở dữ liệu {manifest.backend} phiên bản {manifest.alembic_revision}, "
        f"{len(manifest.tables)} bảng, {_number(manifest.rows)} dòng, {_number(len(manifest.files))} tệp "
        f"({megabytes} MB), nhật ký thao tác đến sự kiện #{audit.last_event_id} ({_number(audit.events)} sự kiện)"
    )
