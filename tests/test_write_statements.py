"""What the phone's writes run: before its commit only the statements that can change something, and after its
commit nothing — the answer shows what the transaction wrote without reading it back (on PostgreSQL a read back is a
transaction of its own, with its scope statement). Under load these were most of a finding's cost."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import event, select

from inspect_app.extensions import db
from inspect_app.models import InspectionInstrument, InspectionTally, Premise
from tests.api_helpers import inspection_payload, token_for
from tests.factories import make_instrument, make_standard, mark_not_checked


class Statements:
    """The statements the database is sent while it is open, and where the commits fall."""

    def __init__(self, engine):
        self.engine = engine
        self.events: list[str] = []

    def _statement(self, conn, cursor, statement, parameters, context, executemany):
        self.events.append(" ".join(statement.split()))

    def _commit(self, conn):
        self.events.append("COMMIT")

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._statement)
        event.listen(self.engine, "commit", self._commit)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(self.engine, "commit", self._commit)

    def writing(self, table: str) -> list[str]:
        return [s for s in self.events if s.startswith(("INSERT INTO " + table, "DELETE FROM " + table))]

    def updating(self, table: str) -> list[str]:
        return [s for s in self.events if s.startswith(f"UPDATE {table} ")]


@pytest.fixture
def phone(client, world):
    inspector = world.users["inspector"]
    auth = token_for(client, inspector)
    created = client.post("/api/v1/inspections", json=inspection_payload(world.premise_a), headers=auth)
    assert created.status_code == 201, created.get_json()
    return {"auth": auth, "inspection": created.get_json(), "user": inspector}


def test_a_new_inspection_is_answered_from_what_was_written(app, client, world):
    auth = token_for(client, world.users["inspector"])
    with Statements(db.engine) as seen:
        created = client.post("/api/v1/inspections", json=inspection_payload(world.premise_a), headers=auth)
    answer = created.get_json()
    assert created.status_code == 201, answer
    assert answer["premise_name"] == world.premise_a.name
    assert answer["findings"] == [] and answer["photos"] == [] and answer["status"] == "draft"
    assert [member["name"] for member in answer["team"]] == [world.users["inspector"].full_name]
    assert seen.events[-1] == "COMMIT", seen.events[seen.events.index("COMMIT") :]


def test_a_finding_on_an_open_inspection_rewrites_its_tallies_and_nothing_else(app, client, world, phone):
    url = f"/api/v1/inspections/{phone['inspection']['id']}/findings"
    finding = {"uuid": str(uuid.uuid4()), "item_code": "GIA-01", "answer": "fail", "note": "Không niêm yết giá"}
    with Statements(db.engine) as seen:
        stored = client.post(url, json=finding, headers=phone["auth"])
    answer = stored.get_json()
    assert stored.status_code == 201, answer
    assert (answer["item_code"], answer["answer"], answer["version"]) == ("GIA-01", "fail", 1)
    assert answer["uuid"] == finding["uuid"] and answer["updated_at"]
    # Its tallies, and not the instruments and standards (they come from readings), nor the premise's state (an
    # open inspection's results do not count for it yet).
    assert len(seen.writing("inspection_tallies")) == 2
    assert seen.writing("inspection_instruments") == [] and seen.writing("inspection_standards") == []
    assert seen.updating("premises") == []
    assert seen.events[-1] == "COMMIT", seen.events[seen.events.index("COMMIT") :]
    # The audit chain's head, locked until the commit (the commune's next write waits for it), is taken last.
    head = next(i for i, s in enumerate(seen.events) if s.startswith("UPDATE audit_heads SET last_seq"))
    assert [s.split(" (")[0].split(" SET")[0] for s in seen.events[head:]] == [
        "UPDATE audit_heads",
        "UPDATE audit_heads",
        "INSERT INTO audit_events",
        "COMMIT",
    ]
    tally = db.session.scalars(
        select(InspectionTally).where(InspectionTally.inspection_id == phone["inspection"]["id"])
    ).one()
    assert tally.gia_checked == 1 and tally.gia_violated == 1


def test_a_reading_rewrites_the_instruments_and_standards_kept(app, client, world, phone):
    scale = make_instrument(world.premise_a, phone["user"])
    weight = make_standard(world.unit_a, phone["user"])
    reading = {
        "uuid": str(uuid.uuid4()),
        "instrument_id": scale.id,
        "kind": "weighing",
        "standard_ids": [weight.id],
        "indication": "2.000",
    }
    url = f"/api/v1/inspections/{phone['inspection']['id']}/readings"
    with Statements(db.engine) as seen:
        stored = client.post(url, json=reading, headers=phone["auth"])
    assert stored.status_code == 201, stored.get_json()
    assert len(seen.writing("inspection_instruments")) == 2 and len(seen.writing("inspection_standards")) == 2
    kept = db.session.scalars(
        select(InspectionInstrument.instrument_id).where(
            InspectionInstrument.inspection_id == phone["inspection"]["id"]
        )
    ).all()
    assert kept == [scale.id]


def test_a_finding_changed_after_completion_changes_the_premise_state(app, client, world, phone):
    inspection = phone["inspection"]
    base = f"/api/v1/inspections/{inspection['id']}"
    failed = client.post(
        f"{base}/findings",
        json={"uuid": str(uuid.uuid4()), "item_code": "GIA-01", "answer": "fail", "note": "Không niêm yết giá"},
        headers=phone["auth"],
    ).get_json()
    mark_not_checked(inspection["id"], phone["user"])
    done = client.patch(
        base,
        json={"version": inspection["version"], "status": "completed", "outcome": "reminder"},
        headers=phone["auth"],
    )
    assert done.status_code == 200, done.get_json()

    def premise_result() -> str:
        db.session.expire_all()
        return db.session.get(Premise, world.premise_a.id).last_result

    assert premise_result() == "violation"
    with Statements(db.engine) as seen:
        corrected = client.patch(
            f"/api/v1/findings/{failed['id']}",
            json={"version": failed["version"], "answer": "pass", "note": ""},
            headers=phone["auth"],
        )
    assert corrected.status_code == 200, corrected.get_json()
    assert corrected.get_json()["answer"] == "pass"
    assert len(seen.updating("premises")) == 2
    assert premise_result() == "pass"


def test_only_the_phones_api_keeps_what_it_wrote_after_the_commit(app, world):
    """The API answers with the record it wrote, so its commit keeps the session's objects as written; a desk page
    built after a commit (or a command, a job) reads what the database holds, as before."""
    from sqlalchemy import inspect as state_of

    from inspect_app import writes

    clerk = world.users["inspector"]
    for path, kept in ((f"/api/v1/premises/{world.premise_a.id}", True), (f"/premises/{world.premise_a.id}", False)):
        with app.test_request_context(path):
            premise = db.session.get(Premise, world.premise_a.id)
            premise.owner_name = f"Chủ hộ {path}"
            writes.commit("edit", premise, clerk)
            assert (not state_of(premise).expired_attributes) is kept, path
            assert premise.owner_name == f"Chủ hộ {path}"
            db.session.expire_all()
