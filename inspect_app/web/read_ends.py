"""How an app context's last transaction ends: one that only read is committed, anything else is rolled back.

Both end it the same way for the data: a transaction that wrote nothing has nothing to keep or to undo, and the
scope it was given (``access``: transaction-local settings) ends with it either way. They differ in what PostgreSQL's
driver keeps. psycopg prepares a statement on the server once a connection has run it five times, so the server
parses and plans it once and not on every request; but every ROLLBACK makes psycopg forget what it prepared (an
object the rolled-back transaction created may be gone). Flask-SQLAlchemy ends each request with ``Session.close``,
a ROLLBACK; so a read, the phone's most common call, left nothing prepared, and every request's statements were
parsed and planned again. Measured on the phone's premise read: PostgreSQL's own CPU per read went from about 0.65
to 0.23 ms when its transaction ended with COMMIT (bench/README: "Reads end with COMMIT").

"Only read" is decided from the statements themselves, on the connection: a transaction is a read while each of its
statements is a compiled SELECT. Anything else — an INSERT, UPDATE or DELETE (a flush included), DDL, a textual
statement, a driver-level one — makes it a write, and a write that was not committed where it was made is rolled
back as before: a form that flushed, then refused its input, still leaves nothing behind. So is a transaction whose
session still holds changes not flushed, one a database error left inactive, and any transaction of an app context
that an unhandled exception ended. An error the app's own handler answered (a 404, a 500 page) after statements
that only read ends with COMMIT like any read: it wrote nothing.

Only on PostgreSQL: SQLite's driver prepares nothing, and ends a transaction that read the same way either way.
"""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from ..extensions import db

log = logging.getLogger(__name__)

_ONLY_READ = "transaction_only_read"
_CONNECTION = "transaction_connection"


def _begins_as_read(connection: Connection) -> None:
    connection.info[_ONLY_READ] = True


def _note_statement(connection, cursor, statement, parameters, context, executemany) -> None:
    if connection.info.get(_ONLY_READ) and not _is_select(context):
        connection.info[_ONLY_READ] = False


def _is_select(context) -> bool:
    compiled = getattr(context, "compiled", None)
    return compiled is not None and not context.is_text and isinstance(compiled.statement, Select)


def _joined(session: Session, transaction, connection: Connection) -> None:
    session.info[_CONNECTION] = connection


def only_read(session: Session) -> bool:
    """Whether ``session``'s transaction under way ran statements, all of them reads, and holds no change to flush."""
    if not session.is_active or not session.in_transaction() or session.new or session.dirty or session.deleted:
        return False
    # The connection the transaction began on (not ``session.connection()``, which would begin one if none).
    connection = session.info.get(_CONNECTION)
    return (
        connection is not None
        and not connection.closed
        and connection.in_transaction()
        and connection.info.get(_ONLY_READ, False) is True
    )


def end_reads(exc: BaseException | None = None) -> None:
    """Teardown of an app context: commit its session's transaction if it only read (see above). Flask-SQLAlchemy's
    own teardown, which runs next, then closes the session; it rolls back whatever is left."""
    if exc is not None or not db.session.registry.has():
        return
    session = db.session()
    try:
        if only_read(session):
            session.commit()
    except Exception:  # noqa: BLE001 - whatever failed, the close that follows must still run (and rolls back)
        log.warning("a read's transaction could not be committed; it is rolled back", exc_info=True)


def register_read_ends(app: Flask, engine: Engine) -> None:
    """After ``db.init_app``: Flask runs an app's teardowns last-registered first, so this runs before the close."""
    if engine.dialect.name != "postgresql":
        return
    if not event.contains(engine, "begin", _begins_as_read):
        event.listen(engine, "begin", _begins_as_read)
        event.listen(engine, "before_cursor_execute", _note_statement)
    if not event.contains(Session, "after_begin", _joined):
        event.listen(Session, "after_begin", _joined)
    app.teardown_appcontext(end_reads)
