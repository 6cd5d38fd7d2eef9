"""The yearly report's section text and table rows, from tables built in the test (no database): the figures are
woven in with Vietnamese number format, zeros read as words, a roll-up speaks of its communes and sums them."""

from __future__ import annotations

import random
import re

from inspect_app.reports.figures import REPORT_ROWS
from inspect_app.reports.text import TOTAL_COLUMN, VALUE_COLUMN, document_columns, document_rows, section_text
from tests.documents.report_sample import BA_DONG, COMMUNES, make_table, random_figures

# A zero written as a count ("0 cuộc", "trong đó 0"): the text never says that.
ZERO_COUNT = re.compile(r"(?<![\d.,/])0(?![\d.,/])")


def paragraphs(text: str) -> list[str]:
    return text.split("\n\n")


def test_a_communes_section_weaves_in_its_figures():
    text = section_text(make_table({"Xã Ba Động": BA_DONG}), "Xã Ba Động")
    first, metrology, prepackaged, groups, handling, standards = paragraphs(text)
    assert first.startswith(
        "Trong kỳ báo cáo (từ ngày 21/11/2025 đến ngày 20/11/2026), UBND xã đã tổ chức 42 cuộc kiểm tra "
        "(38 cuộc theo kế hoạch, 4 cuộc đột xuất) tại 37 cơ sở sản xuất, kinh doanh trên địa bàn xã "
        "(20 sạp chợ, 12 cửa hàng tạp hóa, 5 cửa hàng xăng dầu)"
    )
    assert "ghi nhãn hàng hóa, niêm yết giá và chất lượng hàng hóa." in first
    assert (
        "Đã kiểm tra 55 phương tiện đo (30 cân đồng hồ lò xo, 15 cân điện tử, 10 cột đo xăng dầu)"
        in metrology
    )
    assert "51 phương tiện đo đạt yêu cầu, 4 phương tiện đo không đạt yêu cầu" in metrology
    assert (
        "không có tem/dấu hoặc hết hạn kiểm định (3 lượt); sai số vượt giới hạn cho phép (1 lượt)"
        in metrology
    )
    # Thousands with a dot.
    assert (
        "Thực hiện 1.200 phép đo đối chứng (1.000 phép đo khi bán hàng, 200 phép đo khi mua hàng)"
        in metrology
    )
    assert "phát hiện 6 phép đo không phù hợp" in metrology
    assert "trong đó 5 phép đo khi bán hàng, 1 phép đo khi mua hàng" in metrology
    assert "ghi lượng trên nhãn 14 lượt, 2 lượt không đạt" in prepackaged
    assert "8 lô hàng, 1 lô không đạt yêu cầu về lượng" in prepackaged
    assert "ghi nhãn hàng hóa tại 30 cuộc (phát hiện vi phạm tại 3 cuộc)" in groups
    assert "chất lượng hàng hóa tại 10 cuộc (không phát hiện vi phạm)" in groups
    assert handling.startswith("Các đoàn kiểm tra đã lập 42 biên bản kiểm tra (7 biên bản ghi nhận vi phạm).")
    assert "nhắc nhở tại chỗ 8 trường hợp" in handling
    assert (
        "yêu cầu khắc phục 5 trường hợp (3 trường hợp đã khắc phục khi kiểm tra lại; 2 trường hợp đang chờ "
        "khắc phục, trong đó 1 trường hợp đã quá hạn)"
    ) in handling
    assert "lập 1 biên bản vi phạm hành chính" in handling
    assert "(1 trường hợp đến Sở Khoa học và Công nghệ, 1 trường hợp đến Quản lý thị trường)" in handling
    assert "6 chuẩn đo lường, trong đó 1 chuẩn có lần được sử dụng khi đã quá hạn" in standards
    assert not ZERO_COUNT.search(text)
    assert all(p.strip() == p and p.endswith(".") for p in paragraphs(text))


def test_nothing_held_is_one_sentence_without_zeros():
    text = section_text(make_table({"Phường Đức Phổ": {}}), "Phường Đức Phổ")
    assert text == (
        "Trong kỳ báo cáo (từ ngày 21/11/2025 đến ngày 20/11/2026), UBND phường chưa tổ chức cuộc kiểm tra nào "
        "về đo lường, ghi nhãn hàng hóa, niêm yết giá và chất lượng hàng hóa; không có kết quả kiểm tra, xử lý "
        "vi phạm để báo cáo."
    )


def test_inspections_without_violations_say_so_in_words():
    figures = {
        "inspections": 5,
        "kind_themed": 5,
        "inspected": 5,
        "inspected_market_stall": 5,
        "instruments_checked": 9,
        "instruments_checked_pan_scale": 9,
        "instruments_passed": 9,
        "control": 40,
        "control_sell": 40,
        "group_gia_checked": 5,
        "minutes_issued": 5,
        "standards_used": 1,
    }
    text = section_text(make_table({"Đặc khu Lý Sơn": figures}), "Đặc khu Lý Sơn")
    assert "UBND đặc khu đã tổ chức 5 cuộc kiểm tra chuyên đề tại 5 sạp chợ trên địa bàn đặc khu" in text
    assert "Đã kiểm tra 9 phương tiện đo (đều là cân đĩa), kết quả đo đều đạt yêu cầu." in text
    assert "Thực hiện 40 phép đo đối chứng khi bán hàng, tất cả đều phù hợp" in text
    assert "niêm yết giá tại 5 cuộc (không phát hiện vi phạm)" in text
    assert "Các đoàn kiểm tra đã lập 5 biên bản kiểm tra; qua kiểm tra, không phát hiện vi phạm." in text
    assert "tất cả đều còn hiệu lực kiểm định, hiệu chuẩn" in text
    # Nothing about what was not checked: no pre-packaged goods, no handling, no zeros.
    assert "đóng gói sẵn" not in text and "khắc phục" not in text and "trong đó" not in text
    assert not ZERO_COUNT.search(text)


def test_a_single_referral_body_and_a_single_failing_direction_are_named():
    figures = dict(BA_DONG, control_buy_failed=0, control_failed=5, referral_qltt=0, handling_referral=1)
    text = section_text(make_table({"Xã Ba Động": figures}), "Xã Ba Động")
    assert (
        "phát hiện 5 phép đo không phù hợp (lượng hàng thiếu vượt giới hạn cho phép), đều là phép đo khi bán hàng"
        in text
    )
    assert "chuyển 1 trường hợp đến Sở Khoa học và Công nghệ xử lý" in text


def test_a_rollup_speaks_of_its_communes_and_adds_them_up():
    rng = random.Random(3)
    units = {name: random_figures(rng) for name in COMMUNES}
    table = make_table(units)
    text = section_text(table, "tỉnh Quảng Ngãi")
    total = sum(f["inspections"] for f in units.values())
    expected = f"{total:,}".replace(",", ".")
    assert f"UBND 10 xã, phường, đặc khu đã tổ chức {expected} cuộc kiểm tra" in text
    assert "trên địa bàn tỉnh Quảng Ngãi" in text
    control = f"{sum(f['control'] for f in units.values()):,}".replace(",", ".")
    assert f"Thực hiện {control} phép đo đối chứng" in text
    assert not ZERO_COUNT.search(text)

    assert document_columns(table) == (*COMMUNES, TOTAL_COLUMN)
    rows = document_rows(table)
    assert [row.label for row in rows] == [row.label for row in REPORT_ROWS]
    for row, spec in zip(rows, REPORT_ROWS, strict=True):
        assert row.level == spec.level and row.code == spec.code
        if spec.code is None:
            assert row.values == ()
            continue
        per_commune = tuple(units[name].get(spec.code, 0) for name in COMMUNES)
        assert row.values == (*per_commune, sum(per_commune)) and row.values[-1] == table.value(spec.code)


def test_rows_for_one_commune_or_a_chosen_few():
    rng = random.Random(5)
    units = {name: random_figures(rng) for name in COMMUNES[:4]}
    table = make_table(units)
    # One commune of the table: its one column, no total.
    assert document_columns(table, [2]) == (VALUE_COLUMN,)
    one = {row.code: row.values for row in document_rows(table, [2]) if row.code}
    assert one["inspections"] == (units[COMMUNES[1]]["inspections"],)
    # Two communes in the order asked, and their own total (not the table's).
    assert document_columns(table, [3, 1]) == (COMMUNES[2], COMMUNES[0], TOTAL_COLUMN)
    two = {row.code: row.values for row in document_rows(table, [3, 1]) if row.code}
    a, b = units[COMMUNES[2]]["control"], units[COMMUNES[0]]["control"]
    assert two["control"] == (a, b, a + b)
    # A commune's own table: one column equal to the totals.
    single = make_table({"Xã Ba Động": BA_DONG})
    assert document_columns(single) == (VALUE_COLUMN,)
    assert {row.code: row.values for row in document_rows(single) if row.code}["control"] == (1200,)


def test_any_mix_of_zeros_reads_without_a_zero_count():
    rng = random.Random(7)
    for _ in range(200):
        figures = random_figures(rng)
        for code in rng.sample(sorted(figures), rng.randint(0, len(figures))):
            figures[code] = 0
        figures["inspections"] = figures["inspections"] or rng.randint(0, 1)
        text = section_text(make_table({"Xã Ba Động": figures}), "Xã Ba Động")
        assert not ZERO_COUNT.search(text), text
        assert all(p and p.endswith(".") and "  " not in p and " ," not in p for p in paragraphs(text)), text


def test_a_stamp_found_expired_is_never_written_as_all_passed_or_no_violation():
    # The scale measured right (no failed measurement) but its stamp had expired (checklist item PTD-02).
    table = make_table(
        {
            "Xã Ba Động": {
                "inspections": 1,
                "kind_planned": 1,
                "inspected": 1,
                "inspected_market_stall": 1,
                "instruments_checked": 1,
                "instruments_checked_spring_scale": 1,
                "instruments_passed": 1,
                "reason_stamp": 1,
            }
        }
    )
    text = section_text(table, "Xã Ba Động")
    assert "đều đạt" not in text and "không phát hiện vi phạm" not in text
    assert "không có tem/dấu hoặc hết hạn kiểm định (1 lượt)" in text


def test_the_plan_is_compared_with_what_was_done_kind_by_kind():
    from inspect_app.reports.text import PlanResult, plan_paragraph

    table = make_table({"Xã Ba Động": BA_DONG})  # 42 inspections: 38 planned, 4 unannounced
    plan = PlanResult("15/KH-UBND", 2026, {"planned": 40, "themed": 5, "unannounced": 5, "complaint": 0}, 12, 9)
    assert plan_paragraph(table, plan) == (
        "So với Kế hoạch kiểm tra năm 2026 (số 15/KH-UBND): dự kiến 50 cuộc kiểm tra, đã thực hiện 42 cuộc "
        "(84% kế hoạch) (đã thực hiện/dự kiến: theo kế hoạch 38/40; chuyên đề 0/5; đột xuất 4/5). "
        "Trong 12 cơ sở thuộc danh sách kiểm tra của kế hoạch, 9 cơ sở đã được kiểm tra trong kỳ."
    )
    # No target, no annex: no percentage, no annex sentence, only the kinds held.
    bare = PlanResult("", 2026, {}, 0, 0)
    assert plan_paragraph(table, bare) == (
        "So với Kế hoạch kiểm tra năm 2026: dự kiến 0 cuộc kiểm tra, đã thực hiện 42 cuộc "
        "(đã thực hiện/dự kiến: theo kế hoạch 38/0; đột xuất 4/0)."
    )
