"""Which handling (hình thức xử lý) the checklist's failures suggest, for the person concluding an inspection.

Only a failure the team may conclude on is a violation and suggests its item's own handling (nhắc nhở, yêu cầu khắc
phục, lập biên bản vi phạm). A "sơ bộ" failure (the Sở's to conclude, and no one from the Sở in the team) and a
failure that belongs to another body (the item is handled by a referral, or its scope is "referral") are not the
team's violations: together they suggest one thing, a referral to the competent body. Nothing failed suggests
"Đạt". The phone's finish screen applies the same rule (static/field/handling.js).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .vocabulary import HANDLING

__all__ = ["Failure", "HandlingSuggestion", "suggested_handling"]

REFERRAL = "referral"


@dataclass(frozen=True)
class Failure:
    """A failed checklist item: the handling its catalogue suggests, and whether the result is only indicative
    (sơ bộ, or another body's to conclude) for this team."""

    handling: str
    indicative: bool = False


@dataclass(frozen=True)
class HandlingSuggestion:
    """The suggested handling codes in the order of HANDLING, with what they come from."""

    codes: tuple[str, ...]
    violations: int  # failures that are the team's violations
    referred: int  # failures that go to the competent body instead (sơ bộ or another body's)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(HANDLING[code] for code in self.codes)

    @property
    def basis(self) -> str:
        """What the suggestion comes from: "2 vi phạm; 1 kết quả sơ bộ hoặc thuộc cơ quan khác, …"."""
        if not self.violations and not self.referred:
            return "không có nội dung không đạt"
        parts = [f"{self.violations} vi phạm"] if self.violations else []
        if self.referred:
            parts.append(
                f"{self.referred} kết quả sơ bộ hoặc thuộc cơ quan khác, chuyển cơ quan có thẩm quyền"
            )
        return "; ".join(parts)


def suggested_handling(failures: Iterable[Failure]) -> HandlingSuggestion:
    """What the failures suggest: each violation's handling, a referral for the rest, "pass" when none failed."""
    codes: set[str] = set()
    violations = referred = 0
    for failure in failures:
        if failure.handling not in HANDLING or failure.handling == "pass":
            raise ValueError(f"unknown handling of a failed item: {failure.handling!r}")
        if failure.indicative or failure.handling == REFERRAL:
            referred += 1
            codes.add(REFERRAL)
        else:
            violations += 1
            codes.add(failure.handling)
    if not codes:
        codes.add("pass")
    return HandlingSuggestion(tuple(code for code in HANDLING if code in codes), violations, referred)
