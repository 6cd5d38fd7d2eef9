"""Security headers on every answer: the app's pages may load only the app itself (and the map's tile server).

- Content-Security-Policy: scripts, styles, fonts, frames, fetches and workers from this origin only; images also
  from ``data:`` and ``blob:`` (the phone previews a photo before upload, the signature pad draws to a data URL)
  and from the configured tile server. Inline ``style="…"`` attributes are allowed (``style-src-attr``): the
  map colours its legend and clusters with them, and an attribute can neither run script nor select other
  elements; ``<style>`` elements and inline scripts are not.
- Frames only from this origin, or a blob: URL a page script made (the issue page shows the biên bản's preview
  PDF, which is never stored, that way).
- ``nosniff``; a Referrer-Policy that never sends the path (verification tokens live in URLs) to another site.
- HSTS when the request came over https (directly or through a trusted proxy).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, request

HSTS_SECONDS = 365 * 24 * 3600


def tile_origin(tile_url: str) -> str | None:
    """The origin a ``{z}/{x}/{y}`` tile template loads from, as a CSP source; ``{s}`` subdomains become ``*``."""
    parts = urlsplit(tile_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    host = parts.netloc.replace("{s}", "*")
    if any(c in host for c in "{} ;,'\""):
        return None
    return f"{parts.scheme}://{host}"


def content_security_policy(tile_url: str = "") -> str:
    images = ["'self'", "data:", "blob:"]
    origin = tile_origin(tile_url) if tile_url else None
    if origin:
        images.append(origin)
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": images,
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "frame-src": ["'self'", "blob:"],
        "object-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def register_security_headers(app: Flask) -> None:
    policy = content_security_policy(app.config.get("MAP_TILE_URL", ""))

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", policy)
        headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", f"max-age={HSTS_SECONDS}")
        return response
