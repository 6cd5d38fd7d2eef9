"""What a logged-in session is bound to, and how a "Ghi nhớ trên thiết bị này" login survives a browser restart.

flask-login's "strong" protection drops a session (and its remember cookie) when the request no longer matches the
identifier stored at login. Its own identifier is the client address with the User-Agent: a phone changes address
all day (Wi-Fi to 4G, the carrier's NAT), and a session rebuilt from the remember cookie after a restart carries no
identifier at all, so the second page after a restart logged the user out. Here the identifier is the kind of browser
and system (the User-Agent without its version numbers, so a browser update does not log anyone out), and a session
rebuilt from the remember cookie is stamped with it. A cookie carried to another kind of browser is still dropped.
"""

from __future__ import annotations

import hashlib
import re

from flask import Flask, request, session
from flask_login import user_loaded_from_cookie
from flask_login.login_manager import LoginManager

_VERSION = re.compile(r"\d+(?:[._]\d+)*")


def device_identifier() -> str:
    agent = request.headers.get("User-Agent", "")
    return hashlib.sha512(_VERSION.sub("", agent).encode("utf-8")).hexdigest()


def _stamp_restored_session(app: Flask, user, **extra) -> None:
    session["_id"] = device_identifier()


def bind_sessions(manager: LoginManager) -> None:
    manager.session_protection = "strong"
    manager._session_identifier_generator = device_identifier
    user_loaded_from_cookie.connect(_stamp_restored_session)
