"""Ids beyond what an integer column holds never reach the database: PostgreSQL's columns are 32-bit, and a query
with 2147483648 in it fails there (numeric value out of range), which used to be a 500. In a path they answer 404,
in a query filter they are ignored as any non-number is, in a JSON body they are a 422 in Vietnamese. The OpenAPI
document states the range, so generated requests (tests/test_api_openapi.py) probe its edges."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.api_helpers import inspection_payload, token_for

BEYOND = ["2147483648", "9223372036854775808", "0"]
ANY_ID = re.compile(r"<id:([a-z_]+)>")


def id_rules(app):
    for rule in app.url_map.iter_rules():
        if ANY_ID.search(rule.rule):
            for method in sorted((rule.methods or set()) & {"GET", "POST", "PATCH", "DELETE"}):
                yield rule.rule, method


def test_every_route_taking_an_id_declares_its_range(app):
    """No route takes a bare int: a new one must use the ranged converter."""
    bare = [rule.rule for rule in app.url_map.iter_rules() if "<int:" in rule.rule]
    assert bare == []
    assert len(list(id_rules(app))) > 60


def test_an_id_beyond_the_column_answers_404_on_every_route(app, client, world, login, backend):
    app.config["PROPAGATE_UNEXPECTED"] = False
    login(world.users["admin_province"])
    auth = token_for(client, world.users["admin_province"])
    wrong = []
    for rule, method in id_rules(app):
        for value in BEYOND:
            url = ANY_ID.sub(value, rule).replace("<version>", "2026.1")
            url = re.sub(r"<[^>]+>", "x", url)
            headers = auth if rule.startswith("/api/") else {}
            response = client.open(url, method=method, headers=headers, json={} if method != "GET" else None)
            if response.status_code != 404:
                wrong.append((method, url, response.status_code))
    assert wrong == []


def test_a_negative_id_matches_no_route(client, world, login, backend):
    login(world.users["admin_province"])
    assert client.get(f"/premises/-{world.premise_a.id}").status_code == 404
    auth = token_for(client, world.users["admin_province"])
    assert client.get("/api/v1/premises/-1", headers=auth).status_code == 404


@pytest.mark.parametrize("value", ["2147483648", "-2147483649", "99999999999999999999", "true"])
def test_an_id_filter_beyond_the_column_is_ignored_like_any_non_number(client, world, backend, value):
    auth = token_for(client, world.users["inspector"])
    response = client.get(f"/api/v1/inspections?premise_id={value}&limit={value}", headers=auth)
    assert response.status_code == 200, response.get_json()


def test_an_id_beyond_the_column_in_a_body_is_refused_in_vietnamese(client, world, backend):
    auth = token_for(client, world.users["inspector"])
    payload = inspection_payload(world.premise_a, premise_id=2147483648, decision_id=-2147483649)
    response = client.post("/api/v1/inspections", json=payload, headers=auth)
    assert response.status_code == 422
    assert response.get_json()["fields"] == {"premise_id": ["Số quá lớn."], "decision_id": ["Số quá lớn."]}


def test_the_document_states_the_range_of_ids(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    path = doc["paths"]["/premises/{premise_id}"]["parameters"]
    assert [p["schema"] for p in path if p["name"] == "premise_id"] == [
        {"type": "integer", "minimum": 1, "maximum": 2147483647}
    ]
    create = doc["components"]["schemas"]["InspectionCreate"]["properties"]
    assert (create["premise_id"]["minimum"], create["premise_id"]["maximum"]) == (-2147483647, 2147483647)
    lot = doc["components"]["schemas"]["LotCreate"]["properties"]
    assert lot["lot_size"]["minimum"] == 1  # the field's own Range, not the column's
    # A lenient filter accepts any text (a non-number is ignored), and says so.
    listing = doc["paths"]["/inspections"]["get"]["parameters"]
    assert {p["name"]: p["schema"]["type"] for p in listing}["premise_id"] == ["string", "null"]


def test_a_whole_number_written_with_a_fraction_is_an_integer(client, world, backend):
    """JSON Schema counts 5.0 as an integer; the phone's JSON may write it so."""
    auth = token_for(client, world.users["inspector"])
    inspection = client.post("/api/v1/inspections", json=inspection_payload(world.premise_a), headers=auth)
    lot = {
        "uuid": str(uuid.uuid4()),
        "product": "Gạo",
        "nominal": "5",
        "unit": "kg",
        "measured": ["5.01"],
        "lot_size": 100.0,
    }
    response = client.post(f"/api/v1/inspections/{inspection.get_json()['id']}/lots", json=lot, headers=auth)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["lot_size"] == 100
    lot = {**lot, "uuid": str(uuid.uuid4()), "lot_size": 100.5}
    response = client.post(f"/api/v1/inspections/{inspection.get_json()['id']}/lots", json=lot, headers=auth)
    assert response.status_code == 422 and response.get_json()["fields"] == {
        "lot_size": ["Phải là số nguyên."]
    }
