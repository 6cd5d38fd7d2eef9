"""Plausibility at the door: dates within a window around today, numbers within what instruments show, text a
person could have typed, JSON of a sane shape; each refused with a Vietnamese 422 and nothing stored."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from inspect_app.domain import plausible
from inspect_app.domain.errors import RuleError
from inspect_app.extensions import db
from inspect_app.measurements.rules import decimal_value
from inspect_app.models import Inspection
from tests.api_helpers import inspection_payload, token_for

TODAY = date(2026, 12, 2)
NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


def test_the_day_window():
    assert plausible.day_problem(date(1950, 1, 1), TODAY) is None
    assert plausible.day_problem(date(2056, 12, 2), TODAY) is None
    assert plausible.day_problem(date(1949, 12, 31), TODAY) == (
        "Ngày 31/12/1949 nằm ngoài khoảng hợp lý (từ 01/01/1950 đến 02/12/2056)."
    )
    assert plausible.day_problem(date(2056, 12, 3), TODAY) is not None
    assert plausible.day_problem(date(9999, 12, 31), TODAY) is not None
    # 29 February thirty years on is not a day: the window ends on the 28th.
    assert plausible.day_problem(date(2058, 2, 28), date(2028, 2, 29)) is None


def test_something_that_happened_lies_within_ten_years_and_at_most_a_day_ahead():
    assert plausible.moment_problem(NOW + timedelta(days=1), past=True, now=NOW) is None
    assert plausible.moment_problem(NOW + timedelta(days=1, seconds=1), past=True, now=NOW) == (
        "Thời điểm 03/12/2026 ở tương lai; vui lòng kiểm tra lại ngày giờ trên điện thoại."
    )
    assert plausible.moment_problem(datetime(2016, 12, 2, 3, 0, tzinfo=UTC), past=True, now=NOW) is None
    assert plausible.moment_problem(datetime(2016, 12, 2, 2, 59, tzinfo=UTC), past=True, now=NOW) == (
        "Thời điểm 02/12/2016 đã quá 10 năm; vui lòng kiểm tra lại ngày."
    )


@pytest.mark.parametrize(
    ("text", "plain"),
    [("Sạp cân Hường\tsố 12\r\n", True), ("a\x00b", False), ("a\x1bb", False), ("a\x7fb", False), ("\ud800", False)],
)
def test_plain_text(text, plain):
    assert plausible.plain_text(text) is plain


def test_numbers_stay_below_a_billion():
    assert decimal_value("999999999.999", "Số chỉ") == Decimal("999999999.999")
    for value in ("1000000000", Decimal("1E+28"), 1e28, "-1000000000"):
        with pytest.raises(RuleError, match="Số chỉ quá lớn"):
            decimal_value(value, "Số chỉ")


@pytest.fixture
def auth(client, world):
    return token_for(client, world.users["inspector"])


def _inspections() -> int:
    return db.session.scalar(select(func.count(Inspection.id)))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"started_at": "9999-12-31T08:00:00+07:00"}, "started_at", "Thời điểm 31/12/9999 ở tương lai"),
        ({"started_at": "1900-01-01T08:00:00+07:00"}, "started_at", "Thời điểm 01/01/1900 đã quá 10 năm"),
        ({"decision_date": "9999-01-01"}, "decision_date", "Ngày 01/01/9999 nằm ngoài khoảng hợp lý"),
        ({"basis": "Kế hoạch\x00 số 50"}, "basis", "Chuỗi chứa ký tự điều khiển hoặc ký tự không hợp lệ."),
        ({"basis": "Kế hoạch \ud800"}, "basis", "Chuỗi chứa ký tự điều khiển hoặc ký tự không hợp lệ."),
    ],
)
def test_implausible_inspections_are_refused(client, world, auth, changes, field, message):
    payload = inspection_payload(world.premise_a, **changes)
    response = client.post(
        "/api/v1/inspections", data=json.dumps(payload), headers={**auth, "Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["fields"][field][0].startswith(message)
    assert _inspections() == 0


def _post_raw(client, auth, body: str):
    return client.post("/api/v1/inspections", data=body, headers={**auth, "Content-Type": "application/json"})


def test_json_of_an_absurd_shape_is_refused_before_any_schema(client, world, auth):
    deep = _post_raw(client, auth, "[" * 100_000 + "]" * 100_000)
    assert deep.status_code == 422
    assert deep.get_json()["fields"] == {"_body": ["Dữ liệu JSON lồng quá 8 cấp."]}
    nested = {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": 1}}}}}}}}
    assert _post_raw(client, auth, json.dumps(nested)).get_json()["fields"] == {
        "_body": ["Dữ liệu JSON lồng quá 8 cấp."]
    }
    wide = {**inspection_payload(world.premise_a), "team": list(range(6000))}
    assert _post_raw(client, auth, json.dumps(wide)).get_json()["fields"] == {
        "_body": ["Dữ liệu JSON có quá 5000 giá trị."]
    }
    assert _inspections() == 0


def test_a_query_string_with_control_characters_is_a_422_not_a_database_error(client, login, world):
    login(world.users["staff"])
    for path in ("/premises?q=ch%00o", "/inspections?q=%1b", "/complaints?q=a%00"):
        response = client.get(path)
        assert response.status_code == 422, path
        assert "ký tự điều khiển" in response.get_data(as_text=True)
    assert client.get("/premises?q=chợ").status_code == 200


def test_a_desk_date_from_another_millennium_is_refused_on_its_field(client, login, world):
    from inspect_app.models import Complaint

    login(world.users["staff"])
    response = client.post(
        "/complaints/new",
        data={"received_on": "31/12/9999", "channel": "hotline", "subject": "scale", "content": "Cân thiếu"},
    )
    assert response.status_code == 422
    assert "Ngày 31/12/9999 nằm ngoài khoảng hợp lý" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Complaint.id))) == 0
