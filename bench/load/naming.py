"""One name per kind of request, shared by the Locust users and the server-side CPU log, so the two join."""

from __future__ import annotations

import re

UUID_SEGMENT = re.compile(
    r"/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?=/|$)"
)
ID_SEGMENT = re.compile(r"/\d+(?=/|$)")
# Query parameters that make a different kind of request of the same path (the rest is left out of the name).
NAMED_PARAMETERS = ("near", "bbox")


def request_name(path: str, query: str = "") -> str:
    """``/api/v1/inspections/123/findings`` → ``/api/v1/inspections/<id>/findings``; ``?near=…`` kept as ``?near=``."""
    name = ID_SEGMENT.sub("/<id>", UUID_SEGMENT.sub("/<uuid>", path))
    keys = {part.split("=", 1)[0] for part in query.split("&") if part}
    named = [key for key in NAMED_PARAMETERS if key in keys]
    return name + ("?" + "&".join(f"{key}=" for key in named) if named else "")
