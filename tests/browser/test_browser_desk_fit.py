"""The desk pages and the public verification page fit the screen (real headless Chromium, demo data with one
inspection that has readings, a lot and an issued biên bản): at a 1280 px desk and on a 360 px phone nothing pushes
the page sideways, wide tables scroll inside their own box, long hashes and URLs wrap, a navigation that scrolls
says so, filters show their whole choice, and the answer to an uploaded file is in view."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import Premise, User
from tests.browser.conftest import DEMO_PASSWORD, wait_until
from tests.factories import make_instrument, make_reading_and_lot, make_standard

pytestmark = pytest.mark.browser

DESK = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
SUPERVISOR = "lanhdao.ducpho"


@pytest.fixture
def issued(field_app):
    """A completed inspection at a Đức Phổ stall with a weighing and a lot, and its biên bản issued."""
    from inspect_app.minutes.service import IssueRequest, issue_minutes, issued_pdf, verification_token
    from tests.factories import make_completed_inspection

    def user(username):
        return db.session.scalars(select(User).where(User.username == username)).one()

    inspector, clerk = user("kiemtra.ducpho"), user("vanphong.ducpho")
    premise = db.session.scalars(
        select(Premise).where(Premise.unit_id == inspector.unit_id, Premise.premise_type == "market_stall")
    ).first()
    standard = make_standard(premise.unit, clerk)
    instrument = make_instrument(premise, clerk)
    inspection = make_completed_inspection(premise, inspector)
    make_reading_and_lot(inspection, instrument, standard, inspector)
    db.session.commit()
    minutes = issue_minutes(inspection, IssueRequest("Nguyễn Thị Hường", "Chủ hộ kinh doanh"), clerk)
    db.session.commit()
    return {
        "inspection": inspection.id,
        "premise": premise.id,
        "minutes": minutes.id,
        "token": verification_token(minutes),
        "pdf": issued_pdf(minutes),
    }


def desk(field_app, viewport: dict, username: str = SUPERVISOR):
    context = field_app.browser.new_context(viewport=viewport, locale="vi-VN")
    context.set_default_timeout(20000)
    field_app.contexts.append(context)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(f"{field_app.url}/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return page


# What a user would see as not fitting, measured in the page: each finding a sentence naming the element.
FIT_PROBLEMS = """() => {
  const problems = [];
  const width = window.innerWidth;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const scrolls = (el) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
  const scrolled = (el) => { for (let up = el.parentElement; up; up = up.parentElement) if (scrolls(up)) return true; return false; };
  if (document.documentElement.scrollWidth > width) {
    const wide = [...document.querySelectorAll('body *')].filter(
      (el) => el.getBoundingClientRect().right > width + 1 && !scrolled(el));
    problems.push('page is ' + document.documentElement.scrollWidth + ' px wide: ' + wide.slice(-4).map(name).join(', '));
  }
  for (const table of document.querySelectorAll('main table')) {
    let box = table;
    while (box && box !== document.body && !scrolls(box)) box = box.parentElement;
    const rect = table.getBoundingClientRect();
    if (!box || box === document.body) {
      if (rect.width > table.parentElement.clientWidth + 1) problems.push(name(table) + ' is wider than its box and does not scroll');
    } else if (box.getBoundingClientRect().right > width + 1) {
      problems.push(name(table) + ' scrolls in a box wider than the screen');
    } else if (width >= 1280 && box.scrollWidth > box.clientWidth + 1) {
      problems.push(name(table) + ' needs sideways scrolling at the desk (' + box.scrollWidth + ' > ' + box.clientWidth + ')');
    }
  }
  const long = [...document.querySelectorAll('main .hash, main code, main a')].filter(
    (el) => el.classList.contains('hash') || /^https?:\\/\\//.test(el.textContent.trim()));
  for (const el of long) {
    const box = el.parentElement;
    const outer = box.getBoundingClientRect();
    for (const rect of el.getClientRects()) {
      if (rect.right > outer.right + 1) problems.push(name(el) + ' runs out of ' + name(box));
    }
    if (box.scrollWidth > box.clientWidth + 1) problems.push(name(box) + ' overflows with ' + name(el));
  }
  const canvas = document.createElement('canvas').getContext('2d');
  for (const control of document.querySelectorAll('main form select, main form input[type=search], main form input[type=text]')) {
    if (!control.offsetParent) continue;
    const style = getComputedStyle(control);
    canvas.font = style.font;
    // A select is as wide as the longest choice it may show: pick any, it is read whole.
    const text = control.tagName === 'SELECT'
      ? [...control.options].map((o) => o.text).reduce((a, b) => (canvas.measureText(b).width > canvas.measureText(a).width ? b : a), '')
      : control.value;
    const room = control.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)
      - (control.tagName === 'SELECT' ? 20 : 0);
    if (control.scrollWidth > control.clientWidth + 1 || canvas.measureText(text).width > room + 1) {
      problems.push(name(control) + ' cuts its text “' + text + '”');
    }
  }
  return problems;
}"""

NAV_STATE = """() => {
  const nav = document.querySelector('.topbar .nav');
  const style = getComputedStyle(nav);
  return {
    overflows: nav.scrollWidth > nav.clientWidth + 1,
    classes: [...nav.classList],
    mask: style.maskImage || style.webkitMaskImage || 'none',
  };
}"""


def desk_pages(ids: dict) -> list[str]:
    return [
        "/",
        "/inspections",
        f"/inspections/{ids['inspection']}",
        "/premises",
        f"/premises/{ids['premise']}",
        "/minutes",
        f"/minutes/{ids['minutes']}",
        "/dashboard",
        "/map",
        "/reports",
        "/audit",
    ]


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk-1280", "phone-360"])
def test_the_desk_pages_fit_the_screen(field_app, issued, viewport):
    page = desk(field_app, viewport)
    found = {}
    for path in desk_pages(issued):
        response = page.goto(field_app.url + path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        problems = page.evaluate(FIT_PROBLEMS)
        if problems:
            found[path] = problems
    assert not found, "\n".join(f"{path}: {'; '.join(problems)}" for path, problems in found.items())
    assert page.errors == []


def test_a_navigation_that_scrolls_shows_it(field_app, issued):
    """On a phone the sections sit in one row that scrolls sideways; today nothing hints there is more to the right."""
    page = desk(field_app, PHONE)
    page.goto(f"{field_app.url}/inspections")
    nav = page.evaluate(NAV_STATE)
    assert nav["overflows"]
    assert "more-right" in nav["classes"] and "more-left" not in nav["classes"]
    assert "gradient" in nav["mask"]
    page.evaluate("document.querySelector('.topbar .nav').scrollLeft = 1e6")
    wait_until(page, "document.querySelector('.topbar .nav').classList.contains('more-left')")
    nav = page.evaluate(NAV_STATE)
    assert "more-right" not in nav["classes"] and "gradient" in nav["mask"]
    # At the desk every section is in view: nothing to hint.
    wide = desk(field_app, DESK)
    wide.goto(f"{field_app.url}/inspections")
    nav = wide.evaluate(NAV_STATE)
    assert not nav["overflows"] and nav["mask"] == "none"


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk-1280", "phone-360"])
def test_the_verification_page_fits_and_shows_the_answer_to_an_upload(field_app, issued, viewport):
    context = field_app.browser.new_context(viewport=viewport, locale="vi-VN")
    field_app.contexts.append(context)
    page = context.new_page()
    page.goto(f"{field_app.url}/v/{issued['token']}")
    assert page.evaluate(FIT_PROBLEMS) == []
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "bien-ban.pdf", "mimeType": "application/pdf", "buffer": issued["pdf"]}],
    )
    page.click("button:has-text('Đối chiếu')")
    page.wait_for_selector("#comparison")
    page.wait_for_timeout(300)
    box = page.evaluate(
        "(() => { const r = document.getElementById('comparison').getBoundingClientRect();"
        " return {top: r.top, bottom: r.bottom, height: innerHeight}; })()"
    )
    assert 0 <= box["top"] and box["bottom"] <= box["height"], box
    assert "trùng khớp từng byte với biên bản đã phát hành" in page.inner_text("#comparison")
    assert page.evaluate(FIT_PROBLEMS) == []
