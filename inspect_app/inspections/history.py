"""An inspection's history for the desk: every audit event of the inspection and of its findings, photos, readings,
lots, meter checks and biên bản, oldest first, each told as when, who, what was done to which record, the fields
that changed (old → new) and the reason given. Read in a fixed number of statements, whatever the number of events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, false, or_, select

from ..checklists import load_catalogue
from ..documents.vn_format import format_vn_decimal
from ..domain.time import local_time
from ..domain.vocabulary import (
    ANSWERS,
    HANDLING,
    INSPECTION_KINDS,
    INSPECTION_STATUSES,
    MINUTES_STATUSES,
    OUTCOMES,
    REFERRAL_BODIES,
    audit_action_label,
)
from ..extensions import db
from ..models import AuditEvent, Inspection, User

# The fields a person changes, as the history names them; other columns (ids, digests, timestamps) are not shown.
FIELD_LABELS = {
    "answer": "Kết quả",
    "note": "Ghi chú",
    "affected_count": "Số lượng không đạt",
    "status": "Trạng thái",
    "outcome": "Kết quả",
    "kind": "Hình thức",
    "basis": "Căn cứ",
    "decision_number": "Số quyết định kiểm tra",
    "decision_date": "Ngày quyết định",
    "decision_signer": "Người ký quyết định",
    "started_at": "Bắt đầu",
    "ended_at": "Kết thúc",
    "fix_deadline": "Hạn khắc phục",
    "referral_body": "Cơ quan được chuyển",
    "handling_note": "Ghi chú xử lý",
    "team": "Đoàn kiểm tra",
    "province_in_team": "Có cán bộ Sở Khoa học và Công nghệ",
    "number": "Số biên bản",
    "print_count": "Số lần in",
    "caption": "Chú thích ảnh",
    "permitted_error": "Sai số cho phép",
    "rule": "Căn cứ chấm",
}
# The reason of a void, a correction, a reopening or a revocation.
REASON_FIELDS = ("reason", "void_reason")
DECIMAL_FIELDS = {"permitted_error"}
# record type → the words each coded field's values stand for.
VALUE_LABELS = {
    "inspections": {
        "status": INSPECTION_STATUSES,
        "outcome": HANDLING,
        "kind": INSPECTION_KINDS,
        "referral_body": REFERRAL_BODIES,
    },
    "findings": {"answer": ANSWERS},
    "readings": {"outcome": OUTCOMES},
    "prepackaged_lots": {"outcome": OUTCOMES},
    "minutes": {"status": MINUTES_STATUSES},
}


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class Entry:
    at: datetime
    actor: str
    action: str
    subject: str
    changes: tuple[Change, ...]
    reason: str


def _text(value, field: str, labels: dict[str, dict[str, str]]) -> str:
    if value is None or value == "" or value == []:
        return "(trống)"
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    if field in labels:
        return labels[field].get(value, str(value))
    if field in DECIMAL_FIELDS:
        return format_vn_decimal(str(value))
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-":
        try:
            if len(value) == 10:
                return f"{date.fromisoformat(value):%d/%m/%Y}"
            return local_time(datetime.fromisoformat(value))
        except ValueError:
            pass
    return str(value)


def _changes(record_type: str, changes: dict) -> tuple[tuple[Change, ...], str]:
    labels = VALUE_LABELS.get(record_type, {})
    shown = tuple(
        Change(FIELD_LABELS[field], _text(old, field, labels), _text(new, field, labels))
        for field, (old, new) in changes.items()
        if field in FIELD_LABELS
    )
    reason = next((changes[field][1] for field in REASON_FIELDS if field in changes), "") or ""
    return shown, reason


def _subjects(inspection: Inspection) -> dict[tuple[str, int], str]:
    """(record type, id) → how the history names each record of the inspection."""
    from .. import measurements
    from ..minutes.service import minutes_of

    catalogue = load_catalogue(inspection.catalogue_version)
    subjects = {("inspections", inspection.id): "Cuộc kiểm tra"}
    for finding in inspection.findings:
        item = catalogue.get(finding.item_code)
        question = item.question if item else finding.item_code
        subjects["findings", finding.id] = f"Nội dung {finding.item_code}: {question}"
    for photo in inspection.photos:
        subjects["photos", photo.id] = f"Ảnh {photo.caption or photo.item_code or ''}".strip()
    for reading in measurements.readings_of(inspection, include_voided=True):
        unit = reading.unit
        subjects["readings", reading.id] = (
            f"Phép đo {reading.instrument_label}: chuẩn {format_vn_decimal(reading.reference)} {unit}, "
            f"số chỉ {format_vn_decimal(reading.indication)} {unit}"
        )
    for lot in measurements.lots_of(inspection, include_voided=True):
        subjects["prepackaged_lots", lot.id] = (
            f"Lô hàng đóng gói sẵn {lot.product} ({format_vn_decimal(lot.nominal)} {lot.unit})"
        )
    for check in measurements.meter_checks_of(inspection):
        subjects["meter_checks", check.id] = f"Kiểm tra {check.meter_label}"
    for minutes in minutes_of(inspection):
        subjects["minutes", minutes.id] = f"Biên bản số {minutes.label}"
    return subjects


def inspection_history(inspection: Inspection) -> list[Entry]:
    """Every event of the inspection and its records, oldest first (the inspection came through the scoping door,
    and so did its records)."""
    subjects = _subjects(inspection)
    by_type: dict[str, list[int]] = {}
    for record_type, record_id in subjects:
        by_type.setdefault(record_type, []).append(record_id)
    condition = or_(
        false(),
        *(
            and_(AuditEvent.record_type == record_type, AuditEvent.record_id.in_(ids))
            for record_type, ids in by_type.items()
        ),
    )
    rows = db.session.execute(
        select(AuditEvent, User.full_name)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(condition)
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    ).all()
    entries = []
    for event, actor in rows:
        changes, reason = _changes(event.record_type, event.changes or {})
        entries.append(
            Entry(
                at=event.occurred_at,
                actor=actor or "",
                action=audit_action_label(event.action, event.record_type),
                subject=subjects[event.record_type, event.record_id],
                changes=changes,
                reason=reason,
            )
        )
    return entries
