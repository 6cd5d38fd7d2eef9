"""The OpenAPI document of API v1 describes the API as it answers: every route and method is in it, and answers to
generated requests (schemathesis, in process, bounded and deterministic) have documented statuses and bodies that
match the documented schemas. The Swagger UI page is served from an installed package, with no outside URL."""

from __future__ import annotations

import io
import re
import time
import uuid

import pytest

from inspect_app.extensions import db
from tests.api_helpers import inspection_payload, jpeg_bytes, token_for

METHODS = {"GET", "POST", "PATCH", "PUT", "DELETE"}


def openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.removeprefix("/api/v1"))


@pytest.mark.parametrize("backend", ["sqlite"])
def test_every_route_and_method_is_documented_with_its_error_answers(client, app, backend):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"] == "3.1.0" and doc["servers"] == [{"url": "/api/v1"}]
    routes = {
        (openapi_path(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in rule.methods & METHODS
    }
    documented = {
        (path, method) for path, item in doc["paths"].items() for method in item if method.upper() in METHODS
    }
    assert routes == documented
    for path, method in documented:
        operation = doc["paths"][path][method]
        answers = set(operation["responses"])
        public = operation.get("security") == []
        assert "503" in answers and (public or "401" in answers), (path, method)
        assert any(code.startswith("2") for code in answers), (path, method)
        if "{" in path and path != "/checklists/{version}":
            assert "404" in answers, (path, method)
        if method in ("post", "patch") and "requestBody" in operation:
            assert "422" in answers, (path, method)
    # Request bodies keep their names; a resource's answer schema is the same schema, read-only fields included.
    create = doc["components"]["schemas"]["InspectionCreate"]
    assert {"uuid", "premise_id", "kind"} <= set(create["required"]) and "id" not in create["properties"]
    assert doc["components"]["schemas"]["Inspection"]["properties"]["id"]["readOnly"] is True


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_docs_page_is_served_from_the_package_with_no_outside_url(client, backend):
    page = client.get("/api/docs/")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "/api/v1/openapi.json" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "no asset from another host"
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-standalone-preset.js"):
        assert client.get(f"/api/docs/{asset}").status_code == 200, asset


def isolated(app):
    """The app as a WSGI callable whose every request has its own app context and database session."""

    def wsgi(environ, start_response):
        with app.app_context():
            answer = app(environ, start_response)
            try:
                body = b"".join(answer)
            finally:
                if hasattr(answer, "close"):
                    answer.close()
            db.session.remove()
        return [body]

    return wsgi


def seed(client, world) -> tuple[dict, dict]:
    """One of every record, made through the API; the ids a request may name."""
    auth = token_for(client, world.users["inspector"])
    spare = token_for(client, world.users["inspector"])  # the one token a generated DELETE may revoke

    def post(url, **kwargs):
        response = client.post(f"/api/v1{url}", headers=auth, **kwargs)
        assert response.status_code == 201, (url, response.get_json())
        return response.get_json()

    post(
        "/inspections", json=inspection_payload(world.premise_a, gps=None, basis="")
    )  # no position, no basis
    inspection = post("/inspections", json=inspection_payload(world.premise_a))
    finding = post(
        f"/inspections/{inspection['id']}/findings",
        json={"uuid": str(uuid.uuid4()), "item_code": "GIA-01", "answer": "fail", "note": "Không niêm yết"},
    )
    photo = post(
        f"/inspections/{inspection['id']}/photos",
        data={"uuid": str(uuid.uuid4()), "file": (io.BytesIO(jpeg_bytes()), "a.jpg")},
        content_type="multipart/form-data",
    )
    standards = [
        post(
            "/standards",
            json={
                "uuid": str(uuid.uuid4()),
                "kind": "weight",
                "nominal": nominal,
                "unit": "kg",
                "accuracy_class": "M1",
                "due_on": "2030-12-31",
            },
        )
        for nominal in ("2", "2", "1")
    ]
    client.post(
        f"/api/v1/standards/{standards[0]['id']}/certificate",
        data={"file": (io.BytesIO(jpeg_bytes()), "g.jpg")},
        headers=auth,
    )
    instrument = post(
        f"/premises/{world.premise_a.id}/instruments",
        json={
            "uuid": str(uuid.uuid4()),
            "instrument_type": "spring_scale",
            "accuracy_class": "IIII",
            "unit": "kg",
            "max_capacity": "15",
            "e": "0.05",
        },
    )
    instrument_photo = post(
        f"/instruments/{instrument['id']}/photos",
        data={"uuid": str(uuid.uuid4()), "file": (io.BytesIO(jpeg_bytes()), "b.jpg")},
        content_type="multipart/form-data",
    )
    post(
        f"/inspections/{inspection['id']}/readings",
        json={
            "uuid": str(uuid.uuid4()),
            "instrument_id": instrument["id"],
            "kind": "weighing",
            "standard_ids": [s["id"] for s in standards],
            "indication": "5.15",
        },
    )
    post(
        f"/inspections/{inspection['id']}/lots",
        json={
            "uuid": str(uuid.uuid4()),
            "product": "Gạo",
            "nominal": "5",
            "unit": "kg",
            "measured": ["5.01"],
        },
    )
    spare_id = max(t["id"] for t in client.get("/api/v1/auth/tokens", headers=spare).get_json())
    known = {
        "inspection_id": str(inspection["id"]),
        "finding_id": finding["uuid"],
        "photo_id": photo["id"],
        "standard_id": standards[0]["id"],
        "premise_id": world.premise_a.id,
        "instrument_id": instrument["uuid"],
        "instrument_photo_id": instrument_photo["id"],
        "token_id": spare_id,
        "version": "2026.1",
    }
    return auth, known


EXAMPLES_WITH_KNOWN_IDS = 6
EXAMPLES_WITH_ANY_IDS = 3
TIME_BUDGET_S = 150


@pytest.mark.parametrize("backend", ["sqlite"])
def test_every_answer_matches_the_document(client, app, world, backend):
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    app.config["PROPAGATE_UNEXPECTED"] = False  # a bug is then a 500 the checks report, with its request
    auth, known = seed(client, world)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", isolated(app))
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    failures: list[str] = []
    seen: dict[str, set[int]] = {}
    started = time.monotonic()

    for result in schema.get_all_operations():
        operation = result.ok()
        names = {p.name for p in operation.path_parameters}
        passes = [({k: v for k, v in known.items() if k in names}, EXAMPLES_WITH_KNOWN_IDS)]
        if names and operation.method.upper() != "DELETE":
            passes.append(({}, EXAMPLES_WITH_ANY_IDS))  # mostly 404s
        for fixed, examples in passes:
            if time.monotonic() - started > TIME_BUDGET_S:
                break

            @settings(
                max_examples=examples,
                derandomize=True,
                database=None,
                deadline=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(path_parameters=fixed or None))
            def call(case):
                label = f"{case.operation.method.upper()} {case.operation.path}"
                # Identity: the WSGI transport hands bodies to the checks as sent, and large answers are gzipped.
                response = case.call(headers={**auth, "Accept-Encoding": "identity"})
                seen.setdefault(label, set()).add(response.status_code)
                try:
                    case.validate_response(response, checks=checks)
                except (
                    AssertionError,
                    BaseExceptionGroup,
                ) as failure:  # every failure is reported at the end
                    failures.append(f"{label} → {response.status_code}: {str(failure)[:800]}")

            call()

    for label in sorted(seen):
        print(f"{label}: {sorted(seen[label])}")
    assert failures == [], "\n\n".join(failures[:10])
    assert len(seen) >= 30, sorted(seen)
    # The known ids reach real records: reads answer 200, not only 404s.
    for label in ("GET /inspections/{inspection_id}", "GET /standards/{standard_id}", "GET /me"):
        assert 200 in seen[label], (label, seen[label])
