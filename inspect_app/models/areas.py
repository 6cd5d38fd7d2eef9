"""Administrative units: provinces and the commune-level units under them (xã / phường / đặc khu)."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.minutes_rules import DEFAULT_MINUTES_SUFFIX
from ..domain.vocabulary import UNIT_KINDS, one_of
from ..extensions import db


class Province(db.Model):
    """Tỉnh / thành phố trực thuộc trung ương."""

    __tablename__ = "provinces"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(120))

    units: Mapped[list[Unit]] = relationship(back_populates="province", order_by="Unit.name")

    def __repr__(self) -> str:
        return f"<Province {self.code} {self.name}>"


class Unit(db.Model):
    """Đơn vị hành chính cấp xã: the commune, ward or special zone that holds premises and inspections."""

    __tablename__ = "units"
    __table_args__ = (
        CheckConstraint(one_of("kind", UNIT_KINDS), name="kind"),
        CheckConstraint("latitude IS NULL OR (latitude >= -90 AND latitude <= 90)", name="latitude"),
        CheckConstraint("longitude IS NULL OR (longitude >= -180 AND longitude <= 180)", name="longitude"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(10))
    province_id: Mapped[int] = mapped_column(ForeignKey("provinces.id"), index=True)
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    # Ký hiệu of the biên bản numbers this unit issues ("05/BB-KT"); each issued biên bản keeps the one it got.
    minutes_suffix: Mapped[str] = mapped_column(String(20), default=DEFAULT_MINUTES_SUFFIX)
    # The public stall page (/s/<token>) and its QR sticker: a commune's choice, off until it turns it on.
    public_stall_page: Mapped[bool] = mapped_column(default=False, server_default=false())

    province: Mapped[Province] = relationship(back_populates="units")

    @property
    def short_name(self) -> str:
        """The place name without its kind, as on a document's date line ("Đức Phổ")."""
        prefix = UNIT_KINDS.get(self.kind, "")
        if prefix and self.name.lower().startswith(prefix.lower() + " "):
            return self.name[len(prefix) + 1 :]
        return self.name

    @property
    def committee_lines(self) -> list[str]:
        """The issuing body as printed top left of a document: ỦY BAN NHÂN DÂN / PHƯỜNG ĐỨC PHỔ."""
        return ["ỦY BAN NHÂN DÂN", self.name.upper()]

    def __repr__(self) -> str:
        return f"<Unit {self.code} {self.name}>"
