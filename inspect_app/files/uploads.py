"""The app's file storage (photos, issued PDFs), built once per app from its settings.

STORAGE_BACKEND chooses it: "local" (the default) keeps files under UPLOAD_DIR, "s3" in an S3-compatible bucket
(S3_BUCKET, S3_ENDPOINT_URL, S3_REGION, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_PREFIX), which several app
servers can share. STORAGE_FSYNC (default on) makes every locally stored file durable before it is used; the test
suite turns it off.
"""

from __future__ import annotations

from flask import Flask

from .storage import LocalStorage, Storage, validate_key

BACKENDS = ("local", "s3")


class StorageSettingsError(RuntimeError):
    """The storage settings cannot work; raised when the app is built, so a server does not start with them."""


def check_storage_settings(config) -> None:
    """Refuse, with the setting to fix, a backend that is unknown or lacks what it needs."""
    backend = config.get("STORAGE_BACKEND") or "local"
    if backend not in BACKENDS:
        raise StorageSettingsError(
            f"STORAGE_BACKEND={backend!r} is not a storage backend; use one of: {', '.join(BACKENDS)}"
        )
    if backend != "s3":
        return
    if not config.get("S3_BUCKET"):
        raise StorageSettingsError(
            "STORAGE_BACKEND=s3 needs S3_BUCKET, the bucket that holds photos and PDFs"
        )
    if bool(config.get("S3_ACCESS_KEY_ID")) != bool(config.get("S3_SECRET_ACCESS_KEY")):
        raise StorageSettingsError(
            "S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together: set both, or neither (then boto3 finds the"
            " credentials itself: AWS_* variables, ~/.aws, an instance role)"
        )
    endpoint = config.get("S3_ENDPOINT_URL") or ""
    if endpoint and not endpoint.startswith(("http://", "https://")):
        raise StorageSettingsError(f"S3_ENDPOINT_URL={endpoint!r} must start with http:// or https://")
    prefix = (config.get("S3_PREFIX") or "").rstrip("/")
    if prefix:
        try:
            validate_key(prefix)
        except ValueError as error:
            raise StorageSettingsError(f"S3_PREFIX={prefix!r} is not a usable key prefix: {error}") from None


def make_storage(config) -> Storage:
    """The storage the settings describe (checked first)."""
    check_storage_settings(config)
    if (config.get("STORAGE_BACKEND") or "local") == "s3":
        from .s3 import S3Storage

        return S3Storage.from_config(config)
    return LocalStorage(config["UPLOAD_DIR"], fsync=config.get("STORAGE_FSYNC", True))


def storage_for(app: Flask) -> Storage:
    storage = app.extensions.get("inspect_storage")
    if storage is None:
        storage = app.extensions["inspect_storage"] = make_storage(app.config)
    return storage
