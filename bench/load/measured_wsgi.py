"""The app as gunicorn serves it (``wsgi:app``), with each request's CPU time written to a log per worker.

    gunicorn --chdir <repo> --pythonpath bench/load measured_wsgi:app

CPU time is the serving thread's (``time.thread_time``) from the call into the app until its answer has been
iterated: Flask, SQLAlchemy, the driver, gzip, and on SQLite the database engine; not gunicorn's own parsing of the
request, which the whole-worker figure in ``load_test.py`` includes. One line per request, tab-separated: method,
name (``naming.request_name``), status, CPU ms, wall ms. The log folder is ``LOAD_CPU_LOG_DIR``.
"""

from __future__ import annotations

import os
import time

from naming import request_name
from wsgi import app as flask_app

LOG_DIR = os.environ["LOAD_CPU_LOG_DIR"]
_files: dict[int, int] = {}


def _log(line: str) -> None:
    pid = os.getpid()
    fd = _files.get(pid)
    if fd is None:
        fd = _files[pid] = os.open(
            os.path.join(LOG_DIR, f"cpu-{pid}.tsv"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644
        )
    # One write per line on an O_APPEND descriptor: the worker's threads do not interleave their lines.
    os.write(fd, line.encode("utf-8"))


def app(environ, start_response):
    cpu, wall = time.thread_time(), time.perf_counter()
    status = []

    def recording_start_response(line, headers, exc_info=None):
        status.append(line[:3])
        return start_response(line, headers, exc_info)

    result = flask_app(environ, recording_start_response)
    try:
        yield from result
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
        name = request_name(environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""))
        _log(
            f"{environ.get('REQUEST_METHOD')}\t{name}\t{status[0] if status else '-'}\t"
            f"{(time.thread_time() - cpu) * 1000:.3f}\t{(time.perf_counter() - wall) * 1000:.3f}\n"
        )
