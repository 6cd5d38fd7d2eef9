"""The app's file storage (photos, issued PDFs), built once per app from UPLOAD_DIR.

STORAGE_FSYNC (default on) makes every stored file durable before it is used; the test suite turns it off.
"""

from __future__ import annotations

from flask import Flask

from .storage import LocalStorage


def storage_for(app: Flask) -> LocalStorage:
    storage = app.extensions.get("inspect_storage")
    if storage is None:
        storage = app.extensions["inspect_storage"] = LocalStorage(
            app.config["UPLOAD_DIR"], fsync=app.config.get("STORAGE_FSYNC", True)
        )
    return storage
