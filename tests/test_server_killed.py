"""The server killed mid-upload and restarted leaves exactly one copy of everything acknowledged: a real server
process on a SQLite file and an upload folder, photos sent to it (some cut off halfway through their body), the
process killed with SIGKILL, started again on the same data, and every upload not acknowledged sent again, as the
phone's outbox does."""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import func, select

from inspect_app.extensions import db
from inspect_app.files.uploads import storage_for
from inspect_app.models import Photo
from tests.api_helpers import inspection_payload, jpeg_bytes, token_for
from tests.conftest import storage_env

ROOT = Path(__file__).resolve().parents[1]
PHOTOS = 6
CUT_OFF = 3  # the last three are sent halfway when the server is killed


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`flask run` in its own process (one process: SIGKILL stops everything it was doing)."""

    def __init__(self, app, tmp_path: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "UPLOAD_DIR": app.config["UPLOAD_DIR"],
            **storage_env(app.config),
            "SECRET_KEY": app.config["SECRET_KEY"],
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "PUBLIC_BASE_URL": "http://testserver",
            "PUBLIC_URL_CHECK_SECONDS": "0",
        }
        self.process: subprocess.Popen | None = None
        self.log = tmp_path / "server.log"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "flask",
                    "--app",
                    "wsgi",
                    "run",
                    "--port",
                    str(self.port),
                    "--no-reload",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                requests.get(f"{self.url}/healthz", timeout=1)
                return
            except requests.ConnectionError:
                assert self.process.poll() is None, self.log.read_text(errors="replace")[-3000:]
                time.sleep(0.1)
        raise AssertionError(f"no answer within 20 s: {self.log.read_text(errors='replace')[-3000:]}")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)


def _half_sent(url: str, headers: dict, photo_uuid: str, content: bytes) -> socket.socket:
    """A multipart upload whose headers and first half of the body are on the wire, the rest never sent."""
    prepared = requests.Request(
        "POST",
        url,
        headers=headers,
        data={"uuid": photo_uuid},
        files={"file": ("anh.jpg", content, "image/jpeg")},
    ).prepare()
    body = prepared.body
    parts = urlsplit(url)
    head = f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n" + "".join(
        f"{name}: {value}\r\n" for name, value in prepared.headers.items()
    )
    connection = socket.create_connection((parts.hostname, parts.port), timeout=10)
    connection.sendall(head.encode("latin-1") + b"\r\n" + body[: len(body) // 2])
    return connection


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_server_killed_mid_upload_keeps_one_copy_of_everything_acknowledged(
    app, client, world, runner, tmp_path, backend
):
    auth = token_for(client, world.users["inspector"])
    payload = inspection_payload(world.premise_a)
    assert client.post("/api/v1/inspections", json=payload, headers=auth).status_code == 201
    db.session.remove()
    photos = {str(uuid.uuid4()): jpeg_bytes(color=(30 * i, 120, 250 - 30 * i)) for i in range(PHOTOS)}
    outbox = list(photos)
    acknowledged: set[str] = set()
    server = Server(app, tmp_path)

    def url() -> str:
        return f"{server.url}/api/v1/inspections/{payload['uuid']}/photos"

    def send(photo_uuid: str) -> None:
        answer = requests.post(
            url(),
            headers=auth,
            data={"uuid": photo_uuid},
            files={"file": ("anh.jpg", photos[photo_uuid], "image/jpeg")},
            timeout=30,
        )
        assert answer.status_code in (200, 201), answer.text
        acknowledged.add(photo_uuid)

    server.start()
    try:
        for photo_uuid in outbox[:CUT_OFF]:
            send(photo_uuid)
        cut = [_half_sent(url(), auth, photo_uuid, photos[photo_uuid]) for photo_uuid in outbox[CUT_OFF:]]
        time.sleep(0.3)  # the server is reading those bodies
        server.kill()
        for connection in cut:
            connection.close()

        server.start()
        for photo_uuid in outbox:
            if photo_uuid not in acknowledged:
                send(photo_uuid)
    finally:
        if server.process.poll() is None:
            server.kill()

    assert acknowledged == set(photos)
    db.session.expire_all()
    storage = storage_for(app)
    assert db.session.scalar(select(func.count()).select_from(Photo)) == PHOTOS
    for photo_uuid, content in photos.items():
        stored = db.session.scalars(select(Photo).where(Photo.uuid == photo_uuid)).one()
        assert hashlib.sha256(storage.get(stored.storage_key)).hexdigest() == stored.sha256
        assert stored.upload_sha256 == hashlib.sha256(content).hexdigest()
    check = runner.invoke(args=["files", "check"])
    assert check.exit_code == 0, check.output
    assert "0 bản ghi thiếu tệp" in check.output
