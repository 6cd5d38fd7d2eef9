"""Gzip for JSON answers: phones at the market are often on slow 3G, and JSON compresses several times over."""

from __future__ import annotations

import gzip

from flask import Flask, Response, request

MIN_BYTES = 1024


def compress_json(response: Response) -> Response:
    if (
        response.mimetype != "application/json"
        or response.direct_passthrough
        or "Content-Encoding" in response.headers
        or "gzip" not in request.headers.get("Accept-Encoding", "").lower()
    ):
        return response
    body = response.get_data()
    if len(body) < MIN_BYTES:
        return response
    response.set_data(gzip.compress(body, compresslevel=6, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response


def register_compression(app: Flask) -> None:
    app.after_request(compress_json)
