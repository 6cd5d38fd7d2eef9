"""Rules of the complaints register (phản ánh, kiến nghị), on plain values: what is overdue, what a closed complaint
says, and what text a public form accepts."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from .vocabulary import COMPLAINT_OPEN_STATUSES

__all__ = ["CONTENT_MAX", "is_open", "is_overdue", "status_after", "text_problem"]

# The longest complaint text a form takes (a page of A4, more than any complaint needs).
CONTENT_MAX = 4000
# Control characters a person never types (C0 but tab and newlines, DEL, C1); NUL among them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def is_open(status: str) -> bool:
    return status in COMPLAINT_OPEN_STATUSES


def is_overdue(status: str, deadline: date | None, today: date) -> bool:
    """Quá hạn: past its deadline and not closed."""
    return deadline is not None and is_open(status) and deadline < today


def status_after(resolution: str) -> str:
    """The status a resolution closes a complaint with: a referral says it is not the commune's to decide."""
    return "referred" if resolution == "referral" else "resolved"


def text_problem(text: str | None, *, max_length: int, what: str, required: bool = True) -> str | None:
    """Why a typed text is refused (Vietnamese), or None when it is acceptable."""
    text = text or ""
    if _CONTROL.search(text):
        return f"{what} chứa ký tự không hợp lệ."
    normalised = unicodedata.normalize("NFC", text).strip()
    if required and not normalised:
        return f"Vui lòng nhập {what.lower()}."
    if len(normalised) > max_length:
        return f"{what} dài quá {max_length} ký tự."
    return None
