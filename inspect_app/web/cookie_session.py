"""The browser's session cookie (Flask's signed cookie), neither read nor written for a request that carries a bearer
token: such a request acts as the token's user whatever cookie came with it (``api.core.authenticate``), so the
phone's API calls do not pay for unsigning and signing a cookie they never use."""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from ..api.auth import bearer_token


class CookieSessions(SecureCookieSessionInterface):
    def open_session(self, app: Flask, request):
        if bearer_token() is not None:
            return self.session_class()  # empty; anything put in it is dropped at the end
        return super().open_session(app, request)

    def save_session(self, app: Flask, session, response) -> None:
        if bearer_token() is not None:
            return
        super().save_session(app, session, response)


def register_cookie_session(app: Flask) -> None:
    app.session_interface = CookieSessions()
