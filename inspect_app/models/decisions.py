"""Quyết định kiểm tra (TT 28/2013 Mẫu 4) with its team, and the notices of Điều 21 (Mẫu 6 tạm dừng, Mẫu 7 được
tiếp tục) issued from a biên bản: drafts, then numbered per issuing unit, series and year, the PDF bytes kept."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.time import utcnow
from ..domain.vocabulary import DECISION_KINDS, DECISION_STATUSES, NOTICE_KINDS, TEAM_ROLES, one_of
from ..extensions import db
from .areas import Unit
from .base import UTCDateTime
from .inspections import Inspection
from .minutes import Minutes
from .users import User


class Decision(db.Model):
    """One decision forming an inspection team: a draft edited at the desk, then issued (numbered, PDF stored)."""

    __tablename__ = "decisions"
    __table_args__ = (
        UniqueConstraint("unit_id", "year", "number"),
        CheckConstraint(one_of("status", DECISION_STATUSES), name="status"),
        CheckConstraint(one_of("kind", DECISION_KINDS), name="kind"),
        CheckConstraint("period_from <= period_to", name="period"),
        CheckConstraint("status = 'draft' OR number > 0", name="number"),
        # The list order, newest first, for one unit.
        Index("ix_decisions_unit_id_created_at_id", "unit_id", "created_at", "id"),
        Index("ix_decisions_uuid", "uuid", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The UUID the desk's form was shown with: a draft sent twice is saved once.
    uuid: Mapped[str | None] = mapped_column(String(36))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    status: Mapped[str] = mapped_column(String(8), default="draft")
    kind: Mapped[str] = mapped_column(String(16))
    # "Về việc kiểm tra nhà nước về đo lường, ghi nhãn … tại chợ Đức Phổ" (the part after "Về việc").
    subject: Mapped[str] = mapped_column(String(500))
    # Căn cứ: one legal basis a line, printed in order.
    legal_bases: Mapped[str] = mapped_column(Text, default="")
    # "CHỦ TỊCH" or "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"; the signer's name.
    signer_title: Mapped[str] = mapped_column(String(200), default="")
    signer_name: Mapped[str] = mapped_column(String(120), default="")
    # Comma-separated codes of DECISION_SCOPE_GROUPS.
    scope_groups: Mapped[str] = mapped_column(String(80), default="")
    # The premises, market or area checked ("các cơ sở kinh doanh tại chợ Đức Phổ").
    scope_place: Mapped[str] = mapped_column(String(500), default="")
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    recipients: Mapped[str] = mapped_column(Text, default="")
    year: Mapped[int | None]
    number: Mapped[int | None]
    number_text: Mapped[str] = mapped_column(String(40), default="")
    public_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    issued_on: Mapped[date | None] = mapped_column(Date)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    pdf_key: Mapped[str] = mapped_column(String(200), default="")
    pdf_sha256: Mapped[str] = mapped_column(String(64), default="")
    pdf_size: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit] = relationship()
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    members: Mapped[list[DecisionMember]] = relationship(
        back_populates="decision", order_by="DecisionMember.position_in_team", cascade="all, delete-orphan"
    )

    @property
    def groups(self) -> list[str]:
        return [code for code in self.scope_groups.split(",") if code]

    @property
    def leader(self) -> DecisionMember | None:
        return next((m for m in self.members if m.team_role == "lead"), None)


class DecisionMember(db.Model):
    """A member of the team a decision forms, as printed in it: name, post, body, and the TĐC training certificate.

    The certificate (TT 28/2013 Điều 5.7) is kept here rather than on the account: half the team are people of other
    bodies (Công an xã, Ban quản lý chợ, Phòng Kinh tế) with no account, and an issued decision must keep printing
    the certificate it named even when the person's later records change.
    """

    __tablename__ = "decision_members"
    __table_args__ = (CheckConstraint(one_of("team_role", TEAM_ROLES), name="team_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"), index=True)
    position_in_team: Mapped[int] = mapped_column(Integer, default=0)
    team_role: Mapped[str] = mapped_column(String(10), default="member")
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[str] = mapped_column(String(120), default="")
    organisation: Mapped[str] = mapped_column(String(160), default="")
    # The member who judges measurements (thành viên kỹ thuật): also needs the certificate.
    technical: Mapped[bool] = mapped_column(default=False)
    certificate_number: Mapped[str] = mapped_column(String(60), default="")
    certificate_date: Mapped[date | None] = mapped_column(Date)

    decision: Mapped[Decision] = relationship(back_populates="members")

    @property
    def needs_certificate(self) -> bool:
        return self.team_role == "lead" or self.technical

    @property
    def has_certificate(self) -> bool:
        return bool(self.certificate_number.strip())


class Notice(db.Model):
    """Thông báo tạm dừng (stop) or được tiếp tục (resume), issued from a biên bản; numbered in its own series."""

    __tablename__ = "notices"
    __table_args__ = (
        UniqueConstraint("unit_id", "year", "number"),
        CheckConstraint(one_of("kind", NOTICE_KINDS), name="kind"),
        CheckConstraint("number > 0", name="number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("minutes.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    # What must stop (or may be used again): the instrument or the measurement.
    subject: Mapped[str] = mapped_column(Text)
    fix_deadline: Mapped[date | None] = mapped_column(Date)
    # A resume notice: the follow-up inspection that found the fix, if any.
    follow_up_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    signer_title: Mapped[str] = mapped_column(String(200), default="")
    signer_name: Mapped[str] = mapped_column(String(120), default="")
    year: Mapped[int]
    number: Mapped[int]
    number_text: Mapped[str] = mapped_column(String(40))
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    issued_on: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    pdf_key: Mapped[str] = mapped_column(String(200))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    pdf_size: Mapped[int]

    unit: Mapped[Unit] = relationship()
    minutes: Mapped[Minutes] = relationship()
    follow_up: Mapped[Inspection | None] = relationship()
    issued_by: Mapped[User] = relationship()
