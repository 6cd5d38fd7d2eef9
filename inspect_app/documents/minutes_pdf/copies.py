"""Print jobs made of issued biên bản: the stored PDFs themselves, a reprint stamped "BẢN SAO" on every page.

A copy is the issued file with a stamp laid over its pages, never a new rendering from today's records: whatever
has changed since (a re-judged reading, a team's Sở flag, a later numbering rule), the copy says what was issued.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from ..fonts import register_serif_family
from .page import draw_copy_mark

__all__ = ["copy_mark_page", "print_job"]


def copy_mark_page():
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    draw_copy_mark(canvas, register_serif_family())
    canvas.showPage()
    canvas.save()
    return PdfReader(io.BytesIO(buffer.getvalue())).pages[0]


def print_job(issued: Sequence[tuple[bytes, bool]]) -> bytes:
    """One PDF of the issued files in order; each flagged one gets the "BẢN SAO" stamp on every page."""
    if not issued:
        raise ValueError("nothing to print")
    writer = PdfWriter()
    stamp = None
    for content, is_copy in issued:
        for page in PdfReader(io.BytesIO(content)).pages:
            added = writer.add_page(page)
            if is_copy:
                stamp = stamp or copy_mark_page()
                added.merge_page(stamp)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
