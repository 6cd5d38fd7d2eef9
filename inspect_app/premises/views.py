"""Premises registry and markets: list, detail, create, edit, CSV import."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from .. import writes
from ..access import get_or_404, permission_required, require, scoped, visible_units
from ..extensions import db
from ..models import Market, Premise
from ..domain.text import fold
from .csv_import import COLUMNS, import_premises
from .forms import ImportForm, MarketForm, PremiseForm
from .rules import FIELD_LABELS
from ..web.forms import SENT_BEFORE
from ..web.paging import InvalidCursor
from .queries import premise_list_args, premises_page
from .service import create_premise_once, update_premise

bp = Blueprint("premises", __name__)

PAGE_SIZE = 50
MARKET_TAKEN = "Đơn vị đã có chợ trùng tên."
# A filtered list is counted up to this many rows ("hơn 10.000"), so counting costs no more than a few pages.
COUNT_CAP = 10_000


def _markets_for(units) -> list[Market]:
    unit_ids = [u.id for u in units]
    return list(db.session.scalars(scoped(Market).where(Market.unit_id.in_(unit_ids)).order_by(Market.name)))


@bp.route("/premises")
@login_required
def list_premises():
    units = visible_units()
    listed = premise_list_args(request.args)
    filters = {key: value for key, value in listed.echo.items() if key != "q"}
    q = listed.echo["q"]
    filtered = bool(q) or any(filters.values())
    try:
        page = premises_page(
            current_user,
            **listed.kwargs,
            after=request.args.get("after") or None,
            before=request.args.get("before") or None,
            limit=PAGE_SIZE,
            # The whole registry is counted on its index; a search or filter is counted up to the cap.
            count_cap=COUNT_CAP if filtered else None,
        )
    except InvalidCursor:
        return redirect(url_for(".list_premises", q=q, **filters))
    return render_template(
        "premises/list.html",
        page=page,
        premises=page.items,
        q=q,
        filters=filters,
        units=units,
        markets=_markets_for(units),
    )


@bp.route("/premises/<id:premise_id>")
@login_required
def premise_detail(premise_id: int):
    from ..inspections.service import premise_inspections

    premise = get_or_404(Premise, premise_id)
    return render_template(
        "premises/detail.html",
        premise=premise,
        field_labels=FIELD_LABELS,
        inspections=premise_inspections(premise),
    )


def _premise_form(premise: Premise | None):
    units = visible_units()
    form = PremiseForm(obj=premise, units=units, markets=_markets_for(units))
    if premise is None and request.method == "GET" and len(units) == 1:
        form.unit_id.data = units[0].id
    if premise is not None:
        # A premise stays in its unit; moving it between units is not an edit.
        form.unit_id.choices = [(premise.unit_id, premise.unit.name)]
        form.unit_id.data = premise.unit_id
    return form


@bp.route("/premises/new", methods=["GET", "POST"])
@permission_required("premise.edit")
def create():
    form = _premise_form(None)
    if form.validate_on_submit():
        premise, created = create_premise_once(
            form.unit_id.data, form.values(), current_user, form.new_uuid()
        )
        flash(f"Đã thêm cơ sở “{premise.name}”." if created else SENT_BEFORE, "success" if created else "info")
        return redirect(url_for(".premise_detail", premise_id=premise.id))
    return render_template("premises/form.html", form=form, premise=None), 422 if form.errors else 200


@bp.route("/premises/<id:premise_id>/edit", methods=["GET", "POST"])
@login_required
def edit(premise_id: int):
    premise = get_or_404(Premise, premise_id)
    require("premise.edit")
    form = _premise_form(premise)
    if form.validate_on_submit():
        changes = update_premise(premise, form.values(), current_user)
        db.session.commit()
        flash(f"Đã lưu {len(changes)} thay đổi." if changes else "Không có thay đổi nào.", "success")
        return redirect(url_for(".premise_detail", premise_id=premise.id))
    return render_template("premises/form.html", form=form, premise=premise), 422 if form.errors else 200


@bp.route("/premises/import", methods=["GET", "POST"])
@permission_required("premise.import")
def import_csv():
    form = ImportForm(units=visible_units())
    report = None
    status = 200
    if form.validate_on_submit():
        data = form.file.data.read(current_app.config["CSV_IMPORT_MAX_BYTES"] + 1)
        report = import_premises(
            data, form.unit_id.data, current_user, current_app.config["CSV_IMPORT_MAX_BYTES"]
        )
        status = 200 if report.ok else 422
    elif request.method == "POST":
        status = 422
    return render_template("premises/import.html", form=form, report=report, columns=COLUMNS), status


@bp.route("/premises/import/mau.csv")
@login_required
def import_template():
    header = ",".join(aliases[0] for aliases in COLUMNS.values())
    example = (
        "Sạp cân Nguyễn Thị Hường,Nguyễn Thị Hường,,Sạp chợ,Chợ Đức Phổ,A12,"
        '"Chợ Đức Phổ, phường Đức Phổ",14.8105,108.9551,0905123456,Đang hoạt động'
    )
    body = "\ufeff" + header + "\r\n" + example + "\r\n"
    return Response(
        body.encode("utf-8"),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=mau-nhap-co-so.csv"},
    )


@bp.route("/markets")
@login_required
def list_markets():
    markets = db.session.scalars(
        scoped(Market).options(joinedload(Market.unit, innerjoin=True)).order_by(Market.name, Market.id)
    ).all()
    counts = dict(
        db.session.execute(
            select(Premise.market_id, func.count(Premise.id))
            .where(Premise.market_id.in_([m.id for m in markets]))
            .group_by(Premise.market_id)
        ).all()
    )
    return render_template("premises/markets.html", markets=markets, counts=counts)


@bp.route("/markets/new", methods=["GET", "POST"])
@permission_required("market.edit")
def create_market():
    units = visible_units()
    form = MarketForm(units=units)
    if request.method == "GET" and len(units) == 1:
        form.unit_id.data = units[0].id
    if form.validate_on_submit():
        values = form.values()
        if _market_name_taken(form.unit_id.data, values["name"], None):
            form.name.errors.append(MARKET_TAKEN)
        else:
            market = Market(unit_id=form.unit_id.data, **values)
            db.session.add(market)
            try:
                db.session.flush()
                writes.commit("create", market, current_user)
            except IntegrityError as error:  # the same market saved at the same moment (a form sent twice)
                db.session.rollback()
                if not writes.is_unique_violation(error):
                    raise
                form.name.errors.append(MARKET_TAKEN)
            else:
                flash(f"Đã thêm {market.name}.", "success")
                return redirect(url_for(".list_markets"))
    return render_template("premises/market_form.html", form=form, market=None), 422 if form.errors else 200


@bp.route("/markets/<id:market_id>/edit", methods=["GET", "POST"])
@login_required
def edit_market(market_id: int):
    market = get_or_404(Market, market_id)
    require("market.edit")
    form = MarketForm(obj=market, units=[market.unit])
    form.unit_id.data = market.unit_id
    if form.validate_on_submit():
        values = form.values()
        if _market_name_taken(market.unit_id, values["name"], market.id):
            form.name.errors.append(MARKET_TAKEN)
        else:
            for key, value in values.items():
                setattr(market, key, value)
            writes.commit("edit", market, current_user)
            flash("Đã lưu chợ.", "success")
            return redirect(url_for(".list_markets"))
    return render_template("premises/market_form.html", form=form, market=market), 422 if form.errors else 200


def _market_name_taken(unit_id: int, name: str, exclude_id: int | None) -> bool:
    others = db.session.execute(select(Market.id, Market.name).where(Market.unit_id == unit_id)).all()
    return any(fold(other_name) == fold(name) and other_id != exclude_id for other_id, other_name in others)
