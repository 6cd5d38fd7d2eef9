"""Desk pages for metrology: the unit's reference standards (with what falls due), instruments of a premise,
readings and lots typed in at the desk or voided, and the administrator's state-check setting. Readings and lots
are shown on the inspection page."""

from __future__ import annotations

import uuid
from decimal import Decimal

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..access import get_or_404, permission_required, require, scoped, visible_units
from ..documents.vn_format import format_vn_decimal, rounded
from ..domain.errors import Conflict, InvalidInput, Locked
from ..extensions import db
from ..tolerances import sample_plan_text, with_table_names
from ..tolerances.common import plain
from ..web.forms import SENT_BEFORE, apply_errors, submitted
from ..domain.time import today_vn
from ..models import Inspection, Premise, Province
from ..domain.vocabulary import (
    CERTIFICATE_TYPES,
    INSTRUMENT_TYPES,
    INSTRUMENT_VARIANTS,
    METER_VALIDITY,
    OUTCOMES,
    READING_KINDS,
    SEAL_STATES,
    STANDARD_KINDS,
    STAMP_STATES,
    STANDARD_OWNERSHIP,
    TAMPERING_SIGNS,
)
from ..models.metrology import Instrument, PrepackagedLot, Reading, ReferenceStandard
from ..files.photos import PhotoError
from ..files.uploads import storage_for
from . import instruments, lots, meters, readings, standards, voiding
from .readings import corrected_verdict, rejudge_superseded
from .forms import (
    InstrumentForm,
    LotForm,
    MeterCheckForm,
    ReadingForm,
    StandardForm,
    StateCheckForm,
    VoidForm,
)
from .rules import display_quantity, instrument_label
from .settings import STATE_CHECK_RULES, set_state_check_rule, state_check_rule

bp = Blueprint("measurements", __name__)

STATE_LABELS = {"overdue": "Quá hạn", "due_soon": "Sắp đến hạn", "valid": "Còn hạn"}


@bp.app_template_global()
def instruments_at(premise: Premise) -> list[Instrument]:
    """The instruments of a premise the page already shows (the premise came through the scoping door)."""
    return instruments.instruments_of(premise.id)


@bp.app_template_global()
def metrology_labels() -> dict:
    return {
        "instrument_types": INSTRUMENT_TYPES,
        "instrument_variants": INSTRUMENT_VARIANTS,
        "certificate_types": CERTIFICATE_TYPES,
        "seal_states": SEAL_STATES,
        "standard_kinds": STANDARD_KINDS,
        "ownership": STANDARD_OWNERSHIP,
        "outcomes": OUTCOMES,
        "reading_kinds": READING_KINDS,
        "standard_states": STATE_LABELS,
        "stamp_states": STAMP_STATES,
        "tampering_signs": TAMPERING_SIGNS,
        "validity": METER_VALIDITY,
    }


@bp.app_template_global()
def may_void(record: Reading | PrepackagedLot) -> bool:
    return voiding.may_void(record, current_user)


@bp.app_template_global()
def instrument_text(instrument: Instrument) -> str:
    return instrument_label(instrument)


@bp.app_template_global()
def quantity(value, unit: str) -> str:
    return display_quantity(value, unit)


@bp.app_template_global("lot_sample_plan")
def lot_sample_plan() -> str:
    """How many units each lot size needs, for the lot forms (from the TT 21/2014 sample table)."""
    return sample_plan_text()


@bp.app_template_filter("decimal")
def to_decimal_filter(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


@bp.app_template_filter("table_names")
def table_names_filter(text: str | None) -> str:
    """Warnings and table references as a person reads them: each table id (and version) replaced by its name."""
    return with_table_names(text or "")


@bp.app_template_filter("vn_number")
def vn_number(value, places: int | None = None, signed: bool = False) -> str:
    """5.15 -> "5,15"; with ``places`` rounded to at most that many decimals ("12,0167")."""
    if value is None:
        return ""
    number = to_decimal_filter(value)
    if places is not None:
        number = Decimal(plain(rounded(number, Decimal(1).scaleb(-places))))
    return format_vn_decimal(number, signed=signed)


@bp.app_template_global()
def verification_badge(instrument: Instrument):
    ok, why = instruments.verification_state(instrument, today_vn())
    return ok, why


@bp.app_template_global()
def standard_certificate_warning(standard: ReferenceStandard) -> str | None:
    return standards.certificate_warning(standard)


@bp.app_template_global()
def computed_stamp_expiry(instrument: Instrument):
    return instruments.computed_expiry(instrument)


def _file(form_field) -> bytes | None:
    upload = form_field.data
    if upload is None or not getattr(upload, "filename", ""):
        return None
    return upload.read()


# ---- reference standards --------------------------------------------------------------------------------------------


@bp.route("/standards")
@login_required
def list_standards():
    show = request.args.get("show", "")
    today = today_vn()
    if show == "due":
        items = standards.due_soon(current_user, standards.DUE_SOON_DAYS, today)
    else:
        query = scoped(ReferenceStandard)
        if show != "all":
            query = query.where(ReferenceStandard.active.is_(True))
        items = db.session.scalars(
            query.order_by(ReferenceStandard.kind, ReferenceStandard.due_on, ReferenceStandard.id)
        ).all()
    states = {s.id: standards.standard_state(s, today) for s in items}
    certificate_warnings = {s.id: standards.certificate_warning(s) for s in items}
    due_count = len(standards.due_soon(current_user, standards.DUE_SOON_DAYS, today))
    return render_template(
        "measurements/standards.html",
        standards=items,
        states=states,
        certificate_warnings=certificate_warnings,
        show=show,
        due_count=due_count,
        days=standards.DUE_SOON_DAYS,
        units=visible_units(),
    )


def _standard_form(standard: ReferenceStandard | None) -> StandardForm:
    units = visible_units()
    form = StandardForm(obj=standard, units=units)
    if standard is not None:
        form.unit_id.choices = [(standard.unit_id, standard.owner_unit.name)]
        form.unit_id.data = standard.unit_id
        if request.method == "GET":
            form.nominal.data = format(standard.nominal, "f").replace(".", ",")
            form.correction_mg.data = (
                ""
                if standard.correction_mg is None
                else format(standard.correction_mg, "f").replace(".", ",")
            )
            form.calibrated_on.data = standard.calibrated_on.isoformat() if standard.calibrated_on else ""
            form.due_on.data = "" if standard.due_on_computed else standard.due_on.isoformat()
    elif len(units) == 1 and form.unit_id.data is None:
        form.unit_id.data = units[0].id
    return form


def _save_certificate(form: StandardForm, standard: ReferenceStandard) -> bool:
    content = _file(form.certificate)
    if content is None:
        return True
    try:
        standards.set_certificate_photo(standard, content, storage_for(current_app), current_user)
    except PhotoError as error:
        form.certificate.errors = [error.message]
        return False
    return True


def _stored_before(error: Conflict, endpoint: str, id_name: str):
    """A create form sent again after the person changed it (Back, edit, send): its UUID names what the first
    sending stored, so it lands there. A UUID naming a record out of the person's scope stays a Conflict."""
    db.session.rollback()
    if error.current is None:
        raise error
    flash(SENT_BEFORE, "info")
    return redirect(url_for(endpoint, **{id_name: error.current.id}))


@bp.route("/standards/new", methods=["GET", "POST"])
@permission_required("standard.edit")
def create_standard():
    form = _standard_form(None)
    if form.validate_on_submit():
        data = {**form.values(), "uuid": form.new_uuid(), "unit_id": form.unit_id.data}
        try:
            standard, created = standards.create_standard(data, current_user)
        except InvalidInput as error:
            db.session.rollback()
            apply_errors(form, error.errors)
        except Conflict as error:
            return _stored_before(error, ".edit_standard", "standard_id")
        else:
            if not created:
                flash(SENT_BEFORE, "info")
                return redirect(url_for(".edit_standard", standard_id=standard.id))
            if _save_certificate(form, standard):
                flash("Đã thêm chuẩn đo lường.", "success")
                return redirect(url_for(".list_standards"))
            flash(
                "Đã lưu chuẩn nhưng ảnh giấy chứng nhận không nhận được; hãy sửa và tải lại ảnh.", "warning"
            )
            return redirect(url_for(".edit_standard", standard_id=standard.id))
    status = 422 if form.errors else 200
    return render_template("measurements/standard_form.html", form=form, standard=None), status


@bp.route("/standards/<id:standard_id>/edit", methods=["GET", "POST"])
@login_required
def edit_standard(standard_id: int):
    standard = get_or_404(ReferenceStandard, standard_id)
    require("standard.edit")
    form = _standard_form(standard)
    if form.validate_on_submit():
        try:
            standards.update_standard(standard, {**form.values(), "version": standard.version}, current_user)
        except InvalidInput as error:
            db.session.rollback()
            apply_errors(form, error.errors)
        else:
            if _save_certificate(form, standard):
                flash("Đã lưu chuẩn đo lường.", "success")
                return redirect(url_for(".list_standards"))
    status = 422 if form.errors else 200
    return render_template("measurements/standard_form.html", form=form, standard=standard), status


# ---- instruments --------------------------------------------------------------------------------------------------


def _instrument_form(instrument: Instrument | None) -> InstrumentForm:
    form = InstrumentForm(obj=instrument)
    if instrument is not None and request.method == "GET":
        for name in ("max_capacity", "min_capacity", "e", "d", "goods_mass"):
            value = getattr(instrument, name)
            getattr(form, name).data = "" if value is None else format(value, "f").replace(".", ",")
        for name in ("verified_on", "valid_until"):
            value = getattr(instrument, name)
            getattr(form, name).data = value.isoformat() if value else ""
    return form


def _save_photo(form: InstrumentForm, instrument: Instrument) -> bool:
    content = _file(form.photo)
    if content is None:
        return True
    try:
        instruments.add_instrument_photo(
            instrument,
            {"uuid": str(uuid.uuid4()), "caption": form.photo_caption.data or ""},
            content,
            current_user,
            storage_for(current_app),
        )
    except PhotoError as error:
        form.photo.errors = [error.message]
        return False
    return True


@bp.route("/premises/<id:premise_id>/instruments/new", methods=["GET", "POST"])
@login_required
def create_instrument(premise_id: int):
    premise = get_or_404(Premise, premise_id)
    require("instrument.edit")
    form = _instrument_form(None)
    if form.validate_on_submit():
        try:
            sent_uuid = form.new_uuid()
            instrument, created = instruments.create_instrument(
                premise, {**form.values(), "uuid": sent_uuid}, current_user
            )
        except InvalidInput as error:
            db.session.rollback()
            apply_errors(form, error.errors)
        except Conflict as error:
            return _stored_before(error, ".edit_instrument", "instrument_id")
        else:
            if not created and instrument.uuid == sent_uuid:
                flash(SENT_BEFORE, "info")
                return redirect(url_for(".edit_instrument", instrument_id=instrument.id))
            if not created:  # the same serial or stamp number is already recorded here
                flash(
                    f"Cơ sở đã có {instrument_label(instrument)} (cùng số sản xuất hoặc số tem kiểm định): "
                    "không thêm bản thứ hai. Sửa phương tiện đo này nếu cần.",
                    "info",
                )
                return redirect(url_for(".edit_instrument", instrument_id=instrument.id))
            if _save_photo(form, instrument):
                flash(f"Đã thêm {instrument_label(instrument)}.", "success")
                return redirect(url_for("premises.premise_detail", premise_id=premise.id))
            flash("Đã lưu phương tiện đo nhưng ảnh không nhận được; hãy tải lại ảnh.", "warning")
            return redirect(url_for(".edit_instrument", instrument_id=instrument.id))
    status = 422 if form.errors else 200
    return render_template(
        "measurements/instrument_form.html", form=form, premise=premise, instrument=None
    ), status


@bp.route("/instruments/<id:instrument_id>/edit", methods=["GET", "POST"])
@login_required
def edit_instrument(instrument_id: int):
    instrument = get_or_404(Instrument, instrument_id)
    require("instrument.edit")
    form = _instrument_form(instrument)
    if form.validate_on_submit():
        try:
            instruments.update_instrument(
                instrument, {**form.values(), "version": instrument.version}, current_user
            )
        except InvalidInput as error:
            db.session.rollback()
            apply_errors(form, error.errors)
        else:
            if _save_photo(form, instrument):
                flash("Đã lưu phương tiện đo.", "success")
                return redirect(url_for("premises.premise_detail", premise_id=instrument.premise_id))
    status = 422 if form.errors else 200
    return render_template(
        "measurements/instrument_form.html", form=form, premise=instrument.premise, instrument=instrument
    ), status


@bp.app_template_global()
def corrected_reading(reading):
    """What the corrected rule gives for a reading judged with a superseded table (None for the others)."""
    return corrected_verdict(reading)


# ---- readings judged with a superseded table ------------------------------------------------------------------------


@bp.route("/inspections/<id:inspection_id>/readings/rejudge", methods=["POST"])
@permission_required("reading.rejudge")
def rejudge_readings(inspection_id: int):
    inspection = get_or_404(Inspection, inspection_id)
    back = redirect(url_for("inspections.inspection_detail", inspection_id=inspection.id))
    try:
        done, skipped = rejudge_superseded(inspection, current_user)
    except Locked as exc:
        flash(exc.message, "error")
        return back
    except InvalidInput as exc:
        flash(" ".join(exc.errors.values()), "error")
        return back
    if done:
        flash(
            f"Đã chấm lại {len(done)} kết quả đo theo bảng mới; lịch sử ghi lại kết quả cũ và mới.", "success"
        )
    for reading, why in skipped:
        flash(f"Chưa chấm lại được kết quả đo {reading.instrument_label}: {why}", "error")
    return back


# ---- readings and lots at the desk ---------------------------------------------------------------------------------


def _open_inspection(inspection_id: int) -> Inspection:
    inspection = get_or_404(Inspection, inspection_id)
    require("measurement.record")
    return inspection


def _inspection_url(inspection_id: int) -> str:
    return url_for("inspections.inspection_detail", inspection_id=inspection_id)


def _reading_form(inspection: Inspection) -> ReadingForm:
    unit_standards = db.session.scalars(
        scoped(ReferenceStandard)
        .where(ReferenceStandard.unit_id == inspection.unit_id, ReferenceStandard.active.is_(True))
        .order_by(ReferenceStandard.id)
    ).all()
    return ReadingForm(
        instruments=instruments.instruments_of(inspection.premise_id),
        standards=sorted(unit_standards, key=standards.standard_sort_key),
    )


def _desk_entry(inspection: Inspection, form, record, saved, template: str, anchor: str):
    """One desk form that records through the phone's own service: 409 on a locked inspection, the service's
    messages on the form (422, nothing saved), and back to the inspection page with ``saved(record)`` on success."""
    status = 200
    if inspection.locked:
        flash(Locked.message, "error")
        status = 409
    elif form.validate_on_submit():
        try:
            made, _created = record(form.values())
        except InvalidInput as error:
            db.session.rollback()
            apply_errors(form, error.errors)
        except Conflict as error:
            db.session.rollback()
            flash(error.message, "error")
            status = 409
        else:
            flash(*saved(made))
            return redirect(_inspection_url(inspection.id) + anchor)
    if form.errors and status == 200:
        status = 422
    return render_template(template, form=form, inspection=inspection), status


def _judged(what: str, made) -> tuple[str, str]:
    return (
        f"Đã ghi {what}: {OUTCOMES[made.outcome]} — {made.conclusion}",
        "success" if made.outcome == "pass" else "warning",
    )


@bp.route("/inspections/<id:inspection_id>/readings/new", methods=["GET", "POST"])
@login_required
def new_reading(inspection_id: int):
    inspection = _open_inspection(inspection_id)
    return _desk_entry(
        inspection,
        _reading_form(inspection),
        # Typed in later at the desk: measured during the visit, so the standards' validity is judged on its day.
        lambda data: readings.record_reading(
            inspection, {**data, "measured_at": inspection.started_at}, current_user
        ),
        lambda reading: _judged(f"phép đo {instrument_label(reading.instrument)}", reading),
        "measurements/reading_form.html",
        "#ket-qua-do",
    )


def _meter_check_form(inspection: Inspection) -> MeterCheckForm:
    volume_measures = db.session.scalars(
        scoped(ReferenceStandard)
        .where(
            ReferenceStandard.unit_id == inspection.unit_id,
            ReferenceStandard.active.is_(True),
            ReferenceStandard.kind == "volume_measure",
        )
        .order_by(ReferenceStandard.id)
    ).all()
    meters_here = [i for i in instruments.instruments_of(inspection.premise_id) if i.is_meter]
    return MeterCheckForm(
        meters=meters_here, standards=sorted(volume_measures, key=standards.standard_sort_key)
    )


@bp.route("/inspections/<id:inspection_id>/meter-checks/new", methods=["GET", "POST"])
@login_required
def new_meter_check(inspection_id: int):
    """Kiểm tra công tơ điện / đồng hồ nước typed at the desk; stored by the phone's service, never judged."""
    inspection = _open_inspection(inspection_id)
    return _desk_entry(
        inspection,
        _meter_check_form(inspection),
        lambda data: meters.record_meter_check(inspection, data, current_user),
        lambda check: (f"Đã ghi kiểm tra {check.meter_label}.", "success"),
        "measurements/meter_check_form.html",
        "#cong-to",
    )


@bp.route("/inspections/<id:inspection_id>/lots/new", methods=["GET", "POST"])
@login_required
def new_lot(inspection_id: int):
    inspection = _open_inspection(inspection_id)
    return _desk_entry(
        inspection,
        LotForm(),
        lambda data: lots.record_lot(inspection, data, current_user),
        lambda lot: _judged(f"lô {lot.product}", lot),
        "measurements/lot_form.html",
        "#hang-dong-goi",
    )


def _void(record: Reading | PrepackagedLot, what: str):
    if not voiding.may_void(record, current_user):
        abort(403)
    form = VoidForm()
    already = record.voided
    status = submitted(form, lambda: voiding.void_record(record, form.reason.data, current_user))
    if status is None:
        flash(f"{what.capitalize()} này đã được hủy trước đó." if already else f"Đã hủy {what}.", "success")
        return redirect(_inspection_url(record.inspection_id))
    return render_template("measurements/void_form.html", form=form, record=record, what=what), status


@bp.route("/readings/<id:reading_id>/void", methods=["GET", "POST"])
@login_required
def void_reading(reading_id: int):
    return _void(get_or_404(Reading, reading_id), "kết quả đo")


@bp.route("/lots/<id:lot_id>/void", methods=["GET", "POST"])
@login_required
def void_lot(lot_id: int):
    return _void(get_or_404(PrepackagedLot, lot_id), "lô hàng đóng gói sẵn")


# ---- the administrator's setting ----------------------------------------------------------------------------------


@bp.route("/metrology/settings", methods=["GET", "POST"])
@permission_required("metrology.settings")
def settings():
    if current_user.unit_id is not None:
        province_id = current_user.unit.province_id
        editable = False
    else:
        province_id = current_user.province_id
        editable = True
    province = db.session.get(Province, province_id) if province_id is not None else None
    form = StateCheckForm()
    if request.method == "GET":
        form.state_check_rule.data = state_check_rule(province_id)
    if request.method == "POST":
        if not editable:
            flash("Chỉ quản trị cấp tỉnh hoặc toàn hệ thống được đổi thiết lập này.", "error")
            return redirect(url_for(".settings"))
        if form.validate_on_submit():
            set_state_check_rule(province_id, form.state_check_rule.data, current_user)
            flash(
                "Đã lưu thiết lập. Các phép đo ghi từ nay áp dụng giới hạn mới; kết quả đã lưu không đổi.",
                "success",
            )
            return redirect(url_for(".settings"))
    status = 422 if form.errors else 200
    return render_template(
        "measurements/settings.html",
        form=form,
        province=province,
        editable=editable,
        current=state_check_rule(province_id),
        texts=STATE_CHECK_RULES,
    ), status
