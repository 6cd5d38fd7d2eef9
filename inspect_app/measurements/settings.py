"""The administrator's choice for state checks: which limits (in service or verification) a province applies."""

from __future__ import annotations

from sqlalchemy import select

from .. import writes
from ..domain.errors import InvalidInput
from ..extensions import db
from ..models import User
from ..models.metrology import Setting

STATE_CHECK_KEY = "state_check_mpe"
STATE_CHECK_RULES = {
    "in_service": "giới hạn sai số khi sử dụng",
    "verification": "giới hạn sai số khi kiểm định",
}
DEFAULT_STATE_CHECK_RULE = "in_service"


def state_check_rule(province_id: int | None) -> str:
    """The limits a state check applies (``in_service`` or ``verification``): the province's own setting,
    else the system-wide one, else in service."""
    rows = db.session.scalars(
        select(Setting).where(
            Setting.key == STATE_CHECK_KEY,
            (Setting.province_id == province_id) | Setting.province_id.is_(None),
        )
    ).all()
    own = next((row for row in rows if row.province_id is not None), None)
    chosen = own or next((row for row in rows if row.province_id is None), None)
    if chosen is None or chosen.value not in STATE_CHECK_RULES:
        return DEFAULT_STATE_CHECK_RULE
    return chosen.value


def state_check_setting(province_id: int | None) -> Setting | None:
    return db.session.scalars(
        select(Setting).where(
            Setting.key == STATE_CHECK_KEY,
            Setting.province_id.is_(None) if province_id is None else Setting.province_id == province_id,
        )
    ).first()


def set_state_check_rule(province_id: int | None, value: str, user: User) -> Setting:
    if value not in STATE_CHECK_RULES:
        raise InvalidInput({"value": "Lựa chọn không hợp lệ."})
    setting = state_check_setting(province_id)
    previous = setting.value if setting is not None else None
    if setting is None:
        setting = Setting(province_id=province_id, key=STATE_CHECK_KEY, value=value)
        db.session.add(setting)
    setting.value = value
    setting.updated_by_id = user.id
    db.session.flush()
    return (
        writes.commit("edit", setting, user, {"value": [previous, value]}) if previous != value else setting
    )


def state_check_text(choice: str, kind: str) -> str:
    """How the choice reads in a verdict's rule: "Thiết lập kiểm tra nhà nước: giới hạn sai số khi sử dụng"."""
    text = f"Thiết lập kiểm tra nhà nước: {STATE_CHECK_RULES[choice]}"
    if kind == "dispenser":
        text += " (cột đo xăng dầu: khi sử dụng ±0,5 %, khi kiểm định ±0,3 % theo ĐLVN 10:2013)"
    return text
