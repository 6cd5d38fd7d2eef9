"""Building the PDF: one biên bản, or a batch of them each with its own page numbers and QR."""

from __future__ import annotations

import io
from collections.abc import Sequence

from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageBreakIfNotEmpty, PageTemplate

from ..fonts import register_serif_family
from .content import MinutesDocument
from .page import Decor, DocStart, canvas_maker
from .story import document_story
from .styles import (
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    PAGE_HEIGHT,
    TEXT_WIDTH,
    nfc,
    styles_for,
)

__all__ = ["render_batch", "render_minutes_pdf"]


def _build(items: Sequence[tuple[MinutesDocument, str]], copy_mark: bool | Sequence[bool]) -> bytes:
    if not items:
        raise ValueError("nothing to render")
    # Streams go into the file as they are: page contents deflated, JPEG photos as their own bytes (DCTDecode).
    # ReportLab's default (useA85) also wraps every stream in ASCII85, 25 % larger and slow in pure Python. A
    # documented, process-wide rl_config setting; set on every build so nothing else can turn it back in between.
    rl_config.useA85 = 0
    fonts = register_serif_family()
    st = styles_for(fonts)
    story: list[Flowable] = []
    decor: list[Decor] = []
    for index, (doc, url) in enumerate(items):
        if not url:
            raise ValueError("verify_url is required: every page carries a QR code")
        if index:
            story.append(PageBreakIfNotEmpty())
        story.append(DocStart(index))
        story.extend(document_story(doc, st))
        marked = copy_mark if isinstance(copy_mark, bool) else copy_mark[len(decor)]
        decor.append(Decor(url, nfc(doc.number_text), doc.issued_on, marked, doc.superseded_note))

    first = items[0][0]
    if len(items) == 1:
        title = f"Biên bản kiểm tra số {first.number_text}"
    else:
        title = f"Biên bản kiểm tra ({len(items)} biên bản)"
    buf = io.BytesIO()
    template = BaseDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=MARGIN_LEFT,
        rightMargin=MARGIN_RIGHT,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=nfc(title),
        author=nfc(" ".join(first.issuing_body_lines)),
        subject=nfc(first.subtitle),
        creator="inspect_app",
        invariant=1,
        pageCompression=1,
        lang="vi-VN",
        initialFontName=fonts.regular,
    )
    frame = Frame(
        MARGIN_LEFT,
        MARGIN_BOTTOM,
        TEXT_WIDTH,
        PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    template.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    stamp_day = max(doc.issued_on for doc, _ in items)
    template.build(story, canvasmaker=canvas_maker(decor, fonts, stamp_day))
    return buf.getvalue()


def render_minutes_pdf(doc: MinutesDocument, *, verify_url: str, copy_mark: bool = False) -> bytes:
    """Render one biên bản kiểm tra; the same input always gives byte-identical output."""
    return _build([(doc, verify_url)], copy_mark)


def render_batch(
    docs_with_urls: list[tuple[MinutesDocument, str]], copy_mark: bool | Sequence[bool] = False
) -> bytes:
    """Render several biên bản into one PDF; each starts on a new page with its own numbering and QR.

    copy_mark is one flag for all, or one per document (a day's batch mixes first prints and reprints)."""
    return _build(list(docs_with_urls), copy_mark)
