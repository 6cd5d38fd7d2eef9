"""Who may conclude on what: a result outside the team's competence is recorded, but only as indicative.

TT 28/2013/TT-BKHCN (as amended by TT 10/2022/TT-BKHCN) Điều 18–19: a commune-only team concludes on an instrument's
verification status, on measurements (phép đo, TT 09/2017) and on how the quantity is written on pre-packaged goods;
the instrument's own error, the actual net quantity of a lot and fuel-dispenser checks are the Sở KH&CN's. Without
someone from the Sở in the team such a result is "sơ bộ" (indicative): shown, printed, never counted as a violation.
Counterfeit goods and goods of unknown origin (NĐ 98/2020/NĐ-CP) are for Quản lý thị trường: the team refers them.
"""

from __future__ import annotations

from .vocabulary import DECISION_SCOPES

__all__ = ["INDICATIVE_LABEL", "REFERRAL_LABEL", "indicative_note", "is_indicative"]

INDICATIVE_LABEL = "Sơ bộ"
REFERRAL_LABEL = "Chuyển cơ quan có thẩm quyền"

_NOTES = {
    "province": "Kết quả sơ bộ: đoàn kiểm tra không có cán bộ Sở Khoa học và Công nghệ nên không kết luận vi phạm.",
    "referral": "Chuyển cơ quan có thẩm quyền xem xét; không phải kết luận vi phạm của đoàn kiểm tra.",
}


def is_indicative(scope: str, province_in_team: bool) -> bool:
    """Whether a result under ``scope`` (a DECISION_SCOPES code) is only indicative for this team."""
    if scope not in DECISION_SCOPES:
        raise ValueError(f"unknown decision scope {scope!r}")
    if scope == "referral":
        return True
    return scope == "province" and not province_in_team


def indicative_note(scope: str) -> str:
    """Why a result under ``scope`` is not the team's conclusion (Vietnamese, for screen and print)."""
    return _NOTES.get(scope, "")


def marked_indicative(finding, scope: str) -> bool:
    """Whether a finding is shown with its "sơ bộ" / "chuyển cơ quan có thẩm quyền" mark: an indicative answer,
    but a referral item only when it failed (a passed one refers nothing) and never a "không áp dụng"."""
    if not finding.indicative or finding.answer == "na":
        return False
    return scope != "referral" or finding.answer == "fail"
