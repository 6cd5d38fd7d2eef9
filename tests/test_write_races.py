"""Every write is safe when it races: requests released together by a barrier against a real threaded server give
one winner and clean 409s (or 200 for an identical resend), never a 500, never a half-written record or a stray
file, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import threading
import time
import re
import uuid

import pytest
import requests
from sqlalchemy import func, select

from inspect_app.extensions import db
from inspect_app.files.evidence import references
from inspect_app.files.uploads import storage_for
from inspect_app.models import Decision, Finding, Inspection, Minutes, Photo, ReferenceStandard
from tests.api_helpers import inspection_payload, jpeg_bytes, token_for
from tests.test_desk_forms_sent_twice import FORMS as DESK_FORMS
from tests.test_desk_forms_sent_twice import PUBLIC_REPORT, shown_uuid, stall_path
from tests.factories import PASSWORD, make_completed_inspection, make_decision, make_premise
from tests.minutes_helpers import preview_digest, with_recorder

CLIENTS = 4
ROUNDS = 3


def together(count: int, send) -> list[requests.Response]:
    """``send(i)`` from ``count`` threads released at the same moment; each answer, in order. A 503 (a busy
    database, with Retry-After) is sent again, as the phone's outbox and a person pressing again do."""
    barrier = threading.Barrier(count)
    answers: list = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        for _ in range(30):
            answer = send(i)
            if answer.status_code != 503:
                break
            assert answer.headers.get("Retry-After", "").isdigit(), answer.text[:300]
            time.sleep(0.05)
        answers[i] = answer

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    for answer in answers:
        assert answer is not None and answer.status_code < 500, f"{answer.status_code} {answer.text[:500]}"
    return answers


def statuses(answers) -> list[int]:
    return sorted(answer.status_code for answer in answers)


def no_stray_files(app) -> None:
    """Every stored file is named by a row, and every row's file is there."""
    db.session.expire_all()
    named = {reference.key for reference in references()}
    assert set(storage_for(app).keys()) == named


@pytest.fixture
def api(live_server, client, world):
    headers = token_for(client, world.users["inspector"])
    base = f"{live_server.url}/api/v1"

    class Api:
        url = base

        @staticmethod
        def post(path, **kwargs):
            return requests.post(f"{base}{path}", headers=headers, timeout=60, **kwargs)

        @staticmethod
        def patch(path, **kwargs):
            return requests.patch(f"{base}{path}", headers=headers, timeout=60, **kwargs)

    return Api


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_edits_from_one_version_give_one_winner_and_409s(api, world, backend):
    for round_ in range(ROUNDS):
        payload = inspection_payload(world.premise_a)
        assert api.post("/inspections", json=payload).status_code == 201
        notes = [f"Lượt {round_}: ghi chú của người thứ {i}" for i in range(CLIENTS)]
        answers = together(
            CLIENTS,
            lambda i, url=f"/inspections/{payload['uuid']}", notes=notes: api.patch(
                url, json={"version": 1, "handling_note": notes[i]}
            ),
        )
        assert statuses(answers) == [200] + [409] * (CLIENTS - 1)
        winner = next(i for i, answer in enumerate(answers) if answer.status_code == 200)
        for answer in answers:
            if answer.status_code == 409:
                assert answer.json()["current"]["version"] == 2
                assert answer.json()["current"]["handling_note"] == notes[winner]
        db.session.expire_all()
        stored = db.session.scalars(select(Inspection).where(Inspection.uuid == payload["uuid"])).one()
        assert (stored.version, stored.handling_note) == (2, notes[winner])


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_findings_for_one_item_give_one_winner(api, world, backend):
    for _ in range(ROUNDS):
        payload = inspection_payload(world.premise_a)
        assert api.post("/inspections", json=payload).status_code == 201
        shared = str(uuid.uuid4())
        # Two identical copies of one finding, one with other content under its UUID, one under another UUID.
        bodies = [
            {"uuid": shared, "item_code": "GIA-01", "answer": "fail", "note": "Không niêm yết giá"},
            {"uuid": shared, "item_code": "GIA-01", "answer": "fail", "note": "Không niêm yết giá"},
            {"uuid": shared, "item_code": "GIA-01", "answer": "pass", "note": ""},
            {"uuid": str(uuid.uuid4()), "item_code": "GIA-01", "answer": "pass", "note": ""},
        ]
        url = f"/inspections/{payload['uuid']}/findings"
        answers = together(len(bodies), lambda i, url=url, bodies=bodies: api.post(url, json=bodies[i]))
        assert [a.status_code for a in answers].count(201) == 1
        db.session.expire_all()
        stored = db.session.scalars(
            select(Finding).join(Inspection).where(Inspection.uuid == payload["uuid"])
        ).one()
        for body, answer in zip(bodies, answers, strict=True):
            same = (body["uuid"], body["answer"], body["note"]) == (stored.uuid, stored.answer, stored.note)
            assert answer.status_code in ((200, 201) if same else (409,)), (body, answer.text)
            if same:
                assert answer.json()["uuid"] == stored.uuid and answer.json()["version"] == stored.version


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_photos_under_one_uuid_keep_the_winners_file(api, world, app, backend):
    for round_ in range(ROUNDS):
        payload = inspection_payload(world.premise_a)
        assert api.post("/inspections", json=payload).status_code == 201
        photo_uuid = str(uuid.uuid4())
        images = [jpeg_bytes(color=(40 * i + round_, 90, 200 - 30 * i)) for i in range(CLIENTS)]
        url = f"/inspections/{payload['uuid']}/photos"
        answers = together(
            CLIENTS,
            lambda i, url=url, photo_uuid=photo_uuid, images=images: api.post(
                url, data={"uuid": photo_uuid}, files={"file": ("anh.jpg", images[i], "image/jpeg")}
            ),
        )
        assert statuses(answers) == [201] + [409] * (CLIENTS - 1)
        db.session.expire_all()
        photo = db.session.scalars(select(Photo).where(Photo.uuid == photo_uuid)).one()
        winner = next(answer.json() for answer in answers if answer.status_code == 201)
        assert winner["sha256"] == photo.sha256
        stored = storage_for(app).get(photo.storage_key)
        assert hashlib.sha256(stored).hexdigest() == photo.sha256
        no_stray_files(app)


def _desk(live_server, user) -> requests.Session:
    session = requests.Session()
    answer = session.post(
        f"{live_server.url}/login", data={"username": user.username, "password": PASSWORD}, timeout=30
    )
    assert answer.status_code in (200, 302)
    return session


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_issue_pressed_twice_makes_one_biên_bản_and_one_pdf(live_server, world, app, backend):
    clerks = [_desk(live_server, world.users["staff"]) for _ in range(CLIENTS)]
    for round_ in range(ROUNDS):
        inspection = make_completed_inspection(make_premise(world.unit_a), world.users["inspector"])
        form = with_recorder(inspection, {"representative_name": "Chủ cơ sở", "copies": "2"})
        url = f"{live_server.url}/inspections/{inspection.id}/minutes/new"
        previews = [clerk.post(url, data={**form, "action": "preview"}, timeout=60) for clerk in clerks]
        assert all(preview.status_code == 200 for preview in previews)
        issued = [{**form, "action": "issue", "preview_digest": preview_digest(p.text)} for p in previews]
        answers = together(
            CLIENTS,
            lambda i, url=url, issued=issued: clerks[i].post(
                url, data=issued[i], allow_redirects=False, timeout=60
            ),
        )
        db.session.expire_all()
        minutes = db.session.scalars(select(Minutes).where(Minutes.inspection_id == inspection.id)).one()
        assert minutes.number == round_ + 1
        # The winner and every second press land on the one biên bản issued.
        assert statuses(answers) == [302] * CLIENTS
        assert {answer.headers["Location"] for answer in answers} == {f"/minutes/{minutes.id}"}
        pdfs = list(storage_for(app).keys("minutes/"))
        assert len(pdfs) == round_ + 1 and minutes.pdf_key in pdfs
        assert hashlib.sha256(storage_for(app).get(minutes.pdf_key)).hexdigest() == minutes.pdf_sha256
    no_stray_files(app)
    assert db.session.scalar(select(func.max(Minutes.number))) == ROUNDS


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_decision_issued_twice_at_once_gets_one_number_and_one_pdf(live_server, world, app, backend):
    clerks = [_desk(live_server, world.users["staff"]) for _ in range(CLIENTS)]
    for round_ in range(ROUNDS):
        draft = make_decision(world.unit_a, world.users["staff"], issue=False)
        url = f"{live_server.url}/decisions/{draft.id}/issue"
        answers = together(
            CLIENTS,
            lambda i, url=url: clerks[i].post(url, data={"confirm": "y"}, allow_redirects=False, timeout=60),
        )
        assert statuses(answers) == [302] * CLIENTS
        assert {answer.headers["Location"] for answer in answers} == {f"/decisions/{draft.id}"}
        db.session.expire_all()
        issued = db.session.get(Decision, draft.id)
        assert (issued.status, issued.number) == ("issued", round_ + 1)
        assert sorted(storage_for(app).keys("decisions/")) == sorted(
            db.session.scalars(select(Decision.pdf_key).where(Decision.status == "issued"))
        )
    no_stray_files(app)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_create_form_sent_twice_stores_one_record(live_server, world, app, backend):
    desks = [_desk(live_server, world.users["staff"]) for _ in range(CLIENTS)]
    form_page = desks[0].get(f"{live_server.url}/standards/new", timeout=30).text
    form_uuid = re.search(r'name="uuid" type="hidden" value="([^"]+)"', form_page).group(1)
    data = {
        "uuid": form_uuid,
        "unit_id": str(world.unit_a.id),
        "kind": "weight",
        "nominal": "1",
        "unit": "kg",
        "accuracy_class": "M1",
        "serial": "QC-01",
        "certificate_type": "verification",
        "calibrated_on": "2026-06-01",
        "due_on": "2027-05-31",
        "ownership": "own",
        "active": "y",
    }
    answers = together(
        CLIENTS,
        lambda i: desks[i].post(
            f"{live_server.url}/standards/new", data=data, allow_redirects=False, timeout=60
        ),
    )
    assert statuses(answers) == [302] * CLIENTS, [a.text[:300] for a in answers]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ReferenceStandard)) == 1


@pytest.mark.parametrize("name", sorted(DESK_FORMS))
@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_desk_form_sent_at_once_by_several_requests_stores_one_record(live_server, world, backend, name):
    """A premise, a decision, a plan or an instrument sent at the same moment with the UUID its form was shown
    with: one record, and every answer leads to it."""
    form = DESK_FORMS[name]
    desks = [_desk(live_server, world.users[form.user]) for _ in range(CLIENTS)]
    url = f"{live_server.url}{form.url(world)}"
    data = {**form.data(world, 1), "uuid": shown_uuid(desks[0].get(url, timeout=30).text)}
    before = db.session.scalar(select(func.count()).select_from(form.model))
    answers = together(CLIENTS, lambda i: desks[i].post(url, data=data, allow_redirects=False, timeout=60))
    assert statuses(answers) == [302] * CLIENTS, [a.text[:300] for a in answers]
    db.session.expire_all()
    records = db.session.scalars(select(form.model).where(form.model.uuid == data["uuid"])).all()
    assert len(records) == 1
    made = (form.made or form.landing)(records[0])
    assert sorted(answer.headers["Location"] for answer in answers) == sorted(
        [made] + [form.landing(records[0])] * (CLIENTS - 1)
    )
    assert db.session.scalar(select(func.count()).select_from(form.model)) == before + 1


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_market_or_an_account_saved_twice_at_once_is_one_record_and_a_form_message(
    live_server, world, backend
):
    """A market's name and an account's username are their own keys: of several sendings at once, one stores the
    record and the others are told the name is taken (never a 500)."""
    from inspect_app.models import Market, User
    from tests.test_admin import new_user

    cases = [
        (
            world.users["staff"],
            "/markets/new",
            {
                "unit_id": str(world.unit_a.id),
                "name": "Chợ Phổ Ninh",
                "address": "",
                "latitude": "",
                "longitude": "",
            },
            lambda: db.session.scalar(
                select(func.count()).select_from(Market).where(Market.name == "Chợ Phổ Ninh")
            ),
            "Đơn vị đã có chợ trùng tên.",
        ),
        (
            world.users["admin_province"],
            "/admin/users/new",
            new_user(world),
            lambda: db.session.scalar(
                select(func.count()).select_from(User).where(User.username == "kiemtra.moi")
            ),
            "Tên đăng nhập này đã có người dùng.",
        ),
    ]
    for user, path, data, count, taken in cases:
        desks = [_desk(live_server, user) for _ in range(CLIENTS)]
        url = f"{live_server.url}{path}"
        answers = together(
            CLIENTS,
            lambda i, url=url, data=data, desks=desks: desks[i].post(
                url, data=data, allow_redirects=False, timeout=60
            ),
        )
        assert statuses(answers) == [302] + [422] * (CLIENTS - 1), [a.text[:300] for a in answers]
        assert all(taken in answer.text for answer in answers if answer.status_code == 422)
        db.session.expire_all()
        assert count() == 1


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_stalls_public_form_sent_at_once_is_one_report(live_server, world, backend):
    from inspect_app.models import Complaint

    url = f"{live_server.url}{stall_path(world)}"
    senders = [requests.Session() for _ in range(CLIENTS)]
    data = {**PUBLIC_REPORT, "uuid": shown_uuid(senders[0].get(url, timeout=30).text)}
    answers = together(CLIENTS, lambda i: senders[i].post(url, data=data, allow_redirects=False, timeout=60))
    assert statuses(answers) == [302] * CLIENTS, [a.text[:300] for a in answers]
    db.session.expire_all()
    assert db.session.scalars(select(Complaint.uuid)).all() == [data["uuid"]]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_premise_added_to_a_plans_annex_twice_at_once_is_one_entry(live_server, world, backend):
    from inspect_app.models import PlanPremise
    from inspect_app.plans import service

    staff = world.users["staff"]
    plan, _ = service.create_plan(world.unit_a, 2027, staff)
    desks = [_desk(live_server, staff) for _ in range(CLIENTS)]
    url = f"{live_server.url}/plans/{plan.id}/premises"
    data = {"premise_id": str(world.premise_a.id), "note": "Dân phản ánh"}
    answers = together(CLIENTS, lambda i: desks[i].post(url, data=data, allow_redirects=False, timeout=60))
    assert statuses(answers) == [302] + [422] * (CLIENTS - 1), [a.text[:300] for a in answers]
    assert all("đã có trong phụ lục" in answer.text for answer in answers if answer.status_code == 422)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(PlanPremise)) == 1
