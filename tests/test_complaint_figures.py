"""Complaints on the dashboard and in the yearly report: received in the period (both ends included), closed by
inspection, referral or answer, open and overdue today; every figure's list as long as the figure, another commune's
complaints nowhere, and the complainant's contact never on those lists."""

from __future__ import annotations

from datetime import timedelta

from inspect_app.complaints import service
from inspect_app.complaints.service import NewComplaint
from inspect_app.domain.time import today_vn
from inspect_app.reports.appendix import appendix
from inspect_app.reports.figures import report_table

SECRET = "0905 111 222"


def _complaint(user, unit, received_on, *, address="Chợ Đức Phổ, sạp A12"):
    return service.create_complaint(
        NewComplaint(
            unit_id=unit.id,
            premise_id=None,
            address=address,
            received_on=received_on,
            channel="hotline",
            subject="scale",
            content="Cân thiếu",
            complainant_name="Người phản ánh",
            complainant_contact=SECRET,
        ),
        user,
    )


def test_complaint_figures_and_their_lists(client, login, world):
    staff, today = world.users["staff"], today_vn()
    start, end = today - timedelta(days=60), today - timedelta(days=1)
    first = _complaint(staff, world.unit_a, start)  # the first day of the period
    last = _complaint(staff, world.unit_a, end)  # its last day
    _complaint(staff, world.unit_a, start - timedelta(days=1))  # the day before: outside
    _complaint(staff, world.unit_a, today)  # the day after: outside
    referred = _complaint(staff, world.unit_a, start + timedelta(days=5))
    answered = _complaint(staff, world.unit_a, start + timedelta(days=6))
    service.assign(first, staff.id, today - timedelta(days=3), staff)  # open, overdue
    service.assign(last, staff.id, today + timedelta(days=3), staff)  # open, not overdue
    service.resolve(
        referred, resolution="referral", resolved_on=today, referral_body="power_utility", user=staff
    )
    service.resolve(
        answered, resolution="answer", resolved_on=today, note="Đã trả lời bằng văn bản", user=staff
    )
    _complaint(world.other_users["staff"], world.unit_b, end)  # another commune's

    expected = {
        "complaints": 4,
        "complaints_inspection": 0,
        "complaints_referral": 1,
        "complaints_answer": 1,
        "complaints_open": 2,
        "complaints_overdue": 1,
    }
    table = report_table(world.users["supervisor_unit"], start, end, [world.unit_a.id])
    assert {code: table.value(code, world.unit_a.id) for code in expected} == expected
    # The report's appendix lists them (where, what, how far along), never the complainant.
    sections = {s.label: s for s in appendix(world.users["staff"], table, world.unit_a.id)}
    received = sections["Số phản ánh, kiến nghị đã tiếp nhận"]
    assert len(received.records) == 4 and all("Chợ Đức Phổ, sạp A12 — Cân — " in r for r in received.records)
    assert SECRET not in str(sections) and "Người phản ánh" not in str(sections)

    login(world.users["supervisor_unit"])
    period = f"from={start.isoformat()}&to={end.isoformat()}"
    for code, count in expected.items():
        page = client.get(f"/dashboard/{code}?{period}").get_data(as_text=True)
        assert f'data-total="{count}"' in page, code
        assert page.count('class="card-row"') == count, code
        assert SECRET not in page and "Người phản ánh" not in page
    dashboard = client.get(f"/dashboard?{period}").get_data(as_text=True)
    assert "Phản ánh, kiến nghị" in dashboard

    # Another commune sees none of these.
    login(world.other_users["supervisor_unit"])
    page = client.get(f"/dashboard/complaints?{period}").get_data(as_text=True)
    assert 'data-total="1"' in page
