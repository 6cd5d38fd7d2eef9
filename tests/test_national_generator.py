"""The national bench's generator (bench/national.py) at a tiny scale: two provinces of three communes written by
COPY into a migrated PostgreSQL database, their rows linked across provinces as the ids were moved, and the national
administrator's dashboard and map reading them."""

from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from inspect_app.domain.time import VN_TZ
from inspect_app.extensions import db
from inspect_app.models import Finding, Inspection, Premise, Province, Unit, User
from tests.dashboard_helpers import counted_national_dashboard

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import national  # noqa: E402  (bench/ is not a package)

pytestmark = pytest.mark.postgres

PERIOD = (date(2025, 12, 1), date(2026, 11, 30))
INSPECTIONS_FIGURE = re.compile(r'data-figure="inspections"[^>]*>([\d.]+)</a>')
BAR_LABEL = re.compile(r'aria-label="([^":]+): [\d.]+ cuộc kiểm tra" data-bar=')


@pytest.fixture
def tiny_country(database_url):
    args = national.parser().parse_args(
        [database_url, "--provinces", "2", "--communes", "6", "--premises", "300", "--inspections", "400"]
    )
    return national.generate(args, migrate=False)


@pytest.mark.parametrize("backend", ["postgres"])
@pytest.mark.database_owner  # the generator drops and rebuilds indexes, as the tables' owner does
def test_a_tiny_country_has_its_rows_and_its_dashboard_and_map_load(tiny_country, client, login):
    assert tiny_country["provinces"] == 2 and tiny_country["units"] == 6
    assert tiny_country["premises"] == 300 and tiny_country["inspections"] == 400
    assert db.session.scalar(select(func.count()).select_from(Finding)) == 4 * 400
    # Each province has its three communes, its Sở account and a share of the premises and inspections.
    for province in db.session.scalars(select(Province)):
        units = db.session.scalars(select(Unit.id).where(Unit.province_id == province.id)).all()
        assert len(units) == 3
        assert (
            db.session.scalar(select(func.count()).select_from(Premise).where(Premise.unit_id.in_(units)))
            == 150
        )
        inspected = db.session.scalars(select(Inspection).where(Inspection.unit_id.in_(units))).all()
        assert len(inspected) == 200
        assert all(i.premise.unit_id == i.unit_id for i in inspected)
        supervisor = db.session.scalars(select(User).where(User.username == f"sokhcn.{province.code}")).one()
        assert supervisor.province_id == province.id

    admin = db.session.scalars(select(User).where(User.username == national.NATIONAL_ADMIN)).one()
    assert admin.province_id is None and admin.unit_id is None
    login(admin, national.BENCH_PASSWORD)
    response = counted_national_dashboard(client, f"/dashboard?from={PERIOD[0]}&to={PERIOD[1]}")
    assert response.status_code == 200
    completed = [
        i
        for i in db.session.scalars(select(Inspection))
        if i.status in ("completed", "minutes_issued")
        and PERIOD[0] <= i.started_at.astimezone(VN_TZ).date() <= PERIOD[1]
    ]
    html = response.get_data(as_text=True)
    shown = INSPECTIONS_FIGURE.search(html)
    assert shown and int(shown.group(1).replace(".", "")) == len(completed) > 0
    # At national scope the bars are the provinces, not the country's communes.
    provinces = {p.name for p in db.session.scalars(select(Province))}
    assert {label for label in BAR_LABEL.findall(html) if not label.startswith("T")} == provinces
    assert not any(unit.name in html for unit in db.session.scalars(select(Unit)))

    # Zoomed out on a country: one count per province, never the points.
    client.application.config["MAP_POINT_LIMIT"] = 2
    country = client.get("/api/v1/map/premises?zoom=5").get_json()
    assert country["mode"] == "provinces"
    assert {g["label"] for g in country["groups"]} == {p.name for p in db.session.scalars(select(Province))}
    located = db.session.scalar(
        select(func.count())
        .select_from(Premise)
        .where(Premise.status == "active", Premise.latitude.is_not(None))
    )
    assert sum(g["count"] for g in country["groups"]) == located
