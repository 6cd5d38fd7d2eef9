"""All models, imported here so Alembic and the app see one metadata."""

from .areas import UNIT_KINDS, Province, Unit
from .inspections import INSPECTION_STATUSES, Finding, Inspection, InspectionMember, Photo
from .metrology import (
    Instrument,
    InstrumentPhoto,
    PrepackagedLot,
    Reading,
    ReferenceStandard,
    Setting,
)
from .minutes import MINUTES_STATUSES, Minutes, MinutesCounter
from .premises import PREMISE_STATUSES, Market, Premise, PremiseChange
from .users import ROLES, ApiToken, LoginAttempt, User

__all__ = [
    "MINUTES_STATUSES",
    "Minutes",
    "MinutesCounter",
    "INSPECTION_STATUSES",
    "PREMISE_STATUSES",
    "ROLES",
    "UNIT_KINDS",
    "ApiToken",
    "Finding",
    "Inspection",
    "InspectionMember",
    "Instrument",
    "InstrumentPhoto",
    "LoginAttempt",
    "Market",
    "Photo",
    "PrepackagedLot",
    "Premise",
    "PremiseChange",
    "Province",
    "Reading",
    "ReferenceStandard",
    "Setting",
    "Unit",
    "User",
]
