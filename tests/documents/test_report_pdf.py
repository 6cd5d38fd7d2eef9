"""The yearly report's PDF read back: figures and Vietnamese text with pypdf, page sizes and numbers, the table's
width, the QR code through pdftoppm + zbarimg, and the same bytes for the same document."""

from __future__ import annotations

import dataclasses

import pytest
from reportlab.lib.units import mm

from inspect_app.documents.fonts import register_serif_family
from inspect_app.documents.official_pdf.styles import TEXT_WIDTH, styles_for
from inspect_app.documents.report_layout import count
from inspect_app.documents.report_pdf import WIDE_TEXT_WIDTH, figures_table, render_report_pdf
from inspect_app.reports.document import ReportDocument

from .pdftools import decode_qr, page_png, page_texts, reader
from .report_sample import COMMUNES, URL, commune_document, rollup_document


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def commune() -> ReportDocument:
    return commune_document()


@pytest.fixture(scope="module")
def commune_pdf(commune: ReportDocument) -> bytes:
    return render_report_pdf(commune)


@pytest.fixture(scope="module")
def rollup() -> ReportDocument:
    return rollup_document()


@pytest.fixture(scope="module")
def rollup_pdf(rollup: ReportDocument) -> bytes:
    return render_report_pdf(rollup)


def test_a_communes_report_reads_back_with_its_text_and_figures(commune: ReportDocument, commune_pdf: bytes):
    texts = [flat(t) for t in page_texts(commune_pdf)]
    whole = " ".join(texts)
    for expected in (
        "UBND TỈNH QUẢNG NGÃI",
        "UBND XÃ BA ĐỘNG",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 15/BC-UBND",
        "Ba Động, ngày 27 tháng 11 năm 2026",
        "BÁO CÁO",
        "Kết quả kiểm tra về tiêu chuẩn, đo lường, chất lượng năm 2026",
        "2.5. Đẩy mạnh công tác kiểm tra trong lĩnh vực tiêu chuẩn, đo lường và chất lượng",
        "UBND xã đã tổ chức 42 cuộc kiểm tra (38 cuộc theo kế hoạch, 4 cuộc đột xuất)",
        "Thực hiện 1.200 phép đo đối chứng",
        "Bảng số liệu kết quả kiểm tra (từ ngày 21/11/2025 đến ngày 20/11/2026)",
        "Số phép đo đối chứng đã thực hiện 1.200",
        "Trong đó có lần sử dụng khi quá hạn kiểm định/hiệu chuẩn 1",
        "Kinh phí bố trí cho công tác kiểm tra (số liệu nhập tay) 25.000.000 đồng",
        "Nơi nhận:",
        "- Lưu: VT, PVHXH (Sâm).",
        "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
        "Nguyễn Văn Sinh",
        "PHỤ LỤC",
        "(Kèm theo Báo cáo số 15/BC-UBND ngày 27/11/2026)",
        "2. Số phép đo không phù hợp (vượt lượng thiếu cho phép): 6",
        "01/05/2026 — Sạp 1, chợ Ba Động — thiếu 15 g / 1 kg",
        "… và 1 hồ sơ khác",
    ):
        assert expected in whole, expected
    # Every figure of the table is printed with its label.
    for row in commune.rows:
        if row.values:
            assert f"{row.label} {count(row.values[0])}" in whole, row.label
    # The typed-in rows are marked as such, every one.
    assert whole.count("(số liệu nhập tay)") == len(commune.typed_rows)
    # The appendix comes after the signature.
    signed = next(n for n, t in enumerate(texts) if "Nguyễn Văn Sinh" in t)
    appendix = next(n for n, t in enumerate(texts) if "DANH SÁCH HỒ SƠ" in t)
    assert appendix > signed or (
        appendix == signed and texts[signed].index("Nguyễn Văn Sinh") < texts[signed].index("PHỤ LỤC")
    )


def test_a4_portrait_page_numbers_from_page_two_inside_the_margins(commune_pdf: bytes):
    pages = reader(commune_pdf).pages
    assert len(pages) >= 4
    for number, page in enumerate(pages, start=1):
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
        found: list[tuple[str, float, float]] = []

        def visit(text, cm, tm, font_dict, font_size, found=found):
            if text.strip():
                found.append((text.strip(), tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]))

        page.extract_text(visitor_text=visit)
        top = [text for text, _x, y in found if y > 842 - 20 * mm]
        assert top == ([] if number == 1 else [str(number)]), number
        # Nothing in the 30 mm binding margin but the QR code.
        assert min(x for _text, x, _y in found) >= 30 * mm - 0.5


def test_the_qr_on_every_page_decodes_to_the_verify_url(commune_pdf: bytes, tmp_path):
    pages = len(reader(commune_pdf).pages)
    assert all("Báo cáo số 15/BC-UBND ngày 27/11/2026" in t for t in page_texts(commune_pdf))
    for page in sorted({1, 2, pages}):
        assert decode_qr(page_png(commune_pdf, page, tmp_path)) == [URL], page


def test_a_draft_has_no_qr_and_an_empty_number(commune: ReportDocument, tmp_path):
    draft = render_report_pdf(dataclasses.replace(commune, number="", verify_url=None))
    texts = [flat(t) for t in page_texts(draft)]
    assert "Số: /BC-UBND" in texts[0]
    assert not any("Quét mã" in t for t in texts)
    assert decode_qr(page_png(draft, 1, tmp_path)) == []


def test_same_document_same_bytes(commune: ReportDocument, commune_pdf: bytes, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert render_report_pdf(commune_document()) == commune_pdf


def test_a_rollup_puts_its_table_on_landscape_pages_with_the_head_on_each(
    rollup: ReportDocument, rollup_pdf: bytes
):
    pages = reader(rollup_pdf).pages
    sizes = [(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in pages]
    texts = [flat(t) for t in page_texts(rollup_pdf)]
    wide = [n for n, size in enumerate(sizes) if size == (842, 595)]
    assert wide and wide == list(range(wide[0], wide[-1] + 1))  # the table's pages, together
    assert sizes[0] == (595, 842) and sizes[-1] == (595, 842)  # header and appendix in portrait
    assert "Nơi nhận:" in texts[wide[-1] + 1]  # back in portrait for the closing and the signature
    for n in wide:
        assert texts[n].startswith(("Bảng số liệu", "Nội dung")), n  # the head row repeated on each page
        assert "Tổng cộng" in texts[n]
        for name in ("Xã Ba Động", "Đặc khu Lý Sơn"):
            assert name in texts[n]
    table = " ".join(texts[n] for n in wide)
    total = next(row for row in rollup.rows if row.code == "inspections")
    assert f"Số cuộc kiểm tra đã thực hiện {' '.join(count(v) for v in total.values)}" in table
    # Without a verify_url no page has a QR caption.
    assert not any("Quét mã" in t for t in texts)


def test_the_table_fits_the_text_column():
    st = styles_for(register_serif_family())
    commune = commune_document()
    _rows, widths, _extra = figures_table(commune, range(1), TEXT_WIDTH, st)
    assert sum(widths) == pytest.approx(TEXT_WIDTH) and widths[1] == pytest.approx(30 * mm)
    rollup = rollup_document()
    _rows, widths, _extra = figures_table(rollup, range(len(rollup.columns)), WIDE_TEXT_WIDTH, st)
    assert sum(widths) == pytest.approx(WIDE_TEXT_WIDTH) and len(widths) == 12
    assert WIDE_TEXT_WIDTH == pytest.approx(297 * mm - 50 * mm)


def test_thirty_communes_continue_in_further_tables(tmp_path):
    names = tuple(f"{name} {k}" for k in range(1, 4) for name in COMMUNES)
    doc = rollup_document(names, seed=4)
    pdf = render_report_pdf(doc)
    texts = [flat(t) for t in page_texts(pdf)]
    whole = " ".join(texts)
    assert "– phần 1/3" in whole and "(tiếp theo) – phần 3/3" in whole
    assert all(name in whole for name in names)
    sizes = [(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader(pdf).pages]
    assert sum(1 for size in sizes if size == (842, 595)) >= 3
