"""Inspections (cuộc kiểm tra), their team, findings per checklist item, and photos."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.vocabulary import (
    ANSWERS,
    INSPECTION_KINDS,
    INSPECTION_STATUSES,
    SALUTATIONS,
    TALLY_NAMES,
    TEAM_ROLES,
    one_of,
)
from ..extensions import db
from .areas import Unit
from .complaints import Complaint
from .base import ClientRecord, StoredImage, TeamConclusion, Timestamped, UTCDateTime
from .premises import Premise
from .users import User


class Inspection(ClientRecord, Timestamped, db.Model):
    """One visit to one premise. The phone creates it with its own UUID so a resend never makes a second copy."""

    __tablename__ = "inspections"
    __table_args__ = (
        CheckConstraint(one_of("status", INSPECTION_STATUSES), name="status"),
        CheckConstraint(one_of("kind", INSPECTION_KINDS), name="kind"),
        CheckConstraint("gps_accuracy_m IS NULL OR gps_accuracy_m >= 0", name="gps_accuracy"),
        CheckConstraint(
            "gps_latitude IS NULL OR (gps_latitude >= -90 AND gps_latitude <= 90)", name="gps_latitude"
        ),
        CheckConstraint(
            "gps_longitude IS NULL OR (gps_longitude >= -180 AND gps_longitude <= 180)", name="gps_longitude"
        ),
        # The list order, newest first, for a province and for one unit.
        Index("ix_inspections_started_at_id", "started_at", "id"),
        Index("ix_inspections_unit_id_started_at_id", "unit_id", "started_at", "id"),
        # The inspections of units in a period with what the dashboard and the yearly report count of them (status,
        # kind, handling, referral, fix-by date, premise), read from the index alone (supervision.dashboard): a
        # province's year without a read of its 100,000 rows.
        Index(
            "ix_inspections_period_status",
            "unit_id",
            "started_at",
            "status",
            "kind",
            "outcome",
            "referral_body",
            "fix_deadline",
            "premise_id",
            "id",
        ),
        # A premise's inspections, newest first: its page, and its latest state (premises.state).
        Index("ix_inspections_premise_id_started_at_id", "premise_id", "started_at", "id"),
        # The map's GPS mismatch layer: flagged fixes by position (supervision.queries.gps_mismatches).
        Index(
            "ix_inspections_gps_flagged",
            "gps_latitude",
            "gps_longitude",
            sqlite_where=text("gps_flags <> ''"),
            postgresql_where=text("gps_flags <> ''"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    premise_id: Mapped[int] = mapped_column(ForeignKey("premises.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    basis: Mapped[str] = mapped_column(String(300), default="")
    # The decision that formed the team (Quyết định kiểm tra): "12/QĐ-UBND", its date, who signed it.
    decision_number: Mapped[str] = mapped_column(String(40), default="")
    decision_date: Mapped[date | None] = mapped_column(Date)
    decision_signer: Mapped[str] = mapped_column(String(200), default="")
    # The issued decision of the app this inspection was done under; its number, date and signer are copied into
    # the three fields above so every list, export and biên bản reads them in one place.
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    catalogue_version: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str | None] = mapped_column(String(20))
    fix_deadline: Mapped[date | None] = mapped_column(Date)
    referral_body: Mapped[str | None] = mapped_column(String(20))
    handling_note: Mapped[str] = mapped_column(Text, default="")
    # Someone from the Sở KH&CN (Chi cục TĐC) is in the team: only then are its Sở-only results conclusions
    # rather than "sơ bộ" (TT 28/2013 Điều 19; see domain.scope).
    province_in_team: Mapped[bool] = mapped_column(default=False)
    follows_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id"), index=True)
    # The complaint this inspection answers (kind "complaint", theo phản ánh).
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"), index=True)
    gps_latitude: Mapped[float | None]
    gps_longitude: Mapped[float | None]
    gps_accuracy_m: Mapped[float | None]
    gps_distance_m: Mapped[float | None]
    # Comma-separated flags: poor_accuracy, far_from_premise, no_fix, premise_without_location.
    gps_flags: Mapped[str] = mapped_column(String(120), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    unit: Mapped[Unit] = relationship()
    premise: Mapped[Premise] = relationship()
    created_by: Mapped[User] = relationship()
    follows: Mapped[Inspection | None] = relationship(remote_side="Inspection.id")
    complaint: Mapped[Complaint | None] = relationship()
    decision: Mapped[Decision | None] = relationship()  # noqa: F821 (models.decisions)
    members: Mapped[list[InspectionMember]] = relationship(
        back_populates="inspection",
        order_by="InspectionMember.position_in_team",
        cascade="all, delete-orphan",
    )
    findings: Mapped[list[Finding]] = relationship(back_populates="inspection", order_by="Finding.id")
    photos: Mapped[list[Photo]] = relationship(back_populates="inspection", order_by="Photo.id")

    @property
    def flags(self) -> list[str]:
        return [flag for flag in self.gps_flags.split(",") if flag]

    @property
    def locked(self) -> bool:
        return self.status == "minutes_issued"


class InspectionMember(db.Model):
    """A member of the inspection team: an account, or a person from another body (Công an, Quản lý thị trường)."""

    __tablename__ = "inspection_members"
    __table_args__ = (
        CheckConstraint("user_id IS NOT NULL OR name <> ''", name="who"),
        CheckConstraint(one_of("team_role", TEAM_ROLES), name="team_role"),
        CheckConstraint(one_of("salutation", SALUTATIONS, nullable=True), name="salutation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"), index=True)
    # Indexed for the filters by inspector (the map, the dashboard).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    position: Mapped[str] = mapped_column(String(120), default="")
    organisation: Mapped[str] = mapped_column(String(160), default="")
    # For a person without an account; a colleague's account says it (a value here wins over it).
    salutation: Mapped[str | None] = mapped_column(String(3))
    team_role: Mapped[str] = mapped_column(String(10), default="member")
    position_in_team: Mapped[int] = mapped_column(Integer, default=0)

    inspection: Mapped[Inspection] = relationship(back_populates="members")
    user: Mapped[User | None] = relationship()

    @property
    def display_name(self) -> str:
        return self.user.full_name if self.user else self.name

    @property
    def salutation_code(self) -> str | None:
        return self.salutation or (self.user.salutation if self.user else None)


class InspectionTally(db.Model):
    """One inspection's results added up, kept on write (``inspections.tallies``): one count per name of
    ``TALLY_NAMES``, e.g. ``control_failed``, its control measurements that count as a violation."""

    __table__ = Table(
        "inspection_tallies",
        db.metadata,
        Column("inspection_id", Integer, ForeignKey("inspections.id", ondelete="CASCADE"), primary_key=True),
        *(Column(name, Integer, nullable=False, default=0, server_default="0") for name in TALLY_NAMES),
    )


class InspectionInstrument(db.Model):
    """An instrument one inspection tested (a reading in force of it), once, with ``failed`` true when one of those
    readings counts as a violation: kept on write with the tallies (``inspections.tallies``), so a year's instruments
    tested are counted from a few rows per inspection instead of every reading."""

    __tablename__ = "inspection_instruments"
    # A year's instruments, each once, grouped in index order without a sort (supervision.dashboard).
    __table_args__ = (
        Index("ix_inspection_instruments_instrument_id", "instrument_id", "inspection_id", "failed"),
    )

    inspection_id: Mapped[int] = mapped_column(
        ForeignKey("inspections.id", ondelete="CASCADE"), primary_key=True
    )
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id"), primary_key=True)
    failed: Mapped[bool]


class InspectionStandard(db.Model):
    """A reference standard one inspection's readings in force used, once, with ``outside_verification`` true when
    one of those uses was outside its verification on the day: kept on write with the tallies."""

    __tablename__ = "inspection_standards"
    __table_args__ = (
        Index("ix_inspection_standards_standard_id", "standard_id", "inspection_id", "outside_verification"),
    )

    inspection_id: Mapped[int] = mapped_column(
        ForeignKey("inspections.id", ondelete="CASCADE"), primary_key=True
    )
    standard_id: Mapped[int] = mapped_column(ForeignKey("reference_standards.id"), primary_key=True)
    outside_verification: Mapped[bool]


class Finding(ClientRecord, Timestamped, TeamConclusion, db.Model):
    """The answer to one checklist item in one inspection: đạt / không đạt / không áp dụng, a note, a count."""

    verdict_column = "answer"

    __tablename__ = "findings"
    __table_args__ = (
        UniqueConstraint("inspection_id", "item_code"),
        CheckConstraint(one_of("answer", ANSWERS), name="answer"),
        # The filters by checklist group and result (the map, the dashboard): the answers of a group's items,
        # found without reading the findings themselves.
        Index("ix_findings_answer_item_code", "answer", "item_code", "indicative", "inspection_id"),
        CheckConstraint("affected_count IS NULL OR affected_count >= 0", name="affected_count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"), index=True)
    item_code: Mapped[str] = mapped_column(String(20))
    answer: Mapped[str] = mapped_column(String(4))
    note: Mapped[str] = mapped_column(Text, default="")
    affected_count: Mapped[int | None]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    inspection: Mapped[Inspection] = relationship(back_populates="findings")


class Photo(StoredImage, db.Model):
    """A photo of an inspection (a label, a stamp, a price board), stored as a normalised JPEG plus a thumbnail."""

    __tablename__ = "photos"
    owner_column = "inspection_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"), index=True)
    item_code: Mapped[str | None] = mapped_column(String(20))

    inspection: Mapped[Inspection] = relationship(back_populates="photos")
