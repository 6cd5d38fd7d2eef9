"""Complaints (phản ánh) for the phone: the open ones given to the signed-in inspector, newest first, paged. The
complainant's name and contact are never sent to a phone (a lost phone must not carry them)."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields, validate

from ..complaints.queries import assigned_open_page
from .core import bp
from .fields import Date, Int, List, Nested, QueryInt, Str, StrictSchema, length
from .premises import PremiseSchema


class ComplaintSchema(Schema):
    id = Int(dump_only=True)
    unit_id = Int(dump_only=True)
    premise_id = Int(dump_only=True, allow_none=True)
    premise_name = fields.Function(
        lambda c: c.premise.name if c.premise else None, metadata={"type": ["string", "null"]}
    )
    # The premise itself, so the phone can open it even when it is not among the premises it holds.
    premise = fields.Function(
        lambda c: PremiseSchema().dump(c.premise) if c.premise else None, metadata={"type": ["object", "null"]}
    )
    address = Str(dump_only=True)
    received_on = Date(dump_only=True)
    channel = Str(dump_only=True)
    subject = Str(dump_only=True)
    content = Str(dump_only=True)
    status = Str(dump_only=True)
    deadline = Date(dump_only=True, allow_none=True)


class ComplaintListSchema(Schema):
    items = List(Nested(ComplaintSchema), dump_only=True)
    next_cursor = Str(
        dump_only=True, allow_none=True, metadata={"description": "Gửi lại làm cursor để lấy trang sau"}
    )


class ComplaintQuerySchema(StrictSchema):
    limit = QueryInt(load_default=50, validate=validate.Range(1, 200, error="limit phải từ 1 đến 200."))
    cursor = Str(load_default=None, validate=length(400))


@bp.get("/complaints/assigned", errors=(422,))
@bp.arguments(ComplaintQuerySchema, location="query")
@bp.response(200, ComplaintListSchema)
def assigned_complaints(args):
    """Phản ánh được giao cho tôi đang chờ đi kiểm tra (mới nhận, đã giao), mới nhất trước, từng trang (cursor)"""
    page = assigned_open_page(current_user, after=args["cursor"], limit=args["limit"])
    return {"items": page.items, "next_cursor": page.next_cursor}
