"""The yearly plan's pages: the list, a new plan, its page (targets against progress, equipment, the annex and the
premises ranked by risk), the draft's form, the proposal, adding and removing premises, approval, "sent to the Sở",
the PDF, and the administrator's risk weights."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..access import can, get_or_404, permission_required, visible_units
from ..documents.plan_docx import render_plan_docx
from ..documents.plan_pdf import render_plan_pdf
from ..domain.errors import InvalidInput
from ..domain.risk import FACTORS, RiskWeights
from ..domain.time import today_vn
from ..domain.vocabulary import GROUPS, INSPECTION_KINDS, PLAN_SOURCES, PLAN_STATUSES, PREMISE_TYPES
from ..extensions import db
from ..models import Plan, Province, Unit
from ..web.forms import SENT_BEFORE, int_or_none
from . import service
from .content import build_plan_document
from .forms import (
    WEIGHT_NAMES,
    ActionForm,
    AddPremiseForm,
    NewPlanForm,
    PlanForm,
    ProposeForm,
    RemovePremiseForm,
    RiskWeightsForm,
    fill_plan_form,
    plan_values,
)
from .settings import risk_weights, set_risk_weights

bp = Blueprint("plans", __name__)

PER_PAGE = 20


def _page() -> int:
    page = int_or_none(request.args.get("page")) or 1
    return min(max(page, 1), 10_000)


def _apply_errors(form, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        field = getattr(form, name, None)
        if field is None:
            flash(message, "error")
        else:
            field.errors = [*field.errors, message]


def _labels() -> dict:
    return {
        "statuses": PLAN_STATUSES,
        "sources": PLAN_SOURCES,
        "kinds": INSPECTION_KINDS,
        "groups": GROUPS,
        "premise_types": PREMISE_TYPES,
        "quarters": service.QUARTERS,
    }


@bp.route("/plans")
@login_required
def list_plans():
    page = _page()
    items, total = service.plans_page(current_user, page, PER_PAGE)
    return render_template(
        "plans/list.html",
        plans=items,
        total=total,
        page=page,
        has_next=page * PER_PAGE < total,
        may_prepare=service.may_prepare(current_user),
        may_settings=can("plan.settings"),
        **_labels(),
    )


@bp.route("/plans/new", methods=["GET", "POST"])
@permission_required("plan.prepare")
def new_plan():
    form = NewPlanForm()
    units = visible_units()
    form.unit_id.choices = [(str(unit.id), unit.name) for unit in units]
    if request.method == "GET":
        form.year.data = str(today_vn().year + 1)
        if current_user.unit_id:
            form.unit_id.data = str(current_user.unit_id)
    if form.validate_on_submit():
        unit_id = current_user.unit_id or int_or_none(form.unit_id.data)
        unit = next((u for u in units if u.id == unit_id), None)
        if unit is None:
            form.unit_id.errors = [*form.unit_id.errors, "Hãy chọn đơn vị của kế hoạch."]
        else:
            try:
                plan, created = service.create_plan(
                    unit, int_or_none(form.year.data), current_user, form.new_uuid()
                )
            except InvalidInput as error:
                db.session.rollback()
                _apply_errors(form, error.errors)
            else:
                if created:
                    flash(f"Đã tạo dự thảo kế hoạch kiểm tra năm {plan.year}.", "success")
                else:
                    flash(SENT_BEFORE, "info")
                return redirect(url_for(".plan_detail", plan_id=plan.id))
    status = 422 if any(field.errors for field in form) else 200
    return render_template("plans/new.html", form=form, own_unit=current_user.unit_id is not None), status


def _detail(plan: Plan, status: int = 200, **forms):
    page = _page()
    scored = service.scored_page(plan, page, PER_PAGE)
    in_annex = {entry.premise_id for entry in service.annex(plan, include_removed=False)}
    entries = service.annex(plan)
    standards = service.plan_standards(plan)
    return render_template(
        "plans/plan.html",
        plan=plan,
        progress=service.progress(plan),
        entries=entries,
        in_annex=in_annex,
        scored=scored,
        page=page,
        has_next=page * PER_PAGE < service.active_premise_count(plan.unit_id),
        standards=standards,
        full_year={s.id: service.within_verification_all_year(s, plan.year) for s in standards},
        may_prepare=service.may_prepare(current_user, plan),
        may_approve=service.may_approve(current_user, plan),
        may_consult=can("plan.approve") and plan.status == "approved",
        propose_form=forms.get("propose_form") or ProposeForm(),
        add_form=forms.get("add_form") or AddPremiseForm(),
        remove_form=forms.get("remove_form") or RemovePremiseForm(),
        action_form=ActionForm(),
        **_labels(),
    ), status


@bp.route("/plans/<id:plan_id>")
@login_required
def plan_detail(plan_id: int):
    return _detail(get_or_404(Plan, plan_id))


@bp.route("/plans/<id:plan_id>/edit", methods=["GET", "POST"])
@permission_required("plan.prepare")
def edit_plan(plan_id: int):
    plan = get_or_404(Plan, plan_id)
    if not plan.is_draft:
        flash(service.NOT_DRAFT, "error")
        return redirect(url_for(".plan_detail", plan_id=plan.id))
    form = PlanForm()
    form.standard_ids.choices = [
        (s.id, f"{s.serial or s.id} — {s.nominal} {s.unit} {s.accuracy_class} (hạn {s.due_on:%d/%m/%Y})")
        for s in service.unit_standards(plan.unit_id)
    ]
    if request.method == "GET":
        fill_plan_form(form, plan)
    elif form.validate_on_submit():
        try:
            service.update_plan(plan, plan_values(form), current_user)
        except InvalidInput as error:
            db.session.rollback()
            _apply_errors(form, error.errors)
        else:
            flash("Đã lưu kế hoạch.", "success")
            return redirect(url_for(".plan_detail", plan_id=plan.id))
    status = 422 if any(field.errors for field in form) else 200
    return render_template("plans/form.html", form=form, plan=plan, **_labels()), status


def _act(plan: Plan, form, action, done: str, form_name: str):
    """Run a change of the plan from a posted form: done → back to the plan's page; refused → the page again with the
    Vietnamese message (422)."""
    if not form.validate_on_submit():
        return _detail(plan, 400, **{form_name: form})
    try:
        action(form)
    except InvalidInput as error:
        db.session.rollback()
        _apply_errors(form, error.errors)
        return _detail(db.session.get(Plan, plan.id), 422, **{form_name: form})
    flash(done, "success")
    return redirect(url_for(".plan_detail", plan_id=plan.id))


@bp.route("/plans/<id:plan_id>/propose", methods=["POST"])
@permission_required("plan.prepare")
def propose(plan_id: int):
    plan = get_or_404(Plan, plan_id)
    form = ProposeForm()

    def run(form):
        raw = (form.seed.data or "").strip()
        seed = int_or_none(raw)
        if raw and (seed is None or not 0 < seed < 2**31):
            raise InvalidInput({"seed": "Mã lựa chọn phải là số nguyên dương (tối đa 2147483647)."})
        service.propose(plan, current_user, seed)

    return _act(plan, form, run, "Đã đề xuất danh sách cơ sở kiểm tra.", "propose_form")


@bp.route("/plans/<id:plan_id>/premises", methods=["POST"])
@permission_required("plan.prepare")
def add_premise(plan_id: int):
    plan = get_or_404(Plan, plan_id)
    return _act(
        plan,
        AddPremiseForm(),
        lambda form: service.add_premise(plan, form.premise_id.data, form.note.data, current_user),
        "Đã thêm cơ sở vào phụ lục.",
        "add_form",
    )


@bp.route("/plans/<id:plan_id>/premises/remove", methods=["POST"])
@permission_required("plan.prepare")
def remove_premise(plan_id: int):
    plan = get_or_404(Plan, plan_id)
    return _act(
        plan,
        RemovePremiseForm(),
        lambda form: service.remove_premise(plan, form.premise_id.data, form.reason.data, current_user),
        "Đã bỏ cơ sở khỏi phụ lục.",
        "remove_form",
    )


@bp.route("/plans/<id:plan_id>/approve", methods=["POST"])
@permission_required("plan.approve")
def approve(plan_id: int):
    plan = get_or_404(Plan, plan_id)
    return _act(
        plan,
        ActionForm(),
        lambda form: service.approve(plan, current_user),
        "Đã phê duyệt kế hoạch.",
        "action_form",
    )


@bp.route("/plans/<id:plan_id>/consult", methods=["POST"])
@permission_required("plan.approve")
def consult(plan_id: int):
    plan = get_or_404(Plan, plan_id)
    return _act(
        plan,
        ActionForm(),
        lambda form: service.mark_consulted(plan, current_user),
        "Đã ghi nhận kế hoạch được gửi Sở Khoa học và Công nghệ xin ý kiến.",
        "action_form",
    )


def _document(plan: Plan):
    unit = db.session.get(Unit, plan.unit_id)
    return build_plan_document(
        plan,
        unit,
        service.annex(plan, include_removed=False),
        service.plan_standards(plan),
        today_vn(),
    )


@bp.route("/plans/<id:plan_id>/plan.pdf")
@login_required
def plan_pdf(plan_id: int):
    plan = get_or_404(Plan, plan_id)
    response = Response(render_plan_pdf(_document(plan)), mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="ke-hoach-kiem-tra-{plan.year}-{plan.id}.pdf"'
    )
    return response


@bp.route("/plans/<id:plan_id>/plan.docx")
@login_required
def plan_docx(plan_id: int):
    plan = get_or_404(Plan, plan_id)
    response = Response(
        render_plan_docx(_document(plan)),
        mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response.headers["Content-Disposition"] = (
        f'attachment; filename="ke-hoach-kiem-tra-{plan.year}-{plan.id}.docx"'
    )
    return response


@bp.route("/plans/risk-settings", methods=["GET", "POST"])
@permission_required("plan.settings")
def risk_settings():
    if current_user.unit_id is not None:
        abort(403)
    province_id = current_user.province_id
    province = db.session.get(Province, province_id) if province_id is not None else None
    form = RiskWeightsForm()
    if request.method == "GET":
        for name, value in risk_weights(province_id).as_dict().items():
            getattr(form, name).data = str(value)
    elif form.validate_on_submit():
        try:
            set_risk_weights(
                province_id, {name: getattr(form, name).data for name in WEIGHT_NAMES}, current_user
            )
        except InvalidInput as error:
            db.session.rollback()
            _apply_errors(form, error.errors)
        else:
            flash("Đã lưu trọng số chấm điểm rủi ro. Điểm được tính lại ngay khi mở kế hoạch.", "success")
            return redirect(url_for(".risk_settings"))
    status = 422 if any(field.errors for field in form) else 200
    return render_template(
        "plans/risk_settings.html",
        form=form,
        province=province,
        factors=FACTORS,
        defaults=RiskWeights().as_dict(),
    ), status
