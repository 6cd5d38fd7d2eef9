"""Complaints (phản ánh, kiến nghị) of a commune: received, assigned, handled, closed, and the complainant told."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.vocabulary import (
    COMPLAINT_CHANNELS,
    COMPLAINT_REFERRAL_BODIES,
    COMPLAINT_RESOLUTIONS,
    COMPLAINT_STATUSES,
    COMPLAINT_SUBJECTS,
    one_of,
)
from ..extensions import db
from .areas import Unit
from .base import ClientRecord, Timestamped
from .premises import Premise
from .users import User


class Complaint(ClientRecord, Timestamped, db.Model):
    """One complaint about a premise of the unit or a place given by its address.

    The complainant's name and contact are private: only the accounts of the complaint's own unit see them
    (``complaints.service.may_see_contact``); no public page, list of another unit or export shows them.
    """

    __tablename__ = "complaints"
    __table_args__ = (
        CheckConstraint(one_of("channel", COMPLAINT_CHANNELS), name="channel"),
        CheckConstraint(one_of("subject", COMPLAINT_SUBJECTS), name="subject"),
        CheckConstraint(one_of("status", COMPLAINT_STATUSES), name="status"),
        CheckConstraint(one_of("resolution", COMPLAINT_RESOLUTIONS, nullable=True), name="resolution"),
        CheckConstraint(
            one_of("referral_body", COMPLAINT_REFERRAL_BODIES, nullable=True), name="referral_body"
        ),
        CheckConstraint("premise_id IS NOT NULL OR address <> ''", name="where"),
        CheckConstraint(
            "status NOT IN ('resolved', 'referred') OR (resolution IS NOT NULL AND resolved_on IS NOT NULL)",
            name="closed_complete",
        ),
        CheckConstraint("status <> 'referred' OR referral_body IS NOT NULL", name="referred_body"),
        # The register, newest first, for one unit and for a province's units.
        Index("ix_complaints_unit_id_received_on_id", "unit_id", "received_on", "id"),
        Index("ix_complaints_received_on_id", "received_on", "id"),
        # The phone's list: open complaints assigned to an inspector.
        Index("ix_complaints_assignee_id_status", "assignee_id", "status"),
        # The public form's throttle: recent reports from one address.
        Index("ix_complaints_source_hash_created_at", "source_hash", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    premise_id: Mapped[int | None] = mapped_column(ForeignKey("premises.id"), index=True)
    address: Mapped[str] = mapped_column(String(255), default="")
    received_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(12))
    subject: Mapped[str] = mapped_column(String(20))
    content: Mapped[str] = mapped_column(Text)
    # Private (see the class docstring).
    complainant_name: Mapped[str] = mapped_column(String(120), default="")
    complainant_contact: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[str] = mapped_column(String(12), default="new")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    deadline: Mapped[date | None] = mapped_column(Date)
    resolution: Mapped[str | None] = mapped_column(String(12))
    # The inspection (of kind "complaint", linked to this complaint) the resolution cites. No foreign key:
    # inspections already point here (inspections.complaint_id), and the service checks the link.
    resolution_inspection_id: Mapped[int | None]
    referral_body: Mapped[str | None] = mapped_column(String(16))
    resolution_note: Mapped[str] = mapped_column(Text, default="")
    resolved_on: Mapped[date | None] = mapped_column(Date)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # When the complainant was told the outcome, and how.
    informed_on: Mapped[date | None] = mapped_column(Date)
    informed_note: Mapped[str] = mapped_column(String(300), default="")
    # The public form: a keyed hash of the sender's address, for its throttle (the address itself is not kept).
    source_hash: Mapped[str] = mapped_column(String(64), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    unit: Mapped[Unit] = relationship()
    premise: Mapped[Premise | None] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    @property
    def place(self) -> str:
        """Where the complaint is about, as the register shows it."""
        if self.premise is not None:
            return self.premise.name
        return self.address
