"""The dashboard (Tổng hợp) for every role, in the user's scope: the figures of a period under the supervision
filters, two bar charts drawn as SVG on the server, and for each figure the list of the records it counts."""

from __future__ import annotations

import math

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..access import scope_for
from ..domain.vocabulary import (
    ANSWERS,
    COMPLAINT_STATUSES,
    COMPLAINT_SUBJECTS,
    DIRECTIONS,
    GROUPS,
    HANDLING,
    INSPECTION_KINDS,
    INSPECTION_STATUSES,
    INSTRUMENT_TYPES,
    OUTCOMES,
    PREMISE_STATES,
    PREMISE_TYPES,
    READING_KINDS,
    REFERRAL_BODIES,
    STANDARD_KINDS,
)
from ..domain.time import today_vn
from ..exports.queries import item_question, quarter_period
from ..web.paging import InvalidCursor
from .charts import column_chart, row_chart
from .dashboard import (
    FIGURES,
    MEASURED_TYPES,
    REASONS,
    by_province,
    dashboard,
    figure_page,
    month_period,
    with_period,
)
from .kept import kept_dashboard, keep_minutes
from .queries import filter_choices, state_of
from .filters import INSPECTION_RESULTS, PARAMETERS, InvalidFilters, SupervisionFilters, parse_filters

bp = Blueprint("dashboard", __name__)

PAGE_SIZE = 50
MONTH_NAMES = {m: f"T{m}" for m in range(1, 13)}
# At most this many months are named under the month chart: "T12/2026" under each of twelve bars would overlap.
NAMED_MONTHS = 12


def _read_filters() -> tuple[SupervisionFilters, dict[str, str]]:
    """The filters with their period, or the Vietnamese messages of the bad values."""
    try:
        return with_period(parse_filters(request.args)), {}
    except InvalidFilters as error:
        return SupervisionFilters(), error.errors


def _form_values(filters: SupervisionFilters, errors: dict[str, str]) -> dict[str, str]:
    """What the form shows: the values as typed when some are bad, else the filters read (period included)."""
    if errors:
        return {name: (request.args.get(name) or "").strip() for name in PARAMETERS}
    values = filters.to_args()
    return {name: values.get(name, "") for name in PARAMETERS}


def _form_context(filters, errors) -> dict:
    return {
        "form": _form_values(filters, errors),
        "errors": errors,
        "GROUPS": GROUPS,
        "HANDLING": HANDLING,
        "RESULTS": INSPECTION_RESULTS,
        "TYPES": PREMISE_TYPES,
        "PREMISE_STATES": PREMISE_STATES,
        **filter_choices(current_user, filters),
    }


def _month_labels(by_month: list[tuple[int, int, int]]) -> list[tuple[str, str]]:
    """What the month chart writes under each bar: the month ("T3"), on a line below it the year when it is the
    first named month of that year, and on a long period only every few months (never more than NAMED_MONTHS
    names); the bar's title and the table below the chart keep every month's full name."""
    step = max(1, math.ceil(len(by_month) / NAMED_MONTHS))
    labels, named_year = [], None
    for index, (year, month, _count) in enumerate(by_month):
        if index % step:
            labels.append(("", ""))
            continue
        labels.append((MONTH_NAMES[month], str(year) if year != named_year else ""))
        named_year = year
    return labels


def _tidy_url():
    """The same page without the empty fields a submitted form leaves in its URL (``unit=&market=&…``): a redirect,
    or None when there are none. The URL is what a supervisor copies to share a view."""
    if not any(value.strip() == "" for value in request.args.values()):
        return None
    kept = {name: value for name, value in request.args.items() if value.strip()}
    return redirect(url_for(request.endpoint, **(request.view_args or {}), **kept))


def _last_quarter() -> dict[str, int]:
    """The quarterly export form's default: the last whole quarter."""
    today = today_vn()
    year, quarter, _first, _last = quarter_period({}, today)
    return {"year": year, "quarter": quarter, "year_max": today.year}


def _link(code: str, args: dict[str, str]) -> str:
    return url_for("dashboard.figure_list", figure=code, **args)


@bp.route("/dashboard")
@login_required
def dashboard_page():
    if tidy := _tidy_url():
        return tidy
    filters, errors = _read_filters()
    if errors:
        html = render_template(
            "supervision/dashboard.html", board=None, figures=FIGURES, **_form_context(filters, errors)
        )
        return html, 400
    if by_province(scope_for(current_user), filters):
        # The country's figures are counted in the background and kept (supervision.kept).
        kept = kept_dashboard(current_user, filters, today_vn())
        board = kept.board
    else:
        kept, board = None, dashboard(current_user, filters)
    args = filters.to_args()
    context = {"kept": kept, "keep_minutes": keep_minutes(), "recount_url": url_for(".recount", **args)}
    if board is None:
        return render_template(
            "supervision/dashboard.html", board=None, figures=FIGURES, **context, **_form_context(filters, errors)
        )
    months = column_chart(
        [
            (f"{MONTH_NAMES[m]}/{year}", count, _link("inspections", month_period(filters, year, m)))
            for year, m, count in board.by_month
        ]
    )
    # By unit, or by province at national scope: a bar lists its inspections, a province's name opens its own
    # dashboard (by commune).
    key = "province" if board.grouped_by == "province" else "unit"
    groups = row_chart(
        [(name, count, _link("inspections", {**args, key: str(gid)})) for gid, name, count in board.by_group]
    )
    drill_down = [
        url_for(".dashboard_page", **{**args, "province": str(gid)}) if key == "province" else None
        for gid, _name, _count in board.by_group
    ]
    return render_template(
        "supervision/dashboard.html",
        board=board,
        figures=FIGURES,
        link=lambda code: _link(code, args),
        months_chart=months,
        month_labels=_month_labels(board.by_month),
        month_values=len(board.by_month) <= NAMED_MONTHS,
        groups_chart=groups,
        grouped_by=board.grouped_by,
        drill_down=drill_down,
        reasons=REASONS,
        quarterly=_last_quarter(),
        INSPECTION_KINDS=INSPECTION_KINDS,
        MEASURED_TYPES=MEASURED_TYPES,
        DIRECTIONS=DIRECTIONS,
        REFERRAL_BODIES=REFERRAL_BODIES,
        **context,
        **_form_context(filters, errors),
    )


@bp.route("/dashboard/recount", methods=["POST"])
@login_required
def recount():
    """Count the national dashboard's figures again now (a job), then back to the dashboard of the same filters."""
    filters, errors = _read_filters()
    if not errors and by_province(scope_for(current_user), filters):
        kept_dashboard(current_user, filters, today_vn(), recount=True)
    return redirect(url_for(".dashboard_page", **({} if errors else filters.to_args())))


@bp.route("/dashboard/<figure>")
@login_required
def figure_list(figure: str):
    if figure not in FIGURES:
        abort(404)
    if tidy := _tidy_url():
        return tidy
    filters, errors = _read_filters()
    if errors:
        html = render_template(
            "supervision/dashboard_list.html",
            figure=FIGURES[figure],
            page=None,
            rows=[],
            **_form_context(filters, errors),
        )
        return html, 400
    try:
        page = figure_page(
            current_user,
            filters,
            figure,
            after=request.args.get("after") or None,
            before=request.args.get("before") or None,
            limit=PAGE_SIZE,
        )
    except InvalidCursor:
        return redirect(url_for(".figure_list", figure=figure, **filters.to_args()))
    return render_template(
        "supervision/dashboard_list.html",
        figure=FIGURES[figure],
        page=page,
        rows=page.items,
        args={"figure": figure, **filters.to_args()},
        back=url_for(".dashboard_page", **filters.to_args()),
        period=(filters.date_from, filters.date_to),
        item_question=item_question,
        state_of=state_of,
        labels={
            "answers": ANSWERS,
            "handling": HANDLING,
            "statuses": INSPECTION_STATUSES,
            "outcomes": OUTCOMES,
            "reading_kinds": READING_KINDS,
            "standard_kinds": STANDARD_KINDS,
            "instrument_types": INSTRUMENT_TYPES,
            "complaint_subjects": COMPLAINT_SUBJECTS,
            "complaint_statuses": COMPLAINT_STATUSES,
        },
        **_form_context(filters, errors),
    )
