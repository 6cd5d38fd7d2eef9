"""Reference standards (quả cân chuẩn, bình chuẩn dung tích): validated, versioned, and what falls due."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app

from .. import writes
from ..access import scoped, unit_in_scope
from ..domain.errors import InvalidInput, RuleError
from ..domain.time import today_vn
from ..domain.vocabulary import CERTIFICATE_TYPES, STANDARD_KINDS, STANDARD_OWNERSHIP
from ..extensions import db
from ..files.evidence import NewFiles
from ..files.photos import process_photo, save_photo
from ..tolerances import STANDARD_VALID, standard_status, weight_expiry, weight_mpe
from ..tolerances.common import plain
from ..tolerances.weights import normalize_weight_class
from ..models import Unit, User
from ..models.metrology import ReferenceStandard
from .rules import decimal_value, display_quantity
from .units import MASS_UNITS, VOLUME_FACTORS, VOLUME_UNITS, to_grams

DUE_SOON_DAYS = 60


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
    "certificate_type",
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
                weight_mpe(to_grams(nominal, unit), accuracy_class)
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
    certificate_type = values.get("certificate_type") or "unknown"
    if certificate_type not in CERTIFICATE_TYPES:
        errors["certificate_type"] = "Loại giấy chứng nhận phải là kiểm định hoặc hiệu chuẩn."
    due_on = values.get("due_on")
    calibrated_on = values.get("calibrated_on")
    due_on_computed = False
    if due_on is None and kind == "weight" and certificate_type == "verification" and calibrated_on:
        if not errors:
            expiry = weight_expiry(accuracy_class, calibrated_on)
            if expiry is not None:
                due_on, due_on_computed = expiry.expires_on, True
    if due_on is None:
        errors["due_on"] = (
            "Cần ghi ngày hết hạn hiệu chuẩn/kiểm định (quả cân có giấy chứng nhận kiểm định: có thể để trống "
            "khi đã ghi ngày kiểm định, hạn được tính theo chu kỳ kiểm định)."
        )
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
        "certificate_type": certificate_type,
        "due_on": due_on,
        "due_on_computed": due_on_computed,
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
    if standard.due_on_computed and "due_on" not in data:
        data = {**data, "due_on": None}  # computed, not read: recompute it from the (perhaps edited) dates
    return writes.apply_edit(standard, data, (*STANDARD_FIELDS, "due_on_computed"), _clean_standard, user)


def certificate_warning(standard) -> str | None:
    """Why a reference weight's certificate is not what TT 09/2017 Điều 6 asks (kiểm định), or None.

    ``standard`` is a ReferenceStandard or a reading's snapshot of one (a dict)."""
    get = (
        standard.get
        if isinstance(standard, dict)
        else lambda key, default=None: getattr(standard, key, default)
    )
    if get("kind") != "weight":
        return None
    certificate_type = get("certificate_type", "unknown") or "unknown"
    if certificate_type == "calibration":
        return (
            "Quả cân chỉ có giấy chứng nhận hiệu chuẩn; TT 09/2017/TT-BKHCN Điều 6 yêu cầu quả cân đối chứng "
            "được kiểm định."
        )
    if certificate_type == "unknown":
        return (
            "Chưa ghi quả cân được kiểm định hay hiệu chuẩn (TT 09/2017/TT-BKHCN Điều 6 yêu cầu kiểm định)."
        )
    return None


def standard_sort_key(standard: ReferenceStandard) -> tuple:
    """Kind, then nominal by size (the column is text: "10" must not come before "2"), largest first."""
    unit = standard.unit
    size = to_grams(standard.nominal, unit) if unit in MASS_UNITS else standard.nominal * VOLUME_FACTORS[unit]
    return (standard.kind, -size, standard.id)


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
    processed = process_photo(upload, max_bytes=current_app.config["PHOTO_MAX_BYTES"])
    with NewFiles(storage) as files:
        saved = save_photo(processed, files, "certificates")
        standard.certificate_key = saved.key
        standard.certificate_thumbnail_key = saved.thumbnail_key
        standard.certificate_sha256 = processed.sha256
        writes.commit("edit", standard, user)
        files.keep()
    return standard
