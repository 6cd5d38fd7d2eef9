"""The biên bản kiểm tra (inspection minutes) as an A4 PDF in the NĐ 30/2020 layout, with a QR on every page.

``content`` holds the values a biên bản prints (filled by the app's services); ``render`` turns them into PDF bytes.
"""

from .content import (
    ANSWER_NOT_APPLICABLE,
    ANSWER_NOT_PASS,
    ANSWER_PASS,
    Business,
    CheckResult,
    MeterCheck,
    MinutesDocument,
    Photo,
    PrepackagedLot,
    Reading,
    Representative,
    RequestItem,
    ResultGroup,
    Signatory,
    StopOrder,
    TeamMember,
    Violation,
    Witness,
)
from .render import render_batch, render_minutes_pdf

__all__ = [
    "ANSWER_NOT_APPLICABLE",
    "ANSWER_NOT_PASS",
    "ANSWER_PASS",
    "Business",
    "CheckResult",
    "MeterCheck",
    "MinutesDocument",
    "Photo",
    "PrepackagedLot",
    "Reading",
    "Representative",
    "RequestItem",
    "ResultGroup",
    "Signatory",
    "StopOrder",
    "TeamMember",
    "Violation",
    "Witness",
    "render_batch",
    "render_minutes_pdf",
]
