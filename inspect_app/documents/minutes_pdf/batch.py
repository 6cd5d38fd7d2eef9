"""A batch print of issued biên bản (every one of a day, or of a period): the stored PDFs one after another, each
reprint stamped "BẢN SAO" as a single print is, behind a cover page that lists them.

The files are added one at a time and written to temporary files on disk, never gathered in memory: a part holds at
most ``part_size`` biên bản (its pages are kept by the PDF writer until the part is written); a batch of more than
one part is a ZIP of the parts' PDFs, each with its own cover.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from pypdf import PdfReader, PdfWriter
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from ..fonts import FontFamily, register_serif_family
from ..official_pdf.styles import PAGE_HEIGHT, PAGE_WIDTH, nfc
from ..vn_format import vn_short_date
from .copies import copy_mark_page

__all__ = ["BatchEntry", "BatchFile", "BatchPrint"]

PDF = "application/pdf"
ZIP = "application/zip"


@dataclass(frozen=True)
class BatchEntry:
    """One document of the batch as its cover lists it: its kind ("Biên bản", "Quyết định", "Thông báo"), number,
    day, unit, the premise (or what it is about), and whether it is printed as a copy."""

    document: str
    number_text: str
    issued_on: date
    unit_name: str
    premise_name: str
    copy: bool


@dataclass(frozen=True)
class BatchFile:
    """The batch written: an open temporary file (at its start), its extension and content type, and its parts."""

    file: BinaryIO
    extension: str
    content_type: str
    parts: int


def _fit(text: str, font: str, size: float, width: float) -> str:
    text = nfc(text)
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


# The cover's columns (heading, width in mm), across the 180 mm between its margins.
COLUMNS = (
    ("STT", 10),
    ("Văn bản", 20),
    ("Số", 30),
    ("Ngày", 20),
    ("Đơn vị", 34),
    ("Cơ sở / nội dung", 52),
    ("Trang", 14),
)
ROW = 6.2 * mm
LEFT = 15 * mm


def cover_pdf(
    title: str, entries: Sequence[BatchEntry], pages: Sequence[int], part: str, fonts: FontFamily
) -> bytes:
    """The cover: the batch's title, then one row per document in the order they follow (kind, number, day, unit,
    premise, its pages, "bản sao" for a reprint), on as many A4 pages as the list needs."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=1)
    top = PAGE_HEIGHT - 20 * mm
    bottom = 18 * mm

    def heading(y: float) -> float:
        x = LEFT
        canvas.setFont(fonts.bold, 9.5)
        for label, width in COLUMNS:
            canvas.drawString(x + 1 * mm, y, label)
            x += width * mm
        canvas.line(LEFT, y - 2 * mm, LEFT + sum(width for _label, width in COLUMNS) * mm, y - 2 * mm)
        return y - ROW

    canvas.setFont(fonts.bold, 14)
    canvas.drawCentredString(PAGE_WIDTH / 2, top, nfc(title))
    canvas.setFont(fonts.regular, 10.5)
    total_pages = sum(pages)
    canvas.drawCentredString(
        PAGE_WIDTH / 2,
        top - 7 * mm,
        nfc(f"{part}{len(entries)} văn bản, {total_pages} trang, theo thứ tự dưới đây"),
    )
    y = heading(top - 17 * mm)
    for index, (entry, count) in enumerate(zip(entries, pages, strict=True), start=1):
        if y < bottom:
            canvas.showPage()
            y = heading(top)
        cells = (
            str(index),
            entry.document,
            entry.number_text + (" (bản sao)" if entry.copy else ""),
            vn_short_date(entry.issued_on),
            entry.unit_name,
            entry.premise_name,
            str(count),
        )
        x = LEFT
        canvas.setFont(fonts.regular, 9.5)
        for text, (_label, width) in zip(cells, COLUMNS, strict=True):
            canvas.drawString(x + 1 * mm, y, _fit(text, fonts.regular, 9.5, width * mm - 2 * mm))
            x += width * mm
        y -= ROW
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


class BatchPrint:
    """Collects issued files in print order (``add``), then ``close`` gives the batch as one temporary file."""

    def __init__(self, title: str, stem: str, part_size: int, tmpdir: str | None = None) -> None:
        self.title = title
        self.stem = stem
        self.part_size = max(1, part_size)
        self.tmpdir = tmpdir
        self.fonts = register_serif_family()
        self._parts: list[BinaryIO] = []
        self._writer: PdfWriter | None = None
        self._entries: list[BatchEntry] = []
        self._pages: list[int] = []
        self._stamp = None

    def add(self, content: bytes, entry: BatchEntry) -> None:
        """Append one issued PDF (stamped on every page when ``entry.copy``)."""
        if self._writer is None:
            self._writer = PdfWriter()
        pages = PdfReader(io.BytesIO(content)).pages
        for page in pages:
            added = self._writer.add_page(page)
            if entry.copy:
                self._stamp = self._stamp or copy_mark_page()
                added.merge_page(self._stamp)
        self._entries.append(entry)
        self._pages.append(len(pages))
        if len(self._entries) >= self.part_size:
            self._write_part(last=False)

    def _write_part(self, *, last: bool) -> None:
        writer, entries, pages = self._writer, self._entries, self._pages
        if writer is None or not entries:
            return
        number = len(self._parts) + 1
        label = "" if (last and number == 1) else f"Phần {number}: "
        cover = PdfReader(io.BytesIO(cover_pdf(self.title, entries, pages, label, self.fonts)))
        for index, page in enumerate(cover.pages):
            writer.insert_page(page, index)
        part = tempfile.TemporaryFile(dir=self.tmpdir)
        try:
            writer.write(part)
            part.seek(0)
        except BaseException:
            part.close()
            raise
        self._parts.append(part)
        self._writer, self._entries, self._pages = None, [], []

    def close(self) -> BatchFile:
        """The batch: one PDF, or a ZIP of the parts' PDFs; ValueError if nothing was added."""
        try:
            self._write_part(last=True)
            if not self._parts:
                raise ValueError("nothing to print")
            if len(self._parts) == 1:
                return BatchFile(self._parts.pop(), "pdf", PDF, 1)
            count = len(self._parts)
            bundle = tempfile.TemporaryFile(dir=self.tmpdir)
            try:
                with zipfile.ZipFile(bundle, "w", compression=zipfile.ZIP_STORED) as archive:
                    for number, part in enumerate(self._parts, start=1):
                        with archive.open(
                            f"{self.stem}-phan-{number:02d}.pdf", "w", force_zip64=True
                        ) as member:
                            while chunk := part.read(1 << 20):
                                member.write(chunk)
                bundle.seek(0)
            except BaseException:
                bundle.close()
                raise
            return BatchFile(bundle, "zip", ZIP, count)
        finally:
            for part in self._parts:
                part.close()
            self._parts = []
