"""The load test: 50 inspectors doing the phone's real flow and 5 supervisors on the map, the dashboard and the
yearly report, against gunicorn on loopback, for a bounded time, on SQLite or PostgreSQL.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/load_test.py --backend sqlite
    .venv/bin/python bench/load_test.py --backend postgres

One run, in order (about 2 minutes of load plus 2–3 minutes of setup and checks):

1. A fresh instance: ``generate_province.py`` builds a province (migrations, then 25 communes with two inspector
   accounts each, premises, a year of inspections, instruments, standards…) in a new SQLite file or PostgreSQL
   database.
2. The plan (``plan.json``): an API token for each inspector account (issued as ``POST /api/v1/auth/token`` issues
   them), the spots in its commune where it asks for the nearest premises, the premises there with a scale its
   unit's weights can check; the supervisors (the province's and four communes'), each commune supervisor with a
   draft yearly report of the year.
3. gunicorn on 127.0.0.1 with the README's deployment settings (``--workers 3 --threads 4``), serving ``wsgi:app``
   through ``bench/load/measured_wsgi.py``, which logs each request's CPU time in the worker. On PostgreSQL the
   servers connect as the app's own role (``inspect_load_app``: not the owner, not a superuser), as the README's
   deployment does, so row-level security's policies are part of every statement (``--as-owner``: the URL's role).
4. Locust, headless, ``--run-time 2m`` (``bench/load/locustfile.py``): the users ramp up over 10 s; when the time is
   up each user ends the request it is in (``--stop-timeout``).
5. CPU per request of a typical API read against a bare Flask endpoint: gunicorn on plain ``wsgi:app`` and on
   ``bench/load/bare_app.py`` side by side, same settings; the same short Locust run against each in turn, for
   ``--cpu-rounds`` rounds; the workers' CPU time (``/proc/<pid>/stat``: user + system) divided by the requests
   served, each read divided by the same round's bare endpoint, the median of the rounds reported.
6. The check: every record the server acknowledged (logged by the Locust users) is in the database exactly once
   under its id, nothing acknowledged is missing, every completed inspection is completed, every photo's file and
   thumbnail are on disk and the file's SHA-256 is the recorded one; records stored by the test accounts that were
   never acknowledged are counted too.
7. The results: per request name, count, failures, p50 / p95 / p99 (ms, from each request's own time) and the
   app's mean CPU ms (from the worker's log); printed, and written to ``results.md`` and ``results.json`` in the run's
   folder. Exit status 1 if any request failed, any record was lost or duplicated, or a target was missed.

Targets (issue 14): no error; no record lost or duplicated; p95 ≤ 150 ms over the requests that upload nothing;
the CPU per request of a typical API read within 3× that of a bare Flask endpoint served the same way.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOAD = ROOT / "bench" / "load"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(LOAD))

from generate_province import BENCH_PASSWORD, SUPERVISOR  # noqa: E402  (bench/ is this script's folder)

PG_DEFAULT = "postgresql+psycopg://inspect:inspect@127.0.0.1:5432/bench_load"
UPLOADS = ("POST", "/api/v1/inspections/<id>/photos")
TARGET_P95_MS = 150
TARGET_CPU_RATIO = 3.0


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# ---- 1. the instance ---------------------------------------------------------------------------------------------


def generate(url: str, args) -> None:
    command = [
        sys.executable,
        str(ROOT / "bench" / "generate_province.py"),
        url,
        "--recreate",
        "--units",
        str(args.units),
        "--premises",
        str(args.premises),
        "--inspections",
        str(args.inspections),
    ]
    done = subprocess.run(command, check=False, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        print(done.stdout, done.stderr, file=sys.stderr)
        raise SystemExit(f"generate_province.py failed ({done.returncode})")
    log(done.stdout.strip().splitlines()[-1])


APP_ROLE = "inspect_load_app"


def app_role_url(url: str, role: str) -> str:
    """PostgreSQL: the URL the servers use, as the README's deployment has it — a role that is neither the tables'
    owner nor a superuser, with rows to read and write only, so row-level security's policies are evaluated on
    every statement. Made (or given back its grants) by the owner; its password is its name."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    engine = create_engine(url)
    with engine.begin() as connection:
        exists = connection.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": role})
        if not exists:
            connection.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD '{role}' NOSUPERUSER NOBYPASSRLS"))
        connection.execute(text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"))
        connection.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"))
    engine.dispose()
    return make_url(url).set(username=role, password=role).render_as_string(hide_password=False)


# ---- 2. the plan ---------------------------------------------------------------------------------------------------


def prepare(url: str, upload_dir: Path, args) -> dict:
    """Tokens, spots and reports for the users; the ids each table had before the run."""
    from sqlalchemy import func, select

    from flow import scale_and_weight
    from inspect_app import create_app
    from inspect_app.api.auth import issue_token
    from inspect_app.extensions import db
    from inspect_app.models import Inspection, Photo, Premise, User
    from inspect_app.models.inspections import Finding
    from inspect_app.models.metrology import Instrument, Reading, ReferenceStandard
    from inspect_app.reports import service as reports

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "load", "UPLOAD_DIR": str(upload_dir)})
    plan: dict = {"password": BENCH_PASSWORD, "inspectors": [], "supervisors": [], "before": {}}
    with app.app_context():
        for model in (Inspection, Finding, Reading, Photo):
            plan["before"][model.__tablename__] = db.session.scalar(
                select(func.coalesce(func.max(model.id), 0))
            )
        inspectors = db.session.scalars(
            select(User)
            .where(User.role == "inspector", User.active.is_(True))
            .order_by(User.unit_id, User.username)
        ).all()[: args.inspectors]
        if len(inspectors) < args.inspectors:
            raise SystemExit(f"only {len(inspectors)} inspector accounts; use more --units")
        units = sorted({user.unit_id for user in inspectors})
        standards_of = defaultdict(list)
        for standard in db.session.scalars(
            select(ReferenceStandard).where(
                ReferenceStandard.unit_id.in_(units), ReferenceStandard.active.is_(True)
            )
        ):
            standards_of[standard.unit_id].append(
                {
                    "id": standard.id,
                    "kind": standard.kind,
                    "nominal": standard.nominal,
                    "unit": standard.unit,
                    "correction_mg": standard.correction_mg,
                }
            )
        instruments_at = defaultdict(list)
        for instrument in db.session.scalars(select(Instrument).where(Instrument.unit_id.in_(units))):
            instruments_at[instrument.premise_id].append(
                {
                    "id": instrument.id,
                    "instrument_type": instrument.instrument_type,
                    "in_use": instrument.in_use,
                    "max_capacity": instrument.max_capacity,
                    "e": instrument.e,
                    "unit": instrument.unit,
                }
            )
        spots_of, candidates_of = {}, {}
        for unit_id in units:
            premises = db.session.scalars(
                select(Premise)
                .where(Premise.unit_id == unit_id, Premise.status == "active", Premise.latitude.is_not(None))
                .order_by(Premise.id)
            ).all()
            fit = [p for p in premises if scale_and_weight(instruments_at[p.id], standards_of[unit_id])]
            candidates_of[unit_id] = [p.id for p in fit]
            spots_of[unit_id] = [[p.latitude, p.longitude] for p in fit[:: max(1, len(fit) // 40)]]
        for user in inspectors:
            _, token = issue_token(user, "load test")
            plan["inspectors"].append(
                {
                    "username": user.username,
                    "user_id": user.id,
                    "unit_id": user.unit_id,
                    "token": token,
                    "spots": spots_of[user.unit_id],
                    "premise_ids": candidates_of[user.unit_id],
                }
            )
        province = db.session.scalars(select(User).where(User.username == SUPERVISOR)).one()
        commune_supervisors = db.session.scalars(
            select(User).where(User.role == "supervisor", User.unit_id.in_(units)).order_by(User.unit_id)
        ).all()[: max(0, args.supervisors - 1)]
        year = (date(2025, 12, 1), date(2026, 11, 30))
        report_ids = []
        for user in commune_supervisors:
            report, _ = reports.create_report({"period_from": year[0], "period_to": year[1]}, user)
            report_ids.append(report.id)
        for n, user in enumerate([province, *commune_supervisors][: args.supervisors]):
            scope = select(Premise).where(Premise.latitude.is_not(None))
            if user.unit_id is not None:
                scope = scope.where(Premise.unit_id == user.unit_id)
            located = scope.subquery()
            box = db.session.execute(
                select(
                    func.min(located.c.longitude),
                    func.min(located.c.latitude),
                    func.max(located.c.longitude),
                    func.max(located.c.latitude),
                )
            ).one()
            cards = db.session.scalars(
                scope.with_only_columns(Premise.id).order_by(Premise.id).limit(200)
            ).all()
            plan["supervisors"].append(
                {
                    "username": user.username,
                    "scope": "province" if user.unit_id is None else "commune",
                    "bbox": [float(v) for v in box],
                    "premise_ids": list(cards),
                    # The province supervisor reads the communes' reports too.
                    "report_id": report_ids[n - 1] if n else (report_ids[0] if report_ids else None),
                }
            )
        # An inspection of the generated year in each inspector's scope, for the CPU comparison's read.
        plan["read_inspection_id"] = db.session.scalar(
            select(Inspection.id)
            .where(Inspection.unit_id == inspectors[0].unit_id)
            .order_by(Inspection.id.desc())
        )
        plan["read_premise_id"] = candidates_of[inspectors[0].unit_id][0]
        db.session.remove()
        db.engine.dispose()
    return plan


# ---- 3. gunicorn -------------------------------------------------------------------------------------------------


class Server:
    """gunicorn serving one WSGI app on loopback, with its workers' CPU time readable."""

    def __init__(self, target: str, port: int, env: dict, log_path: Path, args):
        self.port = port
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--chdir",
            str(ROOT),
            "--pythonpath",
            str(LOAD),
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--bind",
            f"127.0.0.1:{port}",
            "--keep-alive",
            str(args.keep_alive),
            target,
        ]
        # The app's own log lines (a 503's cause, a traceback) go to stderr: into the same file.
        self.log = open(log_path, "ab")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, start_new_session=True, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f"gunicorn did not start ({target}); see {log_path}")
            time.sleep(0.5)
        # Every worker has booted once /healthz answers from any; give the others a moment.
        time.sleep(2)
        if self.process.poll() is not None or not self.workers():
            # What answered was another process on the port: ours has exited.
            self.stop()
            raise SystemExit(f"gunicorn did not start ({target}): is port {port} taken? see {log_path}")

    def workers(self):
        import psutil

        return psutil.Process(self.process.pid).children()

    def worker_cpu(self) -> dict[int, float]:
        """Each worker's CPU seconds (user + system) so far."""
        cpu = {}
        for worker in self.workers():
            try:
                times = worker.cpu_times()
                cpu[worker.pid] = times.user + times.system
            except Exception:  # a worker that just exited
                pass
        return cpu

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def database_cpu(db_name: str | None) -> float:
    """CPU seconds of the PostgreSQL backends connected to this database (0 for SQLite: it runs in the workers)."""
    if not db_name:
        return 0.0
    import psutil

    total = 0.0
    for process in psutil.process_iter(["name", "cmdline"]):
        try:
            line = " ".join(process.info["cmdline"] or [])
            if line.startswith("postgres:") and f" {db_name} " in f"{line} ":
                times = process.cpu_times()
                total += times.user + times.system
        except Exception:
            pass
    return total


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_locust(
    locustfile: Path, host: str, users: int, spawn_rate: float, run_time: str, out: Path, env: dict, extra=()
):
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(locustfile),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(spawn_rate),
        "--run-time",
        run_time,
        "--stop-timeout",
        "20",
        "--host",
        host,
        "--csv",
        str(out),
        "--only-summary",
        "--loglevel",
        "WARNING",
        *extra,
    ]
    before = children_cpu()
    started = time.monotonic()
    result = subprocess.run(command, check=False, cwd=ROOT, env=env)
    return {"exit": result.returncode, "wall_s": time.monotonic() - started, "cpu_s": children_cpu() - before}


# ---- 6. the check -----------------------------------------------------------------------------------------------


def check(url: str, upload_dir: Path, acks_path: Path, plan: dict) -> dict:
    """What the server acknowledged against what the database and the file store hold."""
    from sqlalchemy import create_engine, select

    from inspect_app.models import Inspection, Photo
    from inspect_app.models.inspections import Finding
    from inspect_app.models.metrology import Reading

    acks = [json.loads(line) for line in acks_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_kind = defaultdict(list)
    for ack in acks:
        by_kind[ack["kind"]].append(ack)
    tables = {"inspection": Inspection, "finding": Finding, "reading": Reading, "photo": Photo}
    inspector_ids = [account["user_id"] for account in plan["inspectors"]]
    engine = create_engine(url)
    result: dict = {
        "acknowledged": {},
        "lost": {},
        "duplicated": {},
        "wrong_id": {},
        "not_acknowledged": {},
        "not_acknowledged_why": {},
    }
    sent = {a["uuid"] for a in by_kind["sent"]}
    refused = {a["uuid"]: a["status"] for a in by_kind["refused"]}
    problems: list[str] = []
    with engine.connect() as conn:
        for kind, model in tables.items():
            table = model.__table__
            acked = by_kind[kind]
            result["acknowledged"][kind] = len(acked)
            acked_twice = [u for u, n in Counter(a["uuid"] for a in acked).items() if n > 1]
            stored = defaultdict(list)
            rows = conn.execute(
                select(table.c.uuid, table.c.id).where(
                    table.c.id > plan["before"][table.name], table.c.created_by_id.in_(inspector_ids)
                )
            ).all()
            for row_uuid, row_id in rows:
                stored[str(row_uuid)].append(row_id)
            lost = [a for a in acked if a["uuid"] not in stored]
            duplicated = [u for u, ids in stored.items() if len(ids) > 1] + acked_twice
            wrong = [a for a in acked if a["uuid"] in stored and stored[a["uuid"]] != [a["id"]]]
            unacked = set(stored) - {a["uuid"] for a in acked}
            result["lost"][kind] = len(lost)
            result["duplicated"][kind] = len(duplicated)
            result["wrong_id"][kind] = len(wrong)
            result["not_acknowledged"][kind] = len(unacked)
            # Why: refused with a status (stored all the same: a server bug), or sent with no answer before the end.
            why = Counter(
                f"answered {refused[u]}" if u in refused else ("no answer" if u in sent else "never sent")
                for u in unacked
            )
            result["not_acknowledged_why"][kind] = dict(why)
            problems += [
                f"{kind} {a['uuid']} acknowledged as id {a['id']}, not in the database" for a in lost[:5]
            ]
            problems += [f"{kind} {u} stored or acknowledged more than once" for u in duplicated[:5]]
            problems += [
                f"{kind} {a['uuid']} acknowledged as id {a['id']}, stored as {stored[a['uuid']]}"
                for a in wrong[:5]
            ]
        completed = {a["id"]: a["version"] for a in by_kind["completed"]}
        status = dict(
            conn.execute(
                select(Inspection.__table__.c.id, Inspection.__table__.c.status).where(
                    Inspection.__table__.c.id.in_(list(completed) or [0])
                )
            ).all()
        )
        not_completed = [i for i in completed if status.get(i) != "completed"]
        result["acknowledged"]["completed"] = len(completed)
        result["lost"]["completed"] = len(not_completed)
        problems += [
            f"inspection {i} acknowledged as completed, stored as {status.get(i)}" for i in not_completed[:5]
        ]
        photos = {a["id"]: a for a in by_kind["photo"]}
        photo_table = Photo.__table__
        rows = conn.execute(
            select(
                photo_table.c.id, photo_table.c.sha256, photo_table.c.storage_key, photo_table.c.thumbnail_key
            ).where(photo_table.c.id.in_(list(photos) or [0]))
        ).all()
        bad_files = 0
        for photo_id, sha256, key, thumbnail in rows:
            path, thumb = upload_dir / key, upload_dir / (thumbnail or "")
            if sha256 != photos[photo_id]["sha256"]:
                bad_files += 1
                problems.append(
                    f"photo {photo_id}: acknowledged SHA-256 {photos[photo_id]['sha256']}, stored {sha256}"
                )
            elif not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != sha256:
                bad_files += 1
                problems.append(f"photo {photo_id}: file {key} missing or not matching its SHA-256")
            elif not thumbnail or not thumb.is_file():
                bad_files += 1
                problems.append(f"photo {photo_id}: thumbnail {thumbnail} missing")
        result["photo_files_checked"] = len(rows)
        result["photo_files_bad"] = bad_files
    engine.dispose()
    result["problems"] = problems
    return result


# ---- 7. the results ----------------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, int(-(-share * len(ordered) // 1)))
    return ordered[min(rank, len(ordered)) - 1]


def request_table(timings_path: Path, cpu_dir: Path) -> tuple[list[dict], dict]:
    times = defaultdict(list)
    failures = Counter()
    for line in timings_path.read_text(encoding="utf-8").splitlines():
        method, name, ms, status, ok = line.split("\t")
        times[(method, name)].append(float(ms))
        if ok != "1":
            failures[(method, name)] += 1
    cpu = defaultdict(list)
    statuses = Counter()
    for path in cpu_dir.glob("cpu-*.tsv"):
        for line in path.read_text(encoding="utf-8").splitlines():
            method, name, status, cpu_ms, _wall = line.split("\t")
            cpu[(method, name)].append(float(cpu_ms))
            statuses[status] += 1
    rows = []
    for key in sorted(times, key=lambda k: (-len(times[k]), k)):
        values = times[key]
        rows.append(
            {
                "method": key[0],
                "name": key[1],
                "count": len(values),
                "failures": failures[key],
                "p50": percentile(values, 0.50),
                "p95": percentile(values, 0.95),
                "p99": percentile(values, 0.99),
                "max": max(values),
                "cpu_ms": statistics.fmean(cpu[key]) if cpu.get(key) else None,
            }
        )
    everything = [v for values in times.values() for v in values]
    no_upload = [v for key, values in times.items() if key != UPLOADS for v in values]
    totals = {
        "requests": len(everything),
        "failures": sum(failures.values()),
        "p50": percentile(everything, 0.5),
        "p95": percentile(everything, 0.95),
        "p99": percentile(everything, 0.99),
        "no_upload_requests": len(no_upload),
        "no_upload_p50": percentile(no_upload, 0.5),
        "no_upload_p95": percentile(no_upload, 0.95),
        "no_upload_p99": percentile(no_upload, 0.99),
        "server_statuses": dict(statuses),
        "app_cpu_ms_logged": sum(sum(v) for v in cpu.values()),
    }
    return rows, totals


def markdown(rows: list[dict], totals: dict, run: dict) -> str:
    lines = [
        "| request | count | failures | p50 ms | p95 ms | p99 ms | max ms | app CPU ms (mean) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        cpu = f"{row['cpu_ms']:.1f}" if row["cpu_ms"] is not None else "–"
        lines.append(
            f"| {row['method']} {row['name']} | {row['count']:,} | {row['failures']} | {row['p50']:.0f} | "
            f"{row['p95']:.0f} | {row['p99']:.0f} | {row['max']:.0f} | {cpu} |"
        )
    lines.append(
        f"| **all** | {totals['requests']:,} | {totals['failures']} | {totals['p50']:.0f} | {totals['p95']:.0f} | "
        f"{totals['p99']:.0f} | | |"
    )
    lines.append(
        f"| **all but photo uploads** | {totals['no_upload_requests']:,} | | {totals['no_upload_p50']:.0f} | "
        f"{totals['no_upload_p95']:.0f} | {totals['no_upload_p99']:.0f} | | |"
    )
    return "\n".join(lines)


# ---- the run -----------------------------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=("sqlite", "postgres"), required=True)
    parser.add_argument(
        "--postgres-url", default=PG_DEFAULT, help="database to (re)create for the postgres run"
    )
    parser.add_argument(
        "--out", type=Path, help="folder for the run's files (default /tmp/loadtest-<backend>-<time>)"
    )
    parser.add_argument("--run-time", default="2m")
    parser.add_argument("--inspectors", type=int, default=50)
    parser.add_argument("--supervisors", type=int, default=5)
    parser.add_argument("--think", default="0.5,1.5", help="seconds between two requests of a user: min,max")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--keep-alive",
        type=int,
        default=2,
        help="gunicorn's --keep-alive in seconds (its default 2; 0: none)",
    )
    parser.add_argument(
        "--units", type=int, default=25, help="communes of the generated province (2 inspectors each)"
    )
    parser.add_argument("--premises", type=int, default=10_000)
    parser.add_argument("--inspections", type=int, default=20_000)
    parser.add_argument("--cpu-seconds", type=int, default=10, help="length of each CPU comparison run")
    parser.add_argument("--cpu-users", type=int, default=4)
    parser.add_argument(
        "--cpu-rate",
        type=float,
        help="requests per second of each CPU comparison user (default: as fast as each case is served)",
    )
    parser.add_argument(
        "--cpu-rounds", type=int, default=3, help="turns of the CPU comparison's cases (the median is reported)"
    )
    parser.add_argument("--skip-cpu", action="store_true", help="leave out the CPU comparison")
    parser.add_argument(
        "--as-owner",
        action="store_true",
        help="PostgreSQL: serve as the tables' owner (the URL's role) instead of the app's own role "
        f"({APP_ROLE}), as a deployment without DATABASE_APP_ROLE would",
    )
    parser.add_argument(
        "--cpu-only", action="store_true", help="only the CPU comparison: no load, no check of the records"
    )
    args = parser.parse_args(argv)
    if args.cpu_rounds < 1:
        parser.error("--cpu-rounds must be at least 1")

    out = args.out or Path(f"/tmp/loadtest-{args.backend}-{time.strftime('%Y%m%d-%H%M%S')}")
    if out.exists():
        shutil.rmtree(out)
    (out / "cpu").mkdir(parents=True)
    upload_dir, instance = out / "uploads", out / "instance"
    upload_dir.mkdir()
    instance.mkdir()
    if args.backend == "sqlite":
        url, db_name = f"sqlite:///{out / 'load.sqlite3'}", None
    else:
        url = args.postgres_url
        from sqlalchemy.engine import make_url

        db_name = make_url(url).database
    load_before = os.getloadavg()
    log(f"building the instance: {url}")
    started = time.monotonic()
    generate(url, args)
    log(f"generated in {time.monotonic() - started:.0f} s; preparing the accounts")
    plan = prepare(url, upload_dir, args)
    (out / "plan.json").write_text(json.dumps(plan, default=str, ensure_ascii=False), encoding="utf-8")
    setup_s = time.monotonic() - started
    log(
        f"instance ready in {setup_s:.0f} s: {len(plan['inspectors'])} inspectors, {len(plan['supervisors'])} supervisors"
    )

    host = f"http://127.0.0.1:{args.port}"
    served_url = url if args.backend == "sqlite" or args.as_owner else app_role_url(url, APP_ROLE)
    env = {
        **os.environ,
        "DATABASE_URL": served_url,
        "SECRET_KEY": secrets.token_hex(32),
        "UPLOAD_DIR": str(upload_dir),
        "INSTANCE_PATH": str(instance),
        "PUBLIC_BASE_URL": host,
        "LOAD_CPU_LOG_DIR": str(out / "cpu"),
        "LOAD_PLAN": str(out / "plan.json"),
        "LOAD_ACKS": str(out / "acks.jsonl"),
        "LOAD_TIMINGS": str(out / "timings.tsv"),
        "LOAD_THINK": args.think,
        "PYTHONPATH": str(ROOT),
    }
    if args.cpu_only:
        comparison = cpu_comparison(args, env, out, plan, db_name)
        (out / "results.json").write_text(json.dumps({"cpu": comparison}, indent=2), encoding="utf-8")
        print(cpu_table(comparison))
        return 0 if comparison["ratio"] <= TARGET_CPU_RATIO else 1
    users = args.inspectors + args.supervisors
    server = Server("measured_wsgi:app", args.port, env, out / "gunicorn-load.log", args)
    try:
        workers_before = server.worker_cpu()
        db_before = database_cpu(db_name)
        log(f"load: {users} users for {args.run_time}")
        locust = run_locust(
            LOAD / "locustfile.py", host, users, max(1, users / 10), args.run_time, out / "locust", env
        )
        workers_after = server.worker_cpu()
        db_after = database_cpu(db_name)
    finally:
        server.stop()
    restarted = set(workers_before) != set(workers_after)
    app_cpu_s = sum(workers_after[p] - workers_before.get(p, 0.0) for p in workers_after)
    rows, totals = request_table(out / "timings.tsv", out / "cpu")
    load_during = os.getloadavg()
    run = {
        "backend": args.backend,
        "url": url,
        "served_as": "the URL's role" if served_url == url else APP_ROLE,
        "setup_s": round(setup_s),
        "users": users,
        "run_time": args.run_time,
        "think_s": args.think,
        "gunicorn": f"--workers {args.workers} --threads {args.threads} --keep-alive {args.keep_alive}",
        "locust_exit": locust["exit"],
        "locust_cpu_s": round(locust["cpu_s"], 1),
        "workers_cpu_s": round(app_cpu_s, 1),
        "workers_restarted": restarted,
        "database_cpu_s": round(db_after - db_before, 1),
        "cpu_ms_per_request": round(1000 * app_cpu_s / max(1, totals["requests"]), 2),
        "db_cpu_ms_per_request": round(1000 * (db_after - db_before) / max(1, totals["requests"]), 2),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after_load": [round(x, 2) for x in load_during],
        "generated": {"units": args.units, "premises": args.premises, "inspections": args.inspections},
    }
    log(f"load done: {totals['requests']:,} requests, {totals['failures']} failures; checking the database")
    checked = check(url, upload_dir, out / "acks.jsonl", plan)

    comparison = {}
    if not args.skip_cpu:
        try:
            comparison = cpu_comparison(args, env, out, plan, db_name)
        except (Exception, SystemExit) as error:  # the load's results are still worth writing
            comparison = {"error": str(error)}

    errors_logged = count_errors(out)
    summary = {
        "run": run,
        "totals": totals,
        "requests": rows,
        "check": checked,
        "cpu": comparison,
        "server_errors_logged": errors_logged,
    }
    (out / "results.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    text = report(summary)
    (out / "results.md").write_text(text, encoding="utf-8")
    print(text)
    log(f"files in {out}")
    missed = (
        totals["failures"]
        or sum(checked["lost"].values())
        or sum(checked["duplicated"].values())
        or sum(checked["wrong_id"].values())
        or checked["photo_files_bad"]
        or totals["no_upload_p95"] > TARGET_P95_MS
        or (comparison and comparison.get("ratio", float("inf")) > TARGET_CPU_RATIO)
    )
    return 1 if missed else 0


CPU_LOCUSTFILE = LOAD / "cpu_locustfile.py"


def cpu_comparison(args, env: dict, out: Path, plan: dict, db_name: str | None) -> dict:
    """The workers' CPU per request: two typical API reads of the app, and a bare Flask endpoint.

    Both servers run at once (the app on ``--port``, the bare endpoint on the next port) and the three cases take
    turns, ``--cpu-rounds`` times: this shared machine's speed drifts by a quarter within minutes, so each round's
    reads are divided by the same round's bare endpoint and the ratio reported is the median of the rounds'."""
    token = plan["inspectors"][0]["token"]
    cases = [
        ("app", "api_inspection", f"/api/v1/inspections/{plan['read_inspection_id']}"),
        ("app", "api_premise", f"/api/v1/premises/{plan['read_premise_id']}"),
        ("bare", "bare", "/bare/1"),
    ]
    servers: dict[str, Server] = {}
    rounds: dict[str, list[dict]] = {case: [] for _, case, _ in cases}
    try:
        for name, target, port in (("app", "wsgi:app", args.port), ("bare", "bare_app:app", args.port + 1)):
            log(f"CPU comparison: gunicorn {target} on port {port}")
            servers[name] = Server(target, port, env, out / f"gunicorn-cpu-{name}.log", args)
        for n in range(args.cpu_rounds):
            # A different case first in each round, so a drift within a round does not favour one side.
            for server_name, case, path in cases[n % len(cases) :] + cases[: n % len(cases)]:
                server = servers[server_name]
                host = f"http://127.0.0.1:{server.port}"
                case_env = {**env, "LOAD_CPU_PATH": path, "LOAD_CPU_TOKEN": token}
                if args.cpu_rate:
                    case_env["LOAD_CPU_RATE"] = str(args.cpu_rate)
                if n == 0:
                    # A warm-up (the first requests of a worker import and prepare things).
                    run_locust(
                        CPU_LOCUSTFILE, host, args.cpu_users, args.cpu_users, "3s", out / f"cpu-{case}-warmup", case_env
                    )
                before, db_before = server.worker_cpu(), database_cpu(db_name)
                prefix = out / f"cpu-{case}-{n + 1}"
                run_locust(
                    CPU_LOCUSTFILE, host, args.cpu_users, args.cpu_users, f"{args.cpu_seconds}s", prefix, case_env
                )
                after, db_after = server.worker_cpu(), database_cpu(db_name)
                count, failures = locust_total(Path(f"{prefix}_stats.csv"))
                cpu_s = sum(after[p] - before.get(p, 0.0) for p in after)
                rounds[case].append(
                    {
                        "requests": count,
                        "failures": failures,
                        "workers_cpu_ms_per_request": round(1000 * cpu_s / max(1, count), 3),
                        "db_cpu_ms_per_request": round(1000 * (db_after - db_before) / max(1, count), 3),
                    }
                )
            log(f"CPU comparison: round {n + 1} of {args.cpu_rounds} done")
    finally:
        for server in servers.values():
            server.stop()
    return summarise_cpu(cases, rounds)


def summarise_cpu(cases: list[tuple[str, str, str]], rounds: dict[str, list[dict]]) -> dict:
    """Each case's median over the rounds, and each read's ratio to the bare endpoint of the same round (median,
    lowest, highest)."""
    results: dict = {}
    for _, case, path in cases:
        runs = rounds[case]
        results[case] = {
            "path": path,
            "requests": sum(r["requests"] for r in runs),
            "failures": sum(r["failures"] for r in runs),
            "workers_cpu_ms_per_request": statistics.median(r["workers_cpu_ms_per_request"] for r in runs),
            "db_cpu_ms_per_request": statistics.median(r["db_cpu_ms_per_request"] for r in runs),
            "rounds": runs,
        }
    bare = [r["workers_cpu_ms_per_request"] for r in rounds["bare"]]
    for case in ("api_inspection", "api_premise"):
        ratios = [r["workers_cpu_ms_per_request"] / b for r, b in zip(rounds[case], bare, strict=True) if b]
        if not ratios:
            raise SystemExit("CPU comparison: the bare endpoint served nothing in any round")
        results[case]["ratio_to_bare"] = round(statistics.median(ratios), 2)
        results[case]["ratio_range"] = [round(min(ratios), 2), round(max(ratios), 2)]
    results["ratio"] = results["api_premise"]["ratio_to_bare"]
    return results


def locust_total(stats_csv: Path) -> tuple[int, int]:
    import csv

    with stats_csv.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["Name"] == "Aggregated":
                return int(row["Request Count"]), int(row["Failure Count"])
    return 0, 0


def count_errors(out: Path) -> dict:
    """Tracebacks and worker timeouts in gunicorn's logs (the app logs every 500 with its traceback)."""
    found = {}
    for path in out.glob("gunicorn-*.log"):
        text = path.read_text(encoding="utf-8", errors="replace")
        found[path.name] = {
            "tracebacks": text.count("Traceback (most recent call last)"),
            "worker_timeouts": text.count("WORKER TIMEOUT"),
            "errors": sum(1 for line in text.splitlines() if "[ERROR]" in line or " ERROR " in line),
            "database_unavailable": text.count("database unavailable on"),
        }
    return found


def report(summary: dict) -> str:
    run, totals, checked, cpu = summary["run"], summary["totals"], summary["check"], summary["cpu"]
    lines = [
        f"## Load test on {run['backend']} ({run['users']} users, {run['run_time']}, think {run['think_s']} s, "
        f"gunicorn {run['gunicorn']})",
        "",
        f"Setup {run['setup_s']} s; load average before {run['load_average_before']}, "
        f"after the load {run['load_average_after_load']}. Locust's own CPU {run['locust_cpu_s']} s.",
        "",
        markdown(summary["requests"], totals, run),
        "",
        f"Workers' CPU over the load: {run['workers_cpu_s']} s for {totals['requests']:,} requests = "
        f"**{run['cpu_ms_per_request']} ms per request** (app CPU logged per request: "
        f"{totals['app_cpu_ms_logged'] / 1000:.1f} s); database server: {run['database_cpu_s']} s = "
        f"{run['db_cpu_ms_per_request']} ms per request. Workers restarted: {run['workers_restarted']}. "
        f"Server answers by status: {totals['server_statuses']}.",
        "",
        "Records: acknowledged / lost / duplicated / acknowledged under another id / stored but not acknowledged:",
        "",
    ]
    for kind in checked["acknowledged"]:
        lines.append(
            f"- {kind}: {checked['acknowledged'][kind]:,} / {checked['lost'].get(kind, 0)} / "
            f"{checked['duplicated'].get(kind, 0)} / {checked['wrong_id'].get(kind, 0)} / "
            f"{checked['not_acknowledged'].get(kind, 0)}"
            + (
                f" ({checked['not_acknowledged_why'][kind]})"
                if checked["not_acknowledged_why"].get(kind)
                else ""
            )
        )
    lines.append(
        f"- photo files checked against their SHA-256: {checked['photo_files_checked']:,}, bad: "
        f"{checked['photo_files_bad']}"
    )
    for problem in checked["problems"][:20]:
        lines.append(f"  - {problem}")
    lines.append(f"- server logs: {summary['server_errors_logged']}")
    if cpu.get("error"):
        lines += ["", f"CPU comparison failed: {cpu['error']}"]
    elif cpu:
        lines += ["", cpu_table(cpu)]
    return "\n".join(lines) + "\n"


def cpu_table(cpu: dict) -> str:
    lines = [
        "CPU per request, gunicorn workers (user + system), same gunicorn and Locust settings:",
        "",
        "| case | requests | failures | workers' CPU ms / request (median of rounds) | database CPU ms / request | "
        "× bare (median; range) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for case in ("api_inspection", "api_premise", "bare"):
        row = cpu[case]
        spread = row.get("ratio_range")
        ratio = f"{row.get('ratio_to_bare', 1.0):.1f}" + (f" ({spread[0]:.1f}–{spread[1]:.1f})" if spread else "")
        lines.append(
            f"| GET {row['path']} | {row['requests']:,} | {row['failures']} | "
            f"{row['workers_cpu_ms_per_request']:.2f} | {row['db_cpu_ms_per_request']:.2f} | {ratio} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
