"""Voiding (hủy) a reading or a pre-packaged lot before the biên bản is issued, with a reason.

The record is kept: it is shown struck through with who voided it, when and why, and from then on it counts in no
verdict, suggestion or biên bản (``readings_of`` and ``lots_of`` leave it out unless asked). Voiding twice answers
the stored record unchanged. Once the biên bản is issued the inspection is locked: a mistake is then corrected by
reopening it for a correction and issuing a replacement biên bản.
"""

from __future__ import annotations

from sqlalchemy.orm.exc import StaleDataError

from .. import writes
from ..access import can
from ..domain.corrections import clean_reason
from ..domain.errors import Conflict, Locked
from ..domain.time import utcnow
from ..extensions import db
from ..models import User
from ..models.metrology import PrepackagedLot, Reading


class VoidLocked(Locked):
    """The biên bản is issued: the reading or lot stays as it is."""

    message = (
        "Biên bản kiểm tra đã được lập nên không hủy được kết quả này. Muốn sửa, hãy mở biên bản, chọn "
        "“Đính chính (lập biên bản thay thế)” để mở lại cuộc kiểm tra, hủy kết quả rồi lập biên bản thay thế."
    )


def may_void(record: Reading | PrepackagedLot, user: User) -> bool:
    """The person who recorded it, or staff, a supervisor or an administrator whose scope holds it (the caller
    found the record through the scoping door)."""
    if can("measurement.void_any", user):
        return True
    return can("measurement.void", user) and record.created_by_id == user.id


def void_record(record: Reading | PrepackagedLot, reason: object, user: User) -> Reading | PrepackagedLot:
    """Void a reading or lot with a reason (audited as "void"); an already voided one is answered unchanged."""
    if record.voided:
        return record
    if record.inspection.locked:
        raise VoidLocked()
    record.void_reason = clean_reason(reason)
    record.voided_at = utcnow()
    record.voided_by_id = user.id
    try:
        return writes.commit("void", record, user, writes.changes_of(record))
    except (StaleDataError, writes.StaleWrite):
        # Voided (or changed) by someone else in the meantime: answer what is stored now.
        db.session.rollback()
        db.session.refresh(record)
        if record.voided:
            return record
        raise Conflict(writes.STALE_MESSAGE, record) from None
