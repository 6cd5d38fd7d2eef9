"""The yearly inspection plan: create it with the seeds' wording, edit it while a draft, propose its annex (the
highest risk scores plus a random share drawn with a recorded seed), add and remove premises (each change kept on
the row and in the audit log), approve it, mark it sent to the Sở, and measure the year's progress against it."""

from __future__ import annotations

import secrets
import uuid as uuid_module
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from .. import writes
from ..access import can, scoped
from ..domain.errors import InvalidInput
from ..domain.risk import RiskWeights, random_count, random_draw
from ..domain.time import VN_TZ, today_vn, utcnow
from ..domain.vocabulary import GROUPS, INSPECTION_KINDS
from ..extensions import db
from ..models import Inspection, InspectionTally, Plan, PlanPremise, Premise, ReferenceStandard, Unit, User
from ..premises.state import COMPLETED_STATUSES
from .risk import ScoredPremise, scored_premises
from .settings import risk_weights

QUARTERS = {"Q1": "Quý I", "Q2": "Quý II", "Q3": "Quý III", "Q4": "Quý IV"}
MAX_TARGET = 100_000
MAX_ANNEX = 5_000

DEFAULT_PURPOSE = (
    "1. Mục đích\n"
    "- Kịp thời phát hiện, chấn chỉnh và xử lý các hành vi vi phạm pháp luật về đo lường, ghi nhãn hàng hóa, niêm "
    "yết giá và chất lượng sản phẩm, hàng hóa trong kinh doanh trên địa bàn; bảo vệ quyền lợi hợp pháp của người "
    "tiêu dùng và của tổ chức, cá nhân kinh doanh chân chính.\n"
    "- Nâng cao nhận thức, ý thức chấp hành pháp luật về tiêu chuẩn, đo lường, chất lượng của các tổ chức, cá nhân "
    "sản xuất, kinh doanh.\n\n"
    "2. Yêu cầu\n"
    "- Việc kiểm tra bảo đảm đúng quy định của pháp luật, khách quan, công khai, minh bạch; không gây phiền hà, "
    "cản trở hoạt động sản xuất, kinh doanh.\n"
    "- Cơ sở được chọn kiểm tra theo mức độ rủi ro và chọn ngẫu nhiên; lý do chọn từng cơ sở được ghi tại Phụ lục "
    "kèm theo Kế hoạch."
)
DEFAULT_LEGAL_BASIS = (
    "Căn cứ Luật Đo lường số 04/2011/QH13 ngày 11/11/2011;\n"
    "Căn cứ Luật Chất lượng sản phẩm, hàng hóa số 05/2007/QH12 ngày 21/11/2007, được sửa đổi, bổ sung bởi Luật số "
    "78/2025/QH15;\n"
    "Căn cứ Luật Giá số 16/2023/QH15 ngày 19/6/2023;\n"
    "Căn cứ Thông tư số 28/2013/TT-BKHCN ngày 17/12/2013 của Bộ trưởng Bộ Khoa học và Công nghệ quy định kiểm tra "
    "nhà nước về đo lường, được sửa đổi, bổ sung bởi Thông tư số 10/2022/TT-BKHCN ngày 28/7/2022;\n"
    "Căn cứ Quyết định số 1703/QĐ-TTg ngày 31/12/2024 của Thủ tướng Chính phủ ban hành Kế hoạch triển khai thực "
    "hiện Chỉ thị số 38-CT/TW ngày 30/7/2024 của Ban Bí thư về đẩy mạnh công tác tiêu chuẩn, đo lường, chất lượng "
    "quốc gia đến năm 2030 và những năm tiếp theo, và Kế hoạch thực hiện của Ủy ban nhân dân tỉnh."
)
DEFAULT_SCHEDULE = {
    "Q1": "Kiểm tra chuyên đề trước và sau Tết Nguyên đán: phương tiện đo, ghi nhãn hàng hóa, niêm yết giá tại "
    "các chợ và cửa hàng.",
    "Q2": "Kiểm tra theo kế hoạch các cơ sở tại Phụ lục (đợt 1).",
    "Q3": "Kiểm tra theo kế hoạch các cơ sở tại Phụ lục (đợt 2); kiểm tra cửa hàng xăng dầu cùng Sở Khoa học và "
    "Công nghệ.",
    "Q4": "Kiểm tra lại việc khắc phục; tổng hợp, báo cáo kết quả về Sở Khoa học và Công nghệ trước ngày 20/11.",
}
DEFAULT_KIND_TARGETS = {"planned": 20, "themed": 10, "unannounced": 5, "complaint": 0}
DEFAULT_GROUP_TARGETS = {"PTD": 20, "NHAN": 15, "GIA": 15, "CL": 10}
DEFAULT_PARTNERS = "Sở Khoa học và Công nghệ (Chi cục Tiêu chuẩn Đo lường Chất lượng); Đội Quản lý thị trường; Ban quản lý chợ."

EDIT_FIELDS = (
    "number",
    "title",
    "purpose",
    "legal_basis",
    "scope_groups",
    "targets",
    "schedule",
    "team",
    "partners",
    "standard_ids",
    "signer_title",
    "signer_name",
    "annex_size",
    "random_share",
)
NOT_DRAFT = "Kế hoạch đã được phê duyệt; không thể sửa được nữa."


# ---- who may do what ------------------------------------------------------------------------------------------------


def may_prepare(user: User, plan: Plan | None = None) -> bool:
    """The unit's staff and supervisors (and administrators) prepare its plan."""
    return can("plan.prepare", user) and (plan is None or plan.is_draft)


def may_approve(user: User, plan: Plan) -> bool:
    return can("plan.approve", user) and plan.is_draft


def _unit_name_lower(unit: Unit) -> str:
    return unit.name[:1].lower() + unit.name[1:]


def default_title(unit: Unit, year: int) -> str:
    return (
        "Kiểm tra nhà nước về đo lường, ghi nhãn hàng hóa, niêm yết giá và chất lượng sản phẩm, hàng hóa "
        f"trên địa bàn {_unit_name_lower(unit)} năm {year}"
    )


# ---- creating and editing -------------------------------------------------------------------------------------------


def create_plan(unit: Unit, year: int | None, user: User, uuid: str | None = None) -> tuple[Plan, bool]:
    """A draft plan of the unit for the year, filled with the seeds' wording, the unit's active standards and the
    default targets, stored under the UUID its form was shown with: (it, True). The same form sent again, one after
    the other or at the same moment, gets the stored plan: (it, False). InvalidInput when the year is wrong or the
    unit has that year's plan already (made by another form)."""
    uuid = uuid or str(uuid_module.uuid4())
    if (stored := writes.resend_of(Plan, uuid, "", user)) is not None:
        return stored, False
    if year is None or not 2000 <= year <= 2100:
        raise InvalidInput({"year": "Hãy nhập năm của kế hoạch (ví dụ 2027)."})
    taken = InvalidInput({"year": f"{unit.name} đã có kế hoạch kiểm tra năm {year}."})
    existing = db.session.scalars(select(Plan).where(Plan.unit_id == unit.id, Plan.year == year)).first()
    if existing is not None:
        if existing.uuid == uuid:  # this form's other sending, committed since the look-up above
            return existing, False
        raise taken
    standards = db.session.scalars(
        select(ReferenceStandard.id)
        .where(ReferenceStandard.unit_id == unit.id, ReferenceStandard.active.is_(True))
        .order_by(ReferenceStandard.id)
    ).all()
    plan = Plan(
        uuid=uuid,
        unit_id=unit.id,
        year=year,
        title=default_title(unit, year),
        purpose=DEFAULT_PURPOSE,
        legal_basis=DEFAULT_LEGAL_BASIS,
        scope_groups=list(GROUPS),
        targets={"kinds": dict(DEFAULT_KIND_TARGETS), "groups": dict(DEFAULT_GROUP_TARGETS)},
        schedule=dict(DEFAULT_SCHEDULE),
        team=f"Phòng Văn hóa – Xã hội (chủ trì); Phòng Kinh tế; Công an {_unit_name_lower(unit)}.",
        partners=DEFAULT_PARTNERS,
        standard_ids=list(standards),
        signer_title="TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH",
        annex_size=DEFAULT_KIND_TARGETS["planned"],
        random_share=15,
        created_by_id=user.id,
    )
    try:
        return writes.insert(plan, "", user)
    except writes.Conflict:  # another form made the unit's plan for the year at the same moment
        raise taken from None


def _count(value, field: str, errors: dict, high: int = MAX_TARGET) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors[field] = "Hãy nhập một số nguyên không âm."
        return 0
    if not 0 <= number <= high:
        errors[field] = f"Giá trị phải từ 0 đến {high}."
    return number


def clean_values(values: dict, unit_id: int) -> dict:
    """The edit's values checked together; InvalidInput names each bad field in Vietnamese."""
    errors: dict[str, str] = {}
    out = dict(values)
    for name in (
        "number",
        "title",
        "purpose",
        "legal_basis",
        "team",
        "partners",
        "signer_title",
        "signer_name",
    ):
        out[name] = (values.get(name) or "").strip()
    limits = {"number": 40, "title": 500, "signer_title": 200, "signer_name": 120}
    for name, limit in limits.items():
        if len(out[name]) > limit:
            errors[name] = f"Tối đa {limit} ký tự."
    if not out["title"]:
        errors["title"] = "Hãy nhập trích yếu của kế hoạch."
    groups = [code for code in values.get("scope_groups") or [] if code in GROUPS]
    if not groups:
        errors["scope_groups"] = "Hãy chọn ít nhất một nhóm nội dung kiểm tra."
    out["scope_groups"] = [code for code in GROUPS if code in groups]
    targets = values.get("targets") or {}
    out["targets"] = {
        "kinds": {
            code: _count((targets.get("kinds") or {}).get(code, 0), f"kind_{code}", errors)
            for code in INSPECTION_KINDS
        },
        "groups": {
            code: _count((targets.get("groups") or {}).get(code, 0), f"group_{code}", errors)
            for code in GROUPS
        },
    }
    schedule = values.get("schedule") or {}
    out["schedule"] = {code: (schedule.get(code) or "").strip() for code in QUARTERS}
    out["annex_size"] = _count(values.get("annex_size"), "annex_size", errors, MAX_ANNEX)
    out["random_share"] = _count(values.get("random_share"), "random_share", errors, 100)
    wanted = {int(i) for i in values.get("standard_ids") or [] if str(i).isdigit()}
    own = set(
        db.session.scalars(
            select(ReferenceStandard.id).where(
                ReferenceStandard.unit_id == unit_id, ReferenceStandard.id.in_(sorted(wanted))
            )
        )
    )
    if wanted - own:
        errors["standard_ids"] = "Chỉ chọn được chuẩn đo lường của đơn vị."
    out["standard_ids"] = sorted(own)
    if errors:
        raise InvalidInput(errors)
    return out


def update_plan(plan: Plan, values: dict, user: User) -> Plan:
    if not plan.is_draft:
        raise InvalidInput({"plan": NOT_DRAFT})
    clean = clean_values({name: values.get(name) for name in EDIT_FIELDS}, plan.unit_id)
    for name in EDIT_FIELDS:
        if getattr(plan, name) != clean[name]:
            setattr(plan, name, clean[name])
    return writes.commit("edit", plan, user)


# ---- the annex ------------------------------------------------------------------------------------------------------


def _weights(plan: Plan) -> RiskWeights:
    return risk_weights(plan.unit.province_id)


def scored_page(plan: Plan, page: int, per_page: int = 20, on: date | None = None) -> list[ScoredPremise]:
    """One page of the unit's premises by risk score, each with its reasons (one statement)."""
    on = on or today_vn()
    weights = _weights(plan)
    rows = db.session.execute(
        scored_premises(plan.unit_id, weights, on).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return [ScoredPremise.of(row, weights, on) for row in rows]


def active_premise_count(unit_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Premise)
        .where(Premise.unit_id == unit_id, Premise.status == "active")
    )


def _reasons(scored: ScoredPremise) -> list[dict]:
    return [{"code": r.code, "text": r.text, "points": r.points} for r in scored.explained.reasons]


def _entries(plan: Plan) -> dict[int, PlanPremise]:
    return {
        entry.premise_id: entry
        for entry in db.session.scalars(select(PlanPremise).where(PlanPremise.plan_id == plan.id))
    }


@dataclass(frozen=True)
class Proposal:
    scored: list[ScoredPremise]
    drawn: list[int]
    seed: int


def proposal(plan: Plan, seed: int, on: date | None = None) -> Proposal:
    """What the plan proposes on ``on``: the ``annex_size − random`` highest scores (score above 0), then the
    random share drawn with ``seed`` from the other active premises of the unit, ordered by id (two statements)."""
    on = on or today_vn()
    weights = _weights(plan)
    drawn_count = random_count(plan.annex_size, plan.random_share)
    top_count = max(plan.annex_size - drawn_count, 0)
    query = scored_premises(plan.unit_id, weights, on)
    rows = db.session.execute(query.limit(top_count)).all() if top_count else []
    scored = [ScoredPremise.of(row, weights, on) for row in rows if row.score > 0]
    chosen = {item.id for item in scored}
    candidates = db.session.scalars(
        select(Premise.id)
        .where(Premise.unit_id == plan.unit_id, Premise.status == "active")
        .order_by(Premise.id)
    ).all()
    pool = [premise_id for premise_id in candidates if premise_id not in chosen]
    return Proposal(scored, random_draw(pool, drawn_count, seed), seed)


def propose(plan: Plan, user: User, seed: int | None = None, on: date | None = None) -> Plan:
    """Fill an empty draft annex with the proposal; the seed and the share are kept on the plan."""
    if not plan.is_draft:
        raise InvalidInput({"plan": NOT_DRAFT})
    if any(entry.active for entry in _entries(plan).values()):
        raise InvalidInput({"plan": "Phụ lục đã có cơ sở; hãy thêm hoặc bỏ từng cơ sở thay vì đề xuất lại."})
    if seed is None:
        seed = secrets.randbelow(2**31 - 2) + 1
    made = proposal(plan, seed, on)
    existing = _entries(plan)
    now = utcnow()
    added: list[PlanPremise] = []
    for premise_id, source, score, reasons in [
        *((s.id, "score", s.score, _reasons(s)) for s in made.scored),
        *((premise_id, "random", None, []) for premise_id in made.drawn),
    ]:
        entry = existing.get(premise_id) or PlanPremise(plan_id=plan.id, premise_id=premise_id)
        entry.source, entry.score, entry.reasons, entry.note = source, score, reasons, ""
        entry.added_at, entry.added_by_id = now, user.id
        entry.removed_at, entry.removed_by_id, entry.remove_reason = None, None, ""
        db.session.add(entry)
        added.append(entry)
    plan.seed, plan.proposed_at = seed, now
    try:
        db.session.flush()
        for entry in added:
            writes.log("plan_add", entry, user, {"premise_id": entry.premise_id, "source": entry.source})
        return writes.commit("edit", plan, user)
    except (IntegrityError, StaleDataError, writes.StaleWrite):  # proposed at the same moment elsewhere
        db.session.rollback()
        raise InvalidInput(
            {"plan": "Phụ lục vừa được đề xuất ở nơi khác; hãy tải lại trang để xem danh sách."}
        ) from None


def _premise_of_unit(plan: Plan, premise_id, user: User) -> Premise:
    try:
        premise_id = int(premise_id)
    except (TypeError, ValueError):
        raise InvalidInput({"premise_id": "Hãy chọn một cơ sở."}) from None
    premise = db.session.scalars(
        scoped(Premise, user).where(Premise.id == premise_id, Premise.unit_id == plan.unit_id)
    ).first()
    if premise is None:
        raise InvalidInput({"premise_id": "Không tìm thấy cơ sở này trong đơn vị của kế hoạch."})
    return premise


def add_premise(plan: Plan, premise_id, note: str, user: User, on: date | None = None) -> PlanPremise:
    """Staff add a premise of the unit to a draft annex, with its score and reasons of the day."""
    if not plan.is_draft:
        raise InvalidInput({"plan": NOT_DRAFT})
    premise = _premise_of_unit(plan, premise_id, user)
    note = (note or "").strip()
    if len(note) > 300:
        raise InvalidInput({"note": "Tối đa 300 ký tự."})
    entry = _entries(plan).get(premise.id)
    already = InvalidInput({"premise_id": f"{premise.name} đã có trong phụ lục."})
    if entry is not None and entry.active:
        raise already
    on = on or today_vn()
    weights = _weights(plan)
    row = db.session.execute(
        scored_premises(plan.unit_id, weights, on).where(Premise.id == premise.id)
    ).first()
    scored = ScoredPremise.of(row, weights, on) if row is not None else None
    entry = entry or PlanPremise(plan_id=plan.id, premise_id=premise.id)
    entry.source, entry.note = "manual", note
    entry.score = scored.score if scored else None
    entry.reasons = _reasons(scored) if scored else []
    entry.added_at, entry.added_by_id = utcnow(), user.id
    entry.removed_at, entry.removed_by_id, entry.remove_reason = None, None, ""
    db.session.add(entry)
    try:
        db.session.flush()
    except IntegrityError as error:  # added at the same moment elsewhere ("Thêm" sent twice, two clerks)
        db.session.rollback()
        if not writes.is_unique_violation(error):
            raise
        raise already from None
    return writes.commit(
        "plan_add", entry, user, {"premise_id": premise.id, "source": "manual", "note": note}
    )


def remove_premise(plan: Plan, premise_id, reason: str, user: User) -> PlanPremise:
    """Staff take a premise out of a draft annex, with a reason; the row stays, marked removed."""
    if not plan.is_draft:
        raise InvalidInput({"plan": NOT_DRAFT})
    premise = _premise_of_unit(plan, premise_id, user)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({"reason": "Hãy ghi lý do bỏ cơ sở khỏi kế hoạch."})
    if len(reason) > 300:
        raise InvalidInput({"reason": "Tối đa 300 ký tự."})
    entry = _entries(plan).get(premise.id)
    if entry is None or not entry.active:
        raise InvalidInput({"premise_id": f"{premise.name} không có trong phụ lục."})
    entry.removed_at, entry.removed_by_id, entry.remove_reason = utcnow(), user.id, reason
    db.session.flush()
    return writes.commit("plan_remove", entry, user, {"premise_id": premise.id, "reason": reason})


def annex(plan: Plan, *, include_removed: bool = True) -> list[PlanPremise]:
    """The annex's rows with their premises and who added or removed them (one statement): active ones first, by
    source (score, random, manual) then score."""
    from sqlalchemy.orm import joinedload

    order = case({"score": 0, "random": 1, "manual": 2}, value=PlanPremise.source)
    query = (
        select(PlanPremise)
        .where(PlanPremise.plan_id == plan.id)
        .options(
            joinedload(PlanPremise.premise),
            joinedload(PlanPremise.added_by),
            joinedload(PlanPremise.removed_by),
        )
        .order_by(PlanPremise.removed_at.is_not(None), order, PlanPremise.score.desc(), PlanPremise.id)
    )
    if not include_removed:
        query = query.where(PlanPremise.removed_at.is_(None))
    return list(db.session.scalars(query).unique())


# ---- approval -------------------------------------------------------------------------------------------------------


def approve(plan: Plan, user: User) -> Plan:
    if not plan.is_draft:
        raise InvalidInput({"plan": "Kế hoạch đã được phê duyệt."})
    active = db.session.scalar(
        select(func.count())
        .select_from(PlanPremise)
        .where(PlanPremise.plan_id == plan.id, PlanPremise.removed_at.is_(None))
    )
    if not active:
        raise InvalidInput({"plan": "Phụ lục chưa có cơ sở nào; hãy đề xuất danh sách trước khi phê duyệt."})
    plan.status, plan.approved_at, plan.approved_by_id = "approved", utcnow(), user.id
    return writes.commit("approve", plan, user, {"status": ["draft", "approved"]})


def mark_consulted(plan: Plan, user: User) -> Plan:
    if plan.status != "approved":
        raise InvalidInput({"plan": "Chỉ gửi Sở xin ý kiến khi kế hoạch đã được phê duyệt."})
    plan.status, plan.consulted_at = "consulted", utcnow()
    return writes.commit("consult", plan, user, {"status": ["approved", "consulted"]})


# ---- progress during the year --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """Completed inspections of the plan's year in its unit, by kind and by group, and the annex's premises
    inspected, beside the plan's targets."""

    by_kind: dict[str, int]
    by_group: dict[str, int]
    total: int
    annex_size: int
    annex_inspected: int


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    return (
        datetime.combine(date(year, 1, 1), time(0), tzinfo=VN_TZ),
        datetime.combine(date(year + 1, 1, 1), time(0), tzinfo=VN_TZ),
    )


def progress(plan: Plan) -> Progress:
    """Two statements whatever the size of the unit: the year's completed inspections grouped by kind (with the
    groups they checked, from the tallies kept on write), and the annex's premises among them."""
    start, end = _year_bounds(plan.year)
    in_year = and_(
        Inspection.unit_id == plan.unit_id,
        Inspection.status.in_(COMPLETED_STATUSES),
        Inspection.started_at >= start,
        Inspection.started_at < end,
    )
    group_columns = [
        func.sum(case((getattr(InspectionTally, f"{code.lower()}_checked") > 0, 1), else_=0)).label(code)
        for code in GROUPS
    ]
    rows = db.session.execute(
        select(Inspection.kind, func.count().label("n"), *group_columns)
        .select_from(Inspection)
        .outerjoin(InspectionTally, InspectionTally.inspection_id == Inspection.id)
        .where(in_year)
        .group_by(Inspection.kind)
    ).all()
    by_kind = {code: 0 for code in INSPECTION_KINDS}
    by_group = {code: 0 for code in GROUPS}
    for row in rows:
        by_kind[row.kind] = int(row.n)
        for code in GROUPS:
            by_group[code] += int(getattr(row, code) or 0)
    annex_counts = db.session.execute(
        select(
            func.count(func.distinct(PlanPremise.premise_id)).label("size"),
            func.count(func.distinct(Inspection.premise_id)).label("inspected"),
        )
        .select_from(PlanPremise)
        .outerjoin(Inspection, and_(Inspection.premise_id == PlanPremise.premise_id, in_year))
        .where(PlanPremise.plan_id == plan.id, PlanPremise.removed_at.is_(None))
    ).one()
    return Progress(
        by_kind, by_group, sum(by_kind.values()), int(annex_counts.size), int(annex_counts.inspected or 0)
    )


def approved_plan(unit_id: int, year: int) -> Plan | None:
    """The unit's approved plan for the year (also once sent to the Sở for its opinion), or None."""
    return db.session.scalars(
        select(Plan).where(Plan.unit_id == unit_id, Plan.year == year, Plan.status.in_(("approved", "consulted")))
    ).first()


def annex_inspected(plan: Plan, date_from: date, date_to: date) -> tuple[int, int]:
    """(the annex's premises, those with a completed inspection from ``date_from`` to ``date_to``, Việt Nam days):
    one statement."""
    start = datetime.combine(date_from, time(0), tzinfo=VN_TZ)
    end = datetime.combine(date_to + timedelta(days=1), time(0), tzinfo=VN_TZ)
    row = db.session.execute(
        select(
            func.count(func.distinct(PlanPremise.premise_id)),
            func.count(func.distinct(Inspection.premise_id)),
        )
        .select_from(PlanPremise)
        .outerjoin(
            Inspection,
            and_(
                Inspection.premise_id == PlanPremise.premise_id,
                Inspection.unit_id == plan.unit_id,
                Inspection.status.in_(COMPLETED_STATUSES),
                Inspection.started_at >= start,
                Inspection.started_at < end,
            ),
        )
        .where(PlanPremise.plan_id == plan.id, PlanPremise.removed_at.is_(None))
    ).one()
    return int(row[0]), int(row[1] or 0)


# ---- lists ----------------------------------------------------------------------------------------------------------


def plans_page(user: User, page: int, per_page: int = 20) -> tuple[list[Plan], int]:
    from sqlalchemy.orm import joinedload

    total = db.session.scalar(select(func.count()).select_from(scoped(Plan, user).subquery()))
    items = db.session.scalars(
        scoped(Plan, user)
        .options(joinedload(Plan.unit))
        .order_by(Plan.year.desc(), Plan.unit_id, Plan.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return list(items), total


def plan_standards(plan: Plan) -> list[ReferenceStandard]:
    if not plan.standard_ids:
        return []
    return list(
        db.session.scalars(
            select(ReferenceStandard)
            .where(ReferenceStandard.unit_id == plan.unit_id, ReferenceStandard.id.in_(plan.standard_ids))
            .order_by(ReferenceStandard.kind, ReferenceStandard.id)
        )
    )


def unit_standards(unit_id: int) -> list[ReferenceStandard]:
    return list(
        db.session.scalars(
            select(ReferenceStandard)
            .where(ReferenceStandard.unit_id == unit_id)
            .order_by(ReferenceStandard.kind, ReferenceStandard.id)
        )
    )


def within_verification_all_year(standard: ReferenceStandard, year: int) -> bool:
    """The standard's verification lasts the whole plan year (its due date is 31/12 of the year or later)."""
    return standard.due_on >= date(year, 12, 31)
