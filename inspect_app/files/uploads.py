"""The app's file storage (photos, issued PDFs), built once per app from UPLOAD_DIR."""

from __future__ import annotations

from flask import Flask

from .storage import LocalStorage


def storage_for(app: Flask) -> LocalStorage:
    storage = app.extensions.get("inspect_storage")
    if storage is None:
        storage = app.extensions["inspect_storage"] = LocalStorage(app.config["UPLOAD_DIR"])
    return storage
