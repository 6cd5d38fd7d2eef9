"""The inspection app: create_app() builds a configured Flask application."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .config import engine_options, load_secret_key, settings_from_env
from .extensions import csrf, db, login_manager, migrate
from .web.public_url import maintenance_command, serving

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"



def create_app(config: dict | None = None) -> Flask:
    """Build the app; `config` overrides settings read from the environment (tests pass their own)."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(settings_from_env(app.instance_path))
    if config:
        app.config.update(config)
    if maintenance_command():
        app.config["DB_STATEMENT_TIMEOUT_MS"] = 0
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(app.instance_path)
    from .files.uploads import check_storage_settings

    check_storage_settings(app.config)
    Path(app.config["UPLOAD_DIR"]).mkdir(parents=True, exist_ok=True)
    hops = app.config["TRUST_PROXY_HOPS"]
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    # Vietnamese stays readable (and a third smaller) in JSON answers.
    app.json.ensure_ascii = False
    register_extensions(app)
    from .web.routing import register_converters

    register_converters(app)  # before any route names the converter
    register_blueprints(app)
    from .web.errors import register_error_handlers

    register_error_handlers(app)
    from .web.compression import register_compression

    register_compression(app)
    from .web.input_guard import register_input_guard

    register_input_guard(app)
    from .audit.hooks import register_denied_logging

    register_denied_logging(app)
    from .web.headers import register_security_headers

    register_security_headers(app)
    from .api.cookie_session import register_cookie_session

    register_cookie_session(app)
    from .cli import register_commands

    register_commands(app)
    from .web.templating import register_template_helpers

    register_template_helpers(app)
    if app.config["PUBLIC_URL_CHECK_SECONDS"] and not app.testing and serving():
        from .web.public_url import warn_if_unreachable

        warn_if_unreachable(app, app.config["PUBLIC_URL_CHECK_SECONDS"])
    if app.config["JOBS_INLINE_WORKER"] and not app.testing and serving():
        from .jobs.worker import start_inline_worker

        start_inline_worker(app)
    return app


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    from .extensions import ping_idle_connections
    from .web.read_ends import register_read_ends

    with app.app_context():
        ping_idle_connections(db.engine, app.config["DB_PING_IDLE_SECONDS"])
        register_read_ends(app, db.engine)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
    login_manager.login_message_category = "warning"
    from .auth.sessions import bind_sessions

    bind_sessions(login_manager)

    from .access import identified
    from .api.auth import user_from_bearer

    login_manager.request_loader(lambda request: identified(user_from_bearer()))

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import flash, redirect, request, url_for

        from .web.errors import error_response, wants_json

        if wants_json():
            return error_response(401, "Vui lòng đăng nhập.")
        flash(login_manager.login_message, login_manager.login_message_category)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """Embedded SQLite: write-ahead log for concurrent readers, enforced foreign keys, a busy wait."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def register_blueprints(app: Flask) -> None:
    from .admin.views import bp as admin_bp
    from .audit.views import bp as audit_bp
    from .api import register_api
    from .auth.views import bp as auth_bp
    from .complaints.views import bp as complaints_bp
    from .stalls.views import bp as stalls_bp
    from .decisions.views import bp as decisions_bp
    from .exports.views import bp as exports_bp
    from .inspections.views import bp as inspections_bp
    from .jobs.views import bp as jobs_bp
    from .minutes.views import bp as minutes_bp
    from .main.views import bp as main_bp
    from .measurements.views import bp as measurements_bp
    from .premises.views import bp as premises_bp
    from .plans.views import bp as plans_bp
    from .public.views import bp as public_bp
    from .reports.views import bp as reports_bp
    from .supervision.dashboard_views import bp as dashboard_bp
    from .supervision.views import bp as supervision_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(premises_bp)
    app.register_blueprint(admin_bp)
    register_api(app)
    app.register_blueprint(__import__("inspect_app.field.views", fromlist=["bp"]).bp)
    app.register_blueprint(inspections_bp)
    app.register_blueprint(minutes_bp)
    app.register_blueprint(decisions_bp)
    app.register_blueprint(plans_bp)
    app.register_blueprint(measurements_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(jobs_bp)
    app.register_blueprint(supervision_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(complaints_bp)
    app.register_blueprint(stalls_bp)
    app.register_blueprint(audit_bp)
