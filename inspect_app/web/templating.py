"""Helpers the templates use: permissions, Vietnamese labels, local times."""

from __future__ import annotations

from flask import Flask

from ..domain.time import local_date, local_time

from ..access import can
from ..domain.vocabulary import HANDLING, PREMISE_STATUSES, PREMISE_TYPES, ROLES, UNIT_KINDS


def register_template_helpers(app: Flask) -> None:
    # Date-times read dd/mm/yyyy HH:MM (Việt Nam time) on every page; an instant shown as a day, dd/mm/yyyy.
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["local_date"] = local_date
    app.jinja_env.globals.update(
        can=can,
        PREMISE_TYPES=PREMISE_TYPES,
        handling_labels=HANDLING,
        PREMISE_STATUSES=PREMISE_STATUSES,
        ROLES=ROLES,
        UNIT_KINDS=UNIT_KINDS,
    )
