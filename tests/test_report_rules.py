"""The yearly report's rules on plain values, without an app: reporting periods and their presets, the checks on a
request and on a report, a commune's task; and a sent report's frozen figures (read back, summed, compared)."""

from __future__ import annotations

from datetime import date

import pytest

from inspect_app.domain.errors import RuleError
from inspect_app.domain.report_rules import (
    letter_subject,
    multiline,
    period_errors,
    preset_of,
    preset_period,
    request_errors,
    sending_errors,
    sent_late,
    task_status,
)
from inspect_app.reports.figures import ReportTable
from inspect_app.reports.frozen import changes_since, combine, freeze, thaw


# ---- the rules ---------------------------------------------------------------------------------------


def test_period_presets_and_back():
    assert preset_period("plan_year", 2026) == (date(2025, 11, 21), date(2026, 11, 20))
    assert preset_period("calendar_year", 2026) == (date(2026, 1, 1), date(2026, 12, 31))
    assert preset_period("quarter", 2024, 1) == (date(2024, 1, 1), date(2024, 3, 31))
    assert preset_period("quarter", 2026, 4) == (date(2026, 10, 1), date(2026, 12, 31))
    for preset, quarter in (("plan_year", None), ("calendar_year", None), ("quarter", 2)):
        days = preset_period(preset, 2026, quarter)
        assert preset_of(*days) == (preset, 2026, quarter)
    assert preset_of(date(2026, 1, 5), date(2026, 2, 5)) == ("custom", 2026, None)
    with pytest.raises(RuleError, match="Chọn quý"):
        preset_period("quarter", 2026, 5)
    with pytest.raises(RuleError):
        preset_period("weekly", 2026)


def test_a_period_is_two_days_in_order_at_most_two_years_apart():
    assert period_errors(date(2025, 1, 1), date(2026, 12, 31)) == {}
    assert "quá 2 năm" in period_errors(date(2025, 1, 1), date(2027, 1, 1))["period_to"]
    assert period_errors(date(2024, 2, 29), date(2026, 2, 28)) == {}
    assert "quá 2 năm" in period_errors(date(2024, 2, 29), date(2026, 3, 1))["period_to"]
    assert "không được trước" in period_errors(date(2026, 3, 1), date(2026, 2, 1))["period_to"]
    assert set(period_errors(None, None)) == {"period_from", "period_to"}


def test_a_request_needs_its_letter_and_a_deadline_after_it():
    good = {
        "letter_number": "3078/SKHCN-TĐC",
        "letter_date": date(2025, 11, 25),
        "subject": "đề nghị báo cáo",
        "plan": "",
        "period_from": date(2024, 11, 21),
        "period_to": date(2025, 11, 20),
        "deadline": date(2025, 12, 5),
    }
    assert request_errors(good) == {}
    errors = request_errors({**good, "deadline": date(2025, 11, 24), "letter_number": ""})
    assert errors["deadline"] == "Hạn gửi báo cáo không được trước ngày của công văn."
    assert "số công văn" in errors["letter_number"]
    assert "quá 2 năm" in request_errors({**good, "period_from": date(2020, 1, 1)})["period_to"]


def test_sending_needs_a_number_a_date_a_signer_and_text():
    assert set(sending_errors({})) == {"number", "issued_on", "signer_name", "section_text"}
    assert (
        sending_errors(
            {"number": "15/BC-UBND", "issued_on": date(2025, 12, 1), "signer_name": "A", "section_text": "x"}
        )
        == {}
    )


def test_a_communes_task_and_lateness():
    deadline = date(2025, 12, 5)
    assert task_status(None, deadline, date(2025, 12, 1)) == "not_started"
    assert task_status("draft", deadline, date(2025, 12, 5)) == "draft"
    assert task_status("draft", deadline, date(2025, 12, 6)) == "overdue"
    assert task_status(None, deadline, date(2025, 12, 6)) == "overdue"
    assert task_status("sent", deadline, date(2026, 1, 1)) == "sent"
    assert sent_late(date(2025, 12, 6), deadline) and not sent_late(date(2025, 12, 5), deadline)


def test_texts_keep_their_paragraphs():
    assert multiline("  Đoạn một.  \r\n\r\nĐoạn hai\u0301  \n\n") == "Đoạn một.\n\nĐoạn hai\u0301".replace(
        "i\u0301", "í"
    )


def test_a_letters_subject_drops_the_words_the_sentence_says():
    assert letter_subject("Về việc đề nghị báo cáo") == "đề nghị báo cáo"
    assert letter_subject("V/v: đề nghị báo cáo") == "đề nghị báo cáo"
    assert letter_subject("đề nghị báo cáo") == "đề nghị báo cáo"


def _table(cells: dict[str, dict[int, int]], units) -> ReportTable:
    totals = {code: sum(per_unit.values()) for code, per_unit in cells.items()}
    return ReportTable(date(2026, 1, 1), date(2026, 12, 31), date(2026, 12, 2), units, cells, totals)


def test_a_frozen_table_reads_back_and_sums_and_tells_its_changes():
    a = _table({"inspections": {1: 3}, "kind_planned": {1: 2}}, [(1, "Xã A")])
    b = _table({"inspections": {2: 4}, "kind_planned": {2: 0}}, [(2, "Phường B")])
    assert thaw(freeze(a)) == a
    both = combine([a, b], a.date_from, a.date_to, a.today)
    assert both.totals == {"inspections": 7, "kind_planned": 2}
    assert both.units == [(2, "Phường B"), (1, "Xã A")]
    later = _table({"inspections": {1: 3}, "kind_planned": {1: 1}, "kind_complaint": {1: 1}}, [(1, "Xã A")])
    changed = {c.row.code: (c.sent, c.now, c.difference) for c in changes_since(a, later, 1)}
    assert changed == {"kind_planned": (2, 1, -1), "kind_complaint": (None, 1, None)}


def test_a_period_outside_2000_2100_is_refused_and_never_breaks_the_form():
    errors = period_errors(date(2101, 1, 1), date(2101, 12, 31))
    assert errors == {
        "period_from": "Ngày của kỳ báo cáo phải trong các năm 2000–2100.",
        "period_to": "Ngày của kỳ báo cáo phải trong các năm 2000–2100.",
    }
    assert "period_from" in period_errors(date(1, 1, 1), date(2026, 1, 1))
    assert "period_to" in period_errors(date(2026, 1, 1), date(9999, 12, 31))
    # A period stored before the rule (or typed elsewhere) still shows as a custom one.
    assert preset_of(date(2206, 1, 1), date(2206, 12, 31)) == ("custom", 2206, None)
