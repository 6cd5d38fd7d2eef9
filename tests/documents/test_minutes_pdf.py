"""The biên bản PDF read back: text with pypdf, QR codes through pdftoppm + zbarimg, bytes for determinism."""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal

import pytest
from reportlab.lib.units import mm

from inspect_app.documents.minutes_pdf import (
    MeterCheck,
    MinutesDocument,
    Photo,
    render_batch,
    render_minutes_pdf,
)
from inspect_app.documents.vn_format import format_vn_decimal
from inspect_app.documents.tokens import make_verification_token, new_public_id
from inspect_app.documents.fonts import VIETNAMESE_SAMPLE, register_serif_family

from .pdftools import decode_qr, page_png, page_texts, reader
from .sample import PREMISE_NAME, READINGS, field_photos, replace, sample_document

SECRET = b"test-secret-for-verification-links"


def verify_url(public_id: str | None = None) -> str:
    token = make_verification_token(public_id or new_public_id(), SECRET)
    return f"https://tdc.ducpho.quangngai.gov.vn/xac-thuc/{token}"


URL = verify_url("Zq3v8Yp1sK0aRt5uW2xN7Q")


@pytest.fixture(scope="module")
def doc() -> MinutesDocument:
    return sample_document()


@pytest.fixture(scope="module")
def pdf(doc: MinutesDocument) -> bytes:
    return render_minutes_pdf(doc, verify_url=URL)


@pytest.fixture(scope="module")
def texts(pdf: bytes) -> list[str]:
    return page_texts(pdf)


def test_the_sample_runs_over_two_pages_at_least(texts: list[str]) -> None:
    assert len(texts) >= 2


@pytest.mark.parametrize(
    "expected",
    [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "BIÊN BẢN KIỂM TRA",
        "Số: 12/BB-KT",
        "Đức Phổ, ngày 21 tháng 11 năm 2026",
        "ỦY BAN NHÂN DÂN",
        "PHƯỜNG ĐỨC PHỔ",
        "Về việc kiểm tra đo lường, ghi nhãn hàng hóa, niêm yết giá và chất lượng hàng hóa",
        PREMISE_NAME,
        "Nguyễn Thị Hường",
        "Trần Văn Bình, chức vụ: Công chức Văn hóa – Xã hội",
        "Hôm nay, vào hồi 08 giờ 30 phút, ngày 21/11/2026",
        "Việc kiểm tra kết thúc vào hồi 10 giờ 15 phút cùng ngày.",
        "Biên bản được lập thành 02 bản có giá trị như nhau, mỗi bên giữ 01 bản",
        "ĐẠI DIỆN CƠ SỞ",
        "NGƯỜI LẬP BIÊN BẢN",
        "TRƯỞNG ĐOÀN KIỂM TRA",
        "(Ký, ghi rõ họ tên)",
        "Quét mã để kiểm tra tính xác thực",
        "số CCCD: 051186001234",
        "Thời hạn hoàn thành: trước ngày 05/12/2026.",
        "(Căn cứ: NĐ 119/2017/NĐ-CP Điều 14)",
    ],
)
def test_required_wording_extracts_exactly(texts: list[str], expected: str) -> None:
    # Word for word; where a line breaks is the layout's business.
    assert expected in " ".join(" ".join(texts).split())


def test_every_reading_prints_its_numbers_with_a_decimal_comma(texts: list[str]) -> None:
    text = "\n".join(texts)
    # The brief's example reading, spelled out, then every reading through the formatter.
    for literal in ("5,00 kg", "5,15 kg", "+0,150 kg", "±0,100 kg", "Không đạt"):
        assert literal in text
    for rd in READINGS:
        assert f"{format_vn_decimal(rd.reference)} {rd.unit}" in text
        assert f"{format_vn_decimal(rd.indication)} {rd.unit}" in text
        assert f"{format_vn_decimal(rd.error, signed=True)} {rd.unit}" in text
        assert f"±{format_vn_decimal(rd.permitted_error)} {rd.unit}" in text
    assert "5.15" not in text and "0.150" not in text


def test_prepackaged_lots_and_the_provisional_note(texts: list[str]) -> None:
    text = " ".join(" ".join(texts).split())
    assert "4,962 kg" in text and "0,075 kg" in text
    assert "Lượng trung bình" in text
    assert "Không đạt (*)" in text  # the reading judged with a provisional table is flagged
    assert "(*) Kết quả đánh giá theo bảng giới hạn sai số tạm thời" in text


def test_page_numbers_from_page_two_only(texts: list[str]) -> None:
    total = len(texts)
    assert "Trang 1/" not in texts[0]
    for number, text in enumerate(texts[1:], start=2):
        assert f"Trang {number}/{total}" in text


def test_page_number_sits_centred_in_the_top_margin(pdf: bytes) -> None:
    page = reader(pdf).pages[1]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    found: list[tuple[float, float]] = []

    def visit(text, cm, tm, font_dict, font_size):
        if text.startswith("Trang 2/"):
            found.append((tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]))

    page.extract_text(visitor_text=visit)
    assert found, "no page number found on page 2"
    x, y = found[0]
    assert y > height - 20 * mm  # in the top margin
    assert abs((x + 25) - (30 * mm + (width - 45 * mm) / 2)) < 20  # roughly centred over the text column


def test_a4_portrait_and_text_inside_the_nd30_margins(pdf: bytes) -> None:
    for page in reader(pdf).pages:
        assert round(float(page.mediabox.width)) == 595 and round(float(page.mediabox.height)) == 842
        xs: list[float] = []

        def visit(text, cm, tm, font_dict, font_size, xs=xs):
            if text.strip():
                xs.append(tm[4] * cm[0] + cm[4])

        page.extract_text(visitor_text=visit)
        assert xs and min(xs) >= 30 * mm - 0.5  # nothing printed in the 30 mm binding margin but the QR


def test_copy_mark_only_when_asked(doc: MinutesDocument, texts: list[str]) -> None:
    assert all("BẢN SAO" not in t for t in texts)
    copy_texts = page_texts(render_minutes_pdf(doc, verify_url=URL, copy_mark=True))
    assert len(copy_texts) == len(texts)
    assert all("BẢN SAO" in t for t in copy_texts)


def test_superseded_note_on_every_page(doc: MinutesDocument) -> None:
    note = "Biên bản này đã được thay thế bởi Biên bản số 13/BB-KT ngày 22/11/2026."
    texts = page_texts(render_minutes_pdf(replace(doc, superseded_note=note), verify_url=URL))
    assert all(note in t for t in texts)  # at the foot of every page
    assert texts[0].count(note) == 2  # and in full under the title
    assert all("BẢN SAO" not in t for t in texts)


def test_qr_is_vector_not_an_image(pdf: bytes) -> None:
    assert all(len(page.images) == 0 for page in reader(pdf).pages)


def test_qr_on_first_and_last_page_decodes_to_the_verify_url(pdf: bytes, tmp_path) -> None:
    pages = len(reader(pdf).pages)
    for page in sorted({1, pages}):
        assert decode_qr(page_png(pdf, page, tmp_path)) == [URL], f"page {page}"


def test_same_input_gives_identical_bytes(doc: MinutesDocument, pdf: bytes, monkeypatch) -> None:
    assert render_minutes_pdf(doc, verify_url=URL) == pdf
    # Neither the clock nor a reproducible-build epoch changes a stored document.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert render_minutes_pdf(sample_document(), verify_url=URL) == pdf


def test_dates_in_the_file_come_from_the_document(pdf: bytes) -> None:
    meta = reader(pdf).metadata
    assert meta is not None
    assert meta.get("/CreationDate", "").startswith("D:20261121000000+07")
    assert meta.title == "Biên bản kiểm tra số 12/BB-KT"


def test_any_change_changes_the_bytes(doc: MinutesDocument, pdf: bytes) -> None:
    assert render_minutes_pdf(replace(doc, number=13), verify_url=URL) != pdf
    assert render_minutes_pdf(doc, verify_url=verify_url()) != pdf


def test_batch_of_three_numbers_pages_per_document_and_keeps_each_qr(tmp_path) -> None:
    docs = [
        sample_document(),
        sample_document(number=13, lots=(), result_groups=()),
        sample_document(number=14, business=replace(sample_document().business, name="Ki-ốt Trần Thị Lụa")),
    ]
    urls = [verify_url() for _ in docs]
    singles = [render_minutes_pdf(d, verify_url=u) for d, u in zip(docs, urls, strict=True)]
    counts = [len(reader(s).pages) for s in singles]
    batch = render_batch(list(zip(docs, urls, strict=True)))
    texts = page_texts(batch)
    assert len(texts) == sum(counts)

    first = 0
    for d, url, count in zip(docs, urls, counts, strict=True):
        own = texts[first : first + count]
        assert f"Số: {d.number_text}" in own[0]
        assert "Trang 1/" not in own[0] and "Trang " not in own[0].split("Quét mã")[0][-40:]
        for number, text in enumerate(own[1:], start=2):
            assert f"Trang {number}/{count}" in text
        for page in sorted({first + 1, first + count}):
            assert decode_qr(page_png(batch, page, tmp_path)) == [url], f"document {d.number}, page {page}"
        first += count
    assert render_batch(list(zip(docs, urls, strict=True))) == batch


def test_batch_copy_mark_marks_every_page() -> None:
    docs = [(sample_document(), verify_url()), (sample_document(number=13), verify_url())]
    assert all("BẢN SAO" in t for t in page_texts(render_batch(docs, copy_mark=True)))


def test_every_vietnamese_letter_renders_and_extracts_back(doc: MinutesDocument) -> None:
    chunks = [VIETNAMESE_SAMPLE[k : k + 6] for k in range(0, len(VIETNAMESE_SAMPLE), 6)]
    statement = "Kiểm tra bảng chữ: " + " ".join(chunks)
    text = "\n".join(
        page_texts(render_minutes_pdf(replace(doc, representative_statement=statement), verify_url=URL))
    )
    for chunk in chunks:
        assert chunk in text


def test_decomposed_input_prints_precomposed_letters(doc: MinutesDocument) -> None:
    nfd_owner = unicodedata.normalize("NFD", "Nguyễn Thị Hường")
    assert nfd_owner != "Nguyễn Thị Hường"
    biz = replace(doc.business, owner=nfd_owner)
    text = "\n".join(page_texts(render_minutes_pdf(replace(doc, business=biz), verify_url=URL)))
    assert "Chủ cơ sở: Nguyễn Thị Hường" in text


def test_markup_characters_in_user_text_are_printed_literally(doc: MinutesDocument) -> None:
    statement = 'Giá <b>niêm yết</b> & "khuyến mãi" < 5%'
    text = "\n".join(
        page_texts(render_minutes_pdf(replace(doc, representative_statement=statement), verify_url=URL))
    )
    assert statement in text


def test_empty_statement_leaves_dotted_lines_to_write_on(doc: MinutesDocument) -> None:
    text = "\n".join(
        page_texts(render_minutes_pdf(replace(doc, representative_statement=""), verify_url=URL))
    )
    assert "........................................" in text


def test_copies_wording_for_three_copies(doc: MinutesDocument) -> None:
    text = " ".join(" ".join(page_texts(render_minutes_pdf(replace(doc, copies=3), verify_url=URL))).split())
    assert "Biên bản được lập thành 03 bản có giá trị như nhau, cơ sở được kiểm tra giữ 01 bản" in text


def test_signatures_and_photos_appendix(tmp_path) -> None:
    doc = sample_document(with_images=True)
    pdf = render_minutes_pdf(doc, verify_url=URL)
    plain_pages = len(reader(render_minutes_pdf(sample_document(), verify_url=URL)).pages)
    pages = reader(pdf).pages
    assert len(pages) == plain_pages + 1  # the appendix starts on its own page
    last = " ".join(pages[-1].extract_text().split())
    assert "PHỤ LỤC: HÌNH ẢNH KIỂM TRA" in last
    assert "Ảnh 1. Tem kiểm định hết hạn trên cân đồng hồ lò xo" in last
    assert sum(len(p.images) for p in pages) == 3 + 3  # three signatures, three photos
    assert decode_qr(page_png(pdf, len(pages), tmp_path)) == [URL]
    assert render_minutes_pdf(doc, verify_url=URL) == pdf


def test_six_photos_go_in_as_their_own_jpeg_bytes(tmp_path) -> None:
    photos = field_photos(6)
    jpeg_bytes = sum(len(p.jpeg) for p in photos)
    assert jpeg_bytes > 2_000_000  # phone-sized photos, as the upload pipeline stores them
    doc = sample_document(photos=photos)
    pdf = render_minutes_pdf(doc, verify_url=URL)
    assert len(pdf) < jpeg_bytes + 150_000  # the text pages and fonts come to about 100 kB
    for photo in photos:
        assert photo.jpeg in pdf  # embedded verbatim, not decoded and re-encoded
    pages = reader(pdf).pages
    filters = [
        xobject.get_object()["/Filter"]
        for page in pages
        for xobject in page["/Resources"].get("/XObject", {}).values()
    ]
    assert len(filters) == 6 and all(list(f) == ["/DCTDecode"] for f in filters), filters
    assert "Ảnh 6. Ảnh hiện trường số 6" in " ".join(pages[-1].extract_text().split())
    assert decode_qr(page_png(pdf, len(pages), tmp_path)) == [URL]  # the photo page renders and keeps its QR
    assert render_minutes_pdf(doc, verify_url=URL) == pdf


def test_photo_order_and_captions_survive_an_odd_count() -> None:
    doc = sample_document(with_images=True)
    one = replace(doc, photos=(Photo(doc.photos[0].jpeg, "Ảnh duy nhất"),))
    assert "Ảnh 1. Ảnh duy nhất" in page_texts(render_minutes_pdf(one, verify_url=URL))[-1]


def test_fonts_are_embedded_vietnamese_serif(pdf: bytes) -> None:
    family = register_serif_family()
    names: set[str] = set()
    for page in reader(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    names.discard("/Helvetica")  # ReportLab always declares its default font; no text is set in it
    assert names and all(family.family in n for n in names), names
    assert any("Bold" in n for n in names) and any("Italic" in n for n in names)


def test_document_validates_its_numbers() -> None:
    with pytest.raises(ValueError):
        sample_document(number=0)
    with pytest.raises(ValueError):
        sample_document(copies=0)


def test_lists_are_accepted_and_frozen_to_tuples() -> None:
    doc = sample_document(legal_basis=["Căn cứ A;", "Căn cứ B."], readings=list(READINGS))
    assert isinstance(doc.legal_basis, tuple) and isinstance(doc.readings, tuple)
    hash(replace(doc, photos=()).number_text)


def test_dates_are_padded_per_nd30() -> None:
    doc = sample_document(issued_on=date(2026, 2, 5))
    assert doc.place_date_text == "Đức Phổ, ngày 05 tháng 02 năm 2026"
    assert sample_document(issued_on=date(2026, 3, 9)).place_date_text == "Đức Phổ, ngày 09 tháng 3 năm 2026"


def test_one_sided_permitted_shortfall_prints_without_plus_minus(doc: MinutesDocument) -> None:
    reading = replace(READINGS[0], permitted_sign="", permitted_error=Decimal("0.040"), places=3)
    text = "\n".join(page_texts(render_minutes_pdf(replace(doc, readings=(reading,)), verify_url=URL)))
    assert "0,040 kg" in text and "±0,040" not in text
    assert "2,000 kg" in text and "2,050 kg" in text


def test_meters_checked_are_listed_after_the_lots_and_carry_no_verdict():
    meter = MeterCheck(
        meter="Công tơ điện, cấp 1, số CT-9 — Công tơ điện 1 pha kiểu điện tử — Điện lực Đức Phổ",
        address="Thôn 3, phường Đức Phổ",
        index_reading="10.482 kWh",
        stamp="Tem/dấu bị rách, mờ hoặc không đọc được. Không xác định được hạn",
        seals="Còn nguyên vẹn",
        tampering=("Có nam châm hoặc vật lạ gắn vào",),
        complaint="Ông Trần Văn Bình: công tơ quay khi đã ngắt tải.",
        referral=("Chuyển đơn vị cấp điện/cấp nước ngày 22/11/2026.",),
    )
    words = " ".join(
        " ".join(
            page_texts(render_minutes_pdf(sample_document(meter_checks=(meter,)), verify_url=URL))
        ).split()
    )
    lots = words.index("Kết quả kiểm tra lượng của hàng đóng gói sẵn")
    start = words.index("4. Công tơ điện, đồng hồ nước đã kiểm tra")
    section = words[start : words.index("IV. VI PHẠM PHÁT HIỆN")]
    assert lots < start
    squeezed = section.replace(" ", "")
    for expected in ("CT-9", "Điện lực Đức Phổ", "Chỉ số: 10.482 kWh", "Có nam châm hoặc vật lạ gắn vào",
                     "Ông Trần Văn Bình", "Chuyển đơn vị cấp điện/cấp nước ngày 22/11/2026."):  # fmt: skip
        assert expected.replace(" ", "") in squeezed, expected
    assert "Đạt" not in section and "Không đạt" not in section


def test_an_emoji_typed_in_the_field_prints_as_a_visible_mark_not_a_gap(doc: MinutesDocument) -> None:
    """An emoji in the representative's statement used to print as an invisible gap (a text extractor read a NUL):
    the font has no glyph for it. It prints as one empty box; the Vietnamese around it is untouched."""
    statement = "Tôi đồng ý với kết quả kiểm tra 👍🏽; sẽ khắc phục ❤️ trước hạn ♥"
    text = "\n".join(page_texts(render_minutes_pdf(replace(doc, representative_statement=statement), verify_url=URL)))
    assert "\x00" not in text
    flat = " ".join(text.split())
    assert "Tôi đồng ý với kết quả kiểm tra □; sẽ khắc phục □ trước hạn ♥" in flat
