"""The public address in QR codes follows where `make run` serves, and a start-up check says when it does not
answer (an issued biên bản cannot be changed afterwards)."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

from inspect_app.config import settings_from_env
from inspect_app.web.public_url import public_url_problem, serving

ROOT = Path(__file__).resolve().parent.parent


def test_make_run_serves_and_issues_qr_codes_on_the_same_port():
    commands = subprocess.run(
        ["make", "-n", "run", "PORT=5101", "HOST=127.0.0.1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # The demo's seeding issues documents with QR codes too: every step knows the port.
    for step in ("db upgrade", "seed-demo", "run"):
        line = next(line for line in commands.splitlines() if f"flask --app wsgi {step}" in line)
        assert "FLASK_RUN_PORT=5101" in line and "FLASK_RUN_HOST=127.0.0.1" in line, step


def test_the_public_url_follows_the_served_port_unless_set(monkeypatch, tmp_path):
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    monkeypatch.setenv("FLASK_RUN_PORT", "5101")
    monkeypatch.setenv("FLASK_RUN_HOST", "0.0.0.0")
    assert settings_from_env(str(tmp_path))["PUBLIC_BASE_URL"] == "http://127.0.0.1:5101"
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://kiemtra.ducpho.gov.vn/")
    assert settings_from_env(str(tmp_path))["PUBLIC_BASE_URL"] == "https://kiemtra.ducpho.gov.vn"


def test_a_public_url_that_does_not_answer_is_named(live_server):
    assert public_url_problem(live_server.url) is None
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    problem = public_url_problem(closed, timeout=2)
    assert problem is not None and problem.startswith(f"không mở được {closed}/healthz")


def test_only_a_serving_process_checks():
    assert serving(["/srv/.venv/bin/gunicorn", "wsgi:app"])
    assert serving(["/srv/.venv/bin/flask", "--app", "wsgi", "run", "--no-reload"])
    assert not serving(["/srv/.venv/bin/flask", "--app", "wsgi", "db", "upgrade"])
    assert not serving(["/srv/.venv/bin/flask", "--app", "wsgi", "seed-demo"])


def test_the_warning_is_logged_when_the_address_does_not_answer(app, caplog):
    from inspect_app.web.public_url import warn_if_unreachable

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        app.config["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{sock.getsockname()[1]}"
    with caplog.at_level("WARNING"):
        warn_if_unreachable(app, 0).join(timeout=10)
    assert any(
        "không trả lời" in record.getMessage() and "Mã QR trên biên bản" in record.getMessage()
        for record in caplog.records
    ), caplog.records
