"""Readings on an instrument at an inspection, judged by the tolerance engine and stored exactly. Idempotent by
client UUID, conflict-aware and locked with the inspection."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import writes
from ..access import scoped
from ..domain.errors import InvalidInput, Locked
from ..domain.time import in_vn, utcnow
from ..domain.vocabulary import DIRECTIONS, READING_KINDS, STANDARD_KINDS
from ..extensions import db
from ..tolerances import (
    STANDARD_VALID,
    combine_weights,
    judge_control_measurement,
    judge_dispenser_run,
    judge_weighing,
    standard_status,
)
from ..tolerances.common import plain_vi
from ..tolerances.retail import ShortfallRefused
from ..inspections.scope import reading_is_indicative
from ..models import Inspection, User
from ..models.metrology import Instrument, Reading, ReadingStandard, ReferenceStandard, canonical_decimal
from .rules import display_quantity, instrument_label
from .settings import state_check_rule, state_check_text
from .instruments import instrument_for
from .standards import certificate_warning
from .units import convert, from_grams, tidy, to_grams


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
        "certificate_type": standard.certificate_type,
    }


def within_verification(snapshot: dict) -> bool:
    """Whether a standard, as snapshotted on the day, was within its verification (or calibration): the one test
    the reading's verdict uses, when recorded and when re-judged, and the one its ``reading_standards`` row keeps."""
    return snapshot.get("status") == STANDARD_VALID


def use_standards(reading: Reading, snapshots: list[dict]) -> None:
    """Set the standards a reading used: the snapshots as they were on the day and, in the same transaction, one
    ``reading_standards`` row for each. Every write of ``Reading.standards`` goes through here."""
    reading.standards = snapshots
    reading.standard_links = [
        ReadingStandard(standard_id=item["id"], within_verification=within_verification(item))
        for item in snapshots
    ]


def _weights_reference(
    standards: list[ReferenceStandard], unit: str, given: Decimal | None
) -> tuple[Decimal, Any, str]:
    """The reference mass in ``unit`` of the weights placed together, their combination, and the field to blame."""
    combination = combine_weights(
        [(to_grams(s.nominal, s.unit), s.accuracy_class, s.correction_mg) for s in standards]
    )
    nominal = from_grams(combination.total_nominal_g, unit)
    conventional = from_grams(combination.conventional_mass_g, unit)
    if given is None:
        return tidy(conventional), combination, "standard_ids"
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
    if instrument.max_capacity is not None and reference > convert(
        instrument.max_capacity, instrument.unit, unit
    ):
        raise InvalidInput(
            {
                field: f"Tải kiểm {display_quantity(reference, unit)} lớn hơn mức cân lớn nhất "
                f"Max = {display_quantity(instrument.max_capacity, instrument.unit)} của cân."
            }
        )


def scale_of(instrument: Instrument) -> dict:
    """What TT 09/2017 Điều 5 needs of the scale, in grams: Max, d, e, its class and whether it is a spring scale.

    Raises ShortfallRefused (Vietnamese) when Max or d is missing."""
    division = instrument.division
    if instrument.max_capacity is None or division is None:
        raise ShortfallRefused(
            "Phép đo đối chứng cần mức cân lớn nhất (Max) và độ chia d của cân: bổ sung ở thông tin phương tiện đo."
        )
    return {
        "max_g": to_grams(instrument.max_capacity, instrument.unit),
        "d_g": to_grams(division, instrument.unit),
        "spring": instrument.instrument_type == "spring_scale",
        "accuracy_class": instrument.accuracy_class or None,
        "e_g": None if instrument.e is None else to_grams(instrument.e, instrument.unit),
    }


def judge_control(
    instrument: Instrument, indication: Decimal, reference: Decimal, unit: str, direction: str, valid: bool
):
    """The engine's verdict on a control measurement (in ``unit``) on this scale; ShortfallRefused says why not.

    The limits are fixed by TT 09/2017 Điều 5: the administrator's state-check choice does not apply here."""
    return judge_control_measurement(
        to_grams(indication, unit),
        to_grams(reference, unit),
        direction,
        standards_valid=valid,
        **scale_of(instrument),
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
                    convert(instrument.e, instrument.unit, unit),
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
        try:
            verdict = judge_control(instrument, indication, reference, unit, direction, valid)
        except ShortfallRefused as refused:
            raise InvalidInput({field: str(refused)}) from None
        return {
            "reference": reference,
            "unit": unit,
            "verdict": verdict,
            "error": from_grams(verdict.error, unit),
            "permitted": from_grams(verdict.permitted_error, unit),
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
    instrument = instrument_for(inspection, data, user)
    _check_kind(instrument, data["kind"])
    standards = _standards_for(list(data["standard_ids"]), data["kind"], user)
    measured_at = data.get("measured_at") or utcnow()
    on_date = in_vn(measured_at).date()
    snapshots = [_snapshot(s, on_date) for s in standards]
    valid = all(map(within_verification, snapshots))
    judged = _judge(inspection, instrument, data, standards, valid)
    verdict = judged["verdict"]
    reading = Reading(
        uuid=str(data["uuid"]),
        inspection_id=inspection.id,
        instrument_id=instrument.id,
        kind=data["kind"],
        instrument_label=instrument_label(instrument),
        reference=judged["reference"],
        indication=data["indication"],
        unit=judged["unit"],
        direction=data.get("direction") if data["kind"] == "control" else None,
        measured_at=measured_at,
        note=(data.get("note") or "").strip(),
        error=tidy(judged["error"]),
        permitted_error=tidy(judged["permitted"]),
        **Reading.columns_from(verdict),
        rule=judged["rule"],
        state_check_rule=judged["choice"],
        indicative=reading_is_indicative(inspection, data["kind"]),
        created_by_id=user.id,
        create_digest=fingerprint,
    )
    use_standards(reading, snapshots)
    # A weight with only a calibration certificate (or none recorded) is said on the reading, never passed silently.
    certificate_notes = dict.fromkeys(filter(None, map(certificate_warning, snapshots)))
    if certificate_notes:
        reading.warnings = [*reading.warnings, *certificate_notes]
    return writes.insert(reading, fingerprint, user)


def readings_of(inspection: Inspection, *, include_voided: bool = False) -> list[Reading]:
    """What counts in the inspection's verdicts, suggestions and biên bản, with their instruments (one query for all
    of them: a flagged reading's corrected verdict needs its scale); ``include_voided`` adds the voided ones (with
    who voided them), for the pages that show them struck through."""
    query = (
        select(Reading)
        .where(Reading.inspection_id == inspection.id)
        .options(selectinload(Reading.instrument))
    )
    if include_voided:
        query = query.options(selectinload(Reading.voided_by))
    else:
        query = query.where(Reading.voided_at.is_(None))
    return list(db.session.scalars(query.order_by(Reading.id)))


# ---- readings judged with a superseded table -------------------------------------------------------------------------

REJUDGE_LOCKED = (
    "Biên bản kiểm tra đã được lập nên không chấm lại kết quả đo: biên bản đã lập không bao giờ bị sửa. "
    "Muốn áp dụng bảng mới, hãy mở lại cuộc kiểm tra để đính chính (trang biên bản, “Mở lại để đính chính”), "
    "chấm lại rồi lập biên bản thay thế."
)


def _rejudged(reading: Reading):
    """The engine's verdict on a stored control reading by the rule in force, from its stored numbers."""
    valid = all(map(within_verification, reading.standards))
    return judge_control(
        reading.instrument, reading.indication, reading.reference, reading.unit, reading.direction, valid
    )


def corrected_verdict(reading: Reading) -> dict | None:
    """For a reading judged with a superseded table, what the corrected rule gives (not stored): outcome,
    conclusion, error and permitted error in the reading's unit, rule and table; or ``refused`` with the reason.
    None for every other reading."""
    if not reading.superseded_table or reading.kind != "control":
        return None
    try:
        verdict = _rejudged(reading)
    except ShortfallRefused as refused:
        return {"refused": str(refused)}
    return {
        "outcome": verdict.outcome,
        "conclusion": verdict.conclusion,
        "error": tidy(from_grams(verdict.error, reading.unit)),
        "permitted_error": tidy(from_grams(verdict.permitted_error, reading.unit)),
        "rule": verdict.rule,
        "table_id": verdict.table_id,
        "table_version": verdict.table_version,
        "provisional": verdict.provisional,
    }


def rejudge_superseded(inspection: Inspection, user: User) -> tuple[list[Reading], list[tuple[Reading, str]]]:
    """Judge again, by the rule in force, every reading of a not-yet-issued inspection that was judged with a
    superseded table; one audit event per reading (old and new verdict) and one on the inspection, in one
    transaction. Answers (re-judged, [(not re-judged, why)]). An issued biên bản is never changed: Locked."""
    if inspection.locked:
        raise Locked(REJUDGE_LOCKED)
    flagged = [reading for reading in readings_of(inspection) if reading.superseded_table]
    if not flagged:
        raise InvalidInput({"readings": "Không có kết quả đo nào chấm theo bảng cũ cần chấm lại."})
    done: list[Reading] = []
    skipped: list[tuple[Reading, str]] = []
    for reading in flagged:
        try:
            verdict = _rejudged(reading)
        except ShortfallRefused as refused:
            skipped.append((reading, str(refused)))
            continue
        reading.error = tidy(from_grams(verdict.error, reading.unit))
        reading.permitted_error = tidy(from_grams(verdict.permitted_error, reading.unit))
        for column, value in Reading.columns_from(verdict).items():
            setattr(reading, column, value)
        reading.rule = verdict.rule
        reading.superseded_table = None
        writes.log("rejudge", reading, user, writes.changes_of(reading))
        done.append(reading)
    if done:
        writes.commit(
            "rejudge",
            inspection,
            user,
            {"readings": [None, [reading.uuid for reading in done]]},
        )
    return done, skipped
