"""The phone's offline copy of the premises in real headless Chromium: filled from the change feed, refreshed with only
what changed since the last fetch, and offered on the start screen when the network is gone.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select, update

from inspect_app.extensions import db
from inspect_app.models import Premise, User
from inspect_app.domain.time import utcnow
from inspect_app.premises.service import create_premise, update_premise
from tests.browser.conftest import INSPECTOR, MARKET, login, wait_for_service_worker

pytestmark = pytest.mark.browser

FEED = "/api/v1/premises/changes"


def is_feed(response) -> bool:
    return urlsplit(response.url).path == FEED


def test_the_phone_fetches_only_what_changed_and_offers_it_offline(field_app):
    inspector = db.session.scalars(select(User).where(User.username == INSPECTOR)).one()
    mine = db.session.scalars(
        select(Premise)
        .where(Premise.unit_id == inspector.unit_id, Premise.status == "active")
        .order_by(Premise.name)
    ).all()
    # The demo premises were all written a moment ago; as on a real server, they were written over time, 15 minutes
    # apart (more than the feed's 10-minute overlap), the first one last.
    now = utcnow()
    for index, premise in enumerate(mine):
        stamp = now - timedelta(hours=2, minutes=15 * index)
        db.session.execute(update(Premise).where(Premise.id == premise.id).values(updated_at=stamp))
    db.session.commit()

    context, page = field_app.phone()
    with page.expect_response(is_feed) as first:
        login(page, field_app.url)
    everything = first.value.json()
    assert "since" not in parse_qs(urlsplit(first.value.url).query)
    assert len(everything["items"]) == len(mine)
    page.wait_for_selector(f"#premises-kept:has-text('Trên máy có {len(mine)} cơ sở')")
    wait_for_service_worker(page)

    # On the server: one premise renamed (the last one written, so the overlap brings back nothing else), one closed,
    # one opened where the phone stands.
    renamed, closed = mine[0], mine[1]
    closed_name = closed.name
    update_premise(renamed, {"name": "Sạp rau Đổi Tên"}, inspector)
    update_premise(closed, {"status": "closed"}, inspector)
    added = create_premise(
        inspector.unit_id,
        {
            "name": "Sạp cá Mới Mở",
            "owner_name": "Lê Văn Mới",
            "premise_type": "market_stall",
            "address": "Chợ Đức Phổ",
            "latitude": MARKET["latitude"],
            "longitude": MARKET["longitude"],
            "status": "active",
        },
        inspector,
    )
    db.session.commit()

    with page.expect_response(is_feed) as second:
        page.reload()
    query = parse_qs(urlsplit(second.value.url).query)
    assert query["since"] == [everything["next_since"]]
    assert {item["id"] for item in second.value.json()["items"]} == {renamed.id, closed.id, added.id}
    page.wait_for_selector(
        f"#premises-kept:has-text('Trên máy có {len(mine)} cơ sở'):has-text(': 3 thay đổi')"
    )

    # The feed goes to the network or fails: no cache answers it.
    context.set_offline(True)
    assert page.evaluate(f"fetch('{FEED}').then(() => 'answered', () => 'failed')") == "failed"
    page.reload()
    page.wait_for_selector(".banner-offline")
    # The start screen offers the new stall from the phone's copy, nearest first; the closed one is gone.
    page.wait_for_selector("#premise-list .prow >> nth=0 >> text=Sạp cá Mới Mở")
    names = page.locator("#premise-list .prow strong").all_inner_texts()
    assert "Sạp rau Đổi Tên" in names and closed_name not in names
    assert len(names) == len(mine)
    page.click("#premise-list .prow >> nth=0")
    page.wait_for_selector("#start")
    assert page.errors == []
