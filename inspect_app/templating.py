"""Helpers the templates use: permissions, Vietnamese labels, local times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from flask import Flask

from .access import can
from .checklists.vocab import HANDLING, PREMISE_TYPES
from .models import PREMISE_STATUSES, ROLES, UNIT_KINDS

# Việt Nam has kept UTC+7 with no daylight saving since 1975.
VN_TZ = timezone(timedelta(hours=7), "ICT")


def local_time(value: datetime | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(VN_TZ).strftime(fmt)


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
