"""Builds the Word template the yearly report's DOCX is filled into: ``templates/report.docx``.

The template holds what a person may want to adjust in Word without touching code: the A4 page and its NĐ 30/2020
margins (top and bottom 20 mm, left 30 mm, right 15 mm), the page number centred in the top margin from page 2 on,
and the named paragraph styles the renderer uses (Times New Roman throughout, body text 14 pt, justified, first line
indented 1 cm, 6 pt between paragraphs, Vietnamese as the proofing language). Its body is empty: the app fills it.

After changing this script, rebuild the template and commit both::

    python -m inspect_app.documents.report_docx_template

A test checks that the committed template is what this script builds.
"""

from __future__ import annotations

import io
import sys
import zipfile
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

__all__ = ["FONT", "STYLES", "TEMPLATE", "build_template", "normalised_zip", "template_bytes"]

TEMPLATE = Path(__file__).with_name("templates") / "report.docx"
FONT = "Times New Roman"
# The fixed date written into the template's files, so that rebuilding it gives the same bytes.
BUILT = datetime(2026, 1, 1)

# name → (size in pt, bold, italic, alignment, first-line indent in cm, space before, space after, line spacing)
STYLES: dict[str, tuple[float, bool, bool, str, float, float, float, float]] = {
    "Report Body": (14, False, False, "justify", 1.0, 0, 6, 1.15),
    "Report Heading": (14, True, False, "justify", 1.0, 6, 6, 1.15),
    "Report Title": (14, True, False, "center", 0, 12, 0, 1.0),
    "Report Subtitle": (14, True, False, "center", 0, 0, 0, 1.0),
    "Report Header": (13, False, False, "center", 0, 0, 0, 1.0),
    "Report Table Text": (12, False, False, "left", 0, 1, 1, 1.0),
    "Report Caption": (13, True, False, "left", 0, 6, 3, 1.0),
    "Report Recipients": (11, False, False, "left", 0, 0, 0, 1.0),
    "Report Signature": (14, True, False, "center", 0, 0, 0, 1.0),
    "Report Appendix": (12, False, False, "left", 0, 0, 2, 1.0),
}
_ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}


def _fonts(r_pr) -> None:
    """Times New Roman for every script (Word picks the font of a Vietnamese letter by script), no theme fonts."""
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for attribute in list(fonts.attrib):
        del fonts.attrib[attribute]
    for script in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{script}"), FONT)


def _document_defaults(document) -> None:
    defaults = document.styles.element.find(qn("w:docDefaults"))
    r_pr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(r_pr)
    lang = r_pr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        r_pr.append(lang)
    for attribute in ("val", "eastAsia", "bidi"):
        lang.set(qn(f"w:{attribute}"), "vi-VN")
    normal = document.styles["Normal"]
    normal.font.size = Pt(14)
    _fonts(normal.element.get_or_add_rPr())


def _styles(document) -> None:
    for name, (size, bold, italic, align, indent, before, after, spacing) in STYLES.items():
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = document.styles["Normal"]
        style.quick_style = True
        style.font.size = Pt(size)
        style.font.bold = bold
        style.font.italic = italic
        _fonts(style.element.get_or_add_rPr())
        fmt = style.paragraph_format
        fmt.alignment = _ALIGN[align]
        fmt.first_line_indent = Cm(indent)
        fmt.space_before = Pt(before)
        fmt.space_after = Pt(after)
        fmt.line_spacing = spacing
        fmt.widow_control = True
        if name in ("Report Heading", "Report Title", "Report Subtitle", "Report Caption"):
            fmt.keep_with_next = True


def _page_number(paragraph) -> None:
    """A PAGE field (begin, instruction, separator, last shown value, end; a run each): Word and LibreOffice print
    each page's own number there."""
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "2"), ("end", None)):
        run = paragraph.add_run()
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == " PAGE ":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


def _page(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance, section.footer_distance = Mm(8), Mm(8)
    # NĐ 30/2020: no number on the first page; from the second on, centred in the top margin.
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.style = document.styles["Report Header"]
    header.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number(header)
    section.first_page_header.paragraphs[0].text = ""


def build_template() -> bytes:
    """The template's bytes, the same on every run."""
    document = Document()
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    _document_defaults(document)
    _styles(document)
    _page(document)
    core = document.core_properties
    core.author = core.last_modified_by = ""
    core.title = "Báo cáo"
    core.comments = ""
    core.created = core.modified = BUILT
    core.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    return normalised_zip(buffer.getvalue(), BUILT)


def normalised_zip(data: bytes, when: datetime) -> bytes:
    """The same package with every file dated ``when`` (python-docx stamps them with the clock), so the same
    content always gives the same bytes."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for name in source.namelist():
            info = zipfile.ZipInfo(name, date_time=(when.year, when.month, when.day, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(name))
    return out.getvalue()


def template_bytes() -> bytes:
    """The committed template."""
    return TEMPLATE.read_bytes()


if __name__ == "__main__":
    TEMPLATE.parent.mkdir(exist_ok=True)
    TEMPLATE.write_bytes(build_template())
    sys.stdout.write(f"wrote {TEMPLATE}\n")
