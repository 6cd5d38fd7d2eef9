"""Serves the field app: the /app shell, its files (gzip), the service worker from the root scope, and the manifest."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_login import login_required

from ..domain.vocabulary import ANSWERS, GROUPS, HANDLING, INSPECTION_KINDS, PREMISE_TYPES, REFERRAL_BODIES
from ..domain.vocabulary import DIRECTIONS, INSTRUMENT_TYPES, OUTCOMES, READING_KINDS, SEAL_STATES
from ..domain.vocabulary import LOT_DECISION_SCOPE, READING_KIND_SCOPES
from ..domain.vocabulary import (
    COMPLAINT_SUBJECTS,
    INSTRUMENT_VARIANTS,
    METER_VALIDITY,
    METER_VARIANTS,
    STAMP_STATES,
    TAMPERING_SIGNS,
)

bp = Blueprint("field", __name__)

# Files of the app shell under static/, precached by the service worker.
SHELL_STATIC = (
    "css/app.css",
    "field/field.css",
    "field/app.js",
    "field/db.js",
    "field/outbox.js",
    "field/sync.js",
    "field/ui.js",
    "field/screens.js",
    "field/geo.js",
    "field/photo.js",
    "field/metrology.js",
    "field/measure.js",
    "field/meters.js",
    "field/handling.js",
    "icons/icon-192.png",
    "icons/icon-512.png",
)
MODULES = ("db", "outbox", "sync", "ui", "screens", "geo", "photo", "metrology", "measure", "meters", "handling")
TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}
# Text shrinks to a quarter with gzip; a phone on 3G feels that on the first visit. PNGs are already compressed.
COMPRESSIBLE = {
    "text/javascript",
    "text/css",
    "text/html",
    "application/javascript",
    "application/manifest+json",
}
THEME_COLOUR = "#0b4f8a"


def vocabulary() -> dict:
    """Labels the client shows, taken from the one vocabulary module (never copied into JS).

    As [code, label] pairs: JSON objects would come out with sorted keys and lose the display order."""
    tables = {
        "answers": ANSWERS,
        "groups": GROUPS,
        "handling": HANDLING,
        "kinds": INSPECTION_KINDS,
        "premise_types": PREMISE_TYPES,
        "referral_bodies": REFERRAL_BODIES,
        "instrument_types": INSTRUMENT_TYPES,
        "seal_states": SEAL_STATES,
        "reading_kinds": READING_KINDS,
        "directions": DIRECTIONS,
        "outcomes": OUTCOMES,
        # Meters (công tơ điện, đồng hồ nước): recorded and referred, never judged.
        "instrument_variants": INSTRUMENT_VARIANTS,
        "meter_variants": METER_VARIANTS,
        "stamp_states": STAMP_STATES,
        "tampering_signs": TAMPERING_SIGNS,
        "meter_validity": METER_VALIDITY,
        # Who may conclude on each kind of reading and on a lot (commune / province): without the Sở, "sơ bộ".
        "reading_scopes": {**READING_KIND_SCOPES, "lot": LOT_DECISION_SCOPE},
        # Complaints given to the inspector (never the complainant's name or contact).
        "complaint_subjects": COMPLAINT_SUBJECTS,
    }
    return {name: list(table.items()) for name, table in tables.items()}


def shell_version() -> str:
    """A fingerprint of every shell file and template: a new deploy changes sw.js, so phones pick up new files."""
    root = Path(current_app.static_folder)
    templates = Path(current_app.template_folder) / "field"
    digest = hashlib.sha256()
    for path in [root / name for name in SHELL_STATIC] + sorted(templates.glob("*")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    digest.update(json.dumps(vocabulary()).encode())
    return digest.hexdigest()[:16]


def asset_endpoint(name: str) -> str:
    return "asset_" + re.sub(r"\W", "_", name)


def asset_url(name: str) -> str:
    return url_for(f"field.{asset_endpoint(name)}")


@lru_cache(maxsize=64)
def _packed(body: bytes) -> tuple[bytes, str]:
    return gzip.compress(body, 9, mtime=0), hashlib.sha256(body).hexdigest()[:20]


def send(body: bytes, mimetype: str, cache_control: str = "no-cache") -> Response:
    """The body, gzipped when the client takes it, with an ETag so a revisit or the service worker gets a 304."""
    packed, tag = _packed(body)
    response = Response(mimetype=mimetype)
    response.headers["Cache-Control"] = cache_control
    if mimetype in COMPRESSIBLE and "gzip" in request.accept_encodings:
        response.set_data(packed)
        response.headers["Content-Encoding"] = "gzip"
        response.set_etag(tag + "-gz")
    else:
        response.set_data(body)
        response.set_etag(tag)
    response.vary.add("Accept-Encoding")
    return response.make_conditional(request)


@bp.get("/app")
@login_required
def app():
    # The shell holds nothing about the user: the service worker serves the same copy to whoever is logged in.
    html = render_template(
        "field/app.html",
        vocabulary=vocabulary(),
        version=shell_version(),
        asset_url=asset_url,
        modules=MODULES,
    )
    return send(html.encode(), "text/html", "no-cache, private")


def asset_view(name: str):
    def view():
        path = Path(current_app.static_folder) / name
        return send(path.read_bytes(), TYPES[path.suffix])

    return view


# One rule per shell file, no path argument: only these files are served here, each with gzip and an ETag.
for _name in SHELL_STATIC:
    bp.add_url_rule(f"/app/static/{_name}", endpoint=asset_endpoint(_name), view_func=asset_view(_name))


@bp.get("/sw.js")
def service_worker():
    shell = [url_for("field.app"), url_for("field.manifest")] + [asset_url(name) for name in SHELL_STATIC]
    body = render_template(
        "field/sw.js", version=shell_version(), shell=shell, app_css=asset_url("css/app.css")
    )
    response = send(body.encode(), "application/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/manifest.webmanifest")
def manifest():
    data = {
        "name": "Kiểm tra TC-ĐL-CL",
        "short_name": "Kiểm tra",
        "description": "Kiểm tra đo lường, ghi nhãn, niêm yết giá và chất lượng tại chợ và cơ sở kinh doanh.",
        "lang": "vi",
        "start_url": url_for("field.app"),
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": [
            {
                "src": asset_url(f"icons/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any maskable",
            }
            for size in (192, 512)
        ],
    }
    return send(json.dumps(data, ensure_ascii=False).encode(), "application/manifest+json")
