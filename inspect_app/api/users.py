"""Users: who is signed in (/me), with the unit's colleagues and the settings the phone needs."""

from __future__ import annotations

from flask import current_app
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from marshmallow import Schema

from ..access import can, scoped
from ..domain.plausible import latest_day
from ..extensions import db
from ..models import User
from .auth import bearer_token
from .core import bp
from .fields import Bool, Int, List, Nested, Number, Str


class UserSchema(Schema):
    id = Int(dump_only=True)
    username = Str(dump_only=True)
    full_name = Str(dump_only=True)
    position = Str(dump_only=True)
    role = Str(dump_only=True)
    unit_id = Int(dump_only=True, allow_none=True)
    province_id = Int(dump_only=True, allow_none=True)


class SettingsSchema(Schema):
    gps_max_accuracy_m = Number(dump_only=True)
    gps_max_distance_m = Number(dump_only=True)
    photo_max_bytes = Int(dump_only=True)
    photo_max_edge = Int(dump_only=True)
    latest_day = Str(
        dump_only=True,
        metadata={"description": "Ngày xa nhất (YYYY-MM-DD) máy chủ nhận cho một ngày, ví dụ thời hạn khắc phục"},
    )


class MeSchema(Schema):
    user = Nested(UserSchema, dump_only=True)
    can_record = Bool(dump_only=True)
    csrf_token = Str(
        dump_only=True,
        allow_none=True,
        metadata={"description": "Chỉ cho phiên đăng nhập của trang; null với token"},
    )
    colleagues = List(Nested(UserSchema), dump_only=True)
    settings = Nested(SettingsSchema, dump_only=True)


@bp.get("/me")
@bp.response(200, MeSchema)
def me():
    """Người dùng hiện tại, đồng nghiệp, thiết lập"""
    colleagues = db.session.scalars(scoped(User).where(User.active.is_(True)).order_by(User.full_name)).all()
    return {
        "user": current_user,
        "can_record": can("inspection.edit"),
        "csrf_token": generate_csrf() if bearer_token() is None else None,
        "colleagues": colleagues,
        "settings": {
            "gps_max_accuracy_m": current_app.config["GPS_MAX_ACCURACY_M"],
            "gps_max_distance_m": current_app.config["GPS_MAX_DISTANCE_M"],
            "photo_max_bytes": current_app.config["PHOTO_MAX_BYTES"],
            "photo_max_edge": 2000,
            # The same day the API's date fields check against (domain/plausible.py).
            "latest_day": latest_day().isoformat(),
        },
    }
