"""Several app servers on one machine, as the README's "Production: several servers" runs them: one PostgreSQL
database migrated once, two gunicorn instances of ``wsgi:app`` with the same settings, a ``flask worker`` for the
background jobs, and nginx in front (round robin, TLS with a self-signed certificate) configured by the repository's
``deploy/nginx.conf``.

Every process gets its settings from the environment built by :meth:`Cluster.environment`, the file store's
included (the one object store every server uses). nginx adds an ``X-Upstream`` header (its ``$upstream_addr``), so
a test knows which app server answered, and :meth:`Cluster.send` can send a request through a chosen one.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
NGINX_SITE = ROOT / "deploy" / "nginx.conf"
SERVERS = ("A", "B")
START_SECONDS = 60




def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(path, os.X_OK)), None
    )


def _replace(pattern: str, replacement: str, text: str, count: int, flags: int = re.MULTILINE) -> str:
    """``text`` with ``pattern`` replaced exactly ``count`` times: a change of deploy/nginx.conf that the test can no
    longer follow stops the test instead of being silently left out."""
    changed, made = re.subn(pattern, replacement, text, flags=flags)
    assert made == count, f"deploy/nginx.conf: expected {count} match(es) of {pattern!r}, found {made}"
    return changed


def nginx_site(upstreams: list[str], https_port: int, http_port: int, certificate: Path, key: Path) -> str:
    """deploy/nginx.conf with this machine's addresses, ports and certificate, and the X-Upstream header."""
    site = NGINX_SITE.read_text(encoding="utf-8")
    block = re.search(r"^upstream inspect_app \{\n(.*?)^\}", site, flags=re.MULTILINE | re.DOTALL)
    assert block, "deploy/nginx.conf: no upstream inspect_app block"
    line = re.compile(r"^\s*server \S+:\d+([^;]*);\n", flags=re.MULTILINE)
    written = line.findall(block.group(1))
    assert written, "deploy/nginx.conf: no server in the upstream block"
    servers = line.sub("", block.group(1)) + "".join(f"    server {a}{written[0]};\n" for a in upstreams)
    site = site[: block.start(1)] + servers + site[block.end(1) :]
    site = _replace(r"^(\s*)listen 80;", rf"\1listen 127.0.0.1:{http_port};", site, 1)
    site = _replace(r"^(\s*)listen 443 ssl;", rf"\1listen 127.0.0.1:{https_port} ssl;", site, 1)
    site = _replace(r"^(\s*ssl_certificate) \S+;", rf"\1 {certificate};", site, 1)
    site = _replace(r"^(\s*ssl_certificate_key) \S+;", rf"\1 {key};", site, 1)
    return _replace(
        r"^(\s*)(proxy_pass http://inspect_app;)$",
        r"\1\2\n\1add_header X-Upstream $upstream_addr always;",
        site,
        1,
    )


def nginx_main(folder: Path, site: Path) -> str:
    """A whole nginx.conf around the site, everything nginx writes kept in ``folder``, in the foreground."""
    user = "user root root;\n" if os.geteuid() == 0 else ""  # as root, workers would otherwise become nobody
    temp = "".join(
        f"    {kind}_temp_path {folder / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"{user}daemon off;\nworker_processes 1;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'};\n"
        "events { worker_connections 256; }\n"
        f"http {{\n    access_log {folder / 'access.log'};\n{temp}    include {site};\n}}\n"
    )


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    certificate, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(certificate),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return certificate, key


def no_control_socket() -> list[str]:
    """gunicorn 24 and later listen on a control socket, by default one path per user: two servers on one machine
    would share it."""
    from gunicorn.config import KNOWN_SETTINGS

    return ["--no-control-socket"] if any(s.name == "control_socket" for s in KNOWN_SETTINGS) else []


@contextmanager
def environment(values: dict[str, str]):
    """os.environ with ``values`` for the block (create_app reads its settings from it)."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class Process:
    """A child process logging to a file, ended with a signal (then killed if it does not stop)."""

    def __init__(self, name: str, command: list[str], env: dict, log: Path):
        self.name = name
        self.log = log
        with open(log, "ab") as out:
            self.popen = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def tail(self, lines: int = 30) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return f"--- {self.name} ({self.log}) ---\n" + "\n".join(text.splitlines()[-lines:])

    def signal(self, sig: int) -> None:
        if self.alive():
            self.popen.send_signal(sig)

    def stop(self) -> None:
        """SIGTERM, and the end of the process (killed after 20 s)."""
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


class Cluster:
    """Two gunicorn instances, a job worker and nginx on loopback, sharing one PostgreSQL database and one store."""

    def __init__(self, folder: Path, database_url: str, storage: dict[str, str]):
        """``storage``: where every server keeps photos, PDFs and job results, as environment variables (the object
        store's settings: one store all of them read and write)."""
        self.folder = folder
        self.database_url = database_url
        self.storage = storage
        self.secret_key = secrets.token_hex(32)
        self.ports = {name: free_port() for name in SERVERS}
        self.https_port, self.http_port = free_port(), free_port()
        self.url = f"https://127.0.0.1:{self.https_port}"
        self.upstreams = {name: f"127.0.0.1:{port}" for name, port in self.ports.items()}
        self.processes: dict[str, Process] = {}
        self.certificate: Path | None = None
        self.app = None  # the tests' own Flask app on the same database and store, set by the fixture

    def environment(self, instance: str) -> dict[str, str]:
        """The settings every process gets, the same on every server; only the instance folder is its own."""
        return {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "SECRET_KEY": self.secret_key,
            "PUBLIC_BASE_URL": self.url,
            "TRUST_PROXY_HOPS": "1",
            "JOBS_INLINE_WORKER": "0",
            "JOBS_POLL_SECONDS": "0.2",
            "PUBLIC_URL_CHECK_SECONDS": "0",
            "STORAGE_FSYNC": "0",
            "INSTANCE_PATH": str(self.folder / f"instance-{instance}"),
            **self.storage,
        }

    def flask(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "flask", "--app", "wsgi", *args]

    # ---- start and stop --------------------------------------------------------------------------------------

    def start(self, nginx: str) -> None:
        # The schema once, before any server starts, as a deployment does.
        upgrade = subprocess.run(
            self.flask("db", "upgrade"),
            check=False,
            cwd=ROOT,
            env=self.environment("migrate"),
            capture_output=True,
            text=True,
        )
        assert upgrade.returncode == 0, upgrade.stdout + upgrade.stderr
        for name, port in self.ports.items():
            self.processes[name] = Process(
                f"gunicorn {name}",
                [
                    sys.executable, "-m", "gunicorn", "--workers", "1", "--threads", "4",
                    "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "10", *no_control_socket(), "wsgi:app",
                ],
                self.environment(name),
                self.folder / f"gunicorn-{name}.log",
            )  # fmt: skip
        self.processes["worker"] = Process(
            "flask worker", self.flask("worker"), self.environment("worker"), self.folder / "worker.log"
        )
        nginx_folder = self.folder / "nginx"
        nginx_folder.mkdir()
        self.certificate, key = self_signed_certificate(nginx_folder)
        site = nginx_folder / "inspect.conf"
        site.write_text(
            nginx_site(list(self.upstreams.values()), self.https_port, self.http_port, self.certificate, key)
        )
        main = nginx_folder / "nginx.conf"
        main.write_text(nginx_main(nginx_folder, site))
        self.processes["nginx"] = Process(
            "nginx",
            [nginx, "-p", str(nginx_folder), "-e", str(nginx_folder / "error.log"), "-c", str(main)],
            dict(os.environ),
            nginx_folder / "error.log",
        )
        for name, port in self.ports.items():
            self._wait_for(f"http://127.0.0.1:{port}/healthz", name)
        self._wait_for(f"{self.url}/healthz", "nginx")
        assert self.processes["worker"].alive(), self.logs()

    def _wait_for(self, url: str, name: str) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            try:
                if requests.get(url, timeout=5, verify=str(self.certificate)).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if not self.processes[name].alive():
                break
            time.sleep(0.2)
        raise AssertionError(f"{name} did not answer {url}\n{self.logs()}")

    def stop(self) -> None:
        # nginx first (TERM: a fast stop), then the app servers and the worker (TERM: what is under way ends).
        if "nginx" in self.processes:
            self.processes["nginx"].stop()
        for process in self.processes.values():
            process.signal(signal.SIGTERM)
        for process in self.processes.values():
            process.stop()

    def logs(self) -> str:
        return "\n".join(process.tail() for process in self.processes.values())

    # ---- talking to it ---------------------------------------------------------------------------------------

    def browser(self) -> requests.Session:
        """A client of the load balancer's address, sending the Referer a browser sends on the app's own pages
        (Flask-WTF checks it on https); :meth:`send` trusts the certificate."""
        session = requests.Session()
        session.headers["Referer"] = f"{self.url}/"
        return session

    def upstream(self, response: requests.Response) -> str:
        """Which server answered ("A" or "B"), from the header nginx adds."""
        address = response.headers.get("X-Upstream", "")
        names = [name for name, upstream in self.upstreams.items() if upstream == address]
        assert names, f"no known X-Upstream on the answer: {address!r}"
        return names[0]

    def probe(self) -> requests.Response:
        return requests.get(f"{self.url}/healthz", verify=str(self.certificate), timeout=30)

    def send(self, client: requests.Session, method: str, path: str, via: str | None = None, **kwargs):
        """One request through nginx; with ``via``, answered by that server. Round robin alternates, so when the
        request after a probe would land on the other server, one more probe is sent first."""
        if via is not None and self.upstream(self.probe()) == via:
            self.probe()
        # Per request: a session's own verify gives way to REQUESTS_CA_BUNDLE from the environment.
        kwargs.setdefault("verify", str(self.certificate))
        kwargs.setdefault("timeout", 60)
        kwargs.setdefault("allow_redirects", False)
        response = client.request(method, f"{self.url}{path}", **kwargs)
        if via is not None:
            answered = self.upstream(response)
            assert answered == via, f"{method} {path}: meant for server {via}, answered by {answered}"
        return response


CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no csrf_token in the page"
    return match.group(1)
