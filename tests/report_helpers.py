"""Helpers for the yearly report's tests: requests and reports made through the services, and a recorder of the
documents handed to the real renderers (what a test reads of a document before it is bytes)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta

from inspect_app.reports import rendering
from inspect_app.reports.document import ReportDocument


@contextmanager
def recorded_documents():
    """Every ``ReportDocument`` rendered inside the block, last last; the real renderers still make the files."""
    documents: list[ReportDocument] = []
    real = rendering.render

    def render(fmt, document):
        documents.append(document)
        return real(fmt, document)

    rendering.render = render
    try:
        yield documents
    finally:
        rendering.render = real


def calendar_year(day: date) -> tuple[date, date]:
    return date(day.year, 1, 1), date(day.year, 12, 31)


def publish(user, *, period: tuple[date, date], deadline: date, letter_date: date | None = None, **values):
    from inspect_app.reports import service

    data = {
        "letter_number": "3078/SKHCN-TĐC",
        "letter_date": letter_date or period[0],
        "subject": "đề nghị báo cáo kết quả thực hiện Kế hoạch số 40/KH-UBND ngày 09/9/2025 của UBND tỉnh",
        "plan": "Kế hoạch số 40/KH-UBND ngày 09/9/2025 của UBND tỉnh Quảng Ngãi",
        "period_from": period[0],
        "period_to": period[1],
        "deadline": deadline,
    }
    data.update(values)
    return service.publish_request(data, user)[0]


def ready_to_send(report, user, number: str = "15/BC-UBND"):
    """The draft with what sending needs (number, date, signer, text)."""
    from inspect_app.reports import service

    return service.update_report(
        report,
        {
            "version": report.version,
            "number": number,
            "issued_on": report.letter_date or report.period_from,
            "signer_name": "Nguyễn Văn Sinh",
            "section_text": report.section_text or "Kết quả kiểm tra trong kỳ.",
            "typed_rows": [{"label": "Kinh phí bố trí (đồng)", "value": "15.000.000"}],
        },
        user,
    )


def this_years_request(publisher, **values):
    """A request of the publisher's province for this calendar year, due in ten days."""
    from inspect_app.domain.time import today_vn

    today = today_vn()
    return publish(publisher, period=calendar_year(today), deadline=today + timedelta(days=10), **values)


def ready_draft(request, clerk, number: str = "15/BC-UBND"):
    """The clerk's commune's report to the request, started and filled in as sending needs."""
    from inspect_app.reports import service

    report, _ = service.start_report(request, clerk)
    return ready_to_send(report, clerk, number)


def make_sent_report(request, clerk, number: str = "15/BC-UBND"):
    """The clerk's commune's report to the request, sent."""
    from inspect_app.reports import service

    return service.send_report(ready_draft(request, clerk, number), clerk)
