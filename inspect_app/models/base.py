"""Column types and helpers shared by every model."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, and_, false, true
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

from ..domain.time import utcnow


class UTCDateTime(TypeDecorator):
    """Stores naive UTC (the same on SQLite and PostgreSQL) and hands back aware UTC datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


# ---- the columns every client record, stored image and judged verdict repeats ------------------------------------


class ClientRecord:
    """A record a phone (or a form) creates with its own UUID, so a resend never makes a second copy.

    ``create_digest`` fingerprints the create request, so a resend is told apart from different content under the
    same UUID; ``version`` is the optimistic-concurrency counter an edit must name (see ``inspect_app.writes``).
    """

    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    create_digest: Mapped[str] = mapped_column(String(64), default="")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.version}


class Timestamped:
    """A record that is edited after it is created."""

    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class StoredImage:
    """A photo stored as a normalised, metadata-free JPEG plus a thumbnail, with the SHA-256 of what was stored.

    The same bytes sent again to the same owner are the same photo: ``create_digest`` is ``owner:upload_sha256``.
    Subclasses name their owner's foreign-key column in ``owner_column``.
    """

    owner_column: ClassVar[str]

    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    caption: Mapped[str] = mapped_column(String(300), default="")
    storage_key: Mapped[str] = mapped_column(String(200))
    thumbnail_key: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    upload_sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int]
    height: Mapped[int]
    size_bytes: Mapped[int]
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    exif_latitude: Mapped[float | None]
    exif_longitude: Mapped[float | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @declared_attr
    def created_by_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("users.id"))

    @classmethod
    def digest_for(cls, owner_id: int, upload_sha256: str) -> str:
        return f"{owner_id}:{upload_sha256}"

    @property
    def create_digest(self) -> str:
        return self.digest_for(getattr(self, self.owner_column), self.upload_sha256)


class JudgedVerdict:
    """What the tolerance engine answered, stored with the numbers, rule and table versions it judged with."""

    outcome: Mapped[str] = mapped_column(String(12))
    conclusion: Mapped[str] = mapped_column(String(200))
    rule: Mapped[str] = mapped_column(Text)
    tables: Mapped[list] = mapped_column(JSON)
    provisional: Mapped[bool] = mapped_column(default=False)
    warnings: Mapped[list] = mapped_column(JSON)
    details: Mapped[dict] = mapped_column(JSON)

    @staticmethod
    def columns_from(verdict) -> dict:
        """The columns an engine verdict fills, as it answered (the rule is the caller's: it may name a setting)."""
        return {
            "outcome": verdict.outcome,
            "conclusion": verdict.conclusion,
            "tables": [ref.to_dict() for ref in verdict.tables],
            "provisional": verdict.provisional,
            "warnings": list(verdict.warnings),
            "details": verdict.to_dict(),
        }


class TeamConclusion:
    """A result (finding, reading, lot) that counts as a violation only when the team may conclude on it.

    ``indicative`` is stored and kept up to date by the services (when the result is recorded and when the team
    changes): true when the result is only "sơ bộ" for this team (a Sở-only check by a team without the Sở) or is
    for another body to decide (a referral item), see ``domain.scope``. ``counts_as_violation`` is the one
    definition of a violation, in Python and in SQL (``select(Reading).where(Reading.counts_as_violation)``): what
    the lists, the biên bản, the dashboard and the yearly report count.
    """

    # The column holding "pass" / "fail": a finding's answer, a reading's or a lot's outcome.
    verdict_column: ClassVar[str] = "outcome"

    indicative: Mapped[bool] = mapped_column(default=False)

    @hybrid_property
    def in_force(self) -> bool:
        """Not voided (a result that cannot be voided is always in force)."""
        return getattr(self, "voided_at", None) is None

    @in_force.inplace.expression
    @classmethod
    def _in_force_expression(cls):
        return cls.voided_at.is_(None) if hasattr(cls, "voided_at") else true()

    @hybrid_property
    def counts_as_violation(self) -> bool:
        return getattr(self, self.verdict_column) == "fail" and not self.indicative and self.in_force

    @counts_as_violation.inplace.expression
    @classmethod
    def _counts_as_violation_expression(cls):
        return and_(getattr(cls, cls.verdict_column) == "fail", cls.indicative == false(), cls.in_force)

    @hybrid_property
    def indicative_failure(self) -> bool:
        """Failed, but only "sơ bộ" for this team (or another body's to decide): shown, never counted."""
        return getattr(self, self.verdict_column) == "fail" and bool(self.indicative) and self.in_force

    @indicative_failure.inplace.expression
    @classmethod
    def _indicative_failure_expression(cls):
        return and_(getattr(cls, cls.verdict_column) == "fail", cls.indicative == true(), cls.in_force)
