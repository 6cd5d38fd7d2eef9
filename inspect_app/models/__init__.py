"""All models, imported here so Alembic and the app see one metadata."""

from .areas import Province, Unit
from .audit import AuditEvent, AuditHead
from .complaints import Complaint
from .decisions import Decision, DecisionMember, Notice
from .inspections import (
    Finding,
    Inspection,
    InspectionInstrument,
    InspectionMember,
    InspectionStandard,
    InspectionTally,
    Photo,
)
from .jobs import Job
from .metrology import (
    Instrument,
    InstrumentPhoto,
    MeterCheck,
    PrepackagedLot,
    Reading,
    ReadingStandard,
    ReferenceStandard,
    Setting,
)
from .minutes import Minutes, MinutesCounter
from .plans import Plan, PlanPremise
from .premises import Market, Premise, PremiseChange
from .reports import Report, ReportFile, ReportRequest
from .users import ApiToken, LoginAttempt, User, UserSession

__all__ = [
    "Decision",
    "DecisionMember",
    "Minutes",
    "MinutesCounter",
    "Notice",
    "ApiToken",
    "AuditEvent",
    "AuditHead",
    "Complaint",
    "Finding",
    "Inspection",
    "InspectionInstrument",
    "InspectionStandard",
    "InspectionTally",
    "InspectionMember",
    "Instrument",
    "InstrumentPhoto",
    "Job",
    "LoginAttempt",
    "Market",
    "MeterCheck",
    "Photo",
    "Plan",
    "PlanPremise",
    "PrepackagedLot",
    "Premise",
    "PremiseChange",
    "Province",
    "Reading",
    "Report",
    "ReportFile",
    "ReportRequest",
    "ReadingStandard",
    "ReferenceStandard",
    "Setting",
    "Unit",
    "User",
    "UserSession",
]
