"""Settings read from environment variables, with safe defaults for an embedded SQLite install."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


def _float(value: str | None, default: float) -> float:
    try:
        return float(value) if value not in (None, "") else default
    except ValueError:
        return default


def load_secret_key(instance_path: str) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the instance folder."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL so two processes starting at once cannot write two different keys.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def _served_url(env) -> str:
    """Where ``flask run`` serves (``make run`` passes its HOST and PORT as FLASK_RUN_HOST and FLASK_RUN_PORT), so
    QR codes issued without PUBLIC_BASE_URL point at the running app; a wildcard host becomes 127.0.0.1."""
    host = env.get("FLASK_RUN_HOST") or "127.0.0.1"
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    return f"http://{host}:{env.get('FLASK_RUN_PORT') or '5000'}"


def settings_from_env(instance_path: str) -> dict:
    """All settings as a dict for app.config; each may be overridden by create_app(config=...)."""
    env = os.environ
    sqlite_path = Path(instance_path) / "inspect.sqlite3"
    database_url = env.get("DATABASE_URL") or f"sqlite:///{sqlite_path}"
    public_base_url = (env.get("PUBLIC_BASE_URL") or _served_url(env)).rstrip("/")
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "UPLOAD_DIR": env.get("UPLOAD_DIR") or str(Path(instance_path) / "uploads"),
        "PUBLIC_BASE_URL": public_base_url,
        # Seconds after start-up before checking that PUBLIC_BASE_URL answers (0: never).
        "PUBLIC_URL_CHECK_SECONDS": _int(env.get("PUBLIC_URL_CHECK_SECONDS"), 5),
        # Upload ceiling for any request; larger bodies get a 413 with a Vietnamese message.
        "MAX_CONTENT_LENGTH": _int(env.get("MAX_UPLOAD_MB"), 20) * 1024 * 1024,
        "PHOTO_MAX_BYTES": _int(env.get("PHOTO_MAX_MB"), 15) * 1024 * 1024,
        "CSV_IMPORT_MAX_BYTES": _int(env.get("CSV_IMPORT_MAX_MB"), 5) * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(
            env.get("SESSION_COOKIE_SECURE"), public_base_url.startswith("https://")
        ),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool(
            env.get("SESSION_COOKIE_SECURE"), public_base_url.startswith("https://")
        ),
        "PERMANENT_SESSION_LIFETIME": _int(env.get("SESSION_HOURS"), 12) * 3600,
        "WTF_CSRF_TIME_LIMIT": None,
        # Failed logins (and wrong current passwords) allowed within the window: per username from one address,
        # per address (high: a ward office shares one NAT address), per username from every address (not applied
        # from an address the account logged in from within LOGIN_KNOWN_ADDRESS_DAYS).
        "LOGIN_MAX_FAILURES_PER_USER_AND_IP": _int(env.get("LOGIN_MAX_FAILURES_PER_USER_AND_IP"), 5),
        "LOGIN_MAX_FAILURES_PER_IP": _int(env.get("LOGIN_MAX_FAILURES_PER_IP"), 100),
        "LOGIN_MAX_FAILURES_PER_USER": _int(env.get("LOGIN_MAX_FAILURES_PER_USER"), 20),
        "LOGIN_KNOWN_ADDRESS_DAYS": _int(env.get("LOGIN_KNOWN_ADDRESS_DAYS"), 30),
        "LOGIN_WINDOW_MINUTES": _int(env.get("LOGIN_WINDOW_MINUTES"), 15),
        # The stall page's public form: reports accepted per sender address and per stall within the window.
        "PUBLIC_REPORT_MAX_PER_ADDRESS": _int(env.get("PUBLIC_REPORT_MAX_PER_ADDRESS"), 3),
        "PUBLIC_REPORT_MAX_PER_PREMISE": _int(env.get("PUBLIC_REPORT_MAX_PER_PREMISE"), 20),
        "PUBLIC_REPORT_WINDOW_MINUTES": _int(env.get("PUBLIC_REPORT_WINDOW_MINUTES"), 60),
        "GPS_MAX_ACCURACY_M": _float(env.get("GPS_MAX_ACCURACY_M"), 50.0),
        "GPS_MAX_DISTANCE_M": _float(env.get("GPS_MAX_DISTANCE_M"), 150.0),
        # A premise is due for inspection this many months after its latest one (stored as next_due_on: after a
        # change, run ``flask rebuild-premise-state``).
        "INSPECTION_OVERDUE_MONTHS": max(1, _int(env.get("INSPECTION_OVERDUE_MONTHS"), 12)),
        # The supervisor's map: the basemap's tile URL ({z}/{x}/{y}; none: a plain background) and its credit line,
        # how many premises a view shows one by one before counting them in groups, and GPS mismatches per view.
        "MAP_TILE_URL": env.get("MAP_TILE_URL", "").strip(),
        "MAP_TILE_ATTRIBUTION": env.get("MAP_TILE_ATTRIBUTION", "").strip(),
        "MAP_POINT_LIMIT": max(1, _int(env.get("MAP_POINT_LIMIT"), 2000)),
        "MAP_GPS_LIMIT": max(1, _int(env.get("MAP_GPS_LIMIT"), 300)),
        "PASSWORD_HASH_METHOD": "scrypt",
        # Behind nginx: how many proxies to trust for the client address (login throttling) and https.
        "TRUST_PROXY_HOPS": _int(env.get("TRUST_PROXY_HOPS"), 0),
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        # A pooled connection idle longer than this is pinged before a request uses it (0: before every request);
        # see extensions.ping_idle_connections for the trade-off.
        "DB_PING_IDLE_SECONDS": max(0.0, _float(env.get("DB_PING_IDLE_SECONDS"), 10.0)),
        # PostgreSQL: a request waits at most this long for a connection to open, and a statement (or a lock it
        # waits on) runs at most this long before the server cancels it: the user gets a 503 "try again" rather
        # than a page that hangs. 0 switches either off. Migrations and the maintenance commands are not limited.
        "DB_CONNECT_TIMEOUT_SECONDS": max(0, _int(env.get("DB_CONNECT_TIMEOUT_SECONDS"), 5)),
        "DB_STATEMENT_TIMEOUT_MS": max(0, _int(env.get("DB_STATEMENT_TIMEOUT_MS"), 30_000)),
        # PostgreSQL: the role the app connects as, separate from the tables' owner who runs the migrations; the
        # migrations create it if absent and grant it reading and writing rows only (migration 0030).
        "DATABASE_APP_ROLE": (env.get("DATABASE_APP_ROLE") or "").strip(),
        # Background jobs (exports): a serving process runs a worker thread of its own when JOBS_INLINE_WORKER is
        # on (the default on SQLite, where one machine does everything); otherwise run ``flask worker`` beside it.
        "JOBS_INLINE_WORKER": _bool(env.get("JOBS_INLINE_WORKER"), database_url.startswith("sqlite")),
        # A running job's worker renews its lease every third of this; a job whose lease ran out (its worker died)
        # is taken again by the next worker, at most JOBS_MAX_ATTEMPTS attempts in all.
        "JOBS_LEASE_SECONDS": max(1, _int(env.get("JOBS_LEASE_SECONDS"), 120)),
        "JOBS_MAX_ATTEMPTS": max(1, _int(env.get("JOBS_MAX_ATTEMPTS"), 3)),
        "JOBS_POLL_SECONDS": max(0.1, _float(env.get("JOBS_POLL_SECONDS"), 2.0)),
        # Finished jobs' files are kept this many days (``flask worker`` deletes older ones).
        "JOBS_KEEP_DAYS": max(1, _int(env.get("JOBS_KEEP_DAYS"), 7)),
        # The national dashboard is counted by a job and kept (supervision.kept); older figures are counted again.
        "DASHBOARD_KEEP_MINUTES": max(1, _int(env.get("DASHBOARD_KEEP_MINUTES"), 60)),
        # Where photos and issued PDFs live: "local" (UPLOAD_DIR) or "s3", an S3-compatible bucket that several app
        # servers share (``files.uploads``). Keys are stored under S3_PREFIX in S3_BUCKET. Without an access key
        # boto3 finds credentials itself (AWS_* variables, ~/.aws, an instance role). A store that does not answer
        # within the timeouts (after S3_MAX_ATTEMPTS tries) makes the request answer 503 "try again".
        "STORAGE_BACKEND": (env.get("STORAGE_BACKEND") or "local").strip().lower(),
        "S3_ENDPOINT_URL": (env.get("S3_ENDPOINT_URL") or "").strip(),
        "S3_BUCKET": (env.get("S3_BUCKET") or "").strip(),
        "S3_REGION": (env.get("S3_REGION") or "").strip(),
        "S3_ACCESS_KEY_ID": (env.get("S3_ACCESS_KEY_ID") or "").strip(),
        "S3_SECRET_ACCESS_KEY": env.get("S3_SECRET_ACCESS_KEY") or "",
        "S3_PREFIX": (env.get("S3_PREFIX") or "").strip(),
        "S3_ADDRESSING_STYLE": (env.get("S3_ADDRESSING_STYLE") or "path").strip(),
        "S3_CONNECT_TIMEOUT_SECONDS": max(0.1, _float(env.get("S3_CONNECT_TIMEOUT_SECONDS"), 5.0)),
        "S3_READ_TIMEOUT_SECONDS": max(0.1, _float(env.get("S3_READ_TIMEOUT_SECONDS"), 30.0)),
        "S3_MAX_ATTEMPTS": max(1, _int(env.get("S3_MAX_ATTEMPTS"), 3)),
        # Test-only kinds of job (a slow one that can be killed mid-run); never on in production.
        "JOBS_TEST_KINDS": _bool(env.get("JOBS_TEST_KINDS"), False),
        # With the test kinds on: a pause after each step of a real job, so a test can kill its worker mid-job.
        "JOBS_TEST_PAUSE": max(0.0, _float(env.get("JOBS_TEST_PAUSE"), 0.0)),
        # A batch print of more biên bản than this is a ZIP of PDFs of at most this many each (the PDF writer
        # keeps one part's pages in memory).
        "BATCH_PRINT_PART_SIZE": max(1, _int(env.get("BATCH_PRINT_PART_SIZE"), 200)),
        # Where a backup asked for on the Tác vụ page is written (as ``flask backup create`` writes by default):
        # never inside UPLOAD_DIR; with several servers, a folder they all mount.
        "BACKUP_DIR": env.get("BACKUP_DIR") or str(Path(instance_path) / "backups"),
    }


def engine_options(config: dict) -> dict:
    """SQLALCHEMY_ENGINE_OPTIONS with the database timeouts added for PostgreSQL, and its JIT compiler off (SQLite
    waits on its own busy timeout, set per connection)."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if not str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("postgresql"):
        return options
    connect_args = dict(options.get("connect_args") or {})
    if config.get("DB_CONNECT_TIMEOUT_SECONDS"):
        connect_args.setdefault("connect_timeout", config["DB_CONNECT_TIMEOUT_SECONDS"])
        # Waiting for a free connection in the pool is bounded the same way.
        options.setdefault("pool_timeout", config["DB_CONNECT_TIMEOUT_SECONDS"])
    # No JIT compilation: it pays off for analytical statements that run for many seconds, and the app's run for
    # milliseconds to about a second. Row-level security's sub-plans lift a province dashboard's statement over the
    # JIT's cost threshold, and compiling it took 0.2 s of its 0.45 s (0.5–6 s at national size).
    settings = ["-c jit=off"]
    milliseconds = config.get("DB_STATEMENT_TIMEOUT_MS")
    if milliseconds:
        settings.append(f"-c statement_timeout={milliseconds} -c lock_timeout={milliseconds}")
    connect_args.setdefault("options", " ".join(settings))
    options["connect_args"] = connect_args
    return options
