"""All models, imported here so Alembic and the app see one metadata."""

from .areas import UNIT_KINDS, Province, Unit
from .premises import PREMISE_STATUSES, Market, Premise, PremiseChange
from .users import ROLES, LoginAttempt, User

__all__ = [
    "PREMISE_STATUSES",
    "ROLES",
    "UNIT_KINDS",
    "LoginAttempt",
    "Market",
    "Premise",
    "PremiseChange",
    "Province",
    "Unit",
    "User",
]
