"""A sent report's figures kept as JSON (``Report.figures``) and read back, the province's sum of the sent ones, and
what has changed in the records since a report was sent. Plain values: no Flask, no database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .figures import REPORT_ROWS, ReportRow, ReportTable

__all__ = ["Change", "changes_since", "combine", "freeze", "thaw", "value_of"]

# The layout of the JSON; a later layout must still read this one.
LAYOUT = 1


def freeze(table: ReportTable) -> dict:
    """The table as JSON holds it: unit ids as text keys, days in ISO form."""
    return {
        "layout": LAYOUT,
        "date_from": table.date_from.isoformat(),
        "date_to": table.date_to.isoformat(),
        "today": table.today.isoformat(),
        "units": [[unit_id, name] for unit_id, name in table.units],
        "cells": {
            code: {str(uid): n for uid, n in per_unit.items()} for code, per_unit in table.cells.items()
        },
        "totals": dict(table.totals),
    }


def thaw(data: dict) -> ReportTable:
    return ReportTable(
        date_from=date.fromisoformat(data["date_from"]),
        date_to=date.fromisoformat(data["date_to"]),
        today=date.fromisoformat(data["today"]),
        units=[(int(uid), name) for uid, name in data["units"]],
        cells={
            code: {int(uid): int(n) for uid, n in per_unit.items()}
            for code, per_unit in data["cells"].items()
        },
        totals={code: int(n) for code, n in data["totals"].items()},
    )


def value_of(table: ReportTable, code: str, unit_id: int | None = None) -> int | None:
    """A cell, or None when the table has no such figure (a report sent before the row was added)."""
    if unit_id is None:
        return table.totals.get(code)
    return table.cells.get(code, {}).get(unit_id)


def combine(tables: list[ReportTable], date_from: date, date_to: date, today: date) -> ReportTable:
    """Several communes' tables as one: every commune a column, and their totals (a code missing from some table
    adds nothing)."""
    units: list[tuple[int, str]] = []
    cells: dict[str, dict[int, int]] = {}
    for table in tables:
        units.extend(table.units)
        for code, per_unit in table.cells.items():
            cells.setdefault(code, {}).update(per_unit)
    totals = {code: sum(per_unit.values()) for code, per_unit in cells.items()}
    units.sort(key=lambda unit: (unit[1], unit[0]))
    return ReportTable(date_from, date_to, today, units, cells, totals)


@dataclass(frozen=True)
class Change:
    """A row whose figure differs between the report as sent and the records now."""

    row: ReportRow
    sent: int | None
    now: int | None

    @property
    def difference(self) -> int | None:
        return None if self.sent is None or self.now is None else self.now - self.sent


def changes_since(sent: ReportTable, now: ReportTable, unit_id: int | None = None) -> list[Change]:
    """The rows of REPORT_ROWS whose figure is not what was sent, in the table's order."""
    changed = []
    for row in REPORT_ROWS:
        if row.code is None:
            continue
        before, after = value_of(sent, row.code, unit_id), value_of(now, row.code, unit_id)
        if before != after:
            changed.append(Change(row, before, after))
    return changed
