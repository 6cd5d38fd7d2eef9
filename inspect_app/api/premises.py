"""Premises (cơ sở) in the user's scope: searched by name, nearest first when the phone sends its position."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from flask_login import current_user
from sqlalchemy.orm import joinedload

from ..access import get_or_404
from ..domain.geo import parse_point
from ..models import Premise
from ..premises.queries import nearest_premises, premises_changed, premises_page
from .core import bp
from .fields import DateTime, Int, List, Nested, Number, QueryInt, Str, StrictSchema, length


# The market's name is part of the answer: read in the premise's statement, not in one of its own.
WITH_MARKET = (joinedload(Premise.market),)


class PremiseSchema(Schema):
    id = Int(dump_only=True)
    unit_id = Int(dump_only=True)
    name = Str(dump_only=True)
    owner_name = Str(dump_only=True)
    business_reg_no = Str(dump_only=True)
    premise_type = Str(dump_only=True)
    market = fields.Function(
        lambda p: p.market.name if p.market else None, metadata={"type": ["string", "null"]}
    )
    market_id = Int(dump_only=True, allow_none=True)
    stall_number = Str(dump_only=True)
    address = Str(dump_only=True)
    latitude = Number(dump_only=True, allow_none=True)
    longitude = Number(dump_only=True, allow_none=True)
    status = Str(dump_only=True)
    distance_m = Number(
        dump_only=True, metadata={"description": "Khoảng cách (m) đến vị trí near, nếu có near"}
    )


class PremiseListSchema(Schema):
    items = List(Nested(PremiseSchema), dump_only=True)
    total = Int(dump_only=True)
    next_cursor = Str(
        dump_only=True,
        allow_none=True,
        metadata={
            "description": "Gửi lại làm cursor để lấy trang sau (theo tên); null ở trang cuối hoặc khi có near"
        },
    )


class PremiseQuerySchema(StrictSchema):
    near = Str(load_default=None, metadata={"example": "14.8112,108.9571"})
    q = Str(load_default="", validate=length(100))
    # Query strings are text: "50" is accepted here, unlike in JSON bodies.
    limit = QueryInt(load_default=50, validate=validate.Range(1, 500, error="limit phải từ 1 đến 500."))
    cursor = Str(load_default=None, validate=length(400))

    @validates_schema
    def _near(self, data, **kwargs):
        try:
            data["point"] = parse_point(data.get("near"))
        except ValueError as error:
            raise ValidationError(str(error), "near") from None


class PremiseChangesQuerySchema(StrictSchema):
    since = DateTime(
        load_default=None, metadata={"description": "next_since của lần tải trước; bỏ trống: tất cả"}
    )
    cursor = Str(load_default=None, validate=length(400))
    limit = QueryInt(load_default=500, validate=validate.Range(1, 1000, error="limit phải từ 1 đến 1000."))


class ChangeFeedSchema(Schema):
    """A page of a change feed for the phone's offline copy; subclasses say what its items are."""

    next_cursor = Str(
        dump_only=True, allow_none=True, metadata={"description": "Còn trang sau: gửi lại làm cursor"}
    )
    next_since = DateTime(
        dump_only=True, allow_none=True, metadata={"description": "Giữ lại, gửi làm since ở lần tải sau"}
    )


class PremiseChangesSchema(ChangeFeedSchema):
    items = List(Nested(PremiseSchema), dump_only=True)


class Near:
    """A premise seen from the phone's position: its own fields, plus the distance."""

    def __init__(self, premise: Premise, distance_m: float):
        self._premise, self.distance_m = premise, round(distance_m, 1)

    def __getattr__(self, name: str):
        return getattr(self._premise, name)


@bp.get("/premises", errors=(422,))
@bp.arguments(PremiseQuerySchema, location="query")
@bp.response(200, PremiseListSchema)
def list_premises(args):
    """Cơ sở đang hoạt động trong phạm vi: gần nhất trước khi có near (tìm trong SQL), nếu không thì theo tên,
    từng trang (cursor)"""
    if args["point"] is not None:
        latitude, longitude = args["point"]
        nearest = nearest_premises(current_user, latitude, longitude, limit=args["limit"], q=args["q"])
        items = [p if d is None else Near(p, d) for p, d in nearest.items]
        return {"items": items, "total": nearest.total, "next_cursor": None}
    page = premises_page(current_user, args["q"], after=args["cursor"], limit=args["limit"])
    return {"items": page.items, "total": page.total, "next_cursor": page.next_cursor}


@bp.get("/premises/changes", errors=(422,))
@bp.arguments(PremiseChangesQuerySchema, location="query")
@bp.response(200, PremiseChangesSchema)
def premise_changes(args):
    """Cơ sở thay đổi từ lần tải trước (kể cả cơ sở đã ngừng hoạt động), cũ trước: cho bản lưu ngoại tuyến của
    điện thoại"""
    page = premises_changed(current_user, args["since"], after=args["cursor"], limit=args["limit"])
    return {"items": page.items, "next_cursor": page.next_cursor, "next_since": page.extra["next_since"]}


@bp.get("/premises/<id:premise_id>", errors=(404,))
@bp.response(200, PremiseSchema)
def get_premise(premise_id: int):
    """Một cơ sở"""
    return get_or_404(Premise, premise_id, options=WITH_MARKET)
