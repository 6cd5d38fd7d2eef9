"""Correcting what was recorded: the reason every void and every correction at the desk carries, and a finding's
corrected values, checked the same way whoever corrects them. Pure: no Flask, no database."""

from __future__ import annotations

from .checklist_rules import answer_errors
from .errors import InvalidInput
from .text import nfc
from .vocabulary import ANSWERS

REASON_MIN = 5
REASON_MAX = 500
NOTE_MAX = 2000
# The largest count an INTEGER column holds.
COUNT_MAX = 2**31 - 1


def clean_reason(reason: object, verb: str = "hủy") -> str:
    """The reason, trimmed and NFC; ``verb`` names the act in the message ("hủy", "sửa")."""
    text = nfc(str(reason or ""))
    if not text:
        raise InvalidInput({"reason": f"Cần ghi lý do {verb} kết quả."})
    if len(text) < REASON_MIN:
        raise InvalidInput({"reason": f"Lý do {verb} quá ngắn: cần ít nhất {REASON_MIN} ký tự."})
    if len(text) > REASON_MAX:
        raise InvalidInput({"reason": f"Lý do {verb} dài quá {REASON_MAX} ký tự."})
    return text


def corrected_finding(answer: object, note: object, affected_count: object, reason: object) -> dict:
    """A finding's answer, note and count as corrected, with the reason: every mistake at once (InvalidInput).

    The count says how many were wrong, so it is kept only with "Không đạt" (as on the phone)."""
    errors = {}
    if answer not in ANSWERS:
        errors["answer"] = f"Cần chọn kết quả: {', '.join(ANSWERS.values())}."
    note = nfc(str(note or ""))
    if len(note) > NOTE_MAX:
        errors["note"] = f"Ghi chú dài quá {NOTE_MAX} ký tự."
    errors |= answer_errors(answer, note)
    count = None
    raw = str(affected_count if affected_count is not None else "").strip()
    if raw:
        if not raw.isdigit():
            errors["affected_count"] = "Số lượng không đạt phải là số nguyên không âm, ví dụ 2."
        elif int(raw) > COUNT_MAX:
            errors["affected_count"] = "Số lượng không đạt quá lớn."
        else:
            count = int(raw)
    try:
        reason = clean_reason(reason, "sửa")
    except InvalidInput as error:
        errors |= error.errors
    if errors:
        raise InvalidInput(errors)
    return {
        "answer": answer,
        "note": note,
        "affected_count": count if answer == "fail" else None,
        "reason": reason,
    }
