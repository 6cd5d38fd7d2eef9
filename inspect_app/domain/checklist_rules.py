"""What a completed inspection owes its checklist: every item that applies answered, or marked "Không kiểm tra"
(answer ``skip``) with the reason it was not checked; and how the items not checked read in the biên bản.

Pure: items are the catalogue's (anything with ``code`` and ``question``), answers and notes are plain mappings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "NOT_CHECKED",
    "answer_errors",
    "completion_errors",
    "not_checked",
    "unanswered",
]

NOT_CHECKED = "skip"
# Shown whole up to this many items, then "và N nội dung khác".
_LISTED = 8


def answer_errors(answer: str | None, note: str | None) -> dict[str, str]:
    """An item marked "Không kiểm tra" says why: the reason is its note, and it may not be blank."""
    if answer == NOT_CHECKED and not (note or "").strip():
        return {"note": "Nội dung đánh dấu “Không kiểm tra” cần ghi lý do không kiểm tra."}
    return {}


def unanswered(items: Iterable[Any], answers: Mapping[str, str | None]) -> list[Any]:
    """The items (in catalogue order) without any answer."""
    return [item for item in items if not answers.get(item.code)]


def _listed(items: list[Any]) -> str:
    shown = "; ".join(f"{item.code} – {item.question}" for item in items[:_LISTED])
    more = len(items) - _LISTED
    return shown + (f"; và {more} nội dung khác" if more > 0 else "")


def completion_errors(items: Iterable[Any], answers: Mapping[str, str | None]) -> dict[str, str]:
    """Why an inspection cannot be completed as it stands (empty when it can): the items left blank, listed."""
    blank = unanswered(items, answers)
    if not blank:
        return {}
    return {
        "findings": f"Còn {len(blank)} nội dung chưa có kết quả: {_listed(blank)}. Trả lời từng nội dung, hoặc "
        "đánh dấu “Không kiểm tra” kèm lý do, rồi mới hoàn thành."
    }


def not_checked(
    items: Iterable[Any], answers: Mapping[str, str | None], notes: Mapping[str, str | None]
) -> list[str]:
    """The biên bản's lines for the items not checked: "NHAN-02 – question: reason". An item left blank (an
    inspection completed before the rule) is listed too, as having no result."""
    lines = []
    for item in items:
        answer = answers.get(item.code)
        if answer == NOT_CHECKED:
            reason = (notes.get(item.code) or "").strip()
            lines.append(f"{item.code} – {item.question}: {reason}" if reason else f"{item.code} – {item.question}")
        elif not answer:
            lines.append(f"{item.code} – {item.question}: không ghi kết quả")
    return lines
