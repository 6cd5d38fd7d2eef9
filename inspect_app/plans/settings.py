"""The administrator's risk weights for choosing premises, stored as settings per province (or system-wide), like
the state-check choice (``measurements.settings``): one row per weight, key ``risk.<name>``."""

from __future__ import annotations

from sqlalchemy import or_, select

from .. import writes
from ..domain.errors import InvalidInput
from ..domain.risk import RiskWeights
from ..extensions import db
from ..models import Setting, User

PREFIX = "risk."
WEIGHT_RANGE = (0, 100)
YEARS_RANGE = (1, 10)


def _rows(province_id: int | None) -> list[Setting]:
    keys = [PREFIX + name for name in RiskWeights.names()]
    scope = Setting.province_id.is_(None)
    if province_id is not None:
        scope = or_(scope, Setting.province_id == province_id)
    return list(db.session.scalars(select(Setting).where(Setting.key.in_(keys), scope)))


def risk_weights(province_id: int | None) -> RiskWeights:
    """The province's own weights, else the system-wide ones, else the defaults, weight by weight (one statement)."""
    chosen: dict[str, int] = {}
    rows = sorted(
        _rows(province_id), key=lambda row: row.province_id is not None
    )  # the province's last: wins
    for row in rows:
        try:
            chosen[row.key.removeprefix(PREFIX)] = int(row.value)
        except ValueError:
            continue
    return RiskWeights(**chosen)


def check_weights(values: dict) -> RiskWeights:
    """The weights from a form's values, or InvalidInput with a Vietnamese message per bad field."""
    errors: dict[str, str] = {}
    clean: dict[str, int] = {}
    for name in RiskWeights.names():
        raw = values.get(name)
        low, high = YEARS_RANGE if name == "repeat_years" else WEIGHT_RANGE
        try:
            number = int(str(raw).strip())
        except (TypeError, ValueError):
            errors[name] = f"Hãy nhập một số nguyên từ {low} đến {high}."
            continue
        if not low <= number <= high:
            errors[name] = f"Giá trị phải từ {low} đến {high}."
            continue
        clean[name] = number
    if errors:
        raise InvalidInput(errors)
    return RiskWeights(**clean)


def set_risk_weights(province_id: int | None, values: dict, user: User) -> RiskWeights:
    """Store the weights (all or nothing), with one audit event per changed weight."""
    weights = check_weights(values)
    own = {row.key: row for row in _rows(province_id) if row.province_id == province_id}
    for name, value in weights.as_dict().items():
        key = PREFIX + name
        row = own.get(key)
        previous = row.value if row is not None else None
        if previous == str(value):
            continue
        if row is None:
            row = Setting(province_id=province_id, key=key, value=str(value))
            db.session.add(row)
        row.value = str(value)
        row.updated_by_id = user.id
        db.session.flush()
        writes.log("edit", row, user, {"value": [previous, str(value)]})
    db.session.commit()
    return weights
