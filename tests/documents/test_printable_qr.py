"""The QR code of every official document is read from a print: inside what an office printer prints (10 mm at each
edge are left blank) and large enough for a plain 100 dpi scan, on the biên bản, the decision and the report."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from flask import Flask

from inspect_app.decisions.document import OfficialLetter
from inspect_app.documents import verification
from inspect_app.documents.decision_pdf import render_letter_pdf
from inspect_app.documents.minutes_pdf import render_minutes_pdf
from inspect_app.documents.report_pdf import render_report_pdf
from inspect_app.documents.tokens import new_public_id

from .pdftools import decode_qr, printed_page_png, reader
from .report_sample import commune_document, rollup_document
from .sample import sample_document

# A province's public address of ordinary length, and a long one.
BASES = ("https://tdc.ducpho.quangngai.gov.vn", "https://kiemtra-doluong.sokhcn.quangngai.gov.vn")


def public_url(base: str) -> str:
    """The address the app prints for a new document under ``base``."""
    app = Flask(__name__)
    app.config.update(PUBLIC_BASE_URL=base, SECRET_KEY="printable-qr-test")
    with app.app_context():
        return verification.verification_url(new_public_id())


def assert_every_page_reads(pdf: bytes, url: str, tmp_path) -> None:
    for page in range(1, len(reader(pdf).pages) + 1):
        assert decode_qr(printed_page_png(pdf, page, tmp_path)) == [url], f"page {page}"


@pytest.mark.parametrize("base", BASES)
def test_the_minutes_qr_reads_from_a_100_dpi_scan_of_a_print(base, tmp_path):
    url = public_url(base)
    assert_every_page_reads(render_minutes_pdf(sample_document(), verify_url=url), url, tmp_path)


def test_the_decision_qr_reads_from_a_100_dpi_scan_of_a_print(tmp_path):
    url = public_url(BASES[0])
    letter = OfficialLetter(
        issuer_lines=("ỦY BAN NHÂN DÂN", "PHƯỜNG ĐỨC PHỔ"),
        number_text="05/QĐ-UBND",
        place="Đức Phổ",
        issued_on=date(2026, 11, 3),
        title="QUYẾT ĐỊNH",
        subtitle="Về việc kiểm tra đo lường, ghi nhãn hàng hóa và niêm yết giá",
        body=(),
        recipients=("Như Điều 3;", "Lưu: VT."),
        signer_title="CHỦ TỊCH",
        signer_name="Nguyễn Văn Ký",
        document_line="Quyết định số 05/QĐ-UBND ngày 03/11/2026",
        verify_url=url,
    )
    assert_every_page_reads(render_letter_pdf(letter), url, tmp_path)


@pytest.mark.parametrize("sample", [commune_document, rollup_document])
def test_the_report_qr_reads_from_a_100_dpi_scan_of_a_print_portrait_and_landscape(sample, tmp_path):
    url = public_url(BASES[0])
    assert_every_page_reads(render_report_pdf(dataclasses.replace(sample(), verify_url=url)), url, tmp_path)


def test_the_printed_address_is_short_and_opens_the_same_document():
    app = Flask(__name__)
    app.config.update(PUBLIC_BASE_URL=BASES[0], SECRET_KEY="printable-qr-test")
    public_id = new_public_id()
    with app.app_context():
        url = verification.verification_url(public_id)
        assert url.startswith("HTTPS://TDC.DUCPHO.QUANGNGAI.GOV.VN/V/") and len(url) <= 80
        assert verification.public_id_of(url.rsplit("/", 1)[1]) == public_id
        # A token printed before keeps working.
        assert verification.public_id_of(verification.verification_token(public_id)) == public_id
