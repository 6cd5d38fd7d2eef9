"""Refusals in the audit log: the scoping door notes the first refusal of a request (a 403 of a permission, a 404
for a record that exists in another unit); once the answer is made it is written here, one event per request."""

from __future__ import annotations

import logging

from flask import Flask, g, request
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from .. import writes
from ..extensions import db

log = logging.getLogger(__name__)


def _write_denied(response):
    denied = g.pop("audit_denied", None)
    if denied is None or response.status_code not in (403, 404):
        return response
    record_type, record_id, permission = denied
    user = current_user._get_current_object() if current_user.is_authenticated else None
    changes = {"path": [None, f"{request.method} {request.path}"[:300]]}
    if permission:
        changes["permission"] = [None, permission]
    try:
        # Nothing the refused request left pending goes in with the event.
        db.session.rollback()
        writes.log("denied", None, user, changes, record_type=record_type, record_id=record_id)
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("could not log a refused request to %s", request.path)
    return response


def register_denied_logging(app: Flask) -> None:
    app.after_request(_write_denied)
