"""The yearly inspection plan: the risk formula row by row, the SQL score against it on both databases, the
reproducible draw, adding and removing premises (kept and audited), approval, progress, the PDF, scoping and the
administrator's weights."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from inspect_app.domain.errors import InvalidInput
from inspect_app.domain.risk import RiskFacts, RiskWeights, random_count, random_draw, risk_score
from inspect_app.domain.time import today_vn
from inspect_app.extensions import db
from inspect_app.models import AuditEvent, Plan, PlanPremise, Premise
from inspect_app.plans import service
from inspect_app.plans.risk import facts_of, scored_premises
from inspect_app.plans.settings import risk_weights
from tests.documents.pdftools import page_texts
from tests.factories import (
    make_complaint,
    make_completed_inspection,
    make_instrument,
    make_premise,
    make_standard,
)
from tests.test_list_statement_counts import counting

ON = date(2027, 3, 15)
W = RiskWeights()


# ---- the formula, row by row (no database) --------------------------------------------------------------------------

FORMULA_ROWS = [
    # (facts, total, reasons as printed)
    (RiskFacts("market_stall", last_inspected_on=date(2027, 1, 10)), 0, []),
    (RiskFacts("market_stall"), 20, ["Chưa từng được kiểm tra (+20)"]),
    (
        RiskFacts("market_stall", last_result="violation", violations=1, last_inspected_on=date(2026, 9, 1)),
        40,
        ["Lần kiểm tra trước: có vi phạm (+30)", "Vi phạm 1 lần trong 3 năm qua (+10)"],
    ),
    (
        RiskFacts("grocery", last_result="pending_fix", open_fix=True, violations=5, last_inspected_on=ON),
        55,
        ["Đang có yêu cầu khắc phục chưa kiểm tra lại (+25)", "Vi phạm 5 lần trong 3 năm qua (+30)"],
    ),
    (
        RiskFacts("fuel_station", bad_stamps=2, has_fuel_dispenser=True, last_inspected_on=date(2026, 3, 15)),
        41,
        [
            "2 phương tiện đo hết hạn hoặc không rõ hạn kiểm định (+16)",
            "Có cột đo xăng dầu (+10)",
            "Loại cơ sở rủi ro cao: cửa hàng xăng dầu (+10)",
            "1 năm chưa được kiểm tra (+5)",
        ],
    ),
    # One day short of a full year gives no point; ten years count as five.
    (
        RiskFacts("producer", last_inspected_on=date(2026, 3, 16)),
        10,
        ["Loại cơ sở rủi ro cao: cơ sở sản xuất (+10)"],
    ),
    (
        RiskFacts("supermarket", has_large_scale=True, complaints=4, last_inspected_on=date(2017, 1, 1)),
        60,
        ["3 phản ánh về cơ sở (+30)", "Có cân bàn (cân lớn) (+5)", "5 năm chưa được kiểm tra trở lên (+25)"],
    ),
]


@pytest.mark.parametrize(("facts", "total", "reasons"), FORMULA_ROWS)
def test_the_formula_row_by_row(facts, total, reasons):
    if facts.complaints == 4:
        reasons = ["4 phản ánh về cơ sở (+30)", *reasons[1:]]  # counted as 3, printed as it is
    score = risk_score(facts, W, ON)
    assert score.total == total
    assert score.labels == reasons
    assert sum(reason.points for reason in score.reasons) == total


def test_weights_change_the_points_and_zero_drops_a_reason():
    weights = RiskWeights(last_violation=50, never_inspected=0)
    assert risk_score(RiskFacts("grocery", last_result="violation"), weights, ON).labels == [
        "Lần kiểm tra trước: có vi phạm (+50)"
    ]


def test_the_same_seed_draws_the_same_premises():
    candidates = list(range(1, 200))
    first = random_draw(list(reversed(candidates)), 12, seed=4242)
    assert first == random_draw(candidates, 12, seed=4242)
    assert first == random.Random(4242).sample(candidates, 12)
    assert first != random_draw(candidates, 12, seed=4243)
    assert random_draw([3, 1], 5, seed=1) in ([1, 3], [3, 1])
    assert random_count(20, 15) == 3 and random_count(10, 15) == 2 and random_count(0, 15) == 0


# ---- the SQL score equals the formula, on both databases ----------------------------------------------------------

NOT_A_SCALE = {"max_capacity": None, "e": None}
KIND_FIELDS = {
    "spring_scale": {},
    "platform_scale": {"accuracy_class": "III", "max_capacity": Decimal("300"), "e": Decimal("0.1")},
    "fuel_dispenser": {"unit": "L", "accuracy_class": "0.5", **NOT_A_SCALE},
    "water_meter": {"unit": "m3", "accuracy_class": "B", "variant": "water_mechanical", **NOT_A_SCALE},
}


def test_sql_score_equals_the_formula_on_generated_premises(app, world):
    """60 premises with random latest state, instruments and violations: the score SQL computes for each equals the
    formula on the facts, and the facts are what was generated."""
    user = world.users["inspector"]
    unit = world.unit_a
    rng = random.Random(2027)
    today = today_vn()
    expected: dict[int, dict] = {}
    types = ["market_stall", "grocery", "fuel_station", "supermarket", "producer", "other"]
    for n in range(60):
        premise = make_premise(unit, name=f"Cơ sở sinh {n}", premise_type=rng.choice(types))
        facts = {"bad": 0, "fuel": False, "large": False, "violations": 0, "complaints": 0}
        for _ in range(rng.randrange(3)):
            kind = rng.choice(["spring_scale", "fuel_dispenser", "platform_scale", "water_meter"])
            state = rng.choice(["valid", "expired", "unknown"])
            dates = {
                "valid": {
                    "verified_on": today - timedelta(days=30),
                    "valid_until": today + timedelta(days=300),
                },
                "expired": {
                    "verified_on": today - timedelta(days=500),
                    "valid_until": today - timedelta(days=2),
                },
                "unknown": {"verified_on": None, "valid_until": None, "verification_mark": ""},
            }[state]
            make_instrument(premise, user, instrument_type=kind, **KIND_FIELDS[kind], **dates)
            if kind != "water_meter":
                facts["bad"] += state != "valid"
                facts["fuel"] |= kind == "fuel_dispenser"
                facts["large"] |= kind == "platform_scale"
        # Complaints in the register: recent ones count, one older than the years looked back does not.
        for _ in range(rng.randrange(3)):
            make_complaint(premise, user, received_on=today - timedelta(days=rng.randrange(0, 400)))
            facts["complaints"] += 1
        if n % 11 == 0:
            make_complaint(premise, user, received_on=today - timedelta(days=4 * 366))
        if n % 7 == 0:
            make_completed_inspection(premise, user)  # a failed label item: a violation
            facts["violations"] = 1
        expected[premise.id] = facts
    # Random latest state over everything (a derived cache: set here as the generator wants it).
    for premise_id in expected:
        last = rng.choice([None, today - timedelta(days=rng.randrange(1, 2500))])
        db.session.execute(
            update(Premise)
            .where(Premise.id == premise_id)
            .values(
                last_inspected_on=last,
                last_result=None if last is None else rng.choice(["pass", "violation", "pending_fix"]),
                open_fix_deadline=rng.choice([None, today + timedelta(days=5)]),
            )
        )
    db.session.commit()
    weights = RiskWeights(last_violation=31, open_fix=17, repeat_violation=9, bad_stamp=7, years_since=4)
    rows = db.session.execute(scored_premises(unit.id, weights, today)).all()
    generated = [row for row in rows if row.id in expected]
    assert len(generated) == 60
    scores = [row.score for row in rows]
    assert scores == sorted(scores, reverse=True)
    for row in generated:
        facts = facts_of(row)
        want = expected[row.id]
        assert (facts.bad_stamps, facts.has_fuel_dispenser, facts.has_large_scale) == (
            want["bad"],
            want["fuel"],
            want["large"],
        ), row
        assert facts.violations == want["violations"]
        assert facts.complaints == want["complaints"]
        assert row.score == risk_score(facts, weights, today).total, row


# ---- the plan, its annex, approval, progress -----------------------------------------------------------------------


def _plan(world, year=None, **values) -> Plan:
    plan, _ = service.create_plan(world.unit_a, year or today_vn().year, world.users["staff"])
    for key, value in values.items():
        setattr(plan, key, value)
    db.session.commit()
    return plan


def _fresh(plan) -> Plan:
    """The plan as stored now (requests commit in their own sessions)."""
    db.session.expire_all()
    return db.session.get(Plan, plan.id)


def _premises(world, n: int) -> list[Premise]:
    made = []
    for i in range(n):
        premise = make_premise(world.unit_a, name=f"Sạp kế hoạch {i}")
        made.append(premise)
    return made


def _active(plan) -> list[tuple[int, str]]:
    return [(e.premise_id, e.source) for e in service.annex(plan, include_removed=False)]


def test_proposal_is_top_scores_plus_a_reproducible_random_share(app, world):
    premises = _premises(world, 30)
    # Give five premises a violation on record: they top the list.
    risky = premises[:5]
    db.session.execute(
        update(Premise).where(Premise.id.in_([p.id for p in risky])).values(last_result="violation")
    )
    for premise in premises[5:]:
        db.session.execute(
            update(Premise).where(Premise.id == premise.id).values(last_inspected_on=today_vn())
        )
    db.session.commit()
    plan = _plan(world, annex_size=8, random_share=25)
    made = service.proposal(plan, seed=99)
    assert {s.id for s in made.scored} >= {p.id for p in risky}
    assert len(made.scored) == 6 and len(made.drawn) == 2
    again = service.proposal(plan, seed=99)
    assert again.drawn == made.drawn and [s.id for s in again.scored] == [s.id for s in made.scored]
    service.propose(plan, world.users["staff"], seed=99)
    plan = _fresh(plan)
    assert plan.seed == 99 and plan.random_share == 25
    sources = _active(plan)
    assert {pid for pid, source in sources if source == "random"} == set(made.drawn)
    entry = next(e for e in service.annex(plan) if e.premise_id == risky[0].id)
    assert entry.source == "score" and entry.reasons[0]["text"] == "Lần kiểm tra trước: có vi phạm"
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "plan_add")).all()
    assert len(events) == 8
    with pytest.raises(InvalidInput):
        service.propose(plan, world.users["staff"], seed=5)  # the annex is not empty


def test_staff_add_and_remove_premises_and_each_change_is_kept(app, client, login, world):
    premises = _premises(world, 4)
    plan = _plan(world, annex_size=2, random_share=0)
    login(world.users["staff"])
    assert client.post(f"/plans/{plan.id}/propose", data={"seed": "7"}).status_code == 302
    proposed = {pid for pid, _ in _active(plan)}
    outside = next(p for p in premises + [world.premise_a] if p.id not in proposed)
    response = client.post(
        f"/plans/{plan.id}/premises", data={"premise_id": outside.id, "note": "Dân phản ánh"}
    )
    assert response.status_code == 302
    again = client.post(f"/plans/{plan.id}/premises", data={"premise_id": outside.id})
    assert again.status_code == 422
    assert "đã có trong phụ lục" in again.get_data(as_text=True)
    other_units = client.post(f"/plans/{plan.id}/premises", data={"premise_id": world.premise_b.id})
    assert other_units.status_code == 422
    assert "Không tìm thấy cơ sở này trong đơn vị của kế hoạch." in other_units.get_data(as_text=True)
    no_reason = client.post(
        f"/plans/{plan.id}/premises/remove", data={"premise_id": outside.id, "reason": ""}
    )
    assert no_reason.status_code == 422
    assert "Hãy ghi lý do bỏ cơ sở khỏi kế hoạch." in no_reason.get_data(as_text=True)
    removed = client.post(
        f"/plans/{plan.id}/premises/remove", data={"premise_id": outside.id, "reason": "Đã ngừng kinh doanh"}
    )
    assert removed.status_code == 302
    entry = db.session.scalars(
        select(PlanPremise).where(PlanPremise.plan_id == plan.id, PlanPremise.premise_id == outside.id)
    ).one()
    assert entry.source == "manual" and entry.note == "Dân phản ánh"
    assert entry.added_by_id == world.users["staff"].id
    assert entry.removed_by_id == world.users["staff"].id and entry.remove_reason == "Đã ngừng kinh doanh"
    assert entry.removed_at is not None
    actions = [
        (e.action, e.changes.get("premise_id"))
        for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.record_type == "plan_premises").order_by(AuditEvent.id)
        )
    ]
    assert actions[-2:] == [("plan_add", outside.id), ("plan_remove", outside.id)]
    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert "Đã ngừng kinh doanh" in page and "<s>" in page


def test_approval_locks_the_plan_and_consultation_follows(app, client, login, world):
    _premises(world, 3)
    plan = _plan(world, annex_size=2)
    login(world.users["supervisor_unit"])
    empty = client.post(f"/plans/{plan.id}/approve")
    assert empty.status_code == 422
    assert "Phụ lục chưa có cơ sở nào" in empty.get_data(as_text=True)
    login(world.users["staff"])
    client.post(f"/plans/{plan.id}/propose", data={})
    assert client.post(f"/plans/{plan.id}/approve").status_code == 403  # staff prepare, leadership approves
    login(world.users["supervisor_unit"])
    assert client.post(f"/plans/{plan.id}/approve").status_code == 302
    plan = _fresh(plan)
    assert plan.status == "approved" and plan.approved_by_id == world.users["supervisor_unit"].id
    late = client.post(f"/plans/{plan.id}/premises", data={"premise_id": world.premise_a.id})
    assert late.status_code == 422 and "đã được phê duyệt" in late.get_data(as_text=True)
    assert client.post(f"/plans/{plan.id}/consult").status_code == 302
    assert _fresh(plan).status == "consulted"
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.record_type == "plans").order_by(AuditEvent.id)
    ).all()
    assert actions[-2:] == ["approve", "consult"]


def test_progress_moves_when_inspections_are_completed(app, client, login, world):
    plan = _plan(world, annex_size=1, random_share=0)
    service.add_premise(plan, world.premise_a.id, "", world.users["staff"])
    before = service.progress(plan)
    assert (before.total, before.annex_size, before.annex_inspected) == (0, 1, 0)
    make_completed_inspection(world.premise_a, world.users["inspector"])
    after = service.progress(_fresh(plan))
    assert after.total == 1 and after.by_kind["planned"] == 1
    assert after.by_group["NHAN"] == 1 and after.by_group["GIA"] == 1
    assert after.annex_inspected == 1
    login(world.users["staff"])
    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert 'data-inspected="1" data-size="1"' in page


def test_the_plan_page_runs_the_same_statements_with_more_premises(app, client, login, world):
    plan = _plan(world, annex_size=3)
    _premises(world, 3)
    service.propose(plan, world.users["staff"], seed=1)
    url = f"/plans/{plan.id}"
    login(world.users["staff"])
    client.get(url)
    with counting() as few:
        client.get(url)
    _premises(world, 25)
    for premise in _premises(world, 5):
        service.add_premise(_fresh(plan), premise.id, "", world.users["staff"])
    with counting() as many:
        assert client.get(url).status_code == 200
    heads = lambda statements: [" ".join(s.split()[:4]) for s in statements]  # noqa: E731
    assert len(many) == len(few), "\n".join(heads(few) + ["---"] + heads(many))


def test_the_plan_as_pdf(app, client, login, world):
    standard = make_standard(world.unit_a, world.users["staff"], due_on=date(today_vn().year, 6, 30))
    plan = _plan(world, annex_size=2, random_share=50, number="07/KH-UBND")
    service.update_plan(
        plan,
        {name: getattr(plan, name) for name in service.EDIT_FIELDS} | {"standard_ids": [standard.id]},
        world.users["staff"],
    )
    _premises(world, 3)
    service.propose(plan, world.users["staff"], seed=3)
    login(world.users["inspector"])
    response = client.get(f"/plans/{plan.id}/plan.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(" ".join(page.split()) for page in page_texts(response.get_data()))
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "KẾ HOẠCH",
        f"năm {plan.year}",
        "I. MỤC ĐÍCH, YÊU CẦU",
        "II. NỘI DUNG, ĐỐI TƯỢNG VÀ CHỈ TIÊU KIỂM TRA",
        "PHỤ LỤC",
        "Chọn ngẫu nhiên",
        "07/KH-UBND",
        "Phải kiểm định lại trước",
        "Căn cứ Luật Đo lường số 04/2011/QH13",
    ):
        assert expected in text, expected
    for entry in service.annex(plan):
        assert entry.premise.name in text


def test_another_units_plan_is_not_found(app, client, login, world):
    plan, _ = service.create_plan(world.unit_b, 2027, world.other_users["staff"])
    login(world.users["supervisor_province"])
    assert client.get(f"/plans/{plan.id}").status_code == 404
    assert client.get(f"/plans/{plan.id}/plan.pdf").status_code == 404
    assert client.post(f"/plans/{plan.id}/approve").status_code == 404
    assert "Phường Pleiku Thử" not in client.get("/plans").get_data(as_text=True)


def test_a_second_plan_for_the_same_year_is_refused(app, client, login, world):
    login(world.users["staff"])
    assert client.post("/plans/new", data={"year": "2027"}).status_code == 302
    again = client.post("/plans/new", data={"year": "2027"})
    assert again.status_code == 422
    assert "đã có kế hoạch kiểm tra năm 2027" in again.get_data(as_text=True)
    bad = client.post("/plans/new", data={"year": "năm sau"})
    assert bad.status_code == 422 and "Hãy nhập năm của kế hoạch" in bad.get_data(as_text=True)


def test_the_edit_form_refuses_bad_numbers_and_saves_nothing(app, client, login, world):
    plan = _plan(world)
    login(world.users["staff"])
    form = {
        "title": "Kế hoạch sửa",
        "scope_groups": ["PTD"],
        "annex_size": "-3",
        "random_share": "150",
        "kind_planned": "mười",
    }
    response = client.post(f"/plans/{plan.id}/edit", data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Giá trị phải từ 0 đến 100." in page and "Hãy nhập một số nguyên không âm." in page
    assert _fresh(plan).title != "Kế hoạch sửa"


def test_the_admin_weights_form_refuses_bad_values_in_vietnamese(app, client, login, world):
    login(world.users["staff"])
    assert client.get("/plans/risk-settings").status_code == 403
    login(world.users["admin_province"])
    assert client.get("/plans/risk-settings").status_code == 200
    form = {name: str(value) for name, value in RiskWeights().as_dict().items()}
    bad = client.post("/plans/risk-settings", data=form | {"last_violation": "nhiều", "open_fix": "150"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "Hãy nhập một số nguyên từ 0 đến 100." in text and "Giá trị phải từ 0 đến 100." in text
    years = client.post("/plans/risk-settings", data=form | {"repeat_years": "0"})
    assert years.status_code == 422 and "Giá trị phải từ 1 đến 10." in years.get_data(as_text=True)
    assert risk_weights(world.p1.id) == RiskWeights()
    assert client.post("/plans/risk-settings", data=form | {"last_violation": "45"}).status_code == 302
    assert risk_weights(world.p1.id).last_violation == 45
    assert risk_weights(world.p2.id).last_violation == 30  # another province keeps the defaults


def test_the_plan_as_docx(app, client, login, world):
    import io

    from docx import Document

    plan = _plan(world, annex_size=2, random_share=50, number="07/KH-UBND")
    _premises(world, 3)
    service.propose(plan, world.users["staff"], seed=3)
    login(world.users["staff"])
    response = client.get(f"/plans/{plan.id}/plan.docx")
    assert response.status_code == 200
    assert response.get_data() == client.get(f"/plans/{plan.id}/plan.docx").get_data()  # same bytes each time
    document = Document(io.BytesIO(response.get_data()))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert "KẾ HOẠCH" in text and "I. MỤC ĐÍCH, YÊU CẦU" in text and "PHỤ LỤC" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in cells and "Số: 07/KH-UBND" in cells
    assert "Chọn ngẫu nhiên" in cells
    for entry in service.annex(plan):
        assert entry.premise.name in cells

