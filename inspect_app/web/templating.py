"""Helpers the templates use: permissions, Vietnamese labels, local times."""

from __future__ import annotations

from flask import Flask

from ..domain.time import local_time

from ..access import can
from ..domain.vocabulary import HANDLING, PREMISE_STATUSES, PREMISE_TYPES, ROLES, UNIT_KINDS


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.globals.update(
        can=can,
        PREMISE_TYPES=PREMISE_TYPES,
        handling_labels=HANDLING,
        PREMISE_STATUSES=PREMISE_STATUSES,
        ROLES=ROLES,
        UNIT_KINDS=UNIT_KINDS,
    )
