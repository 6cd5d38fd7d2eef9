"""Creating and editing premises, with every edit kept in the append-only change history."""

from __future__ import annotations

from .. import writes
from ..domain.vocabulary import PREMISE_TYPES
from ..extensions import db
from ..domain.vocabulary import PREMISE_STATUSES
from ..models import Market, Premise, PremiseChange, User
from ..domain.text import fold

EDITABLE_FIELDS = (
    "name",
    "owner_name",
    "business_reg_no",
    "premise_type",
    "market_id",
    "stall_number",
    "address",
    "latitude",
    "longitude",
    "phone",
    "status",
)


def _display(field: str, value) -> str:
    """How a value reads in the history: labels and names rather than codes and ids."""
    if value is None:
        return ""
    if field == "premise_type":
        return PREMISE_TYPES.get(value, value)
    if field == "status":
        return PREMISE_STATUSES.get(value, value)
    if field == "market_id":
        market = db.session.get(Market, value)
        return market.name if market else str(value)
    return str(value)


def _refresh_search_text(premise: Premise) -> None:
    parts = [premise.name, premise.owner_name, premise.address, premise.stall_number, premise.business_reg_no]
    premise.search_text = fold(" ".join(p for p in parts if p))


def _new_premise(unit_id: int, values: dict, user: User | None, uuid: str | None = None) -> Premise:
    premise = Premise(uuid=uuid, unit_id=unit_id, created_by_id=user.id if user else None)
    for field in EDITABLE_FIELDS:
        if field in values:
            setattr(premise, field, values[field])
    _refresh_search_text(premise)
    return premise


def create_premise(unit_id: int, values: dict, user: User | None) -> Premise:
    """Add a premise to the session (the caller commits, so an import can be one transaction)."""
    premise = _new_premise(unit_id, values, user)
    db.session.add(premise)
    db.session.flush()
    writes.log("create", premise, user)
    return premise


def create_premise_once(unit_id: int, values: dict, user: User, uuid: str) -> tuple[Premise, bool]:
    """A premise from the desk's form, stored and committed under the UUID the form was shown with: (it, True); the
    same form sent again, one after the other or at the same moment, gets the stored one: (it, False)."""
    if (stored := writes.resend_of(Premise, uuid, "", user)) is not None:
        return stored, False
    return writes.insert(_new_premise(unit_id, values, user, uuid), "", user)


def update_premise(
    premise: Premise, values: dict, user: User | None, source: str = "form"
) -> list[PremiseChange]:
    """Apply the changed fields and record one history row per change; unchanged values record nothing."""
    changes = []
    for field in EDITABLE_FIELDS:
        if field not in values:
            continue
        old, new = getattr(premise, field), values[field]
        if old == new or (old in (None, "") and new in (None, "")):
            continue
        changes.append(
            PremiseChange(
                premise=premise,
                user_id=user.id if user else None,
                field=field,
                old_value=_display(field, old),
                new_value=_display(field, new),
                source=source,
            )
        )
        setattr(premise, field, new)
    if changes:
        _refresh_search_text(premise)
        db.session.add_all(changes)
        writes.log("edit", premise, user, {c.field: [c.old_value, c.new_value] for c in changes})
    return changes
