"""The yearly report's DOCX read back with python-docx: the NĐ 30/2020 page and header, the text and every figure,
Times New Roman 13-14 pt, the table's repeated header row and indented rows, a roll-up's landscape section, the
typed-in rows marked, the appendix after the signature; the template in the repo is what its script builds."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Pt

from inspect_app.documents.report_docx import render_report_docx
from tests.conftest import missing
from inspect_app.documents.report_docx_template import STYLES, build_template, template_bytes
from inspect_app.documents.report_layout import count, paragraphs
from inspect_app.reports.document import ReportDocument

from .pdftools import page_texts
from .report_sample import COMMUNES, commune_document, rollup_document

FONT = "Times New Roman"


@pytest.fixture(scope="module")
def commune() -> ReportDocument:
    return commune_document()


@pytest.fixture(scope="module")
def commune_docx(commune: ReportDocument) -> bytes:
    return render_report_docx(commune)


def mm(*lengths) -> tuple[int, ...]:
    """Lengths in whole millimetres (Word stores twentieths of a point)."""
    return tuple(round(length.mm) for length in lengths)


def read(data: bytes):
    return Document(io.BytesIO(data))


def cell_texts(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def figures_table(document, first_column: str):
    return next(t for t in document.tables if t.rows[0].cells[1].text == first_column)


def effective(paragraph, attribute: str):
    """A run's font attribute as Word resolves it: the run's own, else its paragraph style's chain."""
    for run in paragraph.runs:
        value = getattr(run.font, attribute)
        if value is not None:
            return value
    style = paragraph.style
    while style is not None:
        value = getattr(style.font, attribute)
        if value is not None:
            return value
        style = style.base_style
    return None


def test_the_template_in_the_repo_is_what_its_script_builds():
    assert template_bytes() == build_template()
    document = read(template_bytes())
    assert document.paragraphs == [] and document.tables == []
    assert {name for name in STYLES} <= {style.name for style in document.styles}


def test_a4_portrait_nd30_margins_and_page_numbers_from_page_two(commune_docx: bytes):
    document = read(commune_docx)
    section = document.sections[0]
    assert mm(section.page_width, section.page_height) == (210, 297)
    assert mm(section.top_margin, section.bottom_margin, section.left_margin, section.right_margin) == (
        20,
        20,
        30,
        15,
    )
    assert section.different_first_page_header_footer
    assert section.first_page_header.paragraphs[0].text == ""
    header = section.header.paragraphs[0]._p.xml
    assert "PAGE" in header and 'w:fldCharType="begin"' in header


def test_the_header_text_and_every_figure_read_back(commune: ReportDocument, commune_docx: bytes):
    document = read(commune_docx)
    head = cell_texts(document.tables[0])
    assert head[0][0].split("\n")[:2] == ["UBND TỈNH QUẢNG NGÃI", "UBND XÃ BA ĐỘNG"]
    assert head[0][1].split("\n")[:2] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert head[1] == ["Số: 15/BC-UBND", "Ba Động, ngày 27 tháng 11 năm 2026"]
    texts = [p.text for p in document.paragraphs]
    assert texts[:2] == ["BÁO CÁO", commune.subtitle]
    assert commune.opening in texts and commune.section_heading in texts
    body = paragraphs(commune.section_text)
    start = texts.index(commune.section_heading) + 1
    assert texts[start : start + len(body)] == body
    assert any("UBND xã đã tổ chức 42 cuộc kiểm tra" in t for t in body)

    table = figures_table(document, "Số lượng")
    rows = cell_texts(table)
    assert rows[0] == ["Nội dung", "Số lượng"]
    assert rows[1:] == [
        [row.label, count(row.values[0])] if row.values else [row.label, row.label] for row in commune.rows
    ]
    assert rows[1 + next(n for n, r in enumerate(commune.rows) if r.code == "control")] == [
        "Số phép đo đối chứng đã thực hiện",
        "1.200",
    ]
    # The header row repeats on every page; rows are not split across pages.
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows)
    # "Trong đó" rows are indented, the others not.
    for row, spec in zip(table.rows[1:], commune.rows, strict=True):
        indent = row.cells[0].paragraphs[0].paragraph_format.left_indent
        assert (indent is not None and mm(indent) == (6,)) == (spec.level == 2), spec.label


def test_typed_rows_signature_and_appendix(commune: ReportDocument, commune_docx: bytes):
    document = read(commune_docx)
    typed = cell_texts(figures_table(document, "Số liệu"))
    assert typed[1:] == [[f"{t.label} (số liệu nhập tay)", t.value] for t in commune.typed_rows]
    signature = cell_texts(document.tables[-1])[0]
    assert signature[0].split("\n") == ["Nơi nhận:", *(f"- {line}" for line in commune.recipients)]
    lines = signature[1].split("\n")
    assert lines[:2] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"] and lines[-1] == "Nguyễn Văn Sinh"
    texts = [p.text for p in document.paragraphs]
    appendix = texts.index("PHỤ LỤC")
    assert texts.index(commune.closing) < appendix
    assert document.paragraphs[appendix].paragraph_format.page_break_before
    assert texts[appendix + 2] == "(Kèm theo Báo cáo số 15/BC-UBND ngày 27/11/2026)"
    assert "2. Số phép đo không phù hợp (vượt lượng thiếu cho phép): 6" in texts
    assert "– 12/03/2026 — Sạp 12, chợ Ba Động — Vi phạm" in texts
    assert texts[-1].startswith("… và 1 hồ sơ khác")


def test_times_new_roman_13_to_14_pt(commune_docx: bytes):
    document = read(commune_docx)
    styles = document.styles.element
    defaults = (
        styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:rFonts"))
    )
    assert {defaults.get(qn(f"w:{s}")) for s in ("ascii", "hAnsi", "eastAsia", "cs")} == {FONT}
    assert document.styles["Normal"].font.name == FONT
    for name in STYLES:
        assert document.styles[name].font.name == FONT, name
    # No run picks another font; the text of the report is 13-14 pt.
    body = [p for p in document.paragraphs if p.text]
    for cell_table in document.tables:
        for row in cell_table.rows:
            for cell in row.cells:
                body += [p for p in cell.paragraphs if p.text]
    assert all(run.font.name is None for p in body for run in p.runs)
    text = [
        p for p in document.paragraphs if p.style.name in ("Report Body", "Report Heading", "Report Title")
    ]
    assert len(text) > 6
    assert all(Pt(13) <= effective(p, "size") <= Pt(14) for p in text)
    header = [p for p in document.tables[0].rows[1].cells[0].paragraphs if p.text]
    assert effective(header[0], "size") == Pt(13)


def test_same_document_same_bytes(commune_docx: bytes):
    assert render_report_docx(commune_document()) == commune_docx


def test_a_rollup_goes_in_a_landscape_section_with_a_column_per_commune():
    doc = rollup_document()
    document = read(render_report_docx(doc))
    orientations = [s.orientation for s in document.sections]
    assert orientations == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE, WD_ORIENT.PORTRAIT]
    wide = document.sections[1]
    assert mm(wide.page_width, wide.page_height) == (297, 210)
    assert mm(wide.left_margin, wide.right_margin, wide.top_margin, wide.bottom_margin) == (30, 15, 20, 20)
    assert not wide.different_first_page_header_footer  # its first page is numbered too
    table = figures_table(document, COMMUNES[0])
    rows = cell_texts(table)
    assert rows[0] == ["Nội dung", *COMMUNES, "Tổng cộng"]
    total = next(row for row in doc.rows if row.code == "inspections")
    assert [total.label, *(count(v) for v in total.values)] in rows
    widths = [column.width for column in table.columns]
    assert round(sum(w.mm for w in widths)) == 297 - 45 and len(set(widths[1:])) == 1


def test_it_opens_in_libreoffice(commune_docx: bytes, tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        missing("LibreOffice (Debian: libreoffice-writer-nogui)")
    source = tmp_path / "bao-cao.docx"
    source.write_bytes(commune_docx)
    subprocess.run(
        [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        timeout=180,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    texts = [" ".join(t.split()) for t in page_texts((tmp_path / "bao-cao.pdf").read_bytes())]
    whole = " ".join(texts)
    assert (
        "UBND xã đã tổ chức 42 cuộc kiểm tra" in whole and "Số phép đo đối chứng đã thực hiện 1.200" in whole
    )
    assert texts[1].startswith("2 ")  # the page number from page 2
