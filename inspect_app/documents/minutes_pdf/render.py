"""Building the PDF: one biên bản, or a batch of them each with its own page numbers and QR."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.platypus import Flowable, PageBreakIfNotEmpty

from ..fonts import register_serif_family
from ..official_pdf.pages import DocStart, build_pdf
from ..official_pdf.styles import nfc, styles_for
from .content import MinutesDocument
from .page import Decor, decorator
from .story import document_story

__all__ = ["render_batch", "render_minutes_pdf"]


def _build(items: Sequence[tuple[MinutesDocument, str]], copy_mark: bool | Sequence[bool]) -> bytes:
    if not items:
        raise ValueError("nothing to render")
    fonts = register_serif_family()
    st = styles_for(fonts)
    story: list[Flowable] = []
    decor: list[Decor] = []
    for index, (doc, url) in enumerate(items):
        if not url and not doc.preview:
            raise ValueError("verify_url is required: every page of an issued biên bản carries a QR code")
        if index:
            story.append(PageBreakIfNotEmpty())
        story.append(DocStart(index))
        story.extend(document_story(doc, st))
        marked = copy_mark if isinstance(copy_mark, bool) else copy_mark[len(decor)]
        decor.append(
            Decor(url, nfc(doc.number_text), doc.issued_on, marked, doc.superseded_note, doc.preview)
        )

    first = items[0][0]
    if len(items) == 1:
        title = f"Biên bản kiểm tra số {first.number_text}"
    else:
        title = f"Biên bản kiểm tra ({len(items)} biên bản)"
    return build_pdf(
        story,
        fonts,
        decorator(decor, fonts),
        max(doc.issued_on for doc, _ in items),
        title=title,
        author=" ".join(first.issuing_body_lines),
        subject=first.subtitle,
    )


def render_minutes_pdf(doc: MinutesDocument, *, verify_url: str = "", copy_mark: bool = False) -> bytes:
    """Render one biên bản kiểm tra; the same input always gives byte-identical output."""
    return _build([(doc, verify_url)], copy_mark)


def render_batch(
    docs_with_urls: list[tuple[MinutesDocument, str]], copy_mark: bool | Sequence[bool] = False
) -> bytes:
    """Render several biên bản into one PDF; each starts on a new page with its own numbering and QR.

    copy_mark is one flag for all, or one per document (a day's batch mixes first prints and reprints)."""
    return _build(list(docs_with_urls), copy_mark)
