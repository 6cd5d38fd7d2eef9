"""The audit log's hash chain: the canonical text of an event and its SHA-256, in plain Python.

Each event names the chain it belongs to (one per commune-level unit, one per province, one for the rest), its place
in that chain and the hash of the event before it; its own hash covers all of that and every field the log shows,
so a row changed or removed after the fact no longer matches the next one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

# The hash before the first event of a chain.
GENESIS = "0" * 64
SYSTEM_CHAIN = "system"

# The fields an event's hash covers, in this order (the row id is given by the database after the hash is made,
# so the order within a chain is its ``chain_seq``).
HASHED_FIELDS = (
    "chain",
    "chain_seq",
    "occurred_at",
    "actor_id",
    "action",
    "record_type",
    "record_id",
    "record_uuid",
    "unit_id",
    "province_id",
    "changes",
    "remote_addr",
    "prev_hash",
)


def chain_key(unit_id: int | None, province_id: int | None) -> str:
    """``u<unit>`` for a commune-level unit's events, ``p<province>`` for a province's own, ``system`` otherwise."""
    if unit_id is not None:
        return f"u{unit_id}"
    if province_id is not None:
        return f"p{province_id}"
    return SYSTEM_CHAIN


def _instant(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(fields: Mapping[str, Any]) -> str:
    """One line of JSON: the hashed fields in a fixed order, keys of ``changes`` sorted, the time in UTC to the
    microsecond, text as it is (no escapes), so the same event always gives the same text on either database."""
    values = [
        _instant(fields.get(name)) if name == "occurred_at" else fields.get(name) for name in HASHED_FIELDS
    ]
    values[HASHED_FIELDS.index("changes")] = values[HASHED_FIELDS.index("changes")] or {}
    return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def event_hash(fields: Mapping[str, Any]) -> str:
    """The SHA-256 (hex) of an event's canonical text, which includes the hash before it."""
    return hashlib.sha256(canonical(fields).encode("utf-8")).hexdigest()


class ChainWalk:
    """Follows one chain event by event in ``chain_seq`` order (mappings with the hashed fields and ``hash``), so a
    long chain is checked in batches; ``check`` names what is wrong with the next event, or None."""

    def __init__(self) -> None:
        self.last_hash = GENESIS
        self.last_seq = 0
        self.count = 0

    def check(self, event: Mapping[str, Any]) -> str | None:
        if event["chain_seq"] != self.last_seq + 1:
            return "missing"
        if event["prev_hash"] != self.last_hash:
            return "link"
        if event_hash(event) != event["hash"]:
            return "changed"
        self.last_hash, self.last_seq = event["hash"], event["chain_seq"]
        self.count += 1
        return None
