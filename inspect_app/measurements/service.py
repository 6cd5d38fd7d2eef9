"""Reference standards, instruments, readings and pre-packaged lots: validated, judged by the tolerance engine,
stored exactly. Readings and lots are idempotent by client UUID, conflict-aware and locked with the inspection,
like findings. Views and the API call these; nothing here knows about HTTP.

Pure rules live in ``inspect_app.metrology``; this module only feeds it the stored records and keeps its answers.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from flask import current_app
from sqlalchemy import select

from .. import writes
from ..access import scoped, unit_in_scope
from ..domain.errors import Conflict, InvalidInput, Locked
from ..files.photos import save_photo, store_image, upload_digest
from ..checklists import load_catalogue
from ..extensions import db
from ..metrology import (
    INCONCLUSIVE,
    STANDARD_VALID,
    combine_weights,
    judge_control_measurement,
    judge_dispenser_run,
    judge_lot,
    judge_weighing,
    range_suits_goods,
    standard_status,
    validate_scale,
    weight_mpe,
)
from ..metrology.common import mass_unit_factor, plain, plain_vi
from ..metrology.dispensers import normalize_dispenser_class
from ..metrology.scales import normalize_scale_class
from ..metrology.weights import normalize_weight_class
from ..models import Inspection, Premise, Unit, User
from ..domain.time import utcnow
from ..domain.vocabulary import (
    DIRECTIONS,
    INSTRUMENT_TYPES,
    OUTCOMES,
    READING_KINDS,
    SCALE_TYPES,
    SEAL_STATES,
    STANDARD_KINDS,
    STANDARD_OWNERSHIP,
)
from ..models.metrology import (
    Instrument,
    InstrumentPhoto,
    PrepackagedLot,
    Reading,
    ReferenceStandard,
    Setting,
    canonical_decimal,
)
from ..domain.time import VN_TZ, today_vn
from .rules import MASS_UNITS, VOLUME_UNITS, decimal_value, display_quantity, instrument_label
from ..domain.errors import RuleError

__all__ = [
    "DUE_SOON_DAYS",
    "AutoFinding",
    "Conflict",
    "InvalidInput",
    "Locked",
    "automatic_findings",
    "create_instrument",
    "create_standard",
    "due_soon",
    "record_lot",
    "record_reading",
    "set_state_check_rule",
    "state_check_rule",
    "update_instrument",
    "update_standard",
]

DUE_SOON_DAYS = 60

# ---- the administrator's choice for state checks ---------------------------------------------------------------

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


# ---- helpers ----------------------------------------------------------------------------------------------------


def _tidy(value: Decimal | None) -> Decimal | None:
    """A computed value without trailing zeros and without an exponent: 0.100 -> 0.1, 1E+2 -> 100."""
    return None if value is None else Decimal(plain(value))


def _convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """Exact conversion between mass units (the factors are powers of ten)."""
    if from_unit == to_unit:
        return value
    return value * mass_unit_factor(from_unit) / mass_unit_factor(to_unit)


def _home_unit(data: dict, user: User) -> int:
    """The unit a new standard belongs to: the one named (in scope), else the user's only unit."""
    unit_id = data.get("unit_id")
    if unit_id is not None:
        if not unit_in_scope(unit_id, user) or db.session.get(Unit, unit_id) is None:
            raise InvalidInput({"unit_id": "Đơn vị không tồn tại hoặc không thuộc phạm vi của bạn."})
        return unit_id
    if user.unit_id is not None:
        return user.unit_id
    units = db.session.scalars(scoped(Unit, user).order_by(Unit.id)).all()
    if len(units) == 1:
        return units[0].id
    raise InvalidInput({"unit_id": "Cần chọn đơn vị sở hữu chuẩn."})


# ---- reference standards ----------------------------------------------------------------------------------------

STANDARD_FIELDS = (
    "kind",
    "nominal",
    "unit",
    "accuracy_class",
    "correction_mg",
    "serial",
    "certificate_number",
    "calibrated_on",
    "due_on",
    "ownership",
    "lender",
    "active",
    "note",
)


def _clean_standard(values: dict) -> dict:
    """Check a standard's fields together; the values are already typed (Decimal, date, str)."""
    errors: dict[str, str] = {}
    kind = values.get("kind")
    unit = values.get("unit")
    if kind not in STANDARD_KINDS:
        errors["kind"] = "Loại chuẩn không hợp lệ; chọn quả cân chuẩn hoặc bình chuẩn dung tích."
    elif kind == "weight" and unit not in MASS_UNITS:
        errors["unit"] = "Quả cân chuẩn dùng đơn vị mg, g hoặc kg."
    elif kind == "volume_measure" and unit not in VOLUME_UNITS:
        errors["unit"] = "Bình chuẩn dung tích dùng đơn vị mL hoặc L."
    nominal = values.get("nominal")
    if nominal is None or nominal <= 0:
        errors["nominal"] = "Giá trị danh định phải lớn hơn 0."
    accuracy_class = (values.get("accuracy_class") or "").strip()
    if not accuracy_class:
        errors["accuracy_class"] = "Cần ghi cấp chính xác."
    elif kind == "weight" and "unit" not in errors and "nominal" not in errors:
        try:
            accuracy_class = normalize_weight_class(accuracy_class)
        except ValueError:
            errors["accuracy_class"] = "Cấp chính xác quả cân không hợp lệ (ví dụ M1, M2, F2; OIML R 111)."
        else:
            try:
                weight_mpe(nominal * mass_unit_factor(unit), accuracy_class)
            except ValueError:
                errors["nominal"] = (
                    f"Quả cân {display_quantity(nominal, unit)} cấp {accuracy_class} không có trong dãy giá trị "
                    "danh định của OIML R 111-1 Bảng 1."
                )
    elif kind == "volume_measure":
        try:
            accuracy_class = plain(decimal_value(accuracy_class, "Cấp chính xác", positive=True))
        except RuleError:
            errors["accuracy_class"] = "Cấp chính xác bình chuẩn phải là số dương (ví dụ 0,1 hoặc 0,05)."
    if values.get("correction_mg") is not None and kind != "weight":
        errors["correction_mg"] = "Số hiệu chính chỉ áp dụng cho quả cân."
    due_on = values.get("due_on")
    if due_on is None:
        errors["due_on"] = "Cần ghi ngày hết hạn hiệu chuẩn/kiểm định."
    calibrated_on = values.get("calibrated_on")
    if due_on and calibrated_on and calibrated_on > due_on:
        errors["calibrated_on"] = "Ngày hiệu chuẩn không được sau ngày hết hạn."
    ownership = values.get("ownership") or "own"
    if ownership not in STANDARD_OWNERSHIP:
        errors["ownership"] = "Nguồn chuẩn không hợp lệ."
    lender = (values.get("lender") or "").strip()
    if ownership == "borrowed" and not lender:
        errors["lender"] = "Chuẩn mượn cần ghi đơn vị cho mượn."
    for key, label, limit in (
        ("serial", "Số hiệu", 60),
        ("certificate_number", "Số giấy chứng nhận", 80),
        ("lender", "Đơn vị cho mượn", 200),
    ):
        if len((values.get(key) or "").strip()) > limit:
            errors[key] = f"{label} dài quá {limit} ký tự."
    if errors:
        raise InvalidInput(errors)
    return {
        **values,
        "accuracy_class": accuracy_class,
        "ownership": ownership,
        "lender": lender if ownership == "borrowed" else "",
        "serial": (values.get("serial") or "").strip(),
        "certificate_number": (values.get("certificate_number") or "").strip(),
        "note": (values.get("note") or "").strip(),
        "active": True if values.get("active") is None else bool(values.get("active")),
    }


def create_standard(data: dict, user: User) -> tuple[ReferenceStandard, bool]:
    fingerprint = writes.fingerprint(data)
    if (stored := writes.resend_of(ReferenceStandard, data["uuid"], fingerprint, user)) is not None:
        return stored, False
    unit_id = _home_unit(data, user)
    clean = _clean_standard({key: data.get(key) for key in STANDARD_FIELDS})
    standard = ReferenceStandard(
        uuid=str(data["uuid"]), unit_id=unit_id, created_by_id=user.id, create_digest=fingerprint, **clean
    )
    return writes.insert(standard, fingerprint, user)


def update_standard(standard: ReferenceStandard, data: dict, user: User) -> ReferenceStandard:
    return writes.apply_edit(standard, data, STANDARD_FIELDS, _clean_standard, user)


def standard_sort_key(standard: ReferenceStandard) -> tuple:
    """Kind, then nominal by size (the column is text: "10" must not come before "2"), largest first."""
    factor = mass_unit_factor(standard.unit) if standard.unit in MASS_UNITS else VOLUME_FACTORS[standard.unit]
    return (standard.kind, -(standard.nominal * factor), standard.id)


def standard_state(standard: ReferenceStandard, today: date | None = None) -> str:
    """'overdue', 'due_soon' (within DUE_SOON_DAYS) or 'valid'."""
    today = today or today_vn()
    if standard_status(standard.due_on, today) != STANDARD_VALID:
        return "overdue"
    if standard.due_on <= today + timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return "valid"


def due_soon(user: User, days: int = DUE_SOON_DAYS, today: date | None = None) -> list[ReferenceStandard]:
    """Active standards in the user's scope that fall due within ``days`` (overdue ones included), soonest first."""
    today = today or today_vn()
    return list(
        db.session.scalars(
            scoped(ReferenceStandard, user)
            .where(
                ReferenceStandard.active.is_(True), ReferenceStandard.due_on <= today + timedelta(days=days)
            )
            .order_by(ReferenceStandard.due_on, ReferenceStandard.id)
        )
    )


def set_certificate_photo(
    standard: ReferenceStandard, upload: bytes, storage, user: User
) -> ReferenceStandard:
    """Store (or replace) the photo of the standard's calibration certificate."""
    digest = upload_digest(upload)[:12]
    saved = save_photo(
        upload,
        storage,
        f"standards/{standard.unit_id}/{standard.uuid}-{digest}",
        max_bytes=current_app.config["PHOTO_MAX_BYTES"],
    )
    standard.certificate_key = saved.key
    standard.certificate_thumbnail_key = saved.thumbnail_key
    standard.certificate_sha256 = saved.processed.sha256
    return writes.commit("edit", standard, user)


# ---- instruments ------------------------------------------------------------------------------------------------

INSTRUMENT_FIELDS = (
    "instrument_type",
    "make",
    "model",
    "serial",
    "accuracy_class",
    "unit",
    "max_capacity",
    "min_capacity",
    "e",
    "d",
    "goods_mass",
    "verification_mark",
    "verified_on",
    "valid_until",
    "seal_state",
    "in_use",
    "note",
)
INSTRUMENT_UNITS = ("g", "kg", "L", "mL", "m3", "kWh")
VOLUME_FACTORS = {"mL": Decimal("0.001"), "L": Decimal(1)}
DEFAULT_UNITS = {"fuel_dispenser": "L", "water_meter": "m3", "electricity_meter": "kWh"}


def _clean_instrument(values: dict) -> dict:
    errors: dict[str, str] = {}
    kind = values.get("instrument_type")
    if kind not in INSTRUMENT_TYPES:
        raise InvalidInput({"instrument_type": "Loại phương tiện đo không hợp lệ."})
    unit = values.get("unit") or DEFAULT_UNITS.get(kind, "kg")
    accuracy_class = (values.get("accuracy_class") or "").strip()
    maximum, minimum = values.get("max_capacity"), values.get("min_capacity")
    e, d = values.get("e"), values.get("d")
    for key, label in (
        ("max_capacity", "Mức cân lớn nhất (Max)"),
        ("min_capacity", "Mức cân nhỏ nhất (Min)"),
        ("e", "Giá trị độ chia kiểm (e)"),
        ("d", "Giá trị độ chia (d)"),
        ("goods_mass", "Khối lượng hàng thường cân"),
    ):
        if values.get(key) is not None and values[key] <= 0:
            errors[key] = f"{label} phải lớn hơn 0."
    if kind in SCALE_TYPES:
        if unit not in ("g", "kg"):
            errors["unit"] = "Cân dùng đơn vị g hoặc kg."
        if not accuracy_class:
            errors["accuracy_class"] = "Cần ghi cấp chính xác của cân (I, II, III hoặc IIII)."
        else:
            try:
                accuracy_class = normalize_scale_class(accuracy_class)
            except ValueError:
                errors["accuracy_class"] = "Cấp chính xác của cân phải là I, II, III hoặc IIII (hoặc 1–4)."
        if maximum is None:
            errors.setdefault("max_capacity", "Cần ghi mức cân lớn nhất (Max).")
        if e is None:
            errors.setdefault("e", "Cần ghi giá trị độ chia kiểm (e).")
        if not errors:
            for problem in validate_scale(maximum, e, accuracy_class, unit):
                errors.setdefault("e" if problem.startswith("e =") else "max_capacity", problem)
        if "e" not in errors and "d" not in errors and d is not None and e is not None and d > e:
            errors["d"] = "Giá trị độ chia d không được lớn hơn độ chia kiểm e (OIML R 76-1)."
        if not errors and minimum is not None and minimum >= maximum:
            errors["min_capacity"] = "Mức cân nhỏ nhất (Min) phải nhỏ hơn Max."
    elif kind == "fuel_dispenser":
        if unit != "L":
            errors["unit"] = "Cột đo xăng dầu dùng đơn vị L."
        try:
            accuracy_class = normalize_dispenser_class(accuracy_class or "0.5")
        except ValueError:
            errors["accuracy_class"] = (
                "Cấp chính xác cột đo phải là 0,3; 0,5; 1,0; 1,5 hoặc 2,5 (OIML R 117)."
            )
    elif unit not in INSTRUMENT_UNITS:
        errors["unit"] = "Đơn vị không hợp lệ."
    if kind not in SCALE_TYPES:
        for key in ("e", "d", "goods_mass"):
            if values.get(key) is not None:
                errors.setdefault(key, "Chỉ ghi cho cân.")
    if len(accuracy_class) > 10:
        errors["accuracy_class"] = "Cấp chính xác dài quá 10 ký tự."
    verified_on, valid_until = values.get("verified_on"), values.get("valid_until")
    if verified_on and valid_until and valid_until < verified_on:
        errors["valid_until"] = "Hạn kiểm định không được trước ngày kiểm định."
    seal_state = values.get("seal_state") or "none"
    if seal_state not in SEAL_STATES:
        errors["seal_state"] = "Tình trạng niêm phong không hợp lệ."
    for key, label, limit in (
        ("make", "Hãng sản xuất", 80),
        ("model", "Kiểu", 80),
        ("serial", "Số sản xuất", 60),
        ("verification_mark", "Số tem kiểm định", 60),
    ):
        if len((values.get(key) or "").strip()) > limit:
            errors[key] = f"{label} dài quá {limit} ký tự."
    if errors:
        raise InvalidInput(errors)
    return {
        **values,
        "unit": unit,
        "accuracy_class": accuracy_class,
        "seal_state": seal_state,
        "in_use": True if values.get("in_use") is None else bool(values.get("in_use")),
        **{
            key: (values.get(key) or "").strip()
            for key in ("make", "model", "serial", "verification_mark", "note")
        },
    }


def create_instrument(premise: Premise, data: dict, user: User) -> tuple[Instrument, bool]:
    fingerprint = writes.fingerprint(data, premise=premise.id)
    if (stored := writes.resend_of(Instrument, data["uuid"], fingerprint, user)) is not None:
        return stored, False
    clean = _clean_instrument({key: data.get(key) for key in INSTRUMENT_FIELDS})
    instrument = Instrument(
        uuid=str(data["uuid"]),
        unit_id=premise.unit_id,
        premise_id=premise.id,
        created_by_id=user.id,
        create_digest=fingerprint,
        **clean,
    )
    return writes.insert(instrument, fingerprint, user)


def update_instrument(instrument: Instrument, data: dict, user: User) -> Instrument:
    return writes.apply_edit(instrument, data, INSTRUMENT_FIELDS, _clean_instrument, user)


def add_instrument_photo(
    instrument: Instrument, data: dict, upload: bytes, user: User, storage
) -> tuple[InstrumentPhoto, bool]:
    """A photo of the instrument (nameplate, mark, seal); the same UUID with the same bytes returns the stored one."""
    fingerprint = InstrumentPhoto.digest_for(instrument.id, upload_digest(upload))
    if (stored := writes.resend_of(InstrumentPhoto, data["uuid"], fingerprint, user)) is not None:
        return stored, False
    photo = InstrumentPhoto(
        uuid=str(data["uuid"]),
        instrument_id=instrument.id,
        caption=(data.get("caption") or "").strip(),
        created_by_id=user.id,
    )
    key_base = f"instruments/{instrument.unit_id}/{instrument.id}/{data['uuid']}"
    store_image(photo, upload, storage, key_base, max_bytes=current_app.config["PHOTO_MAX_BYTES"])
    return writes.insert(photo, fingerprint, user)


def verification_state(instrument: Instrument, on_date: date) -> tuple[bool, str]:
    """Whether the instrument's verification is present and in force on ``on_date``, and why (Vietnamese)."""
    if instrument.valid_until is None and not instrument.verification_mark:
        return False, "không có tem/dấu kiểm định"
    if not instrument.verification_mark:
        return False, "không ghi được số tem kiểm định"
    if instrument.valid_until is None:
        return False, f"tem kiểm định số {instrument.verification_mark} không ghi thời hạn"
    if standard_status(instrument.valid_until, on_date) != STANDARD_VALID:
        return (
            False,
            f"tem kiểm định số {instrument.verification_mark} hết hạn ngày {instrument.valid_until:%d/%m/%Y}",
        )
    return (
        True,
        f"tem kiểm định số {instrument.verification_mark} còn hạn đến {instrument.valid_until:%d/%m/%Y}",
    )


def range_state(instrument: Instrument) -> tuple[bool, str] | None:
    """TT 09/2017 Bảng 1 for a scale with a typical goods mass; None when it cannot be judged."""
    if not instrument.is_scale or None in (
        instrument.goods_mass,
        instrument.max_capacity,
        instrument.division,
    ):
        return None
    factor = mass_unit_factor(instrument.unit)
    try:
        return range_suits_goods(
            instrument.max_capacity * factor, instrument.division * factor, instrument.goods_mass * factor
        )
    except ValueError:
        return None


# ---- readings ---------------------------------------------------------------------------------------------------


def _instrument_for(inspection: Inspection, data: dict, user: User) -> Instrument:
    query = scoped(Instrument, user)
    if data.get("instrument_id") is not None:
        query = query.where(Instrument.id == data["instrument_id"])
    else:
        query = query.where(Instrument.uuid == str(data.get("instrument_uuid")))
    instrument = db.session.scalars(query).first()
    if instrument is None:
        raise InvalidInput(
            {"instrument_id": "Phương tiện đo không tồn tại hoặc không thuộc phạm vi của bạn."}
        )
    if instrument.premise_id != inspection.premise_id:
        raise InvalidInput({"instrument_id": "Phương tiện đo không thuộc cơ sở đang được kiểm tra."})
    return instrument


def _check_kind(instrument: Instrument, kind: str) -> None:
    if kind in ("weighing", "control") and not instrument.is_scale:
        raise InvalidInput({"kind": f"{READING_KINDS[kind]} chỉ áp dụng cho cân."})
    if kind == "dispenser" and instrument.instrument_type != "fuel_dispenser":
        raise InvalidInput({"kind": "Phép đo dung tích chỉ áp dụng cho cột đo xăng dầu."})


def _standards_for(ids: list[int], kind: str, user: User) -> list[ReferenceStandard]:
    if len(set(ids)) != len(ids):
        raise InvalidInput({"standard_ids": "Mỗi chuẩn chỉ được chọn một lần."})
    found = {
        s.id: s
        for s in db.session.scalars(scoped(ReferenceStandard, user).where(ReferenceStandard.id.in_(ids)))
    }
    missing = [i for i in ids if i not in found]
    if missing:
        raise InvalidInput(
            {
                "standard_ids": "Chuẩn đo lường không tồn tại hoặc không thuộc phạm vi của bạn: "
                + ", ".join(map(str, missing))
            }
        )
    standards = [found[i] for i in ids]
    wanted = "volume_measure" if kind == "dispenser" else "weight"
    if any(s.kind != wanted for s in standards):
        raise InvalidInput(
            {"standard_ids": f"Phép đo này cần {STANDARD_KINDS[wanted].lower()}; đã chọn chuẩn loại khác."}
        )
    retired = [s for s in standards if not s.active]
    if retired:
        raise InvalidInput(
            {"standard_ids": f"Chuẩn số hiệu {retired[0].serial or retired[0].id} đã ngừng sử dụng."}
        )
    return standards


def _snapshot(standard: ReferenceStandard, on_date: date) -> dict:
    return {
        "id": standard.id,
        "kind": standard.kind,
        "nominal": canonical_decimal(standard.nominal),
        "unit": standard.unit,
        "accuracy_class": standard.accuracy_class,
        "correction_mg": None
        if standard.correction_mg is None
        else canonical_decimal(standard.correction_mg),
        "serial": standard.serial,
        "certificate_number": standard.certificate_number,
        "due_on": standard.due_on.isoformat(),
        "status": standard_status(standard.due_on, on_date),
    }


def _weights_reference(
    standards: list[ReferenceStandard], unit: str, given: Decimal | None
) -> tuple[Decimal, Any, str]:
    """The reference mass in ``unit`` of the weights placed together, their combination, and the field to blame."""
    combination = combine_weights(
        [(s.nominal * mass_unit_factor(s.unit), s.accuracy_class, s.correction_mg) for s in standards]
    )
    nominal = _convert(combination.total_nominal_g, "g", unit)
    conventional = _convert(combination.conventional_mass_g, "g", unit)
    if given is None:
        return _tidy(conventional), combination, "standard_ids"
    if given not in (nominal, conventional):
        raise InvalidInput(
            {
                "reference": f"Khối lượng chuẩn {plain_vi(given)} {unit} khác tổng khối lượng các quả cân đã chọn "
                f"({plain_vi(nominal)} {unit})."
            }
        )
    return given, combination, "reference"


def _check_load(instrument: Instrument, reference: Decimal, unit: str, field: str) -> None:
    if reference <= 0:
        raise InvalidInput({field: "Tải kiểm phải lớn hơn 0."})
    if instrument.max_capacity is not None and reference > _convert(
        instrument.max_capacity, instrument.unit, unit
    ):
        raise InvalidInput(
            {
                field: f"Tải kiểm {display_quantity(reference, unit)} lớn hơn mức cân lớn nhất "
                f"Max = {display_quantity(instrument.max_capacity, instrument.unit)} của cân."
            }
        )


def _judge(inspection: Inspection, instrument: Instrument, data: dict, standards, valid: bool) -> dict:
    """Ask the engine; answer the values to store (reference, unit, verdict and the rule as stored)."""
    kind = data["kind"]
    indication = data["indication"]
    if kind in ("weighing", "control"):
        unit = data.get("unit") or instrument.unit
        if unit not in ("g", "kg"):
            raise InvalidInput({"unit": "Phép cân dùng đơn vị g hoặc kg."})
        reference, combination, field = _weights_reference(standards, unit, data.get("reference"))
        _check_load(instrument, reference, unit, field)
        if kind == "weighing":
            choice = state_check_rule(inspection.unit.province_id)
            try:
                verdict = judge_weighing(
                    indication,
                    reference,
                    _convert(instrument.e, instrument.unit, unit),
                    instrument.accuracy_class,
                    in_service=choice == "in_service",
                    standards_mpe=combination,
                    standards_valid=valid,
                    unit=unit,
                )
            except ValueError:
                raise InvalidInput(
                    {field: "Tải kiểm nằm ngoài phạm vi của OIML R 76-1 Bảng 6 cho cân này."}
                ) from None
            return {
                "reference": reference,
                "unit": unit,
                "verdict": verdict,
                "error": verdict.error,
                "permitted": verdict.permitted_error,
                "rule": f"{state_check_text(choice, kind)}; {verdict.rule}",
                "choice": choice,
            }
        direction = data.get("direction")
        if direction not in DIRECTIONS:
            raise InvalidInput(
                {"direction": "Phép đo đối chứng cần chọn chiều: bán hàng (sell) hoặc mua hàng (buy)."}
            )
        factor = mass_unit_factor(unit)
        try:
            verdict = judge_control_measurement(
                indication * factor, reference * factor, direction, standards_valid=valid
            )
        except ValueError:
            raise InvalidInput(
                {
                    field: "Khối lượng kiểm nằm ngoài phạm vi TT 09/2017/TT-BKHCN Bảng 2 (trên 40 g đến 100 kg)."
                }
            ) from None
        return {
            "reference": reference,
            "unit": unit,
            "verdict": verdict,
            "error": verdict.error / factor,
            "permitted": verdict.permitted_error / factor,
            "rule": verdict.rule,
            "choice": None,
        }
    if kind == "dispenser":
        if (data.get("unit") or "L") != "L":
            raise InvalidInput({"unit": "Phép đo cột đo xăng dầu dùng đơn vị L."})
        reference = data.get("reference")
        if reference is None:
            raise InvalidInput({"reference": "Cần ghi lượng đọc trên bình chuẩn (L)."})
        if reference <= 0:
            raise InvalidInput({"reference": "Lượng chuẩn phải lớn hơn 0."})
        choice = state_check_rule(inspection.unit.province_id)
        verdict = judge_dispenser_run(
            reference,
            indication,
            instrument.accuracy_class or "0.5",
            "system" if choice == "in_service" else "meter",
            standards_valid=valid,
        )
        return {
            "reference": reference,
            "unit": "L",
            "verdict": verdict,
            "error": verdict.error,
            "permitted": verdict.permitted_error,
            "rule": f"{state_check_text(choice, kind)}; {verdict.rule}",
            "choice": choice,
        }
    raise InvalidInput({"kind": "Loại phép đo không hợp lệ."})


def record_reading(inspection: Inspection, data: dict, user: User) -> tuple[Reading, bool]:
    """Judge and store one reading; the same UUID with the same content returns the stored one."""
    if inspection.locked:
        raise Locked()
    fingerprint = writes.fingerprint(data, inspection=inspection.id)
    if (stored := writes.resend_of(Reading, data["uuid"], fingerprint, user)) is not None:
        return stored, False
    instrument = _instrument_for(inspection, data, user)
    _check_kind(instrument, data["kind"])
    standards = _standards_for(list(data["standard_ids"]), data["kind"], user)
    measured_at = data.get("measured_at") or utcnow()
    on_date = measured_at.astimezone(VN_TZ).date()
    snapshots = [_snapshot(s, on_date) for s in standards]
    valid = all(item["status"] == STANDARD_VALID for item in snapshots)
    judged = _judge(inspection, instrument, data, standards, valid)
    verdict = judged["verdict"]
    reading = Reading(
        uuid=str(data["uuid"]),
        inspection_id=inspection.id,
        instrument_id=instrument.id,
        kind=data["kind"],
        instrument_label=instrument_label(instrument),
        standards=snapshots,
        reference=judged["reference"],
        indication=data["indication"],
        unit=judged["unit"],
        direction=data.get("direction") if data["kind"] == "control" else None,
        measured_at=measured_at,
        note=(data.get("note") or "").strip(),
        error=_tidy(judged["error"]),
        permitted_error=_tidy(judged["permitted"]),
        outcome=verdict.outcome,
        conclusion=verdict.conclusion,
        rule=judged["rule"],
        state_check_rule=judged["choice"],
        tables=[ref.to_dict() for ref in verdict.tables],
        provisional=verdict.provisional,
        warnings=list(verdict.warnings),
        details=verdict.to_dict(),
        created_by_id=user.id,
        create_digest=fingerprint,
    )
    return writes.insert(reading, fingerprint, user)


def readings_of(inspection: Inspection) -> list[Reading]:
    return list(
        db.session.scalars(select(Reading).where(Reading.inspection_id == inspection.id).order_by(Reading.id))
    )


# ---- pre-packaged lots ------------------------------------------------------------------------------------------

LOT_UNITS = ("g", "kg", "mL", "L")


def record_lot(inspection: Inspection, data: dict, user: User) -> tuple[PrepackagedLot, bool]:
    """Judge a pre-packaged sample by TT 21/2014 and store it; net quantity = measured − tare."""
    if inspection.locked:
        raise Locked()
    fingerprint = writes.fingerprint(data, inspection=inspection.id)
    if (stored := writes.resend_of(PrepackagedLot, data["uuid"], fingerprint, user)) is not None:
        return stored, False
    measured = list(data.get("measured") or [])
    if not measured:
        raise InvalidInput({"measured": "Lô hàng cần ít nhất một đơn vị mẫu đã cân/đo."})
    unit = data["unit"]
    if unit not in LOT_UNITS:
        raise InvalidInput({"unit": "Đơn vị phải là g, kg, mL hoặc L."})
    tare = data.get("tare")
    if tare is not None and tare < 0:
        raise InvalidInput({"tare": "Khối lượng bì không được âm."})
    nets = [value - (tare or 0) for value in measured]
    for index, net in enumerate(nets, start=1):
        if net <= 0:
            raise InvalidInput(
                {"measured": f"Đơn vị mẫu thứ {index}: lượng thực (sau khi trừ bì) phải lớn hơn 0."}
            )
    lot_size = data.get("lot_size")
    if lot_size is not None and lot_size < len(nets):
        raise InvalidInput({"lot_size": f"Cỡ lô ({lot_size}) nhỏ hơn số đơn vị mẫu ({len(nets)})."})
    try:
        verdict = judge_lot(data["nominal"], unit, nets, lot_size)
    except ValueError:
        raise InvalidInput(
            {
                "nominal": "Lượng danh định nằm ngoài bảng lượng thiếu cho phép T (TT 21/2014 Phụ lục IV: 5 g/mL đến 50 kg/L)."
            }
        ) from None
    lot = PrepackagedLot(
        uuid=str(data["uuid"]),
        inspection_id=inspection.id,
        product=data["product"].strip(),
        nominal=data["nominal"],
        unit=unit,
        tare=tare,
        lot_size=lot_size,
        measured=[canonical_decimal(value) for value in measured],
        note=(data.get("note") or "").strip(),
        sample_size=verdict.sample_size,
        mean=_tidy(verdict.mean),
        std_dev=_tidy(verdict.std_dev),
        tolerable_deficiency=_tidy(verdict.tolerable_deficiency),
        count_beyond_t=verdict.count_beyond_t,
        count_beyond_2t=verdict.count_beyond_2t,
        outcome=verdict.outcome,
        conclusion=verdict.conclusion,
        rule=verdict.rule,
        rules_broken=list(verdict.rules_broken),
        tables=[ref.to_dict() for ref in verdict.tables],
        provisional=verdict.provisional,
        warnings=list(verdict.warnings),
        details=verdict.to_dict(),
        created_by_id=user.id,
        create_digest=fingerprint,
    )
    return writes.insert(lot, fingerprint, user)


def lots_of(inspection: Inspection) -> list[PrepackagedLot]:
    return list(
        db.session.scalars(
            select(PrepackagedLot)
            .where(PrepackagedLot.inspection_id == inspection.id)
            .order_by(PrepackagedLot.id)
        )
    )


# ---- automatic findings -----------------------------------------------------------------------------------------


class AutoFinding(NamedTuple):
    """A suggested answer for a checklist item, computed from the metrology records (never stored)."""

    answer: str  # "pass" or "fail"
    reason: str


def instruments_of(premise_id: int, in_use_only: bool = False) -> list[Instrument]:
    query = select(Instrument).where(Instrument.premise_id == premise_id)
    if in_use_only:
        query = query.where(Instrument.in_use.is_(True))
    return list(db.session.scalars(query.order_by(Instrument.id)))


def _judged(records, describe) -> AutoFinding | None:
    failed = [r for r in records if r.outcome == "fail"]
    passed = [r for r in records if r.outcome == "pass"]
    unsure = [r for r in records if r.outcome == INCONCLUSIVE]
    if failed:
        return AutoFinding(
            "fail", f"{len(failed)}/{len(records)} không đạt: " + "; ".join(map(describe, failed))
        )
    if passed:
        reason = f"{len(passed)}/{len(records)} đạt"
        if unsure:
            reason += f"; {len(unsure)} không đủ cơ sở kết luận (chuẩn quá hạn)"
        return AutoFinding("pass", reason)
    return None


def _describe_reading(reading: Reading) -> str:
    return (
        f"{reading.instrument_label}: chuẩn {plain_vi(reading.reference)} {reading.unit}, "
        f"số chỉ {plain_vi(reading.indication)} {reading.unit}, sai số {plain_vi(reading.error)} {reading.unit} "
        f"(cho phép {plain_vi(reading.permitted_error)} {reading.unit})"
    )


def _describe_lot(lot: PrepackagedLot) -> str:
    return f"{lot.product} {plain_vi(lot.nominal)} {lot.unit}: " + "; ".join(lot.rules_broken)


def automatic_findings(inspection: Inspection) -> dict[str, AutoFinding]:
    """Suggested answers for the catalogue items whose ``auto_source`` is metrology data, in catalogue order."""
    catalogue = load_catalogue(inspection.catalogue_version)
    premise_type = inspection.premise.premise_type
    on_date = inspection.started_at.astimezone(VN_TZ).date()
    instruments = instruments_of(inspection.premise_id, in_use_only=True)
    readings = readings_of(inspection)
    found: dict[str, AutoFinding | None] = {}

    checks = [(i, *verification_state(i, on_date)) for i in instruments]
    if checks:
        bad = [f"{instrument_label(i)}: {why}" for i, ok, why in checks if not ok]
        if bad:
            found["instrument_verification"] = AutoFinding("fail", "; ".join(bad))
        else:
            found["instrument_verification"] = AutoFinding(
                "pass", "; ".join(f"{instrument_label(i)}: {why}" for i, _ok, why in checks)
            )
    ranges = [(i, state) for i in instruments if (state := range_state(i)) is not None]
    if ranges:
        bad = [f"{instrument_label(i)}: {why}" for i, (ok, why) in ranges if not ok]
        found["instrument_range"] = (
            AutoFinding("fail", "; ".join(bad))
            if bad
            else AutoFinding("pass", "; ".join(f"{instrument_label(i)}: {why}" for i, (_ok, why) in ranges))
        )
    found["instrument_readings"] = _judged([r for r in readings if r.kind != "control"], _describe_reading)
    found["control_measurement"] = _judged([r for r in readings if r.kind == "control"], _describe_reading)
    found["prepackage_lots"] = _judged(lots_of(inspection), _describe_lot)

    result: OrderedDict[str, AutoFinding] = OrderedDict()
    for item in catalogue.items:
        suggestion = found.get(item.auto_source) if item.auto_source else None
        if suggestion is not None and item.applies_to(premise_type):
            result[item.code] = suggestion
    return dict(result)


# ---- the biên bản -----------------------------------------------------------------------------------------------


def _places(*values: Decimal | None) -> int:
    return max([0] + [-v.as_tuple().exponent for v in values if v is not None and v.as_tuple().exponent < 0])


def minutes_sections(inspection: Inspection):
    """The readings, lots and reference-standard lines of the biên bản, from the stored records."""
    from ..documents import minutes_pdf as pdf
    from .rules import standard_label

    readings, standards = [], OrderedDict()
    for reading in readings_of(inspection):
        for snapshot in reading.standards:
            standards.setdefault(snapshot["id"], standard_label(snapshot))
        e = None
        if reading.kind == "weighing" and reading.details.get("e") is not None:
            e = Decimal(reading.details["e"])
        places = _places(reading.indication, e) if reading.kind != "dispenser" else None
        if reading.kind == "dispenser":
            places = _places(reading.indication, reading.reference)
        readings.append(
            pdf.Reading(
                instrument=reading.instrument_label,
                reference=reading.reference,
                indication=reading.indication,
                error=reading.error,
                permitted_error=reading.permitted_error,
                unit=reading.unit,
                verdict=OUTCOMES[reading.outcome],
                rule=reading.rule,
                provisional=reading.provisional,
                places=places,
                permitted_sign="" if reading.kind == "control" else "±",
            )
        )
    lots = []
    for lot in lots_of(inspection):
        places = _places(lot.nominal, *(Decimal(v) for v in lot.measured))
        quantum = Decimal(1).scaleb(-(places + 1))
        lots.append(
            pdf.PrepackagedLot(
                product=lot.product,
                nominal=lot.nominal,
                unit=lot.unit,
                sample_size=lot.sample_size,
                mean=_tidy(lot.mean.quantize(quantum)),
                tolerance=_tidy(lot.tolerable_deficiency.quantize(quantum)),
                short_over_t=lot.count_beyond_t,
                short_over_2t=lot.count_beyond_2t,
                verdict=OUTCOMES[lot.outcome],
                rules_broken=tuple(lot.rules_broken),
                provisional=lot.provisional,
            )
        )
    return tuple(readings), tuple(lots), tuple(standards.values())
