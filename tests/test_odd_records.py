"""No stored record, however odd, makes a page answer 500: pages degrade and show the oddity.

The door refuses implausible input today (``domain/plausible.py``), but rows written before it, imported or edited
by hand may hold anything the column types allow. This test writes such rows straight into the database (past the
door): dates in year 9999 and year 1, decimals of 1e28 and 1e-20, 2,000-character texts, empty strings, right-to-left
marks and emoji, NULLs where allowed, premises with no position and at latitude 90 / longitude 180. Then it walks
every page and API read a person would open for them and asserts no 500, and that the oddity is shown.

Both databases, where the column types allow: PostgreSQL refuses a 2,000-character text in a VARCHAR(200) column
(SQLite keeps it), so there such columns hold their maximum length of the same odd text instead. Negative counts
are refused by the CHECK constraints on both (affected_count, lot_size) and are not written.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import update

from inspect_app.extensions import db
from inspect_app.models import Finding, Inspection, Premise, PrepackagedLot, Reading
from tests.api_helpers import token_for
from tests.factories import make_completed_inspection, make_metrology, make_premise, make_reading_and_lot
from tests.minutes_helpers import issue_through_form

RTL = "\u202eمرحبا\u202c \u200fשלום\u200f"
EMOJI = "⚖️🐟🧾👩🏽‍🌾"
ODD = f"{RTL} {EMOJI} Cân sai "
FAR_FUTURE = datetime(9999, 12, 31, 20, 0, tzinfo=UTC)  # 03:00 on 1/1/10000 in Việt Nam: no such date
YEAR_ONE = datetime(1, 1, 1, 0, 0, tzinfo=UTC)
HUGE = Decimal("1E+28")
TINY = Decimal("1E-20")


def long_text(length: int) -> str:
    return (ODD * (length // len(ODD) + 1))[:length]


def fits(backend: str, length: int, column_length: int) -> str:
    """A text of ``length`` characters, or of the column's length where PostgreSQL enforces it."""
    return long_text(length if backend == "sqlite" else min(length, column_length))


def store_odd_records(world, backend):
    """The odd rows, written past the services; answers what the walk visits."""
    inspector = world.users["inspector"]
    metrology = make_metrology(world.premise_a, inspector)
    future = make_completed_inspection(world.premise_a, inspector)
    ancient = make_completed_inspection(world.premise_a, inspector)
    measured = make_reading_and_lot(future, metrology["instrument"], metrology["standard"], inspector)
    tiny = make_reading_and_lot(ancient, metrology["instrument"], metrology["standard"], inspector)
    nowhere = make_premise(world.unit_a, name="Sạp không có tọa độ")
    pole = make_premise(world.unit_a, name="Sạp ở cực bắc")
    odd_premise = make_premise(world.unit_a, name="Sạp kỳ lạ")
    odd_inspection = make_completed_inspection(odd_premise, inspector)
    ids = {
        "future": future.id,
        "ancient": ancient.id,
        "odd": odd_inspection.id,
        "nowhere": nowhere.id,
        "pole": pole.id,
        "odd_premise": odd_premise.id,
        "premise_a": world.premise_a.id,
    }
    session = db.session
    session.execute(
        update(Inspection)
        .where(Inspection.id == future.id)
        .values(started_at=FAR_FUTURE, ended_at=FAR_FUTURE, fix_deadline=date(9999, 12, 31))
    )
    session.execute(
        update(Inspection)
        .where(Inspection.id == ancient.id)
        .values(started_at=YEAR_ONE, ended_at=None, fix_deadline=date(1, 1, 1))
    )
    session.execute(
        update(Inspection)
        .where(Inspection.id == odd_inspection.id)
        .values(basis=fits(backend, 2000, 300), decision_number="", gps_accuracy_m=None)
    )
    session.execute(
        update(Reading)
        .where(Reading.id == measured["reading"].id)
        .values(indication=HUGE, reference=HUGE, error=HUGE, permitted_error=TINY, note=long_text(2000))
    )
    session.execute(
        update(Reading)
        .where(Reading.id == tiny["reading"].id)
        .values(indication=TINY, error=-TINY, permitted_error=TINY, measured_at=YEAR_ONE)
    )
    session.execute(
        update(PrepackagedLot)
        .where(PrepackagedLot.id == measured["lot"].id)
        .values(
            product=fits(backend, 2000, 200),
            nominal=HUGE,
            measured=[str(HUGE), "0.00000000000000000001"],
            mean=HUGE,
            std_dev=None,
            tolerable_deficiency=TINY,
            note=long_text(2000),
        )
    )
    session.execute(
        update(PrepackagedLot).where(PrepackagedLot.id == tiny["lot"].id).values(product="", nominal=TINY)
    )
    session.execute(
        update(Finding)
        .where(Finding.inspection_id == odd_inspection.id)
        .values(note=long_text(2000), affected_count=None)
    )
    session.execute(update(Premise).where(Premise.id == nowhere.id).values(latitude=None, longitude=None))
    session.execute(update(Premise).where(Premise.id == pole.id).values(latitude=90, longitude=180))
    session.execute(
        update(Premise)
        .where(Premise.id == odd_premise.id)
        .values(
            name=fits(backend, 2000, 200),
            owner_name=fits(backend, 2000, 160),
            address="",
            stall_number=EMOJI[:4],
            last_inspected_on=date(9999, 12, 31),
            next_due_on=date(1, 1, 1),
            open_fix_deadline=date(9999, 12, 31),
            earliest_stamp_expiry=date(1, 1, 1),
        )
    )
    session.commit()
    return ids


def pages(ids) -> list[str]:
    inspections = [ids["future"], ids["ancient"], ids["odd"]]
    premises = [ids["nowhere"], ids["pole"], ids["odd_premise"], ids["premise_a"]]
    return [
        "/",
        "/inspections",
        "/inspections?status=completed",
        *[f"/inspections/{i}" for i in inspections],
        *[f"/inspections/{i}/history" for i in inspections],
        *[f"/inspections/{i}/minutes/new" for i in inspections],
        "/premises",
        "/premises?q=s",
        *[f"/premises/{p}" for p in premises],
        "/map",
        "/map?from=2026-01-01&to=2026-12-31",
        "/dashboard",
        "/dashboard?year=2026",
        "/dashboard/inspections",
        "/minutes",
        "/standards",
        "/reports",
        "/plans",
        "/complaints",
        *[
            f"/exports/{name}.{fmt}"
            for name in ("premises", "inspections", "findings", "readings", "lots", "minutes", "quarterly")
            for fmt in ("csv", "xlsx")
        ],
    ]


def api_reads(ids) -> list[str]:
    inspections = [ids["future"], ids["ancient"], ids["odd"]]
    premises = [ids["nowhere"], ids["pole"], ids["odd_premise"]]
    return [
        "/api/v1/inspections",
        *[
            f"/api/v1/inspections/{i}{tail}"
            for i in inspections
            for tail in ("", "/findings", "/readings", "/lots", "/automatic-findings", "/meter-checks")
        ],
        "/api/v1/premises",
        "/api/v1/premises?near=14.8,108.9",
        "/api/v1/premises/changes",
        *[f"/api/v1/premises/{p}" for p in premises],
        *[f"/api/v1/map/premises/{p}" for p in premises],
        "/api/v1/map/premises",
        "/api/v1/map/summary",
        "/api/v1/map/gps",
        "/api/v1/map/premises?bbox=-180,-90,180,90&zoom=2",
        "/api/v1/follow-ups",
        "/api/v1/instruments/changes",
        "/api/v1/standards",
    ]


def walk(client, urls, headers=None) -> tuple[list, dict]:
    broken, bodies = [], {}
    for url in urls:
        response = client.get(url, headers=headers or {})
        response.get_data()  # a streamed export is read to its end, where a late error would show
        response.close()
        if response.status_code >= 500:
            broken.append((url, response.status_code))
        bodies[url] = response
    return broken, bodies


@pytest.fixture
def odd(app, world, backend):
    app.config["PROPAGATE_UNEXPECTED"] = bool(
        os.environ.get("ODD_RECORDS_RAISE")
    )  # an error is a 500 this test reports with its URL
    return store_odd_records(world, backend)


@pytest.mark.parametrize("actor", ["staff", "supervisor_province"])
def test_no_page_or_api_read_answers_500_for_odd_records(client, world, login, odd, actor):
    login(world.users[actor])
    broken, bodies = walk(client, pages(odd))
    auth = token_for(client, world.users[actor])
    api_broken, api_bodies = walk(client, api_reads(odd), auth)
    assert broken + api_broken == []
    # The oddities are shown, not hidden: the year 9999 and year 1 dates, the huge and tiny numbers.
    listing = bodies["/inspections"].get_data(as_text=True)
    assert "9999" in listing and "0001" in listing
    detail = bodies[f"/inspections/{odd['future']}"].get_data(as_text=True)
    assert "31/12/9999" in detail and "10000000000000000000000000000" in detail.replace(".", "")
    assert "0,00000000000000000001" in bodies[f"/inspections/{odd['ancient']}"].get_data(as_text=True)
    assert bodies[f"/premises/{odd['odd_premise']}"].status_code == 200
    assert EMOJI[:2] in bodies[f"/premises/{odd['odd_premise']}"].get_data(as_text=True)
    answer = api_bodies[f"/api/v1/inspections/{odd['future']}"].get_json()
    assert answer["started_at"].startswith("9999-12-31")


def test_a_biên_bản_issues_with_odd_records_and_shows_them(client, world, login, odd):
    login(world.users["staff"])
    data = {
        "representative_name": long_text(120),
        "representative_position": EMOJI,
        "representative_id_number": "051180001234",
        "representative_statement": long_text(1000),
        "copies": "2",
    }
    for key in ("future", "ancient", "odd"):
        inspection = db.session.get(Inspection, odd[key])
        response = issue_through_form(client, inspection, data)
        assert response.status_code in (200, 302), (
            key,
            response.status_code,
            response.get_data(as_text=True)[:500],
        )
        if response.status_code == 302:
            minutes = client.get(response.headers["Location"])
            assert minutes.status_code == 200, key
    listing = client.get("/minutes")
    assert listing.status_code == 200


# ---- the helpers fixed for them, one by one ---------------------------------------------------------------------


def test_an_instant_with_no_vietnam_date_is_shown_in_utc_and_year_one_with_four_digits():
    from inspect_app.domain.time import in_vn, local_date, local_time

    assert local_time(FAR_FUTURE) == "31/12/9999 20:00 (UTC)"
    assert in_vn(FAR_FUTURE).date() == date(9999, 12, 31)
    assert local_date(YEAR_ONE) == "01/01/0001" and local_time(YEAR_ONE) == "01/01/0001 07:00"


def test_a_huge_number_is_rounded_with_every_digit_kept():
    from inspect_app.documents.vn_format import format_vn_decimal, rounded

    assert format_vn_decimal(HUGE, 4) == "10.000.000.000.000.000.000.000.000.000,0000"
    assert rounded(HUGE + TINY, Decimal("1E-20")) == HUGE + TINY
    assert format_vn_decimal(TINY) == "0,00000000000000000001"


def test_an_over_long_table_cell_is_cut_short_and_says_how_much():
    from inspect_app.documents.fonts import register_serif_family
    from inspect_app.documents.official_pdf.grid import MAX_CELL_LINES, plain_cell
    from inspect_app.documents.official_pdf.styles import styles_for

    cell = plain_cell(long_text(2000), 60, styles_for(register_serif_family()))
    assert len(str(cell).splitlines()) <= MAX_CELL_LINES and "ký tự]" in str(cell)
