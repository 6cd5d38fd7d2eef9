"""The premises registry (cơ sở kinh doanh), the markets they sit in, and their change history."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.vocabulary import LATEST_RESULTS, PREMISE_STATUSES, one_of
from ..extensions import db
from .areas import Unit
from .base import UTCDateTime
from ..domain.time import utcnow
from .users import User


class Market(db.Model):
    """Chợ: a market of the unit; premises that are stalls point at one."""

    __tablename__ = "markets"
    __table_args__ = (
        UniqueConstraint("unit_id", "name"),
        CheckConstraint("latitude IS NULL OR (latitude >= -90 AND latitude <= 90)", name="latitude"),
        CheckConstraint("longitude IS NULL OR (longitude >= -180 AND longitude <= 180)", name="longitude"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    address: Mapped[str] = mapped_column(String(255), default="")
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]

    unit: Mapped[Unit] = relationship()


class Premise(db.Model):
    """Cơ sở kinh doanh: a stall, shop, fuel station, supermarket or producer that can be inspected."""

    __tablename__ = "premises"
    __table_args__ = (
        CheckConstraint(one_of("status", PREMISE_STATUSES), name="status"),
        CheckConstraint("latitude IS NULL OR (latitude >= -90 AND latitude <= 90)", name="latitude"),
        CheckConstraint("longitude IS NULL OR (longitude >= -180 AND longitude <= 180)", name="longitude"),
        CheckConstraint("(latitude IS NULL) = (longitude IS NULL)", name="location_pair"),
        # The registry's list orders (desk, API, the phone's change feed) and the nearest-premises box.
        Index("ix_premises_name_id", "name", "id"),
        Index("ix_premises_unit_id_name_id", "unit_id", "name", "id"),
        Index("ix_premises_updated_at_id", "updated_at", "id"),
        Index("ix_premises_latitude_longitude", "latitude", "longitude"),
        CheckConstraint(one_of("last_result", LATEST_RESULTS, nullable=True), name="last_result"),
        # The map's and the dashboard's filters on the latest state, within a unit or a province's units.
        Index("ix_premises_unit_id_last_result", "unit_id", "last_result"),
        Index("ix_premises_unit_id_next_due_on", "unit_id", "next_due_on"),
        Index("ix_premises_unit_id_open_fix_deadline", "unit_id", "open_fix_deadline"),
        Index("ix_premises_unit_id_earliest_stamp_expiry", "unit_id", "earliest_stamp_expiry"),
        Index("ix_premises_public_id", "public_id", unique=True),
        Index("ix_premises_uuid", "uuid", unique=True),
        # The latest inspections still awaiting a fix (the dashboard's and the report's open fix-by requests),
        # read from the index alone: a few per cent of the premises instead of the country's unit_id index.
        Index(
            "ix_premises_pending_fix",
            "last_inspection_id",
            sqlite_where=text("last_result = 'pending_fix'"),
            postgresql_where=text("last_result = 'pending_fix'"),
        ),
        # The map: premises by position with everything its GROUP BY reads (supervision.queries), index only.
        Index(
            "ix_premises_map",
            "latitude",
            "longitude",
            "unit_id",
            "status",
            "last_inspection_id",
            "open_fix_deadline",
            "next_due_on",
            "last_result",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The UUID the desk's form was shown with (a form sent twice stores one premise); none for imported ones.
    uuid: Mapped[str | None] = mapped_column(String(36))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    owner_name: Mapped[str] = mapped_column(String(160), default="")
    business_reg_no: Mapped[str] = mapped_column(String(40), default="")
    premise_type: Mapped[str] = mapped_column(String(20))
    market_id: Mapped[int | None] = mapped_column(ForeignKey("markets.id"), index=True)
    stall_number: Mapped[str] = mapped_column(String(20), default="")
    address: Mapped[str] = mapped_column(String(255), default="")
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    phone: Mapped[str] = mapped_column(String(20), default="")
    status: Mapped[str] = mapped_column(String(10), default="active")
    # Folded (lower case, no diacritics) name, owner, address, stall and registration number, for search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The latest state, kept on write by premises.state (rules: domain.premise_state). Derived data: rebuilt by
    # ``flask rebuild-premise-state``. last_inspection_id has no foreign key: premises and inspections would
    # reference each other, and a cache needs no constraint to stay true (the rebuild proves it).
    last_inspection_id: Mapped[int | None]
    last_inspected_on: Mapped[date | None] = mapped_column(Date)
    last_result: Mapped[str | None] = mapped_column(String(12))
    next_due_on: Mapped[date | None] = mapped_column(Date)
    open_fix_deadline: Mapped[date | None] = mapped_column(Date)
    earliest_stamp_expiry: Mapped[date | None] = mapped_column(Date)
    # The random id its QR sticker's signed link names (/s/<token>); set when the first sticker is printed.
    public_id: Mapped[str | None] = mapped_column(String(40))

    unit: Mapped[Unit] = relationship()
    market: Mapped[Market | None] = relationship()
    changes: Mapped[list[PremiseChange]] = relationship(
        back_populates="premise", order_by="PremiseChange.id.desc()"
    )

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class PremiseChange(db.Model):
    """One field of a premise changed by someone: append-only history (who, when, old → new)."""

    __tablename__ = "premise_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    premise_id: Mapped[int] = mapped_column(ForeignKey("premises.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str] = mapped_column(Text, default="")
    new_value: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(10), default="form")

    premise: Mapped[Premise] = relationship(back_populates="changes")
    user: Mapped[User | None] = relationship()


@event.listens_for(PremiseChange, "before_update")
@event.listens_for(PremiseChange, "before_delete")
def _history_is_append_only(mapper, connection, target):
    raise ValueError("premise change history is append-only")
