"""Keeping results' ``indicative`` flag true to the team: whether the team may conclude on each finding, reading and
lot (``domain.scope``), set when a result is recorded and again whenever the team changes. Callers commit."""

from __future__ import annotations

from sqlalchemy import select

from ..checklists import load_catalogue
from ..domain.scope import is_indicative
from ..domain.vocabulary import LOT_DECISION_SCOPE, READING_KIND_SCOPES
from ..extensions import db
from ..models import Finding, Inspection, InspectionMember
from ..models.metrology import PrepackagedLot, Reading


def item_scope(inspection: Inspection, item_code: str) -> str:
    """The decision scope of a checklist item in the catalogue version the inspection uses."""
    item = load_catalogue(inspection.catalogue_version).get(item_code)
    return item.decision_scope if item is not None else "commune"


def finding_is_indicative(inspection: Inspection, item_code: str) -> bool:
    return is_indicative(item_scope(inspection, item_code), inspection.province_in_team)


def reading_is_indicative(inspection: Inspection, kind: str) -> bool:
    return is_indicative(READING_KIND_SCOPES[kind], inspection.province_in_team)


def lot_is_indicative(inspection: Inspection) -> bool:
    return is_indicative(LOT_DECISION_SCOPE, inspection.province_in_team)


def has_province_account(members: list[InspectionMember]) -> bool:
    """Whether a member's account belongs to a province (the Sở KH&CN or its Chi cục), not to a commune."""
    return any(m.user is not None and m.user.province_id is not None for m in members)


def refresh_indicative(inspection: Inspection) -> None:
    """Set ``indicative`` on every finding, reading and lot of the inspection from its current team."""
    for finding in db.session.scalars(select(Finding).where(Finding.inspection_id == inspection.id)):
        finding.indicative = finding_is_indicative(inspection, finding.item_code)
    for reading in db.session.scalars(select(Reading).where(Reading.inspection_id == inspection.id)):
        reading.indicative = reading_is_indicative(inspection, reading.kind)
    for lot in db.session.scalars(
        select(PrepackagedLot).where(PrepackagedLot.inspection_id == inspection.id)
    ):
        lot.indicative = lot_is_indicative(inspection)
