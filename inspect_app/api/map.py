"""The supervisor's map (bản đồ): premises by state in a view, grouped by province, unit or grid cell when there are
many; the legend's counts; the inspections whose GPS fix did not match the premise; a premise's popup. Scoped like
every list, with the filters of ``supervision.filters`` in the query string."""

from __future__ import annotations

from flask import current_app, url_for
from flask_login import current_user
from marshmallow import ValidationError, fields, validate, validates_schema

from ..domain.geo import FLAG_LABELS
from ..domain.map_grid import MAX_ZOOM, MODES, parse_bbox
from ..domain.time import local_time
from ..domain.vocabulary import (
    GROUPS,
    HANDLING,
    LATEST_RESULTS,
    PREMISE_STATES,
    PREMISE_TYPES,
)
from ..supervision.filters import INSPECTION_RESULTS, PARAMETERS, InvalidFilters, parse_filters
from ..supervision.queries import gps_mismatches, map_summary, map_view, premise_card
from .core import ApiError, bp
from .fields import Bool, Int, List, Nested, Number, QueryInt, Str, StrictSchema, length

_CHOICES = {
    "type": PREMISE_TYPES,
    "state": PREMISE_STATES,
    "group": GROUPS,
    "result": INSPECTION_RESULTS,
    "handling": HANDLING,
}


def _filter(name: str, example: str) -> Str:
    """A filter of the query string, documented with its Vietnamese name and its codes."""
    description = PARAMETERS[name][1]
    if name in _CHOICES:
        description += ": " + ", ".join(f"{code} ({text})" for code, text in _CHOICES[name].items())
    elif name in ("from", "to"):
        description += " (YYYY-MM-DD hoặc DD/MM/YYYY; ngày bắt đầu cuộc kiểm tra)"
    else:
        description += " (mã số)"
    return Str(
        load_default=None,
        data_key=name,
        validate=length(40),
        metadata={"description": description, "example": example},
    )


class MapFiltersSchema(StrictSchema):
    """The supervisor's filters (supervision.filters): every one optional, all of them combined."""

    filter_province = _filter("province", "1")
    filter_unit = _filter("unit", "12")
    filter_market = _filter("market", "3")
    filter_type = _filter("type", "market_stall")
    filter_state = _filter("state", "fix_overdue")
    filter_from = _filter("from", "2026-01-01")
    filter_to = _filter("to", "2026-12-31")
    filter_group = _filter("group", "PTD")
    filter_result = _filter("result", "violation")
    filter_handling = _filter("handling", "fix_request")
    filter_inspector = _filter("inspector", "7")

    @validates_schema
    def _filters(self, data, **kwargs):
        raw = {name: data.get(f"filter_{name}") for name in PARAMETERS}
        try:
            data["filters"] = parse_filters(raw)
        except InvalidFilters as error:
            raise ValidationError({name: [message] for name, message in error.errors.items()}) from None


class MapViewQuerySchema(MapFiltersSchema):
    bbox = Str(
        load_default=None,
        validate=length(120),
        metadata={
            "description": "Khung nhìn: tây,nam,đông,bắc (kinh độ, vĩ độ); bỏ trống: toàn bộ phạm vi",
            "example": "108.3,14.5,109.1,15.4",
        },
    )
    zoom = QueryInt(
        load_default=10,
        validate=validate.Range(0, MAX_ZOOM, error=f"zoom phải từ 0 đến {MAX_ZOOM}."),
        metadata={"description": "Mức phóng của bản đồ (Leaflet)"},
    )

    @validates_schema
    def _bbox(self, data, **kwargs):
        try:
            data["box"] = parse_bbox(data.get("bbox"))
        except ValueError as error:
            raise ValidationError(str(error), "bbox") from None


class StateCountsSchema(StrictSchema):
    """Premises by state (PREMISE_STATES)."""

    never_inspected = Int(dump_only=True, metadata={"description": PREMISE_STATES["never_inspected"]})
    fix_overdue = Int(dump_only=True, metadata={"description": PREMISE_STATES["fix_overdue"]})
    fix_pending = Int(dump_only=True, metadata={"description": PREMISE_STATES["fix_pending"]})
    inspection_overdue = Int(dump_only=True, metadata={"description": PREMISE_STATES["inspection_overdue"]})
    violation = Int(dump_only=True, metadata={"description": PREMISE_STATES["violation"]})
    # "pass" is a Python keyword.
    pass_ = Int(
        dump_only=True, data_key="pass", attribute="pass", metadata={"description": PREMISE_STATES["pass"]}
    )


class MapGroupSchema(StrictSchema):
    key = Str(dump_only=True, metadata={"description": "provinces:<id>, units:<id> hoặc cells:<x>:<y>"})
    label = Str(
        dump_only=True, allow_none=True, metadata={"description": "Tên tỉnh hoặc đơn vị; null với ô lưới"}
    )
    latitude = Number(dump_only=True)
    longitude = Number(dump_only=True)
    count = Int(dump_only=True)
    counts = fields.Dict(
        keys=Str(),
        values=Int(),
        dump_only=True,
        metadata={"description": "Số cơ sở theo tình trạng (chỉ các tình trạng có cơ sở)"},
    )
    bounds = List(
        Number(), dump_only=True, metadata={"description": "nam, tây, bắc, đông: phóng tới đây khi bấm"}
    )


class MapPointSchema(StrictSchema):
    id = Int(dump_only=True)
    latitude = Number(dump_only=True)
    longitude = Number(dump_only=True)
    state = Str(dump_only=True, metadata={"enum": list(PREMISE_STATES)})


class MapViewSchema(StrictSchema):
    mode = Str(
        dump_only=True,
        metadata={
            "enum": list(MODES),
            "description": "points: từng cơ sở; provinces/units/cells: đếm theo nhóm",
        },
    )
    zoom = Int(dump_only=True)
    total = Int(dump_only=True, metadata={"description": "Số cơ sở có vị trí trong khung nhìn"})
    counts = Nested(StateCountsSchema, dump_only=True)
    groups = List(Nested(MapGroupSchema), dump_only=True)
    points = List(Nested(MapPointSchema), dump_only=True)


class MapSummarySchema(StrictSchema):
    total = Int(
        dump_only=True, metadata={"description": "Số cơ sở đang hoạt động phù hợp bộ lọc trong phạm vi"}
    )
    located = Int(dump_only=True, metadata={"description": "Trong đó có vị trí (hiện trên bản đồ)"})
    unlocated = Int(dump_only=True, metadata={"description": "Trong đó chưa có vị trí"})
    counts = Nested(StateCountsSchema, dump_only=True)
    bounds = List(
        Number(),
        dump_only=True,
        allow_none=True,
        metadata={"description": "nam, tây, bắc, đông; null khi không có"},
    )


class GpsMismatchSchema(StrictSchema):
    inspection_id = Int(dump_only=True)
    started_at = Str(dump_only=True, metadata={"description": "Giờ Việt Nam, dd/mm/yyyy hh:mm"})
    flags = List(Str(), dump_only=True)
    flag_labels = List(Str(), dump_only=True)
    latitude = Number(dump_only=True, metadata={"description": "Vị trí GPS khi kiểm tra"})
    longitude = Number(dump_only=True)
    accuracy_m = Number(dump_only=True, allow_none=True)
    distance_m = Number(
        dump_only=True, allow_none=True, metadata={"description": "Khoảng cách đến cơ sở (m)"}
    )
    premise_id = Int(dump_only=True)
    premise_name = Str(dump_only=True)
    premise_latitude = Number(dump_only=True, allow_none=True)
    premise_longitude = Number(dump_only=True, allow_none=True)
    inspection_url = Str(dump_only=True)


class GpsLayerSchema(StrictSchema):
    items = List(Nested(GpsMismatchSchema), dump_only=True)
    more = Bool(
        dump_only=True, metadata={"description": "Còn cuộc kiểm tra khác trong khung nhìn: phóng to để xem"}
    )


class CardInspectionSchema(StrictSchema):
    id = Int(dump_only=True)
    started_at = Str(dump_only=True)
    outcome = Str(dump_only=True, allow_none=True)
    outcome_label = Str(dump_only=True, allow_none=True)
    result = Str(dump_only=True, allow_none=True)
    result_label = Str(dump_only=True, allow_none=True)
    url = Str(dump_only=True)


class CardMinutesSchema(StrictSchema):
    id = Int(dump_only=True)
    number = Str(dump_only=True)
    url = Str(dump_only=True)
    pdf_url = Str(dump_only=True)


class PremiseCardSchema(StrictSchema):
    id = Int(dump_only=True)
    name = Str(dump_only=True)
    address = Str(dump_only=True)
    premise_type = Str(dump_only=True)
    premise_type_label = Str(dump_only=True)
    market = Str(dump_only=True, allow_none=True)
    unit = Str(dump_only=True)
    state = Str(dump_only=True, metadata={"enum": list(PREMISE_STATES)})
    state_label = Str(dump_only=True)
    stamp_expired = Bool(dump_only=True)
    next_due_on = Str(dump_only=True, allow_none=True)
    open_fix_deadline = Str(dump_only=True, allow_none=True)
    url = Str(dump_only=True)
    last_inspection = Nested(CardInspectionSchema, dump_only=True, allow_none=True)
    minutes = Nested(CardMinutesSchema, dump_only=True, allow_none=True)


def _bounds(bounds):
    return list(bounds) if bounds is not None else None


@bp.get("/map/premises", errors=(422,))
@bp.arguments(MapViewQuerySchema, location="query")
@bp.response(200, MapViewSchema)
def map_premises(args):
    """Cơ sở trong khung nhìn của bản đồ: từng cơ sở khi ít, nếu không thì số cơ sở theo tình trạng của từng tỉnh,
    đơn vị hoặc ô lưới (tùy mức phóng)"""
    view = map_view(
        current_user,
        args["filters"],
        bbox=args["box"],
        zoom=args["zoom"],
        point_limit=current_app.config["MAP_POINT_LIMIT"],
    )
    return {
        "mode": view.mode,
        "zoom": view.zoom,
        "total": view.total,
        "counts": view.counts,
        "groups": [
            {
                "key": g.key,
                "label": g.label,
                "latitude": g.latitude,
                "longitude": g.longitude,
                "count": g.count,
                "counts": g.counts,
                "bounds": list(g.bounds),
            }
            for g in view.groups
        ],
        "points": [
            {"id": pid, "latitude": lat, "longitude": lng, "state": state}
            for pid, lat, lng, state in view.points
        ],
    }


@bp.get("/map/summary", errors=(422,))
@bp.arguments(MapFiltersSchema, location="query")
@bp.response(200, MapSummarySchema)
def map_premises_summary(args):
    """Số cơ sở phù hợp bộ lọc theo tình trạng (chú giải của bản đồ), số có và chưa có vị trí, và khung bao"""
    summary = map_summary(current_user, args["filters"])
    return {
        "total": summary.total,
        "located": summary.located,
        "unlocated": summary.unlocated,
        "counts": summary.counts,
        "bounds": _bounds(summary.bounds),
    }


@bp.get("/map/gps", errors=(422,))
@bp.arguments(MapViewQuerySchema, location="query")
@bp.response(200, GpsLayerSchema)
def map_gps(args):
    """Cuộc kiểm tra có vị trí GPS xa cơ sở hoặc kém chính xác, trong khung nhìn, mới nhất trước"""
    layer = gps_mismatches(
        current_user, args["filters"], bbox=args["box"], limit=current_app.config["MAP_GPS_LIMIT"]
    )
    return {
        "items": [
            {
                "inspection_id": item.inspection_id,
                "started_at": local_time(item.started_at),
                "flags": list(item.flags),
                "flag_labels": [FLAG_LABELS.get(flag, flag) for flag in item.flags],
                "latitude": item.latitude,
                "longitude": item.longitude,
                "accuracy_m": item.accuracy_m,
                "distance_m": item.distance_m,
                "premise_id": item.premise_id,
                "premise_name": item.premise_name,
                "premise_latitude": item.premise_latitude,
                "premise_longitude": item.premise_longitude,
                "inspection_url": url_for("inspections.inspection_detail", inspection_id=item.inspection_id),
            }
            for item in layer.items
        ],
        "more": layer.more,
    }


@bp.get("/map/premises/<id:premise_id>", errors=(404,))
@bp.response(200, PremiseCardSchema)
def map_premise_card(premise_id: int):
    """Một cơ sở trên bản đồ: tình trạng, lần kiểm tra gần nhất và biên bản của lần đó, với đường dẫn"""
    card = premise_card(current_user, premise_id)
    if card is None:
        raise ApiError(404, "Không tìm thấy cơ sở.")
    premise, inspection, minutes = card.premise, card.inspection, card.minutes
    last = None
    if inspection is not None:
        last = {
            "id": inspection.id,
            "started_at": local_time(inspection.started_at),
            "outcome": inspection.outcome,
            "outcome_label": HANDLING.get(inspection.outcome) if inspection.outcome else None,
            "result": premise.last_result,
            "result_label": LATEST_RESULTS.get(premise.last_result) if premise.last_result else None,
            "url": url_for("inspections.inspection_detail", inspection_id=inspection.id),
        }
    return {
        "id": premise.id,
        "name": premise.name,
        "address": premise.address,
        "premise_type": premise.premise_type,
        "premise_type_label": PREMISE_TYPES.get(premise.premise_type, premise.premise_type),
        "market": premise.market.name if premise.market else None,
        "unit": premise.unit.name,
        "state": card.state,
        "state_label": PREMISE_STATES[card.state],
        "stamp_expired": card.stamp_expired,
        "next_due_on": premise.next_due_on.strftime("%d/%m/%Y") if premise.next_due_on else None,
        "open_fix_deadline": (
            premise.open_fix_deadline.strftime("%d/%m/%Y") if premise.open_fix_deadline else None
        ),
        "url": url_for("premises.premise_detail", premise_id=premise.id),
        "last_inspection": last,
        "minutes": None
        if minutes is None
        else {
            "id": minutes.id,
            "number": minutes.number_text,
            "url": url_for("minutes.detail", minutes_id=minutes.id),
            "pdf_url": url_for("minutes.download", minutes_id=minutes.id),
        },
    }
