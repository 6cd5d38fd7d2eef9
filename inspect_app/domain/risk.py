"""The risk score that ranks a unit's premises for the yearly inspection plan (kế hoạch kiểm tra năm): the formula,
on plain values.

A premise's score is the sum of the points of the factors that apply to it, each weighted by the administrator's
settings (``RiskWeights``; ``plans.settings`` stores them per province). The same formula runs in SQL for every
premise of a unit at once (``plans.risk``); a test proves both agree row by row. The factors, as far as the data has
them:

- ``last_violation``: the latest completed inspection found a violation (``Premise.last_result == "violation"``).
- ``open_fix``: a fix-by request is still open (``Premise.open_fix_deadline`` set: no later inspection yet).
- ``repeat_violation``: per completed inspection with a violation in the last ``repeat_years`` years (at most
  ``COUNT_CAP`` counted). The latest inspection counts here too: a premise that fails again and again ranks higher.
- ``complaint``: per complaint about the premise in the register received in the last ``repeat_years`` years (at
  most ``COUNT_CAP``), whatever became of it (``plans.risk.complaint_counts``).
- ``bad_stamp``: per instrument in use (not a utility's meter) whose verification stamp has expired on the day of
  the proposal, or whose expiry is unknown (no date on the stamp and none from the cycle), at most ``COUNT_CAP``.
- ``fuel_dispenser`` / ``large_scale``: the premise has a fuel dispenser / a platform scale (cân bàn) in use.
- ``high_risk_type``: the premise's type is in ``HIGH_RISK_TYPES`` (fuel stations and producers: fuel and
  pre-packaged goods; the registry records no goods category, so the type is all the data says).
- ``never_inspected``: no completed inspection ever.
- ``years_since``: per full year since the latest completed inspection (at most ``YEARS_CAP``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date

from ..tolerances.cycles import add_months
from .vocabulary import PREMISE_TYPES

__all__ = [
    "COUNT_CAP",
    "FACTORS",
    "HIGH_RISK_TYPES",
    "YEARS_CAP",
    "Reason",
    "RiskFacts",
    "RiskScore",
    "RiskWeights",
    "random_count",
    "random_draw",
    "risk_score",
    "year_thresholds",
]

COUNT_CAP = 3
YEARS_CAP = 5
HIGH_RISK_TYPES = ("fuel_station", "producer")

# Factor code → what the administrator's form calls its weight (Vietnamese), in the order reasons are listed.
FACTORS = {
    "last_violation": "Lần kiểm tra gần nhất có vi phạm",
    "open_fix": "Đang có yêu cầu khắc phục chưa kiểm tra lại",
    "repeat_violation": "Mỗi lần vi phạm trong những năm gần đây",
    "complaint": "Mỗi phản ánh về cơ sở",
    "bad_stamp": "Mỗi phương tiện đo hết hạn hoặc không rõ hạn kiểm định",
    "fuel_dispenser": "Có cột đo xăng dầu",
    "large_scale": "Có cân bàn (cân lớn)",
    "high_risk_type": "Loại cơ sở rủi ro cao (cửa hàng xăng dầu, cơ sở sản xuất)",
    "never_inspected": "Chưa từng được kiểm tra",
    "years_since": "Mỗi năm kể từ lần kiểm tra gần nhất",
}


@dataclass(frozen=True)
class RiskWeights:
    """Points per factor (0-100 each) and how many years back violations count (1-10)."""

    last_violation: int = 30
    open_fix: int = 25
    repeat_violation: int = 10
    complaint: int = 10
    bad_stamp: int = 8
    fuel_dispenser: int = 10
    large_scale: int = 5
    high_risk_type: int = 10
    never_inspected: int = 20
    years_since: int = 5
    repeat_years: int = 3

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


@dataclass(frozen=True)
class RiskFacts:
    """What the score reads of one premise (counted in SQL by ``plans.risk``)."""

    premise_type: str
    last_result: str | None = None
    open_fix: bool = False
    violations: int = 0  # completed inspections with a violation in the last ``repeat_years`` years
    complaints: int = 0
    bad_stamps: int = 0
    has_fuel_dispenser: bool = False
    has_large_scale: bool = False
    last_inspected_on: date | None = None


@dataclass(frozen=True)
class Reason:
    code: str
    text: str
    points: int

    @property
    def label(self) -> str:
        """ "Lần kiểm tra trước: có vi phạm (+30)"."""
        return f"{self.text} (+{self.points})"


@dataclass(frozen=True)
class RiskScore:
    total: int
    reasons: tuple[Reason, ...]

    @property
    def labels(self) -> list[str]:
        return [reason.label for reason in self.reasons]


def year_thresholds(on: date) -> list[date]:
    """The days 1, 2, … YEARS_CAP years before ``on``: an inspection on or before the k-th is k full years ago."""
    return [add_months(on, -12 * k) for k in range(1, YEARS_CAP + 1)]


def full_years_since(last: date, on: date) -> int:
    return sum(1 for threshold in year_thresholds(on) if last <= threshold)


def risk_score(facts: RiskFacts, weights: RiskWeights, on: date) -> RiskScore:
    """The score of one premise on the day ``on`` and the reasons that make it up (only factors giving points)."""
    reasons: list[Reason] = []

    def add(code: str, text: str, points: int) -> None:
        if points > 0:
            reasons.append(Reason(code, text, points))

    if facts.last_result == "violation":
        add("last_violation", "Lần kiểm tra trước: có vi phạm", weights.last_violation)
    if facts.open_fix:
        add("open_fix", "Đang có yêu cầu khắc phục chưa kiểm tra lại", weights.open_fix)
    violations = min(facts.violations, COUNT_CAP)
    if violations:
        add(
            "repeat_violation",
            f"Vi phạm {facts.violations} lần trong {weights.repeat_years} năm qua",
            violations * weights.repeat_violation,
        )
    complaints = min(facts.complaints, COUNT_CAP)
    if complaints:
        add("complaint", f"{facts.complaints} phản ánh về cơ sở", complaints * weights.complaint)
    stamps = min(facts.bad_stamps, COUNT_CAP)
    if stamps:
        add(
            "bad_stamp",
            f"{facts.bad_stamps} phương tiện đo hết hạn hoặc không rõ hạn kiểm định",
            stamps * weights.bad_stamp,
        )
    if facts.has_fuel_dispenser:
        add("fuel_dispenser", "Có cột đo xăng dầu", weights.fuel_dispenser)
    if facts.has_large_scale:
        add("large_scale", "Có cân bàn (cân lớn)", weights.large_scale)
    if facts.premise_type in HIGH_RISK_TYPES:
        add(
            "high_risk_type",
            f"Loại cơ sở rủi ro cao: {PREMISE_TYPES[facts.premise_type].lower()}",
            weights.high_risk_type,
        )
    if facts.last_inspected_on is None:
        add("never_inspected", "Chưa từng được kiểm tra", weights.never_inspected)
    else:
        years = full_years_since(facts.last_inspected_on, on)
        if years:
            label = f"{years} năm chưa được kiểm tra" + (" trở lên" if years >= YEARS_CAP else "")
            add("years_since", label, years * weights.years_since)
    return RiskScore(sum(reason.points for reason in reasons), tuple(reasons))


def random_count(annex_size: int, random_share: int) -> int:
    """How many premises of an annex of ``annex_size`` are drawn at random (``random_share`` %, rounded half up)."""
    return (annex_size * random_share + 50) // 100


def random_draw(candidate_ids: list[int], count: int, seed: int) -> list[int]:
    """``count`` premises drawn at random from ``candidate_ids`` (sorted by id first) with ``random.Random(seed)``:
    the same candidates and seed always give the same list, in the same order."""
    import random

    ordered = sorted(candidate_ids)
    return random.Random(seed).sample(ordered, min(count, len(ordered)))
