"""JSON API v1 under /api/v1: session auth for the app's own pages, bearer tokens for other clients.

One module per resource declares its marshmallow schema (what a request sends and what is answered) and its routes
on the shared blueprint of ``core``; flask-smorest parses requests through the schemas and builds the OpenAPI
document from them (``docs``).
"""

from __future__ import annotations

from flask import Flask

# Each resource module hangs its routes on the blueprint when imported.
from . import (  # noqa: F401
    checklists,
    complaints,
    docs,
    findings,
    follow_ups,
    inspections,
    instruments,
    lots,
    map,
    meters,
    metrology,
    photos,
    premises,
    readings,
    standards,
    tokens,
    users,
)
from .core import bp


def register_api(app: Flask) -> None:
    docs.register_api(app)


__all__ = ["bp", "register_api"]
