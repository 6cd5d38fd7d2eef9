"""Metrology records: the unit's reference standards, the instruments at a premise, readings judged against
permitted errors, pre-packaged lots, and the administrator's settings for the questions the law leaves open.

Every measured quantity is stored exactly, as canonical decimal text (``DecimalText``), never as a float.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from ..domain.vocabulary import (
    CERTIFICATE_TYPES,
    DIRECTIONS,
    INSTRUMENT_TYPES,
    INSTRUMENT_VARIANTS,
    METER_TYPES,
    SCALE_TYPES,
    OUTCOMES,
    READING_KINDS,
    SEAL_STATES,
    STAMP_STATES,
    STANDARD_KINDS,
    STANDARD_OWNERSHIP,
    one_of,
)
from ..extensions import db
from .areas import Province, Unit
from .base import ClientRecord, JudgedVerdict, StoredImage, TeamConclusion, Timestamped, UTCDateTime
from ..domain.time import utcnow
from .inspections import Inspection
from .premises import Premise
from .users import User


def canonical_decimal(value: Decimal) -> str:
    """Plain positional text of a finite Decimal, exactly as precise as given: Decimal('5.150') -> '5.150'."""
    if not isinstance(value, Decimal):
        raise TypeError(f"expected a Decimal, got {type(value).__name__}")
    if not value.is_finite():
        raise ValueError(f"cannot store {value!r}")
    text = format(value, "f")
    if text.startswith("-") and not any(ch in "123456789" for ch in text):
        text = text[1:]  # no negative zero
    return text


class DecimalText(TypeDecorator):
    """A Decimal stored as canonical text, identical on SQLite and PostgreSQL; read back as the same Decimal."""

    impl = String(64)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            value = Decimal(value)
        return canonical_decimal(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        try:
            return Decimal(value)
        except InvalidOperation:
            raise ValueError(f"stored decimal text is not a number: {value!r}") from None


class ReferenceStandard(ClientRecord, Timestamped, db.Model):
    """Chuẩn đo lường of a unit: one reference weight (quả cân M1 …) or one volume standard (bình chuẩn)."""

    __tablename__ = "reference_standards"
    __table_args__ = (
        CheckConstraint(one_of("kind", STANDARD_KINDS), name="kind"),
        CheckConstraint(one_of("ownership", STANDARD_OWNERSHIP), name="ownership"),
        CheckConstraint("unit IN ('mg', 'g', 'kg', 'mL', 'L')", name="unit"),
        CheckConstraint(one_of("certificate_type", CERTIFICATE_TYPES), name="certificate_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    nominal: Mapped[Decimal] = mapped_column(DecimalText)
    unit: Mapped[str] = mapped_column(String(4))
    accuracy_class: Mapped[str] = mapped_column(String(10))
    # Conventional-mass correction mc − m0 from the certificate, in mg (weights only).
    correction_mg: Mapped[Decimal | None] = mapped_column(DecimalText)
    serial: Mapped[str] = mapped_column(String(60), default="")
    certificate_number: Mapped[str] = mapped_column(String(80), default="")
    calibrated_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    # Kiểm định or hiệu chuẩn: a weight with only a calibration certificate is flagged (TT 09/2017 Điều 6).
    certificate_type: Mapped[str] = mapped_column(String(12), default="unknown", server_default="unknown")
    # True when due_on was computed from calibrated_on and the verification cycle (no date on the certificate).
    due_on_computed: Mapped[bool] = mapped_column(default=False, server_default=false())
    ownership: Mapped[str] = mapped_column(String(10), default="own")
    lender: Mapped[str] = mapped_column(String(200), default="")
    certificate_key: Mapped[str | None] = mapped_column(String(200))
    certificate_thumbnail_key: Mapped[str | None] = mapped_column(String(200))
    certificate_sha256: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    owner_unit: Mapped[Unit] = relationship()


class Instrument(ClientRecord, Timestamped, db.Model):
    """Phương tiện đo at a premise, kept between inspections (scale, fuel dispenser, meter)."""

    __tablename__ = "instruments"
    __table_args__ = (
        CheckConstraint(one_of("instrument_type", INSTRUMENT_TYPES), name="instrument_type"),
        CheckConstraint(one_of("seal_state", SEAL_STATES), name="seal_state"),
        CheckConstraint(one_of("variant", INSTRUMENT_VARIANTS, nullable=True), name="variant"),
        # One instrument per serial and per stamp number at a premise (see ``serial_match``); NULLs never clash.
        Index("uq_instruments_serial_match", "premise_id", "instrument_type", "serial_match", unique=True),
        Index("uq_instruments_mark_match", "premise_id", "instrument_type", "mark_match", unique=True),
        # The phone's offline copy is fetched as a change feed in this order.
        Index("ix_instruments_updated_at_id", "updated_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    premise_id: Mapped[int] = mapped_column(ForeignKey("premises.id"), index=True)
    instrument_type: Mapped[str] = mapped_column(String(20))
    # A meter's kind (water: mechanical / electronic; electricity: 1 or 3 phase, induction / electronic).
    variant: Mapped[str | None] = mapped_column(String(20))
    # A meter's owner (the utility) and where it is installed.
    owner_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    installation_address: Mapped[str] = mapped_column(String(300), default="", server_default="")
    make: Mapped[str] = mapped_column(String(80), default="")
    model: Mapped[str] = mapped_column(String(80), default="")
    serial: Mapped[str] = mapped_column(String(60), default="")
    accuracy_class: Mapped[str] = mapped_column(String(10), default="")
    # Max, Min, e, d (and the typical goods mass) are in ``unit``.
    unit: Mapped[str] = mapped_column(String(4), default="kg")
    max_capacity: Mapped[Decimal | None] = mapped_column(DecimalText)
    min_capacity: Mapped[Decimal | None] = mapped_column(DecimalText)
    e: Mapped[Decimal | None] = mapped_column(DecimalText)
    d: Mapped[Decimal | None] = mapped_column(DecimalText)
    goods_mass: Mapped[Decimal | None] = mapped_column(DecimalText)
    verification_mark: Mapped[str] = mapped_column(String(60), default="")
    verified_on: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    seal_state: Mapped[str] = mapped_column(String(8), default="none")
    in_use: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The serial and the stamp number as compared (``domain.text.number_key``): the same one at the same premise is
    # the same instrument. NULL when blank, and on the later copies of a number recorded twice before 0022.
    serial_match: Mapped[str | None] = mapped_column(String(60))
    mark_match: Mapped[str | None] = mapped_column(String(60))

    owner_unit: Mapped[Unit] = relationship()
    premise: Mapped[Premise] = relationship()
    photos: Mapped[list[InstrumentPhoto]] = relationship(
        back_populates="instrument", order_by="InstrumentPhoto.id"
    )

    @property
    def is_scale(self) -> bool:
        return self.instrument_type in SCALE_TYPES

    @property
    def is_meter(self) -> bool:
        return self.instrument_type in METER_TYPES

    @property
    def division(self) -> Decimal | None:
        """The scale division d; a spring scale has d = e, so a missing d is e."""
        return self.d if self.d is not None else self.e


class InstrumentPhoto(StoredImage, db.Model):
    """A photo of an instrument (nameplate, verification mark, seal), normalised like inspection photos."""

    __tablename__ = "instrument_photos"
    owner_column = "instrument_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id"), index=True)

    instrument: Mapped[Instrument] = relationship(back_populates="photos")


class Voidable:
    """A reading or lot that can be voided (hủy) with a reason before the biên bản is issued: the row is kept, shown
    struck through, and no longer counts in verdicts, suggestions or the biên bản."""

    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    void_reason: Mapped[str | None] = mapped_column(String(500))

    @declared_attr
    def voided_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("users.id"))

    @declared_attr
    def voided_by(cls) -> Mapped[User | None]:
        return relationship(foreign_keys=[cls.voided_by_id])

    @property
    def voided(self) -> bool:
        return self.voided_at is not None


class Reading(ClientRecord, JudgedVerdict, TeamConclusion, Voidable, db.Model):
    """One test point: reference against indication, with the verdict the server computed and stored."""

    __tablename__ = "readings"
    __table_args__ = (
        CheckConstraint(one_of("kind", READING_KINDS), name="kind"),
        CheckConstraint(one_of("outcome", OUTCOMES), name="outcome"),
        CheckConstraint(one_of("direction", DIRECTIONS, nullable=True), name="direction"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"), index=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    # What the instrument was when measured, e.g. "Cân đồng hồ lò xo 15 kg, cấp IIII, e = 50 g".
    instrument_label: Mapped[str] = mapped_column(String(300))
    # The standards used: [{"id", "serial", "nominal", "unit", "accuracy_class", "certificate_number",
    # "due_on", "status"}], as they were on the day.
    standards: Mapped[list] = mapped_column(JSON)
    reference: Mapped[Decimal] = mapped_column(DecimalText)
    indication: Mapped[Decimal] = mapped_column(DecimalText)
    unit: Mapped[str] = mapped_column(String(4))
    direction: Mapped[str | None] = mapped_column(String(4))
    measured_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")
    # The stored verdict: error and permitted error in ``unit``; the rule names the state-check choice.
    error: Mapped[Decimal] = mapped_column(DecimalText)
    permitted_error: Mapped[Decimal] = mapped_column(DecimalText)
    state_check_rule: Mapped[str | None] = mapped_column(String(16))
    # Set (to "<table id> <version>") when the verdict was judged with a table since found wrong (migration 0007:
    # the guessed TT 09/2017 Bảng 2); the stored numbers stay as judged until someone re-judges the reading.
    superseded_table: Mapped[str | None] = mapped_column(String(80))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    inspection: Mapped[Inspection] = relationship()
    instrument: Mapped[Instrument] = relationship()
    # The same standards as rows, for counting in SQL; set together with ``standards`` (measurements.readings).
    standard_links: Mapped[list[ReadingStandard]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="ReadingStandard.standard_id"
    )

    @property
    def standard_ids(self) -> list[int]:
        return [item["id"] for item in self.standards]


class ReadingStandard(db.Model):
    """A reference standard a reading used, and whether it was within its verification (or calibration) on the day:
    the snapshot in ``Reading.standards`` as a row, so reports count standards in SQL. A voided reading keeps its
    rows (reports leave voided readings out by the reading)."""

    __tablename__ = "reading_standards"
    __table_args__ = (Index("ix_reading_standards_standard_id_reading_id", "standard_id", "reading_id"),)

    reading_id: Mapped[int] = mapped_column(ForeignKey("readings.id", ondelete="CASCADE"), primary_key=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("reference_standards.id"), primary_key=True)
    # The snapshot's status was "valid": the same test the reading's verdict used.
    within_verification: Mapped[bool]


class MeterCheck(ClientRecord, db.Model):
    """What an inspector saw of an electricity or water meter at an inspection (usually after a complaint): its
    index, stamp and validity, seals, signs of tampering, the complaint and where it was referred (the utility
    first, then the Sở). It carries no verdict: a commune check never says a meter's error passes or fails. An
    indicative check with a volume standard on a water meter is kept in ``indicative`` and labelled "sơ bộ"."""

    __tablename__ = "meter_checks"
    __table_args__ = (
        CheckConstraint(one_of("stamp_state", STAMP_STATES), name="stamp_state"),
        CheckConstraint(one_of("seal_state", SEAL_STATES), name="seal_state"),
        CheckConstraint("validity IN ('valid', 'expired', 'unknown')", name="validity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"), index=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id"), index=True)
    # What the meter was when checked, e.g. "Công tơ điện 1 pha kiểu điện tử, số 12345 (Điện lực Đức Phổ)".
    meter_label: Mapped[str] = mapped_column(String(300))
    index_reading: Mapped[Decimal | None] = mapped_column(DecimalText)
    stamp_state: Mapped[str] = mapped_column(String(8))
    # The stamp's validity on the day, from the instrument's dates (read or computed from the cycle), and why.
    validity: Mapped[str] = mapped_column(String(8))
    validity_text: Mapped[str] = mapped_column(Text)
    seal_state: Mapped[str] = mapped_column(String(8))
    tampering_signs: Mapped[list] = mapped_column(JSON, default=list)
    tampering_note: Mapped[str] = mapped_column(Text, default="")
    complainant: Mapped[str] = mapped_column(String(200), default="")
    complaint: Mapped[str] = mapped_column(Text, default="")
    referred_to_utility_on: Mapped[date | None] = mapped_column(Date)
    referred_to_department_on: Mapped[date | None] = mapped_column(Date)
    referral_note: Mapped[str] = mapped_column(Text, default="")
    # {"standards": [...], "reference_l", "indication_l", "difference_l", "difference_percent", "label"} or null.
    indicative: Mapped[dict | None] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    inspection: Mapped[Inspection] = relationship()
    instrument: Mapped[Instrument] = relationship()


class PrepackagedLot(ClientRecord, JudgedVerdict, TeamConclusion, Voidable, db.Model):
    """A pre-packaged product sampled in an inspection and judged by the TT 21/2014 lot rules."""

    __tablename__ = "prepackaged_lots"
    __table_args__ = (
        CheckConstraint(one_of("outcome", OUTCOMES), name="outcome"),
        CheckConstraint("unit IN ('g', 'kg', 'mL', 'L')", name="unit"),
        CheckConstraint("lot_size IS NULL OR lot_size > 0", name="lot_size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"), index=True)
    product: Mapped[str] = mapped_column(String(200))
    nominal: Mapped[Decimal] = mapped_column(DecimalText)
    unit: Mapped[str] = mapped_column(String(4))
    tare: Mapped[Decimal | None] = mapped_column(DecimalText)
    lot_size: Mapped[int | None]
    # The quantities as weighed or measured, exact decimal strings; net = measured − tare.
    measured: Mapped[list] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    sample_size: Mapped[int]
    mean: Mapped[Decimal] = mapped_column(DecimalText)
    std_dev: Mapped[Decimal | None] = mapped_column(DecimalText)
    tolerable_deficiency: Mapped[Decimal] = mapped_column(DecimalText)
    count_beyond_t: Mapped[int]
    count_beyond_2t: Mapped[int]
    rules_broken: Mapped[list] = mapped_column(JSON)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    inspection: Mapped[Inspection] = relationship()


class Setting(db.Model):
    """An administrator's answer to a question the law leaves open, for one province (or every province)."""

    __tablename__ = "settings"
    __table_args__ = (UniqueConstraint("province_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    province_id: Mapped[int | None] = mapped_column(ForeignKey("provinces.id"), index=True)
    key: Mapped[str] = mapped_column(String(60))
    value: Mapped[str] = mapped_column(String(200))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    province: Mapped[Province | None] = relationship()
    updated_by: Mapped[User | None] = relationship()
