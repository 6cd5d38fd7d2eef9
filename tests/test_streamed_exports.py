"""CSV downloads served by a real HTTP server: their rows are read while the response streams, after the request's
session has ended (Flask pushes the request's contexts again around the stream). The test client keeps the test's
own app context open around a request, so it cannot show what a browser gets; a real server does."""

from __future__ import annotations

import csv
import io

import pytest
import requests

from inspect_app import writes
from inspect_app.exports.views import LISTS
from inspect_app.extensions import db
from tests.factories import PASSWORD, make_completed_inspection


def logged_in(live_server, user) -> requests.Session:
    browser = requests.Session()
    answer = browser.post(
        f"{live_server.url}/login",
        data={"username": user.username, "password": PASSWORD},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 302, answer.text[:300]
    return browser


def csv_rows(answer: requests.Response) -> list[list[str]]:
    assert answer.status_code == 200, answer.text[:300]
    assert answer.headers["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(answer.content.decode("utf-8").lstrip("\ufeff"))))


@pytest.mark.parametrize("role", ["admin_province", "supervisor_province"])
def test_the_audit_log_downloads_as_csv_from_a_real_server(live_server, world, role):
    for n in range(3):
        writes.log("edit", world.premise_a, world.users["inspector"], {"note": [str(n), str(n + 1)]})
    db.session.commit()
    browser = logged_in(live_server, world.users[role])
    rows = csv_rows(browser.get(f"{live_server.url}/audit.csv?action=edit", timeout=30))
    assert rows[0][:2] == ["Mã sự kiện", "Thời điểm (UTC)"]
    assert len(rows) == 4 and {row[5] for row in rows[1:]} == {"Sửa"}
    # Unfiltered too: every event the person may see, the export's own event among them.
    everything = csv_rows(browser.get(f"{live_server.url}/audit.csv", timeout=30))
    assert any(row[5] == "Xuất dữ liệu" for row in everything[1:])


@pytest.mark.parametrize("list_name", LISTS)
def test_every_desk_list_downloads_as_csv_from_a_real_server(live_server, world, list_name):
    make_completed_inspection(world.premise_a, world.users["inspector"])
    db.session.commit()
    browser = logged_in(live_server, world.users["supervisor_province"])
    answer = browser.get(f"{live_server.url}/exports/{list_name}.csv", timeout=30)
    rows = csv_rows(answer)
    assert rows and rows[0], "the header row"
