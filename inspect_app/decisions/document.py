"""What a decision or a notice shows, as plain data (no database, no Flask): the services build it, the PDF renderer
(``documents.decision_pdf``) and the pages show it, so they cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# A draft's number: the number is only taken when the document is issued.
DRAFT_NUMBER_PREFIX = "     "


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of the body. ``kind``: "basis" (Căn cứ …, italic), "article" (Điều n. bold lead-in and text),
    "item" (a list line under an article), "text" (a plain paragraph), "centre" (a bold centred line)."""

    text: str
    kind: str = "text"
    lead: str = ""


@dataclass(frozen=True)
class OfficialLetter:
    """A short administrative document in the NĐ 30/2020 layout: header, title, body, Nơi nhận, signature."""

    issuer_lines: tuple[str, ...]
    number_text: str
    place: str
    issued_on: date
    title: str
    subtitle: str
    body: tuple[Paragraph, ...]
    recipients: tuple[str, ...]
    signer_title: str
    signer_name: str
    # Which document this is, beside the QR code ("Quyết định số 05/QĐ-UBND ngày 03/11/2026").
    document_line: str = ""
    verify_url: str | None = None
    draft: bool = False
