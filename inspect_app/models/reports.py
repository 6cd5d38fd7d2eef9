"""The yearly report: the Sở's request to the communes of its province, each commune's report, and the files a sent
report keeps."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.time import utcnow
from ..domain.vocabulary import REPORT_FORMATS, REPORT_STATUSES, one_of
from ..extensions import db
from .areas import Province, Unit
from .base import Timestamped, UTCDateTime
from .users import User


class ReportRequest(Timestamped, db.Model):
    """Công văn of the Sở KH&CN asking every commune of its province for a report: the letter (số, ngày, trích
    yếu), the plan reported on, the period and the deadline. Published once; each commune sees it as a task."""

    __tablename__ = "report_requests"
    __table_args__ = (
        CheckConstraint("period_from <= period_to", name="period"),
        CheckConstraint("deadline >= letter_date", name="deadline"),
        Index("ix_report_requests_uuid", "uuid", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The UUID the desk's form was shown with: a letter published twice is one request.
    uuid: Mapped[str | None] = mapped_column(String(36))
    province_id: Mapped[int] = mapped_column(ForeignKey("provinces.id"), index=True)
    letter_number: Mapped[str] = mapped_column(String(60))
    letter_date: Mapped[date] = mapped_column(Date)
    # Trích yếu, what follows "về việc" ("đề nghị báo cáo kết quả thực hiện Kế hoạch số 40/KH-UBND …").
    subject: Mapped[str] = mapped_column(String(500))
    # The plan reported on, as it is cited ("Kế hoạch số 40/KH-UBND ngày 09/9/2025 của UBND tỉnh Quảng Ngãi").
    plan: Mapped[str] = mapped_column(String(500), default="")
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    province: Mapped[Province] = relationship()
    created_by: Mapped[User] = relationship()


class Report(Timestamped, db.Model):
    """A commune's report on a period: one per commune for a request of the Sở, or free-standing (no request).

    A draft is edited (its section text, typed-in rows, number, signer…). Sending freezes it: ``figures`` keeps the
    table as sent (``reports.frozen``), ``files`` the exact bytes of its documents, ``public_id`` names it on the
    public verification page. The period and the letter are the request's, copied when the report is started.
    """

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("unit_id", "request_id"),
        CheckConstraint(one_of("status", REPORT_STATUSES), name="status"),
        CheckConstraint("period_from <= period_to", name="period"),
        CheckConstraint(
            "status = 'draft' OR (number <> '' AND issued_on IS NOT NULL AND sent_at IS NOT NULL "
            "AND sent_on IS NOT NULL AND public_id IS NOT NULL AND figures IS NOT NULL)",
            name="sent_complete",
        ),
        Index("ix_reports_uuid", "uuid", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The UUID the desk's form was shown with (a free-standing report sent twice is one draft); none for a report
    # started from a request, which is one per commune anyway.
    uuid: Mapped[str | None] = mapped_column(String(36))
    # Indexed by the unique constraint (unit_id, request_id).
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("report_requests.id"), index=True)
    status: Mapped[str] = mapped_column(String(8), default="draft")
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    # The letter answered and the plan reported on (a request's, or typed in for a free-standing report).
    letter_number: Mapped[str] = mapped_column(String(60), default="")
    letter_date: Mapped[date | None] = mapped_column(Date)
    letter_subject: Mapped[str] = mapped_column(String(500), default="")
    deadline: Mapped[date | None] = mapped_column(Date)
    plan: Mapped[str] = mapped_column(String(500), default="")
    # The report's own number and date ("15/BC-UBND", given by the commune's văn thư) and its title line.
    number: Mapped[str] = mapped_column(String(40), default="")
    issued_on: Mapped[date | None] = mapped_column(Date)
    subject: Mapped[str] = mapped_column(String(500), default="")
    section_text: Mapped[str] = mapped_column(Text, default="")
    # Figures the app cannot know (training, budget, propaganda): [{"label", "value"}], printed as typed in.
    typed_rows: Mapped[list] = mapped_column(JSON, default=list)
    signer_title: Mapped[str] = mapped_column(String(200), default="")
    signer_name: Mapped[str] = mapped_column(String(120), default="")
    recipients: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_on: Mapped[date | None] = mapped_column(Date)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    public_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    figures: Mapped[dict | None] = mapped_column(JSON)

    unit: Mapped[Unit] = relationship()
    request: Mapped[ReportRequest | None] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    sent_by: Mapped[User | None] = relationship(foreign_keys=[sent_by_id])
    files: Mapped[list[ReportFile]] = relationship(
        back_populates="report", order_by="ReportFile.format", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_sent(self) -> bool:
        return self.status == "sent"


class ReportFile(db.Model):
    """One document of a sent report as it was sent: its storage key, SHA-256 and size. Every download of a sent
    report returns these bytes; the public page compares an uploaded file with them."""

    __tablename__ = "report_files"
    __table_args__ = (CheckConstraint(one_of("format", REPORT_FORMATS), name="format"),)

    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), primary_key=True)
    format: Mapped[str] = mapped_column(String(4), primary_key=True)
    storage_key: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]

    report: Mapped[Report] = relationship(back_populates="files")
