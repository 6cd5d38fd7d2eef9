"""Who may conclude on what (TT 28/2013 Điều 19): a commune-only team records an instrument's error test, a
pre-packaged lot or a referral item as "sơ bộ" — on screen, in the biên bản (read back from the PDF) and in the one
SQL definition of a violation; the same results from a team with someone from the Sở are violations."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from inspect_app.extensions import db
from inspect_app.inspections.queries import violation_summary
from inspect_app.models import AuditEvent, Finding, Inspection, PrepackagedLot, Reading
from tests.api_helpers import inspection_payload, token_for
from tests.factories import mark_not_checked
from tests.test_measurements_api import (
    new_inspection,
    pdf_text,
    post_instrument,
    post_standard,
    reading_payload,
)


@pytest.fixture
def auth(client, world):
    return token_for(client, world.users["inspector"])


@pytest.fixture
def kit(client, world, auth):
    """M1 weights 2 kg + 2 kg + 1 kg, a 15 kg spring scale (e = 50 g) and an inspection by a commune-only team."""
    weights = [
        post_standard(client, auth, nominal=n, serial=f"M1-{i}") for i, n in enumerate(("2", "2", "1"))
    ]
    return {
        "standard_ids": [w.get_json()["id"] for w in weights],
        "instrument": post_instrument(client, auth, world.premise_a).get_json(),
        "inspection": new_inspection(client, auth, world.premise_a),
    }


def violations(model) -> int:
    """Counted as the dashboard and the yearly report will count: by the SQL definition."""
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(model.counts_as_violation))


def record_failing_weighing(client, auth, kit, inspection_id):
    url = f"/api/v1/inspections/{inspection_id}/readings"
    response = client.post(
        url, json=reading_payload(kit["instrument"]["id"], kit["standard_ids"]), headers=auth
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def answer(client, auth, inspection_id, code, value="fail", note=""):
    response = client.post(
        f"/api/v1/inspections/{inspection_id}/findings",
        json={"uuid": str(uuid.uuid4()), "item_code": code, "answer": value, "note": note},
        headers=auth,
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def issued_pdf_words(client, world, auth, inspection_id) -> str:
    from inspect_app.minutes.service import IssueRequest, issue_minutes

    mark_not_checked(inspection_id, world.users["inspector"])
    inspection = db.session.get(Inspection, inspection_id)
    response = client.patch(
        f"/api/v1/inspections/{inspection_id}",
        json={"version": inspection.version, "status": "completed", "outcome": "reminder"},
        headers=auth,
    )
    assert response.status_code == 200, response.get_json()
    db.session.expire_all()
    minutes = issue_minutes(
        db.session.get(Inspection, inspection_id),
        IssueRequest("Nguyễn Thị Hường", "Chủ hộ kinh doanh"),
        world.users["staff"],
    )
    return " ".join(pdf_text(client.get(f"/minutes/{minutes.id}/pdf").get_data()).split())


def test_a_commune_only_teams_instrument_error_test_is_indicative_everywhere(client, world, auth, kit, login):
    inspection_id = kit["inspection"]["id"]
    assert kit["inspection"]["province_in_team"] is False
    reading = record_failing_weighing(client, auth, kit, inspection_id)
    assert reading["outcome"] == "fail" and reading["indicative"] is True
    finding = answer(client, auth, inspection_id, "PTD-06", note="Cân sai +0,15 kg")
    assert finding["indicative"] is True

    # Recorded, but not a violation: by the SQL definition and in the inspection's summary.
    assert violations(Reading) == 0 and violations(Finding) == 0
    summary = violation_summary(db.session.get(Inspection, inspection_id))
    assert (summary.findings, summary.readings, summary.indicative_failures) == (0, 0, 2)

    login(world.users["inspector"])
    html = client.get(f"/inspections/{inspection_id}").get_data(as_text=True)
    assert "Đoàn không có cán bộ Sở Khoa học và Công nghệ" in html
    assert html.count(">sơ bộ</span>") == 2  # the reading and PTD-06
    assert "0 nội dung không đạt" in html and "2 kết quả không đạt sơ bộ" in html
    assert "(sơ bộ: đoàn không có cán bộ Sở Khoa học và Công nghệ)" in html  # the automatic suggestion

    words = issued_pdf_words(client, world, auth, inspection_id)
    assert "Không đạt (sơ bộ)" in words
    assert "Kết quả sơ bộ: đoàn kiểm tra không có cán bộ Sở Khoa học và Công nghệ" in words
    violations_section = words.split("VI PHẠM PHÁT HIỆN")[1].split("KẾT LUẬN")[0]
    assert "Không phát hiện vi phạm." in violations_section


def test_the_same_test_with_someone_from_the_so_is_a_violation(client, world, auth, kit, login):
    created = client.post(
        "/api/v1/inspections",
        json=inspection_payload(world.premise_a, province_in_team=True),
        headers=auth,
    )
    assert created.status_code == 201 and created.get_json()["province_in_team"] is True
    inspection_id = created.get_json()["id"]
    reading = record_failing_weighing(client, auth, kit, inspection_id)
    assert reading["outcome"] == "fail" and reading["indicative"] is False
    assert answer(client, auth, inspection_id, "PTD-06", note="Cân sai +0,15 kg")["indicative"] is False
    assert violations(Reading) == 1 and violations(Finding) == 1

    login(world.users["inspector"])
    html = client.get(f"/inspections/{inspection_id}").get_data(as_text=True)
    assert "Đoàn có cán bộ Sở Khoa học và Công nghệ" in html and "indicative" not in html
    assert "1 nội dung không đạt; 1 phép đo không đạt" in html

    words = issued_pdf_words(client, world, auth, inspection_id)
    assert "sơ bộ" not in words
    violations_section = words.split("VI PHẠM PHÁT HIỆN")[1].split("KẾT LUẬN")[0]
    assert "Sai số của phương tiện đo nằm trong giới hạn sai số cho phép" in violations_section
    assert "Cân sai +0,15 kg" in violations_section


def test_changing_the_team_updates_the_stored_results(client, world, auth, kit):
    inspection_id = kit["inspection"]["id"]
    record_failing_weighing(client, auth, kit, inspection_id)
    answer(client, auth, inspection_id, "PTD-06")
    lot = client.post(
        f"/api/v1/inspections/{inspection_id}/lots",
        json={
            "uuid": str(uuid.uuid4()),
            "product": "Đường cát trắng, túi 1 kg",
            "nominal": "1",
            "unit": "kg",
            "measured": ["0.95", "0.96", "0.97"],
        },
        headers=auth,
    )
    assert lot.status_code == 201 and lot.get_json()["outcome"] == "fail" and lot.get_json()["indicative"]
    assert (violations(Reading), violations(Finding), violations(PrepackagedLot)) == (0, 0, 0)

    inspection = db.session.get(Inspection, inspection_id)
    joined = client.patch(
        f"/api/v1/inspections/{inspection_id}",
        json={"version": inspection.version, "province_in_team": True},
        headers=auth,
    )
    assert joined.status_code == 200 and joined.get_json()["province_in_team"] is True
    assert (violations(Reading), violations(Finding), violations(PrepackagedLot)) == (1, 1, 1)
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.record_type == "inspections", AuditEvent.action == "edit")
    ).all()[-1]
    assert event.changes["province_in_team"] == [False, True]

    # A new team that does not say: the earlier "yes" (a Sở officer without an account) stands.
    kept = client.patch(
        f"/api/v1/inspections/{inspection_id}",
        json={"version": joined.get_json()["version"], "team": [{"user_id": world.users["inspector"].id}]},
        headers=auth,
    )
    assert kept.status_code == 200 and kept.get_json()["province_in_team"] is True
    assert (violations(Reading), violations(Finding), violations(PrepackagedLot)) == (1, 1, 1)
    # Saying the Sở is no longer there: back to "sơ bộ".
    left = client.patch(
        f"/api/v1/inspections/{inspection_id}",
        json={"version": kept.get_json()["version"], "province_in_team": False},
        headers=auth,
    )
    assert left.status_code == 200 and left.get_json()["province_in_team"] is False
    assert (violations(Reading), violations(Finding), violations(PrepackagedLot)) == (0, 0, 0)


def test_a_province_account_in_the_team_means_the_so_is_there(client, world):
    auth = token_for(client, world.users["supervisor_province"])
    payload = inspection_payload(
        world.premise_a,
        team=[
            {"user_id": world.users["supervisor_province"].id, "team_role": "lead"},
            {"user_id": world.users["inspector"].id},
        ],
    )
    response = client.post("/api/v1/inspections", json=payload, headers=auth)
    assert response.status_code == 201 and response.get_json()["province_in_team"] is True
    # An unticked box cannot remove a Sở officer who is in the team with an account.
    unticked = client.post(
        "/api/v1/inspections",
        json={**payload, "uuid": str(uuid.uuid4()), "province_in_team": False},
        headers=auth,
    )
    assert unticked.status_code == 201 and unticked.get_json()["province_in_team"] is True
    # Without a province account the team is the commune's, unless the form says otherwise.
    commune = client.post(
        "/api/v1/inspections",
        json=inspection_payload(world.premise_a, team=[{"user_id": world.users["inspector"].id}]),
        headers=auth,
    )
    assert commune.get_json()["province_in_team"] is False


def test_control_measurements_and_labels_are_the_communes_own_conclusions(client, world, auth, kit):
    inspection_id = kit["inspection"]["id"]
    control = client.post(
        f"/api/v1/inspections/{inspection_id}/readings",
        json=reading_payload(
            kit["instrument"]["id"], kit["standard_ids"], kind="control", direction="sell", indication="5.3"
        ),
        headers=auth,
    )
    assert control.status_code == 201, control.get_json()
    assert control.get_json()["outcome"] == "fail" and control.get_json()["indicative"] is False
    assert answer(client, auth, inspection_id, "PTD-02")["indicative"] is False
    assert violations(Reading) == 1 and violations(Finding) == 1


def test_a_referral_item_is_recorded_but_never_the_teams_violation(client, world, auth, kit, login):
    created = client.post(
        "/api/v1/inspections",
        json=inspection_payload(world.premise_a, province_in_team=True),
        headers=auth,
    ).get_json()
    assert created["catalogue_version"] == "2026.2"
    finding = answer(client, auth, created["id"], "CL-04", note="Quần áo không có hóa đơn")
    assert finding["indicative"] is True and violations(Finding) == 0
    login(world.users["inspector"])
    html = client.get(f"/inspections/{created['id']}").get_data(as_text=True)
    assert "chuyển cơ quan có thẩm quyền</span>" in html
    words = issued_pdf_words(client, world, auth, created["id"])
    assert "Không đạt (chuyển cơ quan có thẩm quyền)" in words
    assert "Không phát hiện vi phạm." in words.split("VI PHẠM PHÁT HIỆN")[1]


def test_a_bad_team_flag_is_a_clear_422(client, world, auth):
    response = client.post(
        "/api/v1/inspections",
        json=inspection_payload(world.premise_a, province_in_team="có lẽ"),
        headers=auth,
    )
    assert response.status_code == 422
    assert "province_in_team" in str(response.get_json())
