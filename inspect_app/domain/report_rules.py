"""The yearly report's rules on plain values: its reporting period (presets and limits), the checks on a request of
the Sở and on a commune's report, and the state of a commune's task for a request.

Reporting periods differ (metrology-and-law.md §7): Quảng Ngãi's plan asks for the year from 21/11 to 20/11, other
letters ask for the calendar year or a quarter (NĐ 37/2026 Điều 96.4), and the Sở's letter may set any dates. A
period is two Việt Nam days, both included, at most two years apart.

Checks return {field: Vietnamese message} for everything wrong at once (empty when all is well), so a form shows
every message next to its field and nothing is lost.
"""

from __future__ import annotations

import calendar
import unicodedata
from datetime import date

from .errors import RuleError

PERIOD_PRESETS = {
    "plan_year": "Từ 21/11 năm trước đến 20/11 năm báo cáo",
    "calendar_year": "Cả năm (01/01 – 31/12)",
    "quarter": "Một quý",
    "custom": "Từ ngày … đến ngày … (tự chọn)",
}
QUARTERS = {1: "Quý I", 2: "Quý II", 3: "Quý III", 4: "Quý IV"}
MAX_PERIOD_YEARS = 2
# The years a report's period may fall in.
FIRST_YEAR, LAST_YEAR = 2000, 2100

# Lengths the columns hold.
LIMITS = {
    "letter_number": 60,
    "number": 40,
    "subject": 500,
    "letter_subject": 500,
    "plan": 500,
    "signer_name": 120,
    "signer_title": 200,
    "recipients": 2000,
    "section_text": 20000,
    "typed_label": 200,
    "typed_value": 200,
}
MAX_TYPED_ROWS = 20
LABELS = {
    "letter_number": "Số công văn",
    "number": "Số báo cáo",
    "subject": "Trích yếu",
    "letter_subject": "Trích yếu công văn",
    "plan": "Kế hoạch",
    "signer_name": "Người ký",
    "signer_title": "Chức danh người ký",
    "recipients": "Nơi nhận",
    "section_text": "Nội dung",
}


def multiline(text: str | None) -> str:
    """Text of several lines as a person typed it, in NFC, with Unix line ends, no spaces at line ends, and no
    blank lines at either end (paragraphs stay apart)."""
    if not text:
        return ""
    normalized = unicodedata.normalize("NFC", str(text)).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in normalized.split("\n")).strip("\n").strip()


def letter_subject(text: str) -> str:
    """A letter's trích yếu as it follows "về việc" in a sentence: without a "về việc" or "V/v" typed before it."""
    lowered = text.lower()
    for prefix in ("về việc ", "v/v ", "v/v: ", "về việc: "):
        if lowered.startswith(prefix):
            return text[len(prefix) :].lstrip()
    return text


# ---- the period -----------------------------------------------------------------------------------------------------


def preset_period(preset: str, year: int, quarter: int | None = None) -> tuple[date, date]:
    """The days of a preset period of ``year``: "plan_year" 21/11 of the year before to 20/11, "calendar_year",
    "quarter" (1–4). RuleError for an unknown preset or quarter or a year out of range."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise RuleError("Năm báo cáo không hợp lệ.")
    if preset == "plan_year":
        return date(year - 1, 11, 21), date(year, 11, 20)
    if preset == "calendar_year":
        return date(year, 1, 1), date(year, 12, 31)
    if preset == "quarter":
        if quarter not in QUARTERS:
            raise RuleError("Chọn quý (I, II, III hoặc IV).")
        last_month = 3 * quarter
        return date(year, last_month - 2, 1), date(year, last_month, calendar.monthrange(year, last_month)[1])
    raise RuleError("Kỳ báo cáo không hợp lệ.")


def preset_of(date_from: date, date_to: date) -> tuple[str, int, int | None]:
    """The preset a period is, to show the form again: (preset, year, quarter); "custom" when it is none."""
    year = date_to.year
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return "custom", year, None
    for preset, quarter in (
        ("plan_year", None),
        ("calendar_year", None),
        *(("quarter", q) for q in QUARTERS),
    ):
        if preset_period(preset, year, quarter) == (date_from, date_to):
            return preset, year, quarter
    return "custom", year, None


def _years_after(day: date, years: int) -> date:
    """The same day ``years`` later (29/2 becomes 1/3 in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def period_errors(
    date_from: date | None,
    date_to: date | None,
    *,
    from_field: str = "period_from",
    to_field: str = "period_to",
) -> dict[str, str]:
    errors = {}
    if date_from is None:
        errors[from_field] = "Cần ghi ngày bắt đầu của kỳ báo cáo."
    if date_to is None:
        errors[to_field] = "Cần ghi ngày kết thúc của kỳ báo cáo."
    if date_from is None or date_to is None:
        return errors
    for field, day in ((from_field, date_from), (to_field, date_to)):
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            errors[field] = f"Ngày của kỳ báo cáo phải trong các năm {FIRST_YEAR}–{LAST_YEAR}."
    if errors:
        return errors
    if date_from > date_to:
        errors[to_field] = "Ngày kết thúc của kỳ báo cáo không được trước ngày bắt đầu."
    elif date_to >= _years_after(date_from, MAX_PERIOD_YEARS):
        errors[to_field] = f"Kỳ báo cáo dài quá {MAX_PERIOD_YEARS} năm; hãy chọn kỳ ngắn hơn."
    return errors


def period_text(date_from: date, date_to: date) -> str:
    """ "từ ngày 21/11/2025 đến ngày 20/11/2026"."""
    return f"từ ngày {date_from:%d/%m/%Y} đến ngày {date_to:%d/%m/%Y}"


# ---- the checks -----------------------------------------------------------------------------------------------------


def _length_errors(values: dict, fields) -> dict[str, str]:
    return {
        name: f"{LABELS[name]} dài quá {LIMITS[name]} ký tự."
        for name in fields
        if len(values.get(name) or "") > LIMITS[name]
    }


def _missing(values: dict, messages: dict[str, str]) -> dict[str, str]:
    """The message of each field left empty (no text, no day)."""
    return {name: message for name, message in messages.items() if values.get(name) in (None, "")}


def _deadline_errors(values: dict) -> dict[str, str]:
    deadline, letter_date = values.get("deadline"), values.get("letter_date")
    if deadline is not None and letter_date is not None and deadline < letter_date:
        return {"deadline": "Hạn gửi báo cáo không được trước ngày của công văn."}
    return {}


def request_errors(values: dict) -> dict[str, str]:
    """A request of the Sở: its letter (số, ngày, trích yếu), the plan it reports on, the period and the deadline."""
    errors = _length_errors(values, ("letter_number", "subject", "plan"))
    errors |= _missing(
        values,
        {
            "letter_number": "Cần ghi số công văn của Sở (ví dụ 3078/SKHCN-TĐC).",
            "letter_date": "Cần ghi ngày của công văn.",
            "subject": "Cần ghi trích yếu của công văn (về việc …).",
            "deadline": "Cần ghi hạn gửi báo cáo.",
        },
    )
    errors |= period_errors(values.get("period_from"), values.get("period_to"))
    return errors | _deadline_errors(values)


def typed_rows_errors(rows: list[dict]) -> dict[str, str]:
    """Rows typed in (label, value): a value needs its label; at most MAX_TYPED_ROWS."""
    if len(rows) > MAX_TYPED_ROWS:
        return {"typed_rows": f"Tối đa {MAX_TYPED_ROWS} dòng số liệu nhập tay."}
    for index, row in enumerate(rows, start=1):
        if not row.get("label"):
            return {"typed_rows": f"Dòng số liệu nhập tay thứ {index} có số liệu nhưng chưa có nội dung."}
        for key in ("label", "value"):
            limit = LIMITS[f"typed_{key}"]
            if len(row.get(key) or "") > limit:
                return {"typed_rows": f"Dòng số liệu nhập tay thứ {index} dài quá {limit} ký tự."}
    return {}


def report_errors(values: dict, *, own_period: bool) -> dict[str, str]:
    """A report's draft as saved: lengths, the period (when the report sets its own: a free-standing one), the
    letter's day before the deadline, the typed-in rows."""
    errors = _length_errors(
        values,
        (
            "letter_number",
            "letter_subject",
            "subject",
            "plan",
            "number",
            "signer_name",
            "signer_title",
            "recipients",
        ),
    )
    errors |= _length_errors(values, ("section_text",))
    if own_period:
        errors |= period_errors(values.get("period_from"), values.get("period_to")) | _deadline_errors(values)
        if values.get("letter_number") and values.get("letter_date") is None:
            errors["letter_date"] = "Cần ghi ngày của công văn."
    issued_on, letter_date = values.get("issued_on"), values.get("letter_date")
    if issued_on is not None and letter_date is not None and issued_on < letter_date:
        errors["issued_on"] = "Ngày báo cáo không được trước ngày của công văn mà báo cáo trả lời."
    errors |= typed_rows_errors(values.get("typed_rows") or [])
    return errors


def sending_errors(values: dict) -> dict[str, str]:
    """What a report needs before it is sent, besides what a draft needs: its number, its date, its signer and the
    section's text."""
    return _missing(
        values,
        {
            "number": "Cần ghi số của báo cáo (ví dụ 15/BC-UBND) trước khi gửi.",
            "issued_on": "Cần ghi ngày của báo cáo trước khi gửi.",
            "signer_name": "Cần ghi họ tên người ký báo cáo trước khi gửi.",
            "section_text": "Phần nội dung kết quả kiểm tra đang trống.",
        },
    )


# ---- a commune's task -------------------------------------------------------------------------------------------


def task_status(report_status: str | None, deadline: date, today: date) -> str:
    """A commune's task for a request (vocabulary.REPORT_TASK_STATUSES): sent; overdue once the deadline has passed
    unsent; else being drafted, or not started when the commune has no report for it yet."""
    if report_status == "sent":
        return "sent"
    if today > deadline:
        return "overdue"
    return "draft" if report_status == "draft" else "not_started"


def sent_late(sent_on: date | None, deadline: date | None) -> bool:
    return sent_on is not None and deadline is not None and sent_on > deadline
