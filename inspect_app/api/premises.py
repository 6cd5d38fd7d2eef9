"""Premises (cơ sở) in the user's scope: searched by name, nearest first when the phone sends its position."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..access import get_or_404, scoped
from ..domain.geo import order_by_distance, parse_point
from ..domain.text import fold
from ..extensions import db
from ..models import Premise
from .core import bp
from .fields import Int, List, Nested, Number, QueryInt, Str, StrictSchema, length


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


class PremiseQuerySchema(StrictSchema):
    near = Str(load_default=None, metadata={"example": "14.8112,108.9571"})
    q = Str(load_default="", validate=length(100))
    # Query strings are text: "50" is accepted here, unlike in JSON bodies.
    limit = QueryInt(load_default=50, validate=validate.Range(1, 500, error="limit phải từ 1 đến 500."))

    @validates_schema
    def _near(self, data, **kwargs):
        try:
            data["point"] = parse_point(data.get("near"))
        except ValueError as error:
            raise ValidationError(str(error), "near") from None


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
    """Cơ sở trong phạm vi, gần nhất trước khi có near"""
    query = scoped(Premise).where(Premise.status == "active")
    for word in fold(args["q"]).split():
        query = query.where(Premise.search_text.contains(word, autoescape=True))
    premises = db.session.scalars(query.order_by(Premise.name, Premise.id)).all()
    if args["point"] is not None:
        pairs = order_by_distance(premises, args["point"], lambda p: (p.latitude, p.longitude))
        ordered = [p if d is None else Near(p, d) for p, d in pairs]
    else:
        ordered = premises
    return {"items": ordered[: args["limit"]], "total": len(ordered)}


@bp.get("/premises/<int:premise_id>", errors=(404,))
@bp.response(200, PremiseSchema)
def get_premise(premise_id: int):
    """Một cơ sở"""
    return get_or_404(Premise, premise_id)
