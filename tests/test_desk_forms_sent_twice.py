"""A desk create form sent twice (a double click, a resend after a slow answer, two tabs) stores one record: the
form carries the UUID it was shown with, and the second sending lands on what the first stored, saying so. Two forms
(two UUIDs) store two records. The same form sent by several requests at once: tests/test_write_races.py."""

from __future__ import annotations

import re
from urllib.parse import urlsplit
from dataclasses import dataclass
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from inspect_app.extensions import db
from inspect_app.domain.time import today_vn
from inspect_app.models import (
    Complaint,
    Decision,
    Inspection,
    Instrument,
    Plan,
    Premise,
    Report,
    ReportRequest,
)
from inspect_app.web.forms import SENT_BEFORE
from tests.factories import make_complaint
from tests.test_decisions import form_data as decision_form
from tests.test_measurements_pages import instrument_form
from tests.test_premises import form as premise_form
from tests.test_reports import _request_form as request_form


@dataclass(frozen=True)
class DeskForm:
    """A create form of the desk: who fills it, where, with what (``data(world, n)``: the n-th distinct record),
    the model it stores, the page a second sending lands on (``landing``) and what it shows of the record; ``made``,
    where the first sending leads when that is another page."""

    user: str
    url: Callable
    data: Callable
    model: type
    landing: Callable
    shows: Callable
    made: Callable | None = None


FORMS = {
    "premise": DeskForm(
        "staff",
        lambda world: "/premises/new",
        lambda world, n: premise_form(world, name=f"Sạp gạo Huỳnh Văn Tư {n}", stall_number=f"A{n}"),
        Premise,
        lambda record: f"/premises/{record.id}",
        lambda record: record.name,
    ),
    "decision": DeskForm(
        "staff",
        lambda world: "/decisions/new",
        lambda world, n: decision_form(
            unit_id=str(world.unit_a.id), subject=f"Kiểm tra chuyên đề đo lường tại chợ Đức Phổ, đợt {n}"
        ),
        Decision,
        lambda record: f"/decisions/{record.id}",
        lambda record: record.subject,
    ),
    "plan": DeskForm(
        "staff",
        lambda world: "/plans/new",
        lambda world, n: {"year": str(2027 + n)},
        Plan,
        lambda record: f"/plans/{record.id}",
        lambda record: f"năm {record.year}",
    ),
    "instrument": DeskForm(
        "inspector",
        lambda world: f"/premises/{world.premise_a.id}/instruments/new",
        lambda world, n: instrument_form(serial=f"NH-15-04{n}", verification_mark=f"QN-26-08{n}"),
        Instrument,
        lambda record: f"/instruments/{record.id}/edit",
        lambda record: record.serial,
        made=lambda record: f"/premises/{record.premise_id}",
    ),
    "report request": DeskForm(
        "supervisor_province",
        lambda world: "/reports/requests/new",
        lambda world, n: request_form(today_vn(), letter_number=f"30{n}/SKHCN-TĐC"),
        ReportRequest,
        lambda record: f"/reports/requests/{record.id}",
        lambda record: record.letter_number,
    ),
    "free report": DeskForm(
        "staff",
        lambda world: "/reports/new",
        lambda world, n: {
            "preset": "quarter",
            "year": str(today_vn().year),
            "quarter": "1",
            "plan": f"Kế hoạch số {n}/KH-UBND",
        },
        Report,
        lambda record: f"/reports/{record.id}/edit",
        lambda record: record.plan,
    ),
}


def shown_uuid(page: str) -> str:
    return re.search(r'name="uuid" type="hidden" value="([0-9a-f-]{36})"', page).group(1)


def stored(model) -> list:
    db.session.expire_all()
    return list(db.session.scalars(select(model).order_by(model.id)))


@pytest.mark.parametrize("name", sorted(FORMS))
def test_a_desk_form_sent_twice_stores_one_record_and_lands_on_it(client, login, world, name):
    desk = FORMS[name]
    login(world.users[desk.user])
    before = len(stored(desk.model))
    page = client.get(desk.url(world))
    assert page.status_code == 200
    form_uuid = shown_uuid(page.get_data(as_text=True))
    data = {**desk.data(world, 1), "uuid": form_uuid}
    first = client.post(desk.url(world), data=data)
    assert first.status_code == 302, first.get_data(as_text=True)[:1000]
    second = client.post(desk.url(world), data=data, follow_redirects=True)
    records = stored(desk.model)
    assert len(records) == before + 1
    record = records[-1]
    assert record.uuid == form_uuid
    # The second sending lands on the stored record and says the form was saved before.
    assert second.status_code == 200
    assert second.request.path == desk.landing(record)
    body = second.get_data(as_text=True)
    assert SENT_BEFORE in body and desk.shows(record) in body
    # Sent again after the person changed it (Back, edit, send): still the one record.
    changed = client.post(desk.url(world), data={**desk.data(world, 2), "uuid": form_uuid})
    assert changed.status_code == 302 and changed.headers["Location"] == desk.landing(record)
    assert len(stored(desk.model)) == before + 1


@pytest.mark.parametrize("name", sorted(FORMS))
def test_two_forms_store_two_records(client, login, world, name):
    desk = FORMS[name]
    login(world.users[desk.user])
    before = len(stored(desk.model))
    for n in (1, 2):
        form_uuid = shown_uuid(client.get(desk.url(world)).get_data(as_text=True))
        answer = client.post(desk.url(world), data={**desk.data(world, n), "uuid": form_uuid})
        assert answer.status_code == 302, answer.get_data(as_text=True)[:1000]
        assert SENT_BEFORE not in client.get(answer.headers["Location"]).get_data(as_text=True)
    records = stored(desk.model)
    assert len(records) == before + 2 and len({record.uuid for record in records[-2:]}) == 2


def test_a_form_uuid_that_names_a_record_out_of_scope_stores_nothing(client, login, world):
    """A UUID taken from another unit's premise: a clear refusal, nothing stored, nothing revealed."""
    login(world.users["staff"])
    page = client.get("/premises/new").get_data(as_text=True)
    client.post(
        "/premises/new", data={**premise_form(world), "uuid": shown_uuid(page)}, follow_redirects=True
    )
    theirs = stored(Premise)[-1]
    login(world.other_users["staff"])
    before = db.session.scalar(select(func.count(Premise.id)))
    data = premise_form(
        world, name="Tiệm vàng Pleiku", unit_id=str(world.unit_b.id), market_id="", uuid=theirs.uuid
    )
    answer = client.post("/premises/new", data=data)
    assert answer.status_code == 409
    assert "đã được dùng cho một bản ghi khác" in answer.get_data(as_text=True)
    assert theirs.name not in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Premise.id))) == before


def test_a_tampered_uuid_is_not_an_error(client, login, world):
    login(world.users["staff"])
    for _ in range(2):
        answer = client.post("/premises/new", data={**premise_form(world), "uuid": "không-phải-uuid"})
        assert answer.status_code == 302
    assert len([p for p in stored(Premise) if p.name == "Sạp gạo Huỳnh Văn Tư"]) == 2


def test_the_inspection_button_of_a_complaint_pressed_twice_makes_one_inspection(client, login, world):
    from tests.test_complaints import _create

    login(world.users["inspector"])
    complaint_url = _create(client, world.premise_a).headers["Location"]
    page = client.get(complaint_url).get_data(as_text=True)
    button_uuid = re.search(r'name="uuid" value="([0-9a-f-]{36})"', page).group(1)
    url = f"{complaint_url}/inspection"
    first = client.post(url, data={"uuid": button_uuid})
    second = client.post(url, data={"uuid": button_uuid}, follow_redirects=True)
    inspections = [
        i for i in stored(Inspection) if i.premise_id == world.premise_a.id and i.kind == "complaint"
    ]
    assert len(inspections) == 1 and inspections[0].uuid == button_uuid
    assert first.headers["Location"] == second.request.path == f"/inspections/{inspections[0].id}"
    assert SENT_BEFORE in second.get_data(as_text=True)
    # The page shown again offers a new inspection.
    again = client.get(complaint_url).get_data(as_text=True)
    assert re.search(r'name="uuid" value="([0-9a-f-]{36})"', again).group(1) != button_uuid


def stall_path(world) -> str:
    """The public page of premise A, turned on for its unit."""
    from inspect_app.documents.tokens import new_public_id
    from inspect_app.stalls.service import stall_url

    world.unit_a.public_stall_page = True
    world.premise_a.public_id = world.premise_a.public_id or new_public_id()
    db.session.commit()
    return urlsplit(stall_url(world.premise_a)).path


PUBLIC_REPORT = {"subject": "scale", "content": "Cân của sạp thiếu khoảng 100 g mỗi ký."}


def test_the_public_report_form_sent_twice_is_one_report(client, world):
    path = stall_path(world)
    form_uuid = shown_uuid(client.get(path).get_data(as_text=True))
    answers = [client.post(path, data={**PUBLIC_REPORT, "uuid": form_uuid}) for _ in range(2)]
    assert [a.status_code for a in answers] == [302, 302]
    assert answers[0].headers["Location"] == answers[1].headers["Location"]
    assert "Phản ánh đã được chuyển" in client.get(answers[1].headers["Location"]).get_data(as_text=True)
    (complaint,) = stored(Complaint)
    assert (complaint.uuid, complaint.channel) == (form_uuid, "public")
    # Another form (a new page) is another report; the UUID of a complaint the desk recorded is not this form's.
    other = shown_uuid(client.get(path).get_data(as_text=True))
    assert client.post(path, data={**PUBLIC_REPORT, "uuid": other}).status_code == 302
    desk = make_complaint(world.premise_a, world.users["staff"])
    assert client.post(path, data={**PUBLIC_REPORT, "uuid": desk.uuid}).status_code == 302
    assert [c.channel for c in stored(Complaint)].count("public") == 3
