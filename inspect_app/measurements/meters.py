"""Meter checks: what an inspector saw of an electricity or water meter (usually after a voter's complaint).

Meters belong to the utility. A commune check records the meter's identity, index, stamp and validity, seals, signs
of tampering, the complaint and the referral (the utility first, then the Sở); an indicative check with a volume
standard on a water meter is "sơ bộ" only. Nothing here judges a meter's error: no Đạt / Không đạt is ever stored or
shown for it. Idempotent by client UUID and locked with the inspection, like readings.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import writes
from ..access import scoped
from ..domain.errors import InvalidInput, Locked
from ..domain.time import in_vn, utcnow
from ..domain.vocabulary import INSTRUMENT_VARIANTS, SEAL_STATES, STAMP_STATES, TAMPERING_SIGNS
from ..extensions import db
from ..models import Inspection, User
from ..models.metrology import Instrument, MeterCheck, ReferenceStandard, canonical_decimal
from ..tolerances import STANDARD_VALID, standard_status
from ..tolerances.common import plain_vi
from .instruments import computed_expiry, instrument_for, verification_state
from .rules import instrument_label
from .units import VOLUME_FACTORS

INDICATIVE_LABEL = "Ghi nhận sơ bộ"
INDICATIVE_NOTE = (
    "Kiểm tra sơ bộ bằng bình chuẩn dung tích, chỉ để ghi nhận và chuyển cơ quan có thẩm quyền; "
    "không phải kết luận về sai số của đồng hồ nước."
)


def meter_label(instrument: Instrument) -> str:
    """E.g. "Công tơ điện, số 12345 — Công tơ điện 1 pha kiểu điện tử — Điện lực Đức Phổ"."""
    parts = [instrument_label(instrument)]
    if instrument.variant:
        parts.append(INSTRUMENT_VARIANTS[instrument.variant])
    if instrument.owner_name:
        parts.append(instrument.owner_name)
    return " — ".join(parts)[:300]


def _meter_for(inspection: Inspection, data: dict, user: User) -> Instrument:
    instrument = instrument_for(inspection, data, user)
    if not instrument.is_meter:
        raise InvalidInput({"instrument_id": "Chỉ ghi kiểm tra công tơ cho công tơ điện hoặc đồng hồ nước."})
    return instrument


def _indicative(instrument: Instrument, data: dict, user: User, on_date) -> dict | None:
    ids = list(data.get("standard_ids") or [])
    reference, indication = data.get("indicative_reference"), data.get("indicative_indication")
    if not ids and reference is None and indication is None:
        return None
    if instrument.instrument_type != "water_meter":
        raise InvalidInput({"standard_ids": "Kiểm tra sơ bộ bằng bình chuẩn chỉ áp dụng cho đồng hồ nước."})
    errors = {}
    if not ids:
        errors["standard_ids"] = "Cần chọn bình chuẩn dung tích đã dùng."
    if reference is None or reference <= 0:
        errors["indicative_reference"] = "Cần ghi lượng nước đọc trên bình chuẩn (L), lớn hơn 0."
    if indication is None or indication < 0:
        errors["indicative_indication"] = "Cần ghi lượng nước đồng hồ chỉ (L)."
    if errors:
        raise InvalidInput(errors)
    if len(set(ids)) != len(ids):
        raise InvalidInput({"standard_ids": "Mỗi chuẩn chỉ được chọn một lần."})
    found = list(db.session.scalars(scoped(ReferenceStandard, user).where(ReferenceStandard.id.in_(ids))))
    if len(found) != len(ids):
        raise InvalidInput({"standard_ids": "Chuẩn đo lường không tồn tại hoặc không thuộc phạm vi của bạn."})
    if any(s.kind != "volume_measure" for s in found):
        raise InvalidInput({"standard_ids": "Kiểm tra sơ bộ đồng hồ nước cần bình chuẩn dung tích."})
    if any(not s.active for s in found):
        raise InvalidInput({"standard_ids": "Có chuẩn đã ngừng sử dụng."})
    capacity = sum((s.nominal * VOLUME_FACTORS[s.unit] for s in found), Decimal(0))
    if reference > 2 * capacity:
        raise InvalidInput(
            {
                "indicative_reference": f"Lượng nước {plain_vi(reference)} L lớn hơn nhiều so với dung tích các bình "
                f"chuẩn đã chọn ({plain_vi(capacity)} L): kiểm tra lại số đọc hoặc bình chuẩn."
            }
        )
    if indication > 2 * reference:
        raise InvalidInput(
            {
                "indicative_indication": f"Đồng hồ chỉ {plain_vi(indication)} L, hơn gấp đôi lượng nước trên bình "
                f"chuẩn ({plain_vi(reference)} L): số liệu không hợp lý, kiểm tra lại."
            }
        )
    difference = indication - reference
    percent = (difference / reference * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    standards = [
        {
            "id": s.id,
            "nominal": canonical_decimal(s.nominal),
            "unit": s.unit,
            "capacity_l": canonical_decimal(s.nominal * VOLUME_FACTORS[s.unit]),
            "accuracy_class": s.accuracy_class,
            "serial": s.serial,
            "certificate_number": s.certificate_number,
            "due_on": s.due_on.isoformat(),
            "status": standard_status(s.due_on, on_date),
        }
        for s in found
    ]
    expired = [s for s in standards if s["status"] != STANDARD_VALID]
    return {
        "label": INDICATIVE_LABEL,
        "note": INDICATIVE_NOTE,
        "standards": standards,
        "reference_l": canonical_decimal(reference),
        "indication_l": canonical_decimal(indication),
        "difference_l": canonical_decimal(difference),
        "difference_percent": canonical_decimal(percent),
        "text": (
            f"{INDICATIVE_LABEL}: bình chuẩn {plain_vi(reference)} L, đồng hồ chỉ {plain_vi(indication)} L, "
            f"chênh lệch {'+' if difference > 0 else ''}{plain_vi(difference)} L "
            f"({'+' if percent > 0 else ''}{plain_vi(percent)} %)"
            + ("; bình chuẩn đã quá hạn" if expired else "")
        ),
    }


def record_meter_check(inspection: Inspection, data: dict, user: User) -> tuple[MeterCheck, bool]:
    """Store one meter check; the same UUID with the same content returns the stored one."""
    if inspection.locked:
        raise Locked()
    fingerprint = writes.fingerprint(data, inspection=inspection.id)
    if (stored := writes.resend_of(MeterCheck, data["uuid"], fingerprint, user)) is not None:
        return stored, False
    instrument = _meter_for(inspection, data, user)
    errors = {}
    stamp_state = data.get("stamp_state")
    if stamp_state not in STAMP_STATES:
        errors["stamp_state"] = "Cần chọn tình trạng tem/dấu kiểm định."
    seal_state = data.get("seal_state") or "none"
    if seal_state not in SEAL_STATES:
        errors["seal_state"] = "Tình trạng niêm phong không hợp lệ."
    signs = list(dict.fromkeys(data.get("tampering_signs") or []))
    unknown = [code for code in signs if code not in TAMPERING_SIGNS]
    if unknown:
        errors["tampering_signs"] = "Dấu hiệu can thiệp không hợp lệ: " + ", ".join(map(str, unknown))
    index = data.get("index_reading")
    if index is not None and index < 0:
        errors["index_reading"] = "Chỉ số không được âm."
    utility_on, department_on = data.get("referred_to_utility_on"), data.get("referred_to_department_on")
    if department_on is not None and utility_on is None:
        errors["referred_to_department_on"] = (
            "Phản ánh về công tơ, đồng hồ nước chuyển đơn vị cấp điện/cấp nước trước, sau đó mới chuyển Sở."
        )
    elif department_on is not None and department_on < utility_on:
        errors["referred_to_department_on"] = (
            "Ngày chuyển Sở không được trước ngày chuyển đơn vị cấp điện/nước."
        )
    if errors:
        raise InvalidInput(errors)
    checked_at = data.get("checked_at") or utcnow()
    on_date = in_vn(checked_at).date()
    indicative = _indicative(instrument, data, user, on_date)
    if stamp_state == "missing":
        validity, why = "unknown", "không có tem/dấu kiểm định"
    else:
        _ok, why = verification_state(instrument, on_date)
        expiry = computed_expiry(instrument)
        valid_until = instrument.valid_until or (expiry.expires_on if expiry else None)
        if valid_until is None or not instrument.verification_mark:
            validity = "unknown"
        else:
            validity = "valid" if standard_status(valid_until, on_date) == STANDARD_VALID else "expired"
    check = MeterCheck(
        uuid=str(data["uuid"]),
        inspection_id=inspection.id,
        instrument_id=instrument.id,
        meter_label=meter_label(instrument),
        index_reading=index,
        stamp_state=stamp_state,
        validity=validity,
        validity_text=why,
        seal_state=seal_state,
        tampering_signs=signs,
        tampering_note=(data.get("tampering_note") or "").strip(),
        complainant=(data.get("complainant") or "").strip()[:200],
        complaint=(data.get("complaint") or "").strip(),
        referred_to_utility_on=utility_on,
        referred_to_department_on=department_on,
        referral_note=(data.get("referral_note") or "").strip(),
        indicative=indicative,
        note=(data.get("note") or "").strip(),
        checked_at=checked_at,
        created_by_id=user.id,
        create_digest=fingerprint,
    )
    return writes.insert(check, fingerprint, user)


def meter_checks_of(inspection: Inspection) -> list[MeterCheck]:
    return list(
        db.session.scalars(
            select(MeterCheck)
            .where(MeterCheck.inspection_id == inspection.id)
            .options(selectinload(MeterCheck.instrument))
            .order_by(MeterCheck.id)
        )
    )
