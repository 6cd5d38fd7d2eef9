"""Metrology reference for the phone: the tolerance tables with their versions and the limits chosen for state
checks, and the automatic findings an inspection's instruments, readings and lots suggest (not stored)."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema

from ..checklists import load_catalogue
from ..domain.vocabulary import ANSWERS, AUTO_SOURCES
from .. import measurements
from ..tolerances import tables_as_json
from ..tolerances.cycles import cycle_keys_as_json
from ..web.caching import revalidated
from .core import bp, with_inspection
from .fields import Int, Json, List, Nested, Str


class TablesSchema(Schema):
    format = Json(dump_only=True)
    versions = Json(dump_only=True, metadata={"type": "object"})
    tables = Json(dump_only=True, metadata={"type": "object"})
    state_check_rule = Str(dump_only=True)
    state_check_rule_text = Str(dump_only=True)
    state_check_rules = Json(dump_only=True, metadata={"type": "object"})
    instrument_cycles = Json(
        dump_only=True,
        metadata={
            "type": "object",
            "description": "Which row of tt23_2013_verification_cycles each instrument type (and meter variant, "
            "'type|variant') takes, and which of those are derived",
        },
    )


class SuggestionSchema(Schema):
    item_code = Str(dump_only=True)
    auto_source = Str(dump_only=True)
    source_label = Str(dump_only=True)
    question = Str(dump_only=True)
    answer = Str(dump_only=True)
    answer_label = Str(dump_only=True)
    reason = Str(dump_only=True)
    recorded_answer = Str(dump_only=True, allow_none=True)


class SuggestionsSchema(Schema):
    inspection_id = Int(dump_only=True)
    items = List(Nested(SuggestionSchema), dump_only=True)


@bp.get("/metrology/tables")
@revalidated
@bp.response(200, TablesSchema)
@bp.alt_response(304, description="Không đổi so với bản máy đã có (If-None-Match)")
def metrology_tables():
    """Bảng giới hạn sai số (dữ liệu, kèm phiên bản) và giới hạn áp dụng khi kiểm tra nhà nước"""
    province_id = current_user.province_id or (current_user.unit.province_id if current_user.unit else None)
    choice = measurements.state_check_rule(province_id)
    return {
        **tables_as_json(),
        "state_check_rule": choice,
        "state_check_rule_text": measurements.state_check_text(choice, "weighing"),
        "state_check_rules": measurements.STATE_CHECK_RULES,
        "instrument_cycles": cycle_keys_as_json(),
    }


@bp.get("/inspections/<inspection_id>/automatic-findings", errors=(404,))
@bp.response(200, SuggestionsSchema)
@with_inspection
def automatic_findings(inspection):
    """Gợi ý tự động cho các nội dung Phương tiện đo và hàng đóng gói sẵn (không lưu)"""
    catalogue = load_catalogue(inspection.catalogue_version)
    recorded = {f.item_code: f.answer for f in inspection.findings}
    items = []
    for code, suggestion in measurements.automatic_findings(inspection).items():
        item = catalogue.item(code)
        items.append(
            {
                "item_code": code,
                "auto_source": item.auto_source,
                "source_label": AUTO_SOURCES[item.auto_source],
                "question": item.question,
                "answer": suggestion.answer,
                "answer_label": ANSWERS[suggestion.answer],
                "reason": suggestion.reason,
                "recorded_answer": recorded.get(code),
            }
        )
    return {"inspection_id": inspection.id, "items": items}
