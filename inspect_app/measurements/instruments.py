"""Instruments at a premise (scales, fuel dispensers, meters): validated, versioned, photographed, and whether
their verification and range suit the goods."""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .. import writes
from ..domain.errors import InvalidInput
from ..domain.text import number_key
from ..domain.vocabulary import (
    INSTRUMENT_TYPES,
    INSTRUMENT_VARIANTS,
    METER_VARIANTS,
    SCALE_TYPES,
    SEAL_STATES,
)
from ..extensions import db
from ..files.evidence import NewFiles
from ..files.photos import process_photo, store_image, upload_digest
from ..tolerances import (
    STANDARD_VALID,
    CycleExpiry,
    instrument_expiry,
    range_suits_goods,
    standard_status,
    validate_scale,
)
from ..tolerances.dispensers import normalize_dispenser_class
from ..tolerances.scales import normalize_scale_class
from ..access import scoped
from ..models import Inspection, Premise, User
from ..models.metrology import Instrument, InstrumentPhoto
from ..web.paging import Page, SortOrder, changes_page, prefer_index
from .rules import instrument_label
from .units import to_grams

INSTRUMENT_FIELDS = (
    "instrument_type",
    "variant",
    "owner_name",
    "installation_address",
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
            problems = validate_scale(to_grams(maximum, unit), to_grams(e, unit), accuracy_class, unit=unit)
            for problem in problems:
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
    variant = values.get("variant") or None
    if variant is not None and variant not in INSTRUMENT_VARIANTS:
        errors["variant"] = "Kiểu công tơ/đồng hồ nước không hợp lệ."
    elif variant is not None and variant not in METER_VARIANTS.get(kind, ()):
        errors["variant"] = "Chỉ ghi kiểu cho công tơ điện hoặc đồng hồ nước, đúng với loại phương tiện đo."
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
        ("owner_name", "Chủ sở hữu / đơn vị quản lý", 200),
        ("installation_address", "Địa chỉ lắp đặt", 300),
    ):
        if len((values.get(key) or "").strip()) > limit:
            errors[key] = f"{label} dài quá {limit} ký tự."
    if errors:
        raise InvalidInput(errors)
    return {
        **values,
        "unit": unit,
        "accuracy_class": accuracy_class,
        "variant": variant,
        "seal_state": seal_state,
        "in_use": True if values.get("in_use") is None else bool(values.get("in_use")),
        **{
            key: (values.get(key) or "").strip()
            for key in (
                "make",
                "model",
                "serial",
                "verification_mark",
                "note",
                "owner_name",
                "installation_address",
            )
        },
    }


# The numbers that identify an instrument at its premise, and their comparison keys: serial first (it never
# changes), then the stamp number (a new one at each verification).
NUMBER_KEYS = (
    ("serial", "serial_match", "số sản xuất"),
    ("verification_mark", "mark_match", "số tem kiểm định"),
)


def _number_keys(values: dict) -> dict[str, str | None]:
    return {key: number_key(values.get(field)) for field, key, _ in NUMBER_KEYS}


def same_instrument(
    premise_id: int, instrument_type: str, keys: dict[str, str | None], other_than: int | None = None
) -> tuple[Instrument, str] | None:
    """The instrument of this kind already at the premise with one of these number keys, and which number matched
    (a field name); the serial is looked at before the stamp number."""
    wanted = [getattr(Instrument, key) == value for key, value in keys.items() if value]
    if not wanted:
        return None
    query = select(Instrument).where(
        Instrument.premise_id == premise_id, Instrument.instrument_type == instrument_type, or_(*wanted)
    )
    if other_than is not None:
        query = query.where(Instrument.id != other_than)
    found = db.session.scalars(query).all()
    for field, key, _ in NUMBER_KEYS:
        for instrument in found:
            if keys.get(key) and getattr(instrument, key) == keys[key]:
                return instrument, field
    return None


def create_instrument(premise: Premise, data: dict, user: User) -> tuple[Instrument, bool]:
    """A new instrument at the premise: (instrument, True). A resend of the same UUID, or an instrument of the same
    kind whose serial or stamp number is already recorded at the premise, answers with the stored one: (it, False)."""
    fingerprint = writes.fingerprint(data, premise=premise.id)
    if (stored := writes.resend_of(Instrument, data["uuid"], fingerprint, user)) is not None:
        return stored, False
    clean = _clean_instrument({key: data.get(key) for key in INSTRUMENT_FIELDS})
    keys = _number_keys(clean)

    def twin() -> Instrument | None:
        found = same_instrument(premise.id, clean["instrument_type"], keys)
        if found is None:
            return None
        known, field = found
        if (
            field == "verification_mark"
            and keys["serial_match"]
            and known.serial_match not in (None, keys["serial_match"])
        ):
            # The stamp says it is that one, the serial says it is another: a person must look.
            raise InvalidInput(
                {field: f"{_already_there(known, field)} Số sản xuất khác nhau: hãy kiểm tra lại số tem."}
            )
        return known

    if (known := twin()) is not None:
        return known, False
    instrument = Instrument(
        uuid=str(data["uuid"]),
        unit_id=premise.unit_id,
        premise_id=premise.id,
        created_by_id=user.id,
        create_digest=fingerprint,
        **clean,
        **keys,
    )
    # Two phones adding the same scale at once: the unique keys stop the second, which then gets the first.
    return writes.insert(instrument, fingerprint, user, twin=twin)


def _numbers_checked(instrument: Instrument, values: dict) -> dict:
    """An edit's number keys: recomputed for a number (or kind) that changes, refused when another instrument of
    the premise has it; kept as they are otherwise (a number recorded twice before the keys keeps its NULL)."""
    kind_changed = values["instrument_type"] != instrument.instrument_type
    keys, fresh = {}, {}
    for field, key, _ in NUMBER_KEYS:
        new = number_key(values.get(field))
        if kind_changed or new != number_key(getattr(instrument, field)):
            keys[key] = fresh[key] = new
        else:
            keys[key] = getattr(instrument, key)
    found = same_instrument(instrument.premise_id, values["instrument_type"], fresh, instrument.id)
    if found is not None:
        other, field = found
        raise InvalidInput({field: _already_there(other, field)})
    return keys


def _already_there(other: Instrument, field: str) -> str:
    what = next(text for name, _, text in NUMBER_KEYS if name == field)
    return f"Cơ sở đã có phương tiện đo cùng {what} này: {instrument_label(other)}."


def update_instrument(instrument: Instrument, data: dict, user: User) -> Instrument:
    def clean(values: dict) -> dict:
        checked = _clean_instrument(values)
        return {**checked, **_numbers_checked(instrument, checked)}

    fields = INSTRUMENT_FIELDS + tuple(key for _, key, _ in NUMBER_KEYS)
    try:
        return writes.apply_edit(instrument, data, fields, clean, user)
    except IntegrityError:  # the same number given to another instrument of the premise at this moment
        db.session.rollback()
        raise InvalidInput(
            {
                "serial": "Cơ sở vừa có phương tiện đo khác cùng số sản xuất hoặc số tem kiểm định; hãy tải lại."
            }
        ) from None


def add_instrument_photo(
    instrument: Instrument, data: dict, upload: bytes, user: User, storage
) -> tuple[InstrumentPhoto, bool]:
    """A photo of the instrument (nameplate, mark, seal); the same UUID with the same bytes returns the stored one."""
    fingerprint = InstrumentPhoto.digest_for(instrument.id, upload_digest(upload))
    if (stored := writes.resend_of(InstrumentPhoto, data["uuid"], fingerprint, user)) is not None:
        return stored, False
    processed = process_photo(upload, max_bytes=current_app.config["PHOTO_MAX_BYTES"])
    photo = InstrumentPhoto(
        uuid=str(data["uuid"]),
        instrument_id=instrument.id,
        caption=(data.get("caption") or "").strip(),
        created_by_id=user.id,
    )
    files = NewFiles(storage)
    with files:
        store_image(photo, processed, files, "instruments")
    return writes.insert_with_files(photo, fingerprint, user, files)


def instruments_of(premise_id: int, in_use_only: bool = False) -> list[Instrument]:
    query = (
        select(Instrument).where(Instrument.premise_id == premise_id).options(selectinload(Instrument.photos))
    )
    if in_use_only:
        query = query.where(Instrument.in_use.is_(True))
    return list(db.session.scalars(query.order_by(Instrument.id)))


# The order of the phone's change feed of instruments (index ix_instruments_updated_at_id).
BY_CHANGE = SortOrder(
    ((Instrument.updated_at, False), (Instrument.id, False)), key=lambda i: (i.updated_at, i.id)
)


def instruments_changed(
    user: User, since: datetime | None = None, *, after: str | None = None, limit: int = 500
) -> Page[Instrument]:
    """The phone's offline copy of the instruments at the premises of the user's scope, each with its photos,
    fetched incrementally like the premises (``paging.changes_page``)."""
    query = scoped(Instrument, user).options(selectinload(Instrument.photos))
    if user.unit_id is None:
        query = prefer_index(query, Instrument, "ix_instruments_updated_at_id")
    return changes_page(db.session, query, BY_CHANGE, since, after=after, limit=limit)


def computed_expiry(instrument: Instrument) -> CycleExpiry | None:
    """When the stamp shows only the verification date: the expiry from the instrument kind's cycle (TT 23/2013)."""
    if instrument.valid_until is not None or instrument.verified_on is None:
        return None
    return instrument_expiry(instrument.instrument_type, instrument.variant, instrument.verified_on)


def verification_state(instrument: Instrument, on_date: date) -> tuple[bool, str]:
    """Whether the instrument's verification is present and in force on ``on_date``, and why (Vietnamese).

    A stamp that shows only the verification date gets its expiry from the cycle, and the text says so."""
    if instrument.valid_until is None and not instrument.verification_mark:
        return False, "không có tem/dấu kiểm định"
    if not instrument.verification_mark:
        return False, "không ghi được số tem kiểm định"
    mark = instrument.verification_mark
    valid_until, how = instrument.valid_until, ""
    if valid_until is None:
        expiry = computed_expiry(instrument)
        if expiry is None:
            if instrument.verified_on is not None:
                return False, (
                    f"tem kiểm định số {mark} không ghi thời hạn và chưa xác định được chu kỳ kiểm định "
                    "(cần ghi kiểu công tơ/đồng hồ nước)"
                    if instrument.is_meter
                    else f"tem kiểm định số {mark} không ghi thời hạn và không có chu kỳ kiểm định cho loại này"
                )
            return False, f"tem kiểm định số {mark} không ghi thời hạn"
        valid_until = expiry.expires_on
        how = (
            f" ({expiry.text}{', suy ra cho cân điện tử dùng như cân đĩa/cân bàn' if expiry.derived else ''}"
        )
        how += f" từ ngày kiểm định {instrument.verified_on:%d/%m/%Y})"
        how += "".join(f"; lưu ý: {warning}" for warning in expiry.warnings)
    if standard_status(valid_until, on_date) != STANDARD_VALID:
        return False, f"tem kiểm định số {mark} hết hạn ngày {valid_until:%d/%m/%Y}{how}"
    return True, f"tem kiểm định số {mark} còn hạn đến {valid_until:%d/%m/%Y}{how}"


def range_state(instrument: Instrument) -> tuple[bool, str] | None:
    """TT 09/2017 Bảng 1 for a scale with a typical goods mass; None when it cannot be judged."""
    if not instrument.is_scale or None in (
        instrument.goods_mass,
        instrument.max_capacity,
        instrument.division,
    ):
        return None
    unit = instrument.unit
    try:
        return range_suits_goods(
            to_grams(instrument.max_capacity, unit),
            to_grams(instrument.division, unit),
            to_grams(instrument.goods_mass, unit),
        )
    except ValueError:
        return None


def instrument_for(inspection: Inspection, data: dict, user: User) -> Instrument:
    """The instrument a record names (by id or the phone's UUID), in the user's scope and at the inspected premise."""
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
