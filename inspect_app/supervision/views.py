"""The map page (bản đồ) for every role: the filters in the query string, the legend's counts, the list beside the
map; the map itself draws from API v1 (/api/v1/map/…). Leaflet is served from the xstatic-leaflet package."""

from __future__ import annotations

import json

from flask import Blueprint, current_app, redirect, render_template, request, send_from_directory, url_for
from flask_login import current_user, login_required

from ..domain.geo import FLAG_LABELS
from ..domain.vocabulary import GROUPS, HANDLING, PREMISE_STATES, PREMISE_TYPES
from ..web.paging import InvalidCursor
from .filters import INSPECTION_RESULTS, PARAMETERS, InvalidFilters, SupervisionFilters, parse_filters
from .queries import Summary, filter_choices, map_list_page, map_summary, state_of

bp = Blueprint("supervision", __name__)

PAGE_SIZE = 50
# Colours of the states on the map, its legend and the list (readable on a tablet in daylight, apart in greyscale).
STATE_COLOURS = {
    "never_inspected": "#8a8f98",
    "fix_overdue": "#7b1fa2",
    "fix_pending": "#ef8a00",
    "inspection_overdue": "#b08900",
    "violation": "#d32f2f",
    "pass": "#2e7d32",
}
# Leaflet 1.9 as the xstatic-leaflet package installs it; one rule per file, with no URL argument (every route
# argument names a record in this app).
LEAFLET_FILES = (
    "leaflet.js",
    "leaflet.css",
    "images/layers.png",
    "images/layers-2x.png",
    "images/marker-icon.png",
    "images/marker-icon-2x.png",
    "images/marker-shadow.png",
)


def _leaflet_dir() -> str:
    import xstatic.pkg.leaflet as leaflet

    return leaflet.BASE_DIR


def _asset(name: str):
    def send():
        return send_from_directory(_leaflet_dir(), name, max_age=86400)

    send.__name__ = "leaflet_" + name.replace("/", "_").replace("-", "_").replace(".", "_")
    return send


for _name in LEAFLET_FILES:
    bp.add_url_rule(f"/vendor/leaflet/{_name}", view_func=_asset(_name))


@bp.route("/map")
@login_required
def map_page():
    errors: dict[str, str] = {}
    try:
        filters = parse_filters(request.args)
    except InvalidFilters as error:
        errors, filters = error.errors, SupervisionFilters()
    summary, page = Summary(counts=dict.fromkeys(PREMISE_STATES, 0), located=0, bounds=None), None
    if not errors:
        summary = map_summary(current_user, filters)
        try:
            page = map_list_page(
                current_user,
                filters,
                after=request.args.get("after") or None,
                before=request.args.get("before") or None,
                limit=PAGE_SIZE,
            )
        except InvalidCursor:
            return redirect(url_for(".map_page", **filters.to_args()))
        page.total = summary.total
    config = {
        "api": {
            "view": url_for("api.map_premises"),
            "gps": url_for("api.map_gps"),
            "card": url_for("api.map_premise_card", premise_id=0).removesuffix("0"),
        },
        "query": filters.to_query(),
        "bounds": list(summary.bounds) if summary.bounds else None,
        "tiles": current_app.config["MAP_TILE_URL"] or None,
        "attribution": current_app.config["MAP_TILE_ATTRIBUTION"],
        "states": [
            {"code": code, "label": label, "colour": STATE_COLOURS[code]}
            for code, label in PREMISE_STATES.items()
        ],
        "flags": FLAG_LABELS,
        "disabled": bool(errors),
    }
    # The form shows what was typed, the bad values too (with their messages).
    raw = {name: (request.args.get(name) or "").strip() for name in PARAMETERS}
    html = render_template(
        "supervision/map.html",
        filters=filters,
        form=raw,
        errors=errors,
        summary=summary,
        page=page,
        rows=[(p, state_of(p)) for p in page.items] if page else [],
        config=json.dumps(config, ensure_ascii=False),
        colours=STATE_COLOURS,
        PREMISE_STATES=PREMISE_STATES,
        GROUPS=GROUPS,
        HANDLING=HANDLING,
        RESULTS=INSPECTION_RESULTS,
        TYPES=PREMISE_TYPES,
        **filter_choices(current_user, filters),
    )
    return html, (400 if errors else 200)
