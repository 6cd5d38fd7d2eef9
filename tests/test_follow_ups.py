"""Follow-ups (Việc cần làm): every fix-by request is listed until a follow-up visit closes it, soonest deadline first,
in the user's scope only, with its state on the day; the list costs the same statements for 3 or 30 premises."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from inspect_app.domain.time import today_vn
from inspect_app.inspections import service
from inspect_app.inspections.follow_ups import DUE_SOON_DAYS, follow_up_state
from tests.factories import make_premise, mark_not_checked
from tests.test_list_statement_counts import statements_for


@pytest.mark.parametrize(
    ("deadline", "state"),
    [
        (date(2026, 6, 9), "overdue"),
        (date(2026, 6, 10), "due_soon"),  # the day itself
        (date(2026, 6, 10) + timedelta(days=DUE_SOON_DAYS), "due_soon"),
        (date(2026, 6, 11) + timedelta(days=DUE_SOON_DAYS), "later"),
    ],
)
def test_the_state_on_a_day(deadline, state):
    assert follow_up_state(deadline, date(2026, 6, 10)) == state


def _inspect(premise, user, outcome, *, fix_deadline=None, follows=None, answer="fail"):
    inspection, _ = service.create_inspection(
        {
            "uuid": str(uuid.uuid4()),
            "premise_id": premise.id,
            "kind": "planned",
            "team": [],
            "follows_id": follows.id if follows else None,
            # Ten days ago, so a deadline may already have passed (a follow-up: now).
            "started_at": datetime.now(UTC) - (timedelta() if follows else timedelta(days=10)),
        },
        user,
    )
    service.record_finding(
        inspection, {"uuid": str(uuid.uuid4()), "item_code": "GIA-01", "answer": answer}, user
    )
    mark_not_checked(inspection, user)
    return service.update_inspection(
        inspection,
        {
            "version": inspection.version,
            "status": "completed",
            "outcome": outcome,
            "fix_deadline": fix_deadline,
        },
        user,
    )


def test_fix_requests_are_listed_until_a_follow_up_closes_them(client, login, world):
    inspector, today = world.users["inspector"], today_vn()
    late, soon, later, passed = (make_premise(world.unit_a) for _ in range(4))
    first = _inspect(late, inspector, "fix_request", fix_deadline=today - timedelta(days=1))
    _inspect(soon, inspector, "fix_request", fix_deadline=today + timedelta(days=3))
    _inspect(later, inspector, "fix_request", fix_deadline=today + timedelta(days=30))
    _inspect(passed, inspector, "pass", answer="pass")
    # Another commune's fix-by request.
    _inspect(world.premise_b, world.other_users["inspector"], "fix_request", fix_deadline=today)

    login(inspector)
    answer = client.get("/api/v1/follow-ups").get_json()
    assert [(i["premise"]["id"], i["state"], i["fix_deadline"]) for i in answer["items"]] == [
        (late.id, "overdue", (today - timedelta(days=1)).isoformat()),
        (soon.id, "due_soon", (today + timedelta(days=3)).isoformat()),
        (later.id, "later", (today + timedelta(days=30)).isoformat()),
    ]
    assert answer["total"] == 3 and answer["due_soon_days"] == DUE_SOON_DAYS
    assert answer["items"][0]["inspection_id"] == first.id
    assert answer["items"][0]["premise"]["name"] == late.name

    # The follow-up visit: the fix was done; the overdue one is no longer to do.
    _inspect(late, inspector, "pass", follows=first, answer="pass")
    answer = client.get("/api/v1/follow-ups").get_json()
    assert [i["premise"]["id"] for i in answer["items"]] == [soon.id, later.id]

    # Another commune sees only its own.
    login(world.other_users["inspector"])
    answer = client.get("/api/v1/follow-ups").get_json()
    assert [i["premise"]["id"] for i in answer["items"]] == [world.premise_b.id]


def test_paged_with_a_cursor_and_bad_arguments_refused(client, login, world):
    inspector, today = world.users["inspector"], today_vn()
    premises = [make_premise(world.unit_a) for _ in range(3)]
    for n, premise in enumerate(premises):
        _inspect(premise, inspector, "fix_request", fix_deadline=today + timedelta(days=n))
    login(inspector)
    first = client.get("/api/v1/follow-ups?limit=2").get_json()
    rest = client.get(f"/api/v1/follow-ups?limit=2&cursor={first['next_cursor']}").get_json()
    assert [i["premise"]["id"] for i in first["items"] + rest["items"]] == [p.id for p in premises]
    assert rest["next_cursor"] is None
    for bad in ("limit=0", "limit=501", "cursor=xyz", "limit=abc", "other=1"):
        response = client.get(f"/api/v1/follow-ups?{bad}")
        assert response.status_code in (400, 422), bad
        assert response.get_json()["error"], bad


def test_statements_do_not_grow_with_the_list(client, login, world):
    inspector, today = world.users["inspector"], today_vn()

    def add(n):
        for _ in range(n):
            _inspect(make_premise(world.unit_a), inspector, "fix_request", fix_deadline=today)

    add(3)
    login(inspector)
    client.get("/api/v1/follow-ups")
    few = statements_for(client, "/api/v1/follow-ups")
    add(27)
    many = statements_for(client, "/api/v1/follow-ups")
    assert len(many) == len(few), (few, many)
