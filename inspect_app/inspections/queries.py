"""Reading inspections at province scale: the paged list for the desk and the API, with what each row shows loaded
in the same few statements whatever the page size."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql import Select

from ..access import MAX_ID, scoped
from ..domain.vocabulary import HANDLING, INSPECTION_KINDS, INSPECTION_STATUSES
from ..extensions import db
from ..models import Finding, Inspection, InspectionMember, Photo, PrepackagedLot, Reading, User
from ..web.paging import ListArgs, Page, SortOrder, full_scan, keyset_page, prefer_index

# Newest first (indexes ix_inspections_started_at_id and ix_inspections_unit_id_started_at_id).
NEWEST_FIRST = SortOrder(
    ((Inspection.started_at, True), (Inspection.id, True)), key=lambda i: (i.started_at, i.id)
)


def inspection_list_args(args: Mapping[str, str]) -> ListArgs:
    """The inspection list's filters (status, kind, outcome, unit, flagged), read exactly as the desk reads them."""
    raw = {key: args.get(key) or "" for key in ("status", "kind", "outcome", "unit", "flagged")}
    errors = {}
    for key, vocabulary, message in (
        ("status", INSPECTION_STATUSES, "Trạng thái cuộc kiểm tra không hợp lệ."),
        ("kind", INSPECTION_KINDS, "Hình thức kiểm tra không hợp lệ."),
        ("outcome", HANDLING, "Kết quả xử lý không hợp lệ."),
    ):
        if raw[key] and raw[key] not in vocabulary:
            errors[key] = message
    if raw["unit"] and not raw["unit"].isdigit():
        errors["unit"] = "Đơn vị không hợp lệ."
    kwargs = {
        "status": raw["status"] or None,
        "kind": raw["kind"] or None,
        "outcome": raw["outcome"] or None,
        "unit_id": int(raw["unit"]) if raw["unit"].isdigit() else None,
        "flagged": bool(raw["flagged"]),
    }
    return ListArgs(echo=raw, kwargs=kwargs, errors=errors)


def inspection_query(
    user: User,
    *,
    status: str | None = None,
    kind: str | None = None,
    outcome: str | None = None,
    unit_id: int | None = None,
    premise_id: int | None = None,
    flagged: bool = False,
) -> Select:
    """Scoped inspections, filtered; unknown filter values are ignored, as on the desk."""
    query = scoped(Inspection, user)
    if status in INSPECTION_STATUSES:
        query = query.where(Inspection.status == status)
    if kind in INSPECTION_KINDS:
        query = query.where(Inspection.kind == kind)
    if outcome in HANDLING:
        query = query.where(Inspection.outcome == outcome)
    if unit_id is not None:
        query = query.where(Inspection.unit_id == unit_id)
    if premise_id is not None:
        query = query.where(Inspection.premise_id == premise_id)
    if flagged:
        query = query.where(Inspection.gps_flags != "")
    return query


def inspections_page(
    user: User,
    *,
    after: str | None = None,
    before: str | None = None,
    limit: int = 50,
    full: bool = False,
    with_total: bool = True,
    count_cap: int | None = None,
    **filters,
) -> Page[Inspection]:
    """One page of inspections, newest first, each with its premise and unit loaded.

    ``full=True`` also loads the team (with accounts), findings and photos, as the API's full dump reads them: three
    more statements per page, not per inspection; a unit not yet in the session adds one. `filters` are
    inspection_query's. Raises paging.InvalidCursor for a cursor that cannot be read.
    """
    query = inspection_query(user, **filters)
    page_query, count_query = query, query
    if user.unit_id is None and filters.get("unit_id") is None and filters.get("premise_id") is None:
        # Many units: read newest first through the order's index, count by scanning (see web.paging).
        page_query = prefer_index(query, Inspection, "ix_inspections_started_at_id")
        if any(filters.get(key) for key in ("status", "kind", "outcome", "flagged")):
            count_query = full_scan(query, Inspection)
    page_query = page_query.options(joinedload(Inspection.premise), selectinload(Inspection.unit))
    if full:
        page_query = page_query.options(
            selectinload(Inspection.members).joinedload(InspectionMember.user),
            selectinload(Inspection.findings),
            selectinload(Inspection.photos),
        )
    return keyset_page(
        db.session,
        page_query,
        NEWEST_FIRST,
        after=after,
        before=before,
        size=limit,
        count=Inspection.id if with_total else None,
        count_cap=count_cap,
        count_query=count_query,
    )


@dataclass(frozen=True)
class ViolationSummary:
    """What an inspection found against the law, by the one definition (``TeamConclusion.counts_as_violation``):
    failed findings, readings and lots that count as violations, and failed ones that do not (indicative)."""

    findings: int
    readings: int
    lots: int
    indicative_failures: int


def violation_summary(inspection: Inspection) -> ViolationSummary:
    """Counted in SQL, as the dashboard and the yearly report count."""
    counted, indicative = {}, 0
    for name, model in (("findings", Finding), ("readings", Reading), ("lots", PrepackagedLot)):
        row = db.session.execute(
            select(
                func.count().filter(model.counts_as_violation),
                func.count().filter(model.indicative_failure),
            ).where(model.inspection_id == inspection.id)
        ).one()
        counted[name] = row[0]
        indicative += row[1]
    return ViolationSummary(**counted, indicative_failures=indicative)


def finding_by_key(key: str) -> Finding | None:
    """A finding the user may see, by its id or by the phone's UUID; None for any other key."""
    if key.isdigit():
        if not 0 < int(key) <= MAX_ID:
            return None
        query = scoped(Finding).where(Finding.id == int(key))
    else:
        query = scoped(Finding).where(Finding.uuid == key.lower())
    return db.session.scalars(query).first()


# The parts of one inspection's full answer (team with their accounts, findings, photos), each one statement built
# once and in the relationships' own order: the phone reads an inspection this way many times a day.
_BY_INSPECTION = bindparam("inspection_id")
_FULL_ANSWER_PARTS = (
    (
        "members",
        select(InspectionMember)
        .options(joinedload(InspectionMember.user))
        .where(InspectionMember.inspection_id == _BY_INSPECTION)
        .order_by(InspectionMember.position_in_team),
    ),
    ("findings", select(Finding).where(Finding.inspection_id == _BY_INSPECTION).order_by(Finding.id)),
    ("photos", select(Photo).where(Photo.inspection_id == _BY_INSPECTION).order_by(Photo.id)),
)


def load_full_answer(inspection: Inspection) -> Inspection:
    """Load the inspection's team (and their accounts), findings and photos, in one statement each, unless they
    are loaded already; the inspection itself came through the scoping door."""
    for name, statement in _FULL_ANSWER_PARTS:
        if name not in inspection.__dict__:
            rows = db.session.scalars(statement, {"inspection_id": inspection.id}).all()
            set_committed_value(inspection, name, rows)
    return inspection
