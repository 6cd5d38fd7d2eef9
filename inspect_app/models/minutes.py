"""Biên bản kiểm tra as issued: numbered per unit per year, the exact PDF bytes kept, superseded or revoked later."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.minutes_rules import DEFAULT_MINUTES_SUFFIX, minutes_number_text
from ..domain.vocabulary import DOCUMENT_SERIES, MINUTES_STATUSES, SALUTATIONS, one_of
from ..extensions import db
from .areas import Unit
from .base import UTCDateTime
from ..domain.time import utcnow
from .inspections import Inspection
from .users import User


class MinutesCounter(db.Model):
    """The last number used by one issuing unit in one series (biên bản, quyết định, thông báo) in one year;
    incremented inside the issuing transaction. Each series is gap-free on its own."""

    __tablename__ = "minutes_counters"
    __table_args__ = (
        UniqueConstraint("unit_id", "series", "year"),
        CheckConstraint(one_of("series", DOCUMENT_SERIES), name="series"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    series: Mapped[str] = mapped_column(String(12), default="minutes", server_default="minutes")
    year: Mapped[int]
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Minutes(db.Model):
    """One issued biên bản. The PDF stored under pdf_key is what was issued; every download returns those bytes."""

    __tablename__ = "minutes"
    __table_args__ = (
        UniqueConstraint("unit_id", "year", "number"),
        CheckConstraint(one_of("status", MINUTES_STATUSES), name="status"),
        CheckConstraint("number > 0", name="number"),
        CheckConstraint(
            one_of("representative_salutation", SALUTATIONS, nullable=True), name="rep_salutation"
        ),
        CheckConstraint(one_of("witness_salutation", SALUTATIONS, nullable=True), name="witness_salutation"),
        # The list order, latest day first, for a province and for one unit.
        Index("ix_minutes_issued_on_number_id", "issued_on", "number", "id"),
        Index("ix_minutes_unit_id_issued_on_number_id", "unit_id", "issued_on", "number", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    year: Mapped[int]
    number: Mapped[int]
    # The unit's ký hiệu when this one was issued: a later change of the unit's never alters an issued number.
    number_suffix: Mapped[str] = mapped_column(String(20), default=DEFAULT_MINUTES_SUFFIX)
    # The number as issued and printed ("05/BB-KT"); those issued before two-digit numbers keep "5/BB-KT".
    number_text: Mapped[str] = mapped_column(String(40))
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    status: Mapped[str] = mapped_column(String(12), default="valid")
    issued_on: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    representative_name: Mapped[str] = mapped_column(String(120), default="")
    representative_position: Mapped[str] = mapped_column(String(120), default="")
    representative_id_number: Mapped[str] = mapped_column(String(20), default="")
    representative_statement: Mapped[str] = mapped_column(Text, default="")
    representative_salutation: Mapped[str | None] = mapped_column(String(3))
    # "Đại diện cơ sở không ký biên bản" and why (TT 28/2013 Điều 21.2.b), and who witnessed it.
    refused_to_sign: Mapped[bool] = mapped_column(default=False)
    refusal_reason: Mapped[str] = mapped_column(Text, default="")
    witness_name: Mapped[str] = mapped_column(String(120), default="")
    witness_position: Mapped[str] = mapped_column(String(160), default="")
    witness_salutation: Mapped[str | None] = mapped_column(String(3))
    # Thông báo tạm dừng: the instrument or measurement to stop using until fixed, and the deadline.
    stop_order_subject: Mapped[str] = mapped_column(Text, default="")
    stop_order_deadline: Mapped[date | None] = mapped_column(Date)
    copies: Mapped[int] = mapped_column(Integer, default=2)
    with_photos: Mapped[bool] = mapped_column(default=False)
    outcome_label: Mapped[str] = mapped_column(String(80), default="")
    pdf_key: Mapped[str] = mapped_column(String(200))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    pdf_size: Mapped[int]
    print_count: Mapped[int] = mapped_column(Integer, default=0)
    business_signature: Mapped[bytes | None] = mapped_column(LargeBinary)
    recorder_signature: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Người lập biên bản: the team member chosen at issue (not the clerk who issued it), and the name as printed.
    recorder_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("inspection_members.id", ondelete="SET NULL")
    )
    recorder_name: Mapped[str] = mapped_column(String(120), default="")
    # The team leader's signature drawn on the issue page: a PNG in the file store under signatures/<sha256>.png.
    leader_signature_sha256: Mapped[str | None] = mapped_column(String(64))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("minutes.id"))
    # Set when the record was reopened for a correction, and again when the replacement superseded it.
    change_reason: Mapped[str] = mapped_column(Text, default="")
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    inspection: Mapped[Inspection] = relationship()
    unit: Mapped[Unit] = relationship()
    issued_by: Mapped[User] = relationship(foreign_keys=[issued_by_id])
    changed_by: Mapped[User | None] = relationship(foreign_keys=[changed_by_id])
    supersedes: Mapped[Minutes | None] = relationship(remote_side="Minutes.id")

    @property
    def label(self) -> str:
        return self.number_text or minutes_number_text(self.number, self.number_suffix)
