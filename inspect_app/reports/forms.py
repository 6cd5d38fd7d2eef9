"""Forms of the yearly report: the Sở's request, a free-standing report's period and letter, a draft's fields.

A period is chosen as a preset of a year (21/11 – 20/11, the calendar year, a quarter) or as two days;
``period()`` turns the choice into days, and the rules' messages come back onto the fields."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, HiddenField, StringField, TextAreaField

from ..domain.errors import RuleError
from ..domain.report_rules import MAX_TYPED_ROWS, PERIOD_PRESETS, QUARTERS, preset_of, preset_period
from ..domain.time import today_vn
from ..web.forms import ChoiceField, DateField, SentOnce, int_or_none

# Rows the app cannot know, offered with empty values (a row left without a value is not kept).
SUGGESTED_ROWS = (
    "Số lượt cán bộ, công chức được cử tham gia tập huấn, đào tạo về tiêu chuẩn, đo lường, chất lượng",
    "Kinh phí bố trí cho hoạt động tiêu chuẩn, đo lường, chất lượng (đồng)",
    "Số tin, bài, buổi tuyên truyền về tiêu chuẩn, đo lường, chất lượng",
)
BLANK_ROWS = 3


class PeriodFields:
    """The period's fields and their reading, shared by the request's form and a free-standing report's."""

    preset = ChoiceField("Kỳ báo cáo", choices=list(PERIOD_PRESETS.items()), default="plan_year")
    year = StringField("Năm")
    quarter = ChoiceField(
        "Quý", choices=[("", "—")] + [(str(q), label) for q, label in QUARTERS.items()], default=""
    )
    period_from = DateField("Từ ngày")
    period_to = DateField("Đến ngày")

    def show_period(self, date_from: date | None, date_to: date | None) -> None:
        """Fill the fields from a period (a GET of the form)."""
        if date_from is None or date_to is None:
            self.year.data = str(today_vn().year)
            return
        preset, year, quarter = preset_of(date_from, date_to)
        self.preset.data, self.year.data, self.quarter.data = preset, str(year), str(quarter or "")
        self.period_from.data, self.period_to.data = date_from, date_to

    def values_of(self, *names: str) -> dict:
        """The period chosen and the data of the fields named."""
        period_from, period_to = self.period()
        return {"period_from": period_from, "period_to": period_to} | {
            name: getattr(self, name).data for name in names
        }

    def period(self) -> tuple[date | None, date | None]:
        """The period chosen: a preset's days (its message on "năm" or "quý" when they are wrong), or the two days
        typed (the rules check them)."""
        if self.preset.data == "custom":
            return self.period_from.data, self.period_to.data
        year = int_or_none(self.year.data)
        if year is None:
            self.year.errors = [*self.year.errors, "Cần ghi năm báo cáo (ví dụ 2026)."]
            return None, None
        try:
            return preset_period(self.preset.data, year, int_or_none(self.quarter.data))
        except RuleError as error:
            field = self.quarter if self.preset.data == "quarter" else self.year
            field.errors = [*field.errors, str(error)]
            return None, None


class RequestForm(SentOnce, PeriodFields, FlaskForm):
    letter_number = StringField("Số công văn của Sở")
    letter_date = DateField("Ngày công văn")
    subject = TextAreaField("Trích yếu (về việc …)")
    plan = StringField("Kế hoạch được báo cáo")
    deadline = DateField("Hạn gửi báo cáo")

    def values(self) -> dict:
        return self.values_of("letter_number", "letter_date", "subject", "plan", "deadline")


class LetterFields:
    """What a free-standing report answers: a letter (optional), its deadline, the plan; and its own period."""

    letter_number = StringField("Số công văn (nếu báo cáo theo công văn)")
    letter_date = DateField("Ngày công văn")
    letter_subject = TextAreaField("Trích yếu công văn (về việc …)")
    deadline = DateField("Hạn gửi báo cáo")
    plan = StringField("Kế hoạch được báo cáo")

    def own_values(self) -> dict:
        return self.values_of("letter_number", "letter_date", "letter_subject", "deadline", "plan")


class NewReportForm(SentOnce, PeriodFields, LetterFields, FlaskForm):
    """A free-standing report: its period and what it answers; the rest is edited on the draft."""


class TypedRowForm(Form):
    label = StringField("Nội dung")
    value = StringField("Số liệu")


class ReportForm(PeriodFields, LetterFields, FlaskForm):
    """A draft's fields. The period and letter fields are used only for a free-standing report (a request's report
    has the request's)."""

    version = HiddenField()
    number = StringField("Số báo cáo")
    issued_on = DateField("Ngày báo cáo")
    subject = TextAreaField("Trích yếu của báo cáo")
    section_text = TextAreaField("Nội dung mục 2.5 (kết quả kiểm tra)")
    typed_rows = FieldList(FormField(TypedRowForm), min_entries=0, max_entries=MAX_TYPED_ROWS)
    signer_title = TextAreaField("Thẩm quyền ký, chức vụ (mỗi dòng một dòng in)")
    signer_name = StringField("Họ tên người ký")
    recipients = TextAreaField("Nơi nhận (mỗi dòng một nơi)")

    def show_rows(self, rows: list[dict]) -> None:
        """The typed-in rows kept, the suggested ones not yet filled, and a few blank rows (a GET of the form)."""
        kept = {row["label"] for row in rows}
        shown = [*rows, *({"label": label, "value": ""} for label in SUGGESTED_ROWS if label not in kept)]
        shown += [{"label": "", "value": ""}] * BLANK_ROWS
        while self.typed_rows.entries:
            self.typed_rows.pop_entry()
        for row in shown[:MAX_TYPED_ROWS]:
            self.typed_rows.append_entry(row)

    def values(self, own: bool) -> dict:
        values = {
            "version": int_or_none(self.version.data),
            "number": self.number.data,
            "issued_on": self.issued_on.data,
            "subject": self.subject.data,
            "section_text": self.section_text.data,
            "typed_rows": [
                {"label": entry.form.label.data, "value": entry.form.value.data} for entry in self.typed_rows
            ],
            "signer_title": self.signer_title.data,
            "signer_name": self.signer_name.data,
            "recipients": self.recipients.data,
        }
        return values | self.own_values() if own else values


class SendForm(FlaskForm):
    """The version of the draft the person read: sending freezes what they saw, or is refused."""

    version = HiddenField()
