"""Pre-packaged lots sampled at an inspection, judged by TT 21/2014 and stored exactly. Idempotent by client
UUID, conflict-aware and locked with the inspection."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import writes
from ..domain.errors import InvalidInput, Locked
from ..extensions import db
from ..tolerances import judge_lot
from ..inspections.scope import lot_is_indicative
from ..models import Inspection, User
from ..models.metrology import PrepackagedLot, canonical_decimal
from .units import tidy

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
        mean=tidy(verdict.mean),
        std_dev=tidy(verdict.std_dev),
        tolerable_deficiency=tidy(verdict.tolerable_deficiency),
        count_beyond_t=verdict.count_beyond_t,
        count_beyond_2t=verdict.count_beyond_2t,
        **PrepackagedLot.columns_from(verdict),
        rule=verdict.rule,
        rules_broken=list(verdict.rules_broken),
        indicative=lot_is_indicative(inspection),
        created_by_id=user.id,
        create_digest=fingerprint,
    )
    return writes.insert(lot, fingerprint, user)


def lots_of(inspection: Inspection, *, include_voided: bool = False) -> list[PrepackagedLot]:
    """What counts in the inspection's verdicts, suggestions and biên bản; ``include_voided`` adds the voided ones
    (with who voided them), for the pages that show them struck through."""
    query = select(PrepackagedLot).where(PrepackagedLot.inspection_id == inspection.id)
    if include_voided:
        query = query.options(selectinload(PrepackagedLot.voided_by))
    else:
        query = query.where(PrepackagedLot.voided_at.is_(None))
    return list(db.session.scalars(query.order_by(PrepackagedLot.id)))
