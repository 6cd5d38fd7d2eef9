"""The yearly inspection plan of a commune-level unit (kế hoạch kiểm tra năm) and its annex: the premises chosen,
each with why (risk score and reasons, a random draw, or added by staff) and who added or removed it, when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.time import utcnow
from ..domain.vocabulary import PLAN_SOURCES, PLAN_STATUSES, one_of
from ..extensions import db
from .areas import Unit
from .base import Timestamped, UTCDateTime
from .premises import Premise
from .users import User


class Plan(Timestamped, db.Model):
    """Kế hoạch kiểm tra nhà nước về đo lường, ghi nhãn, niêm yết giá, chất lượng of one unit for one year.

    ``targets`` holds how many inspections are planned by kind and by group ({"kinds": {code: n}, "groups": {code:
    n}}), ``schedule`` what is done when ({"Q1": text, …}), ``standard_ids`` the unit's reference standards the plan
    will use. The annex is proposed from the risk scores plus a random share drawn with ``seed`` (recorded, so the
    draw can be repeated exactly: ``plans.service.random_draw``), then edited by staff until the plan is approved.
    """

    __tablename__ = "plans"
    __table_args__ = (
        UniqueConstraint("unit_id", "year"),
        CheckConstraint(one_of("status", PLAN_STATUSES), name="status"),
        CheckConstraint("year >= 2000 AND year <= 2100", name="year"),
        CheckConstraint("random_share >= 0 AND random_share <= 100", name="random_share"),
        CheckConstraint("annex_size >= 0", name="annex_size"),
        Index("ix_plans_uuid", "uuid", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The UUID the desk's form was shown with: "Tạo kế hoạch" sent twice lands on the one plan.
    uuid: Mapped[str | None] = mapped_column(String(36))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    year: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), default="draft")
    # The plan's own number ("12/KH-UBND", given by the commune's văn thư) and its date, typed in.
    number: Mapped[str] = mapped_column(String(40), default="")
    title: Mapped[str] = mapped_column(String(500), default="")
    purpose: Mapped[str] = mapped_column(Text, default="")
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    scope_groups: Mapped[list] = mapped_column(JSON, default=list)
    targets: Mapped[dict] = mapped_column(JSON, default=dict)
    schedule: Mapped[dict] = mapped_column(JSON, default=dict)
    team: Mapped[str] = mapped_column(Text, default="")
    partners: Mapped[str] = mapped_column(Text, default="")
    standard_ids: Mapped[list] = mapped_column(JSON, default=list)
    signer_title: Mapped[str] = mapped_column(String(200), default="")
    signer_name: Mapped[str] = mapped_column(String(120), default="")
    # The proposal: how many premises the annex should hold, the share drawn at random (%), the seed of the draw.
    annex_size: Mapped[int] = mapped_column(Integer, default=20)
    random_share: Mapped[int] = mapped_column(Integer, default=15)
    seed: Mapped[int | None] = mapped_column(Integer)
    proposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    consulted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    unit: Mapped[Unit] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"


class PlanPremise(db.Model):
    """A premise in a plan's annex. Removing it keeps the row (``removed_at``, by whom, why): the annex shows what
    was proposed, added and removed, and the audit log has one event for each."""

    __tablename__ = "plan_premises"
    __table_args__ = (
        UniqueConstraint("plan_id", "premise_id"),
        CheckConstraint(one_of("source", PLAN_SOURCES), name="source"),
        Index("ix_plan_premises_premise_id", "premise_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    premise_id: Mapped[int] = mapped_column(ForeignKey("premises.id"))
    source: Mapped[str] = mapped_column(String(8))
    # The score and its reasons on the day the premise was added ([{"code", "text", "points"}]).
    score: Mapped[int | None]
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(String(300), default="")
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    remove_reason: Mapped[str] = mapped_column(String(300), default="")

    plan: Mapped[Plan] = relationship()
    premise: Mapped[Premise] = relationship()
    added_by: Mapped[User] = relationship(foreign_keys=[added_by_id])
    removed_by: Mapped[User | None] = relationship(foreign_keys=[removed_by_id])

    @property
    def active(self) -> bool:
        return self.removed_at is None
