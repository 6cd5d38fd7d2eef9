"""The risk score of every premise of a unit, in one SQL statement: the formula of ``domain.risk`` over the
premises' latest state (kept on write), their violations counted from completed inspections and their instruments
grouped per premise. 50,000 premises answer in one pass over each table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Integer, and_, case, func, literal, or_, select
from sqlalchemy.sql import Select

from ..domain.risk import COUNT_CAP, HIGH_RISK_TYPES, RiskFacts, RiskScore, RiskWeights, risk_score
from ..domain.risk import year_thresholds
from ..domain.time import VN_TZ
from ..domain.vocabulary import METER_TYPES
from ..models import Complaint, Inspection, Instrument, Premise
from ..premises.state import COMPLETED_STATUSES, inspection_has_violation, stamp_expiry_expression
from ..tolerances.cycles import add_months

__all__ = ["ScoredPremise", "complaint_counts", "facts_of", "scored_premises"]


def complaint_counts(unit_id: int, since: date, on: date):
    """SQL subquery (premise_id, n): the complaints (phản ánh) of the unit's register about each premise received
    from ``since`` to ``on``, whatever became of them (one that proved unfounded still says where people look)."""
    return (
        select(Complaint.premise_id.label("premise_id"), func.count().label("n"))
        .where(
            Complaint.unit_id == unit_id,
            Complaint.premise_id.is_not(None),
            Complaint.received_on >= since,
            Complaint.received_on <= on,
        )
        .group_by(Complaint.premise_id)
        .subquery()
    )


def _start_of(day: date) -> datetime:
    """The first instant of a Việt Nam day, as the aware datetime the inspections' ``started_at`` compares with."""
    return datetime.combine(day, time(0), tzinfo=VN_TZ)


def _capped(count):
    return case((count > COUNT_CAP, COUNT_CAP), else_=count)


def _if(condition, points: int):
    return case((condition, literal(points, Integer)), else_=literal(0, Integer))


def scored_premises(unit_id: int, weights: RiskWeights, on: date) -> Select:
    """SELECT every active premise of the unit with its risk facts and score on the day ``on``, highest score first
    (then by id). Add a LIMIT, an OFFSET or a filter on ``Premise.id`` as needed."""
    since = _start_of(add_months(on, -12 * weights.repeat_years))
    until = _start_of(on + timedelta(days=1))
    violations = (
        select(Inspection.premise_id.label("premise_id"), func.count().label("n"))
        .where(
            Inspection.unit_id == unit_id,
            Inspection.status.in_(COMPLETED_STATUSES),
            Inspection.started_at >= since,
            Inspection.started_at < until,
            inspection_has_violation(Inspection.id),
        )
        .group_by(Inspection.premise_id)
        .subquery()
    )
    expiry = stamp_expiry_expression()
    instruments = (
        select(
            Instrument.premise_id.label("premise_id"),
            func.sum(_if(or_(expiry.is_(None), expiry < on), 1)).label("bad"),
            func.max(_if(Instrument.instrument_type == "fuel_dispenser", 1)).label("fuel"),
            func.max(_if(Instrument.instrument_type == "platform_scale", 1)).label("large"),
        )
        .where(
            Instrument.unit_id == unit_id,
            Instrument.in_use.is_(True),
            Instrument.instrument_type.not_in(METER_TYPES),
        )
        .group_by(Instrument.premise_id)
        .subquery()
    )
    n_violations = func.coalesce(violations.c.n, 0)
    complaints = complaint_counts(unit_id, add_months(on, -12 * weights.repeat_years), on)
    n_complaints = func.coalesce(complaints.c.n, 0)
    n_bad = func.coalesce(instruments.c.bad, 0)
    fuel = func.coalesce(instruments.c.fuel, 0)
    large = func.coalesce(instruments.c.large, 0)
    years = sum(
        (
            _if(Premise.last_inspected_on <= threshold, weights.years_since)
            for threshold in year_thresholds(on)
        ),
        literal(0, Integer),
    )
    score = (
        _if(Premise.last_result == "violation", weights.last_violation)
        + _if(Premise.open_fix_deadline.is_not(None), weights.open_fix)
        + _capped(n_violations) * weights.repeat_violation
        + _capped(n_complaints) * weights.complaint
        + _capped(n_bad) * weights.bad_stamp
        + _if(fuel == 1, weights.fuel_dispenser)
        + _if(large == 1, weights.large_scale)
        + _if(Premise.premise_type.in_(HIGH_RISK_TYPES), weights.high_risk_type)
        + case(
            (Premise.last_inspected_on.is_(None), literal(weights.never_inspected, Integer)),
            else_=years,
        )
    ).label("score")
    return (
        select(
            Premise.id,
            Premise.name,
            Premise.address,
            Premise.premise_type,
            Premise.last_result,
            Premise.open_fix_deadline.is_not(None).label("open_fix"),
            n_violations.label("violations"),
            n_complaints.label("complaints"),
            n_bad.label("bad_stamps"),
            fuel.label("fuel"),
            large.label("large"),
            Premise.last_inspected_on,
            score,
        )
        .outerjoin(violations, violations.c.premise_id == Premise.id)
        .outerjoin(instruments, instruments.c.premise_id == Premise.id)
        .outerjoin(complaints, complaints.c.premise_id == Premise.id)
        .where(and_(Premise.unit_id == unit_id, Premise.status == "active"))
        .order_by(score.desc(), Premise.id)
    )


def facts_of(row) -> RiskFacts:
    return RiskFacts(
        premise_type=row.premise_type,
        last_result=row.last_result,
        open_fix=bool(row.open_fix),
        violations=int(row.violations),
        complaints=int(row.complaints),
        bad_stamps=int(row.bad_stamps),
        has_fuel_dispenser=bool(row.fuel),
        has_large_scale=bool(row.large),
        last_inspected_on=row.last_inspected_on,
    )


@dataclass(frozen=True)
class ScoredPremise:
    """One row of ``scored_premises`` with its reasons explained (``domain.risk.risk_score`` on its facts)."""

    id: int
    name: str
    address: str
    premise_type: str
    score: int  # as SQL computed it
    explained: RiskScore

    @classmethod
    def of(cls, row, weights: RiskWeights, on: date) -> ScoredPremise:
        return cls(
            row.id,
            row.name,
            row.address,
            row.premise_type,
            int(row.score),
            risk_score(facts_of(row), weights, on),
        )
