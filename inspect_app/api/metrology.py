"""API v1 for metrology: reference standards, instruments, readings, pre-packaged lots, automatic findings and
the tolerance tables. Routes hang on the same blueprint as the rest of v1 (same auth, errors, 404 door)."""

from __future__ import annotations

import json
from decimal import Decimal

from flask import abort, current_app, jsonify, request
from flask_login import current_user
from marshmallow import ValidationError

from ..access import get_or_404, scoped
from ..checklists import load_catalogue
from ..domain.vocabulary import ANSWERS, AUTO_SOURCES
from ..extensions import db
from ..measurements import schemas as ms
from .. import measurements as service
from ..tolerances import tables_as_json
from ..models import Instrument, InstrumentPhoto, Premise, ReferenceStandard
from ..files.uploads import storage_for
from .views import bp, denied, find_inspection, require_edit, send_jpeg


def load_decimal_json(schema_cls):
    """Parse the JSON body with numbers as Decimal (never float), then validate it with the schema."""
    if not request.is_json:
        raise ValidationError({"_body": ["Nội dung phải là JSON hợp lệ."]})
    try:
        payload = json.loads(request.get_data(as_text=True), parse_float=Decimal)
    except ValueError:
        raise ValidationError({"_body": ["Nội dung phải là JSON hợp lệ."]}) from None
    return schema_cls().load(payload)


# ---- tables -------------------------------------------------------------------------------------------------------


@bp.get("/metrology/tables")
def metrology_tables():
    province_id = current_user.province_id or (current_user.unit.province_id if current_user.unit else None)
    choice = service.state_check_rule(province_id)
    return jsonify(
        {
            **tables_as_json(),
            "state_check_rule": choice,
            "state_check_rule_text": service.state_check_text(choice, "weighing"),
            "state_check_rules": service.STATE_CHECK_RULES,
        }
    )


# ---- reference standards --------------------------------------------------------------------------------------------


@bp.get("/standards")
def list_standards():
    raw = request.args.get("due_within_days")
    query = scoped(ReferenceStandard)
    if raw is not None:
        if not raw.isdigit() or int(raw) > 3650:
            raise ValidationError({"due_within_days": ["due_within_days phải là số ngày từ 0 đến 3650."]})
        items = service.due_soon(current_user, int(raw))
    else:
        if request.args.get("include_inactive") not in ("1", "true"):
            query = query.where(ReferenceStandard.active.is_(True))
        items = sorted(db.session.scalars(query), key=service.standard_sort_key)
    return jsonify({"items": [ms.standard_json(s) for s in items]})


@bp.post("/standards")
def create_standard():
    if (refused := denied("standard.edit", "Vai trò của bạn không được quản lý chuẩn đo lường.")) is not None:
        return refused
    data = load_decimal_json(ms.StandardCreateSchema)
    standard, created = service.create_standard(data, current_user)
    return jsonify(ms.standard_json(standard)), 201 if created else 200


@bp.get("/standards/<int:standard_id>")
def get_standard(standard_id: int):
    return jsonify(ms.standard_json(get_or_404(ReferenceStandard, standard_id)))


@bp.patch("/standards/<int:standard_id>")
def update_standard(standard_id: int):
    standard = get_or_404(ReferenceStandard, standard_id)
    if (refused := denied("standard.edit", "Vai trò của bạn không được quản lý chuẩn đo lường.")) is not None:
        return refused
    data = load_decimal_json(ms.StandardUpdateSchema)
    return jsonify(ms.standard_json(service.update_standard(standard, data, current_user)))


@bp.get("/standards/<int:standard_id>/certificate")
def standard_certificate(standard_id: int):
    standard = get_or_404(ReferenceStandard, standard_id)
    if not standard.certificate_key:
        abort(404)
    return send_jpeg(standard.certificate_key, standard.certificate_sha256)


@bp.post("/standards/<int:standard_id>/certificate")
def upload_standard_certificate(standard_id: int):
    standard = get_or_404(ReferenceStandard, standard_id)
    if (refused := denied("standard.edit", "Vai trò của bạn không được quản lý chuẩn đo lường.")) is not None:
        return refused
    upload = request.files.get("file")
    if upload is None:
        raise ValidationError({"file": ["Chưa có tệp ảnh giấy chứng nhận."]})
    service.set_certificate_photo(standard, upload.read(), storage_for(current_app), current_user)
    return jsonify(ms.standard_json(standard))


# ---- instruments --------------------------------------------------------------------------------------------------


@bp.get("/premises/<int:premise_id>/instruments")
def list_instruments(premise_id: int):
    premise = get_or_404(Premise, premise_id)
    return jsonify({"items": [ms.instrument_json(i) for i in service.instruments_of(premise.id)]})


@bp.post("/premises/<int:premise_id>/instruments")
def create_instrument(premise_id: int):
    premise = get_or_404(Premise, premise_id)
    if (refused := denied("instrument.edit", "Vai trò của bạn không được ghi phương tiện đo.")) is not None:
        return refused
    data = load_decimal_json(ms.InstrumentCreateSchema)
    instrument, created = service.create_instrument(premise, data, current_user)
    return jsonify(ms.instrument_json(instrument)), 201 if created else 200


def find_instrument(instrument_id: str) -> Instrument:
    """By numeric id or by the phone's UUID, through the scoping door."""
    if instrument_id.isdigit():
        return get_or_404(Instrument, instrument_id)
    record = db.session.scalars(scoped(Instrument).where(Instrument.uuid == instrument_id.lower())).first()
    if record is None:
        abort(404)
    return record


@bp.get("/instruments/<instrument_id>")
def get_instrument(instrument_id: str):
    return jsonify(ms.instrument_json(find_instrument(instrument_id)))


@bp.patch("/instruments/<instrument_id>")
def update_instrument(instrument_id: str):
    instrument = find_instrument(instrument_id)
    if (refused := denied("instrument.edit", "Vai trò của bạn không được ghi phương tiện đo.")) is not None:
        return refused
    data = load_decimal_json(ms.InstrumentUpdateSchema)
    return jsonify(ms.instrument_json(service.update_instrument(instrument, data, current_user)))


@bp.post("/instruments/<instrument_id>/photos")
def upload_instrument_photo(instrument_id: str):
    instrument = find_instrument(instrument_id)
    if (refused := denied("instrument.edit", "Vai trò của bạn không được ghi phương tiện đo.")) is not None:
        return refused
    data = ms.InstrumentPhotoFormSchema().load(request.form.to_dict())
    upload = request.files.get("file")
    if upload is None:
        raise ValidationError({"file": ["Chưa có tệp ảnh."]})
    photo, created = service.add_instrument_photo(
        instrument, data, upload.read(), current_user, storage_for(current_app)
    )
    return jsonify(ms.instrument_photo_json(photo)), 201 if created else 200


@bp.get("/instrument-photos/<int:instrument_photo_id>/image")
def instrument_photo_image(instrument_photo_id: int):
    photo = get_or_404(InstrumentPhoto, instrument_photo_id)
    return send_jpeg(photo.storage_key, photo.sha256)


@bp.get("/instrument-photos/<int:instrument_photo_id>/thumbnail")
def instrument_photo_thumbnail(instrument_photo_id: int):
    photo = get_or_404(InstrumentPhoto, instrument_photo_id)
    return send_jpeg(photo.thumbnail_key, photo.sha256 + "-thumb")


# ---- readings and lots ----------------------------------------------------------------------------------------------


@bp.get("/inspections/<inspection_id>/readings")
def list_readings(inspection_id: str):
    inspection = find_inspection(inspection_id)
    return jsonify({"items": [ms.reading_json(r) for r in service.readings_of(inspection)]})


@bp.post("/inspections/<inspection_id>/readings")
def create_reading(inspection_id: str):
    inspection = find_inspection(inspection_id)
    if (refused := require_edit()) is not None:
        return refused
    data = load_decimal_json(ms.ReadingCreateSchema)
    reading, created = service.record_reading(inspection, data, current_user)
    return jsonify(ms.reading_json(reading)), 201 if created else 200


@bp.get("/inspections/<inspection_id>/lots")
def list_lots(inspection_id: str):
    inspection = find_inspection(inspection_id)
    return jsonify({"items": [ms.lot_json(lot) for lot in service.lots_of(inspection)]})


@bp.post("/inspections/<inspection_id>/lots")
def create_lot(inspection_id: str):
    inspection = find_inspection(inspection_id)
    if (refused := require_edit()) is not None:
        return refused
    data = load_decimal_json(ms.LotCreateSchema)
    lot, created = service.record_lot(inspection, data, current_user)
    return jsonify(ms.lot_json(lot)), 201 if created else 200


@bp.get("/inspections/<inspection_id>/automatic-findings")
def automatic_findings(inspection_id: str):
    inspection = find_inspection(inspection_id)
    catalogue = load_catalogue(inspection.catalogue_version)
    recorded = {f.item_code: f.answer for f in inspection.findings}
    items = []
    for code, suggestion in service.automatic_findings(inspection).items():
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
    return jsonify({"inspection_id": inspection.id, "items": items})
