"""Flask extensions, created unbound here and bound to the app in create_app."""

import time

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError

# Named constraints so Alembic can alter them on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()


# Pooled connections are checked before use only when they sat idle a while.
#
# A check on every checkout (SQLAlchemy's ``pool_pre_ping``) costs a round trip on each request, about a tenth of
# the CPU of the phone's typical read. A connection handed back moments ago is almost always alive; one that sat idle longer than
# ``DB_PING_IDLE_SECONDS`` (the night, a database restart) is pinged first and, if dead, replaced before the request
# uses it. A connection that dies within those seconds fails one request with the usual 503 and "Retry-After" (the
# phone's outbox sends again), and SQLAlchemy then drops every older connection of the pool.
def ping_idle_connections(engine: Engine, idle_seconds: float) -> None:
    """Ping a pooled connection on checkout when it was checked in more than ``idle_seconds`` ago (0: every time).
    SQLite's connections are files, not sockets: left alone."""
    if engine.dialect.name == "sqlite":
        return

    @event.listens_for(engine, "checkin")
    def _idle_from(dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, proxy):
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < idle_seconds:
            return  # a new connection, or one handed back moments ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool drops this connection and checks out another (a new one if need be).
            raise DisconnectionError(str(error)) from error
