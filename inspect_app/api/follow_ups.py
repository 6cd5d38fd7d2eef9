"""Follow-ups (Việc cần làm): the open fix-by requests of the scope, soonest deadline first, which the phone keeps for
offline use and starts a follow-up visit from (``POST /inspections`` with ``follows_id``)."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields, validate

from ..domain.time import today_vn
from ..inspections.follow_ups import DUE_SOON_DAYS, follow_up_state, follow_ups_page
from .core import bp
from .fields import Date, Int, List, Nested, QueryInt, Str, StrictSchema, length
from .premises import PremiseSchema


class FollowUpSchema(Schema):
    premise = fields.Function(lambda p: PremiseSchema().dump(p), metadata={"type": "object"})
    inspection_id = Int(attribute="last_inspection_id", dump_only=True)
    inspected_on = Date(attribute="last_inspected_on", dump_only=True)
    fix_deadline = Date(attribute="open_fix_deadline", dump_only=True)
    state = fields.Function(
        lambda p: follow_up_state(p.open_fix_deadline, today_vn()),
        metadata={
            "type": "string",
            "description": f"overdue (quá hạn), due_soon (đến hạn trong {DUE_SOON_DAYS} ngày) hoặc later",
        },
    )


class FollowUpListSchema(Schema):
    items = List(Nested(FollowUpSchema), dump_only=True)
    total = Int(dump_only=True)
    due_soon_days = Int(dump_only=True)
    next_cursor = Str(
        dump_only=True,
        allow_none=True,
        metadata={"description": "Gửi lại làm cursor để lấy trang sau; null ở trang cuối"},
    )


class FollowUpQuerySchema(StrictSchema):
    limit = QueryInt(load_default=200, validate=validate.Range(1, 500, error="limit phải từ 1 đến 500."))
    cursor = Str(load_default=None, validate=length(400))


@bp.get("/follow-ups", errors=(422,))
@bp.arguments(FollowUpQuerySchema, location="query")
@bp.response(200, FollowUpListSchema)
def list_follow_ups(args):
    """Việc cần làm: cơ sở có yêu cầu khắc phục chưa được kiểm tra lại, hạn gần nhất trước (đi kiểm tra lại bằng
    POST /inspections với follows_id)"""
    page = follow_ups_page(current_user, after=args["cursor"], limit=args["limit"])
    return {
        "items": page.items,
        "total": page.total,
        "due_soon_days": DUE_SOON_DAYS,
        "next_cursor": page.next_cursor,
    }
