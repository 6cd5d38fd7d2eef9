"""Every list request sends as many SQL statements with 30 rows as with 3 (premises in 30 markets, inspections
with team, findings and photos, biên bản): an N+1 cannot come back unnoticed."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from inspect_app.extensions import db
from tests.bulk import add_listed_records

# (who asks, URL): the desk's lists as the province supervisor, whose rows are each in another unit, and as the
# commune's inspector; the API as the phone's inspector.
CASES = [
    ("supervisor_province", "/premises"),
    ("supervisor_province", "/premises?q=sap+dong&type=market_stall"),
    ("supervisor_province", "/inspections"),
    ("supervisor_province", "/inspections?status=minutes_issued&outcome=fix_request"),
    ("supervisor_province", "/minutes"),
    ("supervisor_province", "/minutes?status=valid"),
    ("supervisor_province", "/markets"),
    ("inspector", "/premises"),
    ("inspector", "/inspections"),
    ("inspector", "/minutes"),
    ("inspector", "/markets"),
    ("inspector", "/api/v1/premises"),
    ("inspector", "/api/v1/premises?q=sap+dong"),
    ("inspector", "/api/v1/premises?near=14.81,108.95"),
    ("inspector", "/api/v1/inspections"),
    ("inspector", "/api/v1/inspections?status=minutes_issued"),
    ("supervisor_province", "/api/v1/premises"),
    ("supervisor_province", "/api/v1/premises/changes"),
    ("supervisor_province", "/api/v1/inspections"),
    # The supervisor's map: the page (filters, legend, list), its view grouped and one by one, the legend, the GPS
    # layer; with inspection filters too.
    ("supervisor_province", "/map"),
    (
        "supervisor_province",
        "/map?from=2026-01-01&handling=fix_request&group=NHAN&result=violation&inspector=1",
    ),
    ("supervisor_province", "/api/v1/map/premises?zoom=9"),
    ("supervisor_province", "/api/v1/map/premises?zoom=16&state=fix_overdue&type=market_stall"),
    ("supervisor_province", "/api/v1/map/summary?from=2026-01-01"),
    ("supervisor_province", "/api/v1/map/gps?bbox=108,14,110,16"),
    ("inspector", "/map"),
    ("inspector", "/api/v1/map/premises?zoom=16"),
    ("inspector", "/api/v1/map/premises?zoom=12&group=GIA"),
    ("inspector", "/api/v1/map/gps"),
    # The dashboard: every figure in one aggregate per kind of record, the months and the units; the list behind a
    # figure of each kind.
    ("supervisor_province", "/dashboard?from=2026-01-01&to=2026-12-31"),
    ("supervisor_province", "/dashboard?from=2026-01-01&group=NHAN&result=violation&inspector=1"),
    ("supervisor_province", "/dashboard/inspections?from=2026-01-01&to=2026-12-31"),
    ("supervisor_province", "/dashboard/fix_open?from=2026-01-01&to=2026-12-31"),
    ("supervisor_province", "/dashboard/group_nhan_failed?from=2026-01-01&to=2026-12-31"),
    ("supervisor_province", "/dashboard/state_never_inspected"),
    ("supervisor_province", "/dashboard/lots"),
    ("supervisor_province", "/dashboard/control"),
    ("supervisor_province", "/dashboard/standards"),
    ("inspector", "/dashboard?from=2026-01-01&to=2026-12-31"),
    ("inspector", "/dashboard/gps_poor?from=2026-01-01&to=2026-12-31"),
    ("inspector", "/dashboard/premises"),
    # The audit log's viewer and its export (the rows' records write their events).
    ("supervisor_province", "/audit"),
    ("supervisor_province", "/audit?action=create&record_type=inspections"),
    ("supervisor_province", "/audit.csv"),
    # The exports: every row of the list in one streamed statement, whatever the number of rows.
    *[
        (who, f"/exports/{name}.{fmt}{query}")
        for who in ("supervisor_province", "inspector")
        for name, query in (
            ("premises", "?q=sap&type=market_stall"),
            ("inspections", ""),
            ("findings", "?status=minutes_issued"),
            ("readings", ""),
            ("lots", ""),
            ("minutes", "?status=valid"),
        )
        for fmt in ("csv", "xlsx")
    ],
]


@contextmanager
def counting():
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def statements_for(client, url: str) -> list[str]:
    with counting() as statements:
        response = client.get(url)
        response.get_data()  # a streamed body (an export) runs its statements as it is read
    assert response.status_code == 200, (url, response.status_code)
    return statements


@pytest.mark.parametrize(("who", "url"), CASES)
def test_statements_per_list_request_do_not_grow_with_rows(client, login, world, who, url):
    province_wide = who == "supervisor_province"
    add_listed_records(world.unit_a, world.users["inspector"], 3, new_units=province_wide)
    login(world.users[who])
    if "zoom=9" in url:
        client.application.config["MAP_POINT_LIMIT"] = 1  # the map's grouped view, not its points
    client.get(url)  # warm-up: anything loaded once per process is not a row's cost
    few = statements_for(client, url)
    add_listed_records(world.unit_a, world.users["inspector"], 27, new_units=province_wide)
    many = statements_for(client, url)
    if "near=" in url:
        # The nearest premises widen a box (at least doubling it, from 400 m up to 150 km: at most 10 boxes) until
        # it holds enough; the number of steps depends on where the premises are, never on how many rows match.
        assert max(len(few), len(many)) <= 16, "\n".join(many)
    else:
        assert len(many) == len(few), "\n".join(many)
