"""The appendix of a report's files: for each figure of the table that is not zero, the records it counts, one line
each, from the same list the figure's link opens (``supervision.dashboard.figure_page``), so the lines are the
records behind the number. A long list is cut at ``LIMIT`` lines and says how many more there are."""

from __future__ import annotations

from ..documents.vn_format import format_vn_decimal
from ..domain.time import in_vn
from ..domain.vocabulary import (
    COMPLAINT_STATUSES,
    COMPLAINT_SUBJECTS,
    ANSWERS,
    HANDLING,
    INSPECTION_KINDS,
    INSTRUMENT_TYPES,
    OUTCOMES,
    PREMISE_TYPES,
    READING_KINDS,
    STANDARD_KINDS,
)
from ..models import User
from ..supervision.dashboard import FIGURES, figure_page
from ..supervision.filters import SupervisionFilters
from .document import AppendixSection
from .figures import REPORT_ROWS, ReportTable

# Lines listed under one figure; the rest are counted ("… và 1.234 bản ghi khác").
LIMIT = 200


def _day(inspection) -> str:
    return f"{in_vn(inspection.started_at):%d/%m/%Y}"


def _place(premise) -> str:
    return f"{premise.name} ({premise.market.name})" if premise.market else premise.name


def _inspection(record) -> str:
    outcome = f" — {HANDLING[record.outcome]}" if record.outcome else ""
    return f"{_day(record)} — {_place(record.premise)} — {INSPECTION_KINDS[record.kind]}{outcome}"


def _premise(record) -> str:
    return f"{_place(record)} — {PREMISE_TYPES.get(record.premise_type, record.premise_type)}"


def _instrument(record) -> str:
    serial = f" số {record.serial}" if record.serial else ""
    return f"{INSTRUMENT_TYPES.get(record.instrument_type, record.instrument_type)}{serial} — {_place(record.premise)}"


def _standard(record) -> str:
    serial = f" (số {record.serial})" if record.serial else ""
    kind = STANDARD_KINDS.get(record.kind, record.kind)
    nominal = format_vn_decimal(record.nominal)
    return f"{kind} {record.accuracy_class} {nominal} {record.unit}{serial} — hạn {record.due_on:%d/%m/%Y}"


def _result(what: str, record) -> str:
    inspection = record.inspection
    return f"{_day(inspection)} — {_place(inspection.premise)} — {what}"


LINES = {
    "inspections": _inspection,
    "premises": _premise,
    "inspected_premises": _premise,
    "instruments": _instrument,
    "standards": _standard,
    "used_standards": _standard,
    "findings": lambda r: _result(f"{r.item_code}: {ANSWERS.get(r.answer, r.answer)}", r),
    "readings": lambda r: _result(
        f"{READING_KINDS.get(r.kind, r.kind)}, {r.instrument_label}: {OUTCOMES.get(r.outcome, r.outcome)}", r
    ),
    "lots": lambda r: _result(
        f"{r.product} {format_vn_decimal(r.nominal)} {r.unit}: {OUTCOMES.get(r.outcome, r.outcome)}", r
    ),
    # Where, what about and how far along: never the complainant's name or contact.
    "complaints": lambda r: (
        f"{r.received_on:%d/%m/%Y} — {r.place or '—'} — {COMPLAINT_SUBJECTS.get(r.subject, r.subject)} — "
        f"{COMPLAINT_STATUSES.get(r.status, r.status)}"
    ),
}


def appendix(user: User, table: ReportTable, unit_id: int, limit: int = LIMIT) -> tuple[AppendixSection, ...]:
    """A section per figure of the commune's table that is not zero, in the table's order."""
    filters = SupervisionFilters(unit_id=unit_id, date_from=table.date_from, date_to=table.date_to)
    sections = []
    for row in REPORT_ROWS:
        value = table.cells.get(row.code or "", {}).get(unit_id, 0)
        if not value:
            continue
        page = figure_page(user, filters, row.code, limit=limit, today=table.today)
        line = LINES[FIGURES[row.code].kind]
        records = tuple(line(record) for record in page.items)
        sections.append(AppendixSection(row.label, value, records, max(0, value - len(records))))
    return tuple(sections)
