"""The browser's session cookie (Flask's signed cookie), neither read nor written for an API call that carries a
bearer token: such a call acts as the token's user whatever cookie came with it (``api.core.authenticate``), so the
phone's calls do not pay for unsigning and signing a cookie they never use. The pages are not concerned: a page
asked with a bearer header keeps its session (its CSRF secret, its flashed messages, the logged-in person)."""

from __future__ import annotations

import flask
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from .auth import bearer_token
from .core import PREFIX


def _api_call_with_token() -> bool:
    return flask.request.path.startswith(PREFIX + "/") and bearer_token() is not None


class CookieSessions(SecureCookieSessionInterface):
    def open_session(self, app: Flask, request):
        if _api_call_with_token():
            return self.session_class()  # empty; anything put in it is dropped at the end
        return super().open_session(app, request)

    def save_session(self, app: Flask, session, response) -> None:
        if _api_call_with_token():
            return
        super().save_session(app, session, response)


def register_cookie_session(app: Flask) -> None:
    app.session_interface = CookieSessions()
