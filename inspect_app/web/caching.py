"""Revalidated answers: reference data (the checklist catalogue, the metrology tables) carries an ETag, so a phone
that already has it gets 304 and no body instead of the whole document on every start."""

from __future__ import annotations

from functools import wraps

from flask import make_response, request


def revalidated(view):
    """Answer with an ETag of the body and ``Cache-Control: private, no-cache`` (kept, but asked again each time);
    a request whose If-None-Match names the current ETag gets 304."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        if response.status_code != 200:
            return response
        response.cache_control.private = True
        response.cache_control.no_cache = True
        response.add_etag()
        return response.make_conditional(request)

    return wrapper
