"""Time the list pages and list API calls on a province built by generate_province.py.

    .venv/bin/python bench/bench_lists.py sqlite:////path/bench_province_scale.sqlite3 \
        postgresql+psycopg://inspect:inspect@127.0.0.1:5432/bench_province_scale

For each database, as the province supervisor and as one commune's inspector, every case is requested once to warm
up and then --runs times through Flask's test client in this process. Per request it records:

- app CPU: ``time.process_time()`` of this process (Flask, SQLAlchemy, the driver, SQLite itself);
- DB CPU (PostgreSQL only): on-CPU time of the server backends that served this process's connections, read from
  ``/proc/<pid>/schedstat`` (the server runs on this machine);
- statements: SQL statements sent (a ``before_cursor_execute`` listener).

Medians are printed as a Markdown table (app CPU + DB CPU is the figure held against the 150 ms / 50 ms targets),
and --json writes every sample. Wall time is not reported: the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, select
from sqlalchemy.engine import make_url

from generate_province import BENCH_PASSWORD, SUPERVISOR

SLOW_CPU_S = 2.0  # a case slower than this in warm-up is run --slow-runs times instead of --runs


class Meter:
    """Counts statements and collects PostgreSQL backend pids of the engine's connections."""

    def __init__(self, engine):
        self.statements = 0
        self.backend_pids: set[int] = set()
        self.postgres = engine.dialect.name == "postgresql"
        event.listen(engine, "before_cursor_execute", self._count)
        if self.postgres:
            event.listen(engine, "connect", self._connected)

    def _count(self, *args, **kwargs):
        self.statements += 1

    def _connected(self, dbapi_connection, record):
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT pg_backend_pid()")
        self.backend_pids.add(cursor.fetchone()[0])
        cursor.close()

    def db_cpu_ns(self) -> int:
        total = 0
        for pid in self.backend_pids:
            try:
                total += int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
            except (OSError, ValueError, IndexError):
                pass
        return total


def deep_cursor(model_name: str, offset: int, user) -> dict:
    """Query arguments that open the page starting at row `offset` of a list, whichever paging the code has:
    ``page=`` before keyset paging, else a cursor naming the row before it in the list's sort order."""
    from inspect_app.access import scoped
    from inspect_app.extensions import db
    from inspect_app.models import Inspection, Minutes, Premise

    try:
        from inspect_app.web.paging import encode_cursor
    except ImportError:
        return {"page": offset // 50 + 1}
    order = {
        "premises": (Premise, [Premise.name, Premise.id]),
        "inspections": (Inspection, [Inspection.started_at.desc(), Inspection.id.desc()]),
        "minutes": (Minutes, [Minutes.issued_on.desc(), Minutes.number.desc(), Minutes.id.desc()]),
    }
    model, columns = order[model_name]
    row = db.session.scalars(scoped(model, user).order_by(*columns).offset(offset - 1).limit(1)).first()
    keys = {
        "premises": lambda p: [p.name, p.id],
        "inspections": lambda i: [i.started_at, i.id],
        "minutes": lambda m: [m.issued_on, m.number, m.id],
    }
    return {"after": encode_cursor(keys[model_name](row))} if row is not None else {}


def cases(app, role: str, user) -> list[tuple[str, str, dict]]:
    """(label, url, query) for one account; the deep pages start at row 25,000 / 100,000 / 10,000 (province)."""
    from datetime import timedelta

    from inspect_app.domain.time import utcnow
    from inspect_app.extensions import db
    from inspect_app.models import Market, Unit

    # The phone's position: beside the commune's first market, as at a morning visit.
    scale = 1 if role == "province" else 96
    market = db.session.scalars(
        select(Market).where(Market.unit_id == (user.unit_id or 1)).order_by(Market.id)
    ).first()
    near = f"{market.latitude + 0.0002:.6f},{market.longitude - 0.0003:.6f}"
    # Out in the fields, ~4 km from the commune's centre: the box must widen further.
    home = db.session.get(Unit, user.unit_id or 1)
    edge = f"{home.latitude + 0.03:.6f},{home.longitude + 0.025:.6f}"
    return [
        ("HTML /premises", "/premises", {}),
        (
            f"HTML /premises from row {25000 // scale:,}",
            "/premises",
            deep_cursor("premises", 25000 // scale, user),
        ),
        ("HTML /premises?q=nguyen&type=market_stall", "/premises", {"q": "nguyen", "type": "market_stall"}),
        ("HTML /inspections", "/inspections", {}),
        (
            f"HTML /inspections from row {100000 // scale:,}",
            "/inspections",
            deep_cursor("inspections", 100000 // scale, user),
        ),
        (
            "HTML /inspections?status=completed&outcome=fix_request",
            "/inspections",
            {"status": "completed", "outcome": "fix_request"},
        ),
        ("HTML /minutes", "/minutes", {}),
        (
            f"HTML /minutes from row {10000 // scale:,}",
            "/minutes",
            deep_cursor("minutes", 10000 // scale, user),
        ),
        ("HTML /minutes?status=valid&day=2026-06-15", "/minutes", {"status": "valid", "day": "2026-06-15"}),
        ("HTML /markets", "/markets", {}),
        ("API /api/v1/premises", "/api/v1/premises", {}),
        (
            f"API /api/v1/premises from row {25000 // scale:,}",
            "/api/v1/premises",
            api_cursor(deep_cursor("premises", 25000 // scale, user)),
        ),
        ("API /api/v1/premises?q=nguyen", "/api/v1/premises", {"q": "nguyen"}),
        ("API /api/v1/premises?near= (phone, at a market)", "/api/v1/premises", {"near": near}),
        ("API /api/v1/premises?near= (phone, in the fields 4 km out)", "/api/v1/premises", {"near": edge}),
        (
            "API /api/v1/premises/changes, first 500 (phone cache, first fetch)",
            "/api/v1/premises/changes",
            {},
        ),
        (
            "API /api/v1/premises/changes?since=7 days ago (phone cache, next fetch)",
            "/api/v1/premises/changes",
            {"since": (utcnow() - timedelta(days=7)).isoformat()},
        ),
        ("API /api/v1/inspections", "/api/v1/inspections", {}),
        (
            f"API /api/v1/inspections from row {100000 // scale:,}",
            "/api/v1/inspections",
            api_cursor(deep_cursor("inspections", 100000 // scale, user)),
        ),
    ]


def api_cursor(query: dict) -> dict:
    """The API names its cursor ``cursor``; the desk's pages say ``after``."""
    return {"cursor": query["after"]} if "after" in query else query


def bench_database(url: str, runs: int, slow_runs: int, only: str | None) -> dict:
    from inspect_app import create_app
    from inspect_app.extensions import db
    from inspect_app.models import User

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "UPLOAD_DIR": tempfile.mkdtemp(),
            "WTF_CSRF_ENABLED": False,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "LOGIN_MAX_FAILURES_PER_IP": 10_000,
        }
    )
    results: dict[str, dict] = {}
    with app.app_context():
        meter = Meter(db.engine)
        accounts = {
            "province": db.session.scalars(select(User).where(User.username == SUPERVISOR)).one(),
            "commune": db.session.scalars(
                select(User).where(User.role == "inspector").order_by(User.unit_id, User.id)
            ).first(),
        }
        plan = {role: cases(app, role, user) for role, user in accounts.items()}
        db.session.remove()
    for role, user_cases in plan.items():
        client = app.test_client()
        with app.app_context():
            username = db.session.get(User, accounts[role].id).username
            db.session.remove()
        response = client.post("/login", data={"username": username, "password": BENCH_PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        for label, path, query in user_cases:
            if only and only not in label:
                continue
            samples = []
            planned = runs
            index = 0
            while index <= planned:  # request 0 is the warm-up
                statements_before = meter.statements
                db_before = meter.db_cpu_ns()
                cpu_before = time.process_time()
                response = client.get(path, query_string=query)
                cpu = time.process_time() - cpu_before
                db_cpu = (meter.db_cpu_ns() - db_before) / 1e9
                statements = meter.statements - statements_before
                assert response.status_code == 200, (label, response.status_code)
                if index == 0:
                    if cpu > SLOW_CPU_S:
                        planned = slow_runs
                else:
                    samples.append(
                        {
                            "cpu_s": cpu,
                            "db_cpu_s": db_cpu,
                            "statements": statements,
                            "bytes": len(response.get_data()),
                        }
                    )
                index += 1
            key = f"{role}: {label}"
            results[key] = {
                "cpu_ms": statistics.median(s["cpu_s"] for s in samples) * 1000,
                "db_cpu_ms": statistics.median(s["db_cpu_s"] for s in samples) * 1000,
                "statements": statistics.median(s["statements"] for s in samples),
                "runs": len(samples),
                "samples": samples,
            }
            r = results[key]
            print(
                f"  {key}: {r['cpu_ms']:.1f} ms app + {r['db_cpu_ms']:.1f} ms db, "
                f"{r['statements']:.0f} statements ({r['runs']} runs)",
                file=sys.stderr,
                flush=True,
            )
    with app.app_context():
        db.engine.dispose()
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("urls", nargs="+", help="database URLs built by generate_province.py")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--slow-runs", type=int, default=2, help="runs of a case over 2 s CPU in warm-up")
    parser.add_argument("--only", help="only cases whose label contains this text")
    parser.add_argument("--json", type=Path, help="write every sample here")
    args = parser.parse_args(argv)
    with open("/proc/loadavg") as handle:
        print(f"load average at start: {handle.read().split()[0]}", file=sys.stderr)
    everything = {}
    for url in args.urls:
        backend = make_url(url).get_backend_name()
        print(f"{backend}: {make_url(url).render_as_string()}", file=sys.stderr)
        everything[backend] = bench_database(url, args.runs, args.slow_runs, args.only)
    with open("/proc/loadavg") as handle:
        print(f"load average at end: {handle.read().split()[0]}", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(everything, indent=1, ensure_ascii=False))
    backends = list(everything)
    header = ["case"]
    for backend in backends:
        if backend == "postgresql":
            header += ["PostgreSQL CPU ms (app + db)", "statements"]
        else:
            header += [f"{backend} CPU ms", "statements"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" + "---:|" * (len(header) - 1))
    labels = list(dict.fromkeys(label for results in everything.values() for label in results))
    for label in labels:
        row = [label]
        for backend in backends:
            r = everything[backend].get(label)
            if r is None:
                row += ["–", "–"]
            elif backend == "postgresql":
                total = r["cpu_ms"] + r["db_cpu_ms"]
                row += [
                    f"{total:,.0f} ({r['cpu_ms']:,.0f} + {r['db_cpu_ms']:,.0f})",
                    f"{r['statements']:.0f}",
                ]
            else:
                row += [f"{r['cpu_ms']:,.0f}", f"{r['statements']:.0f}"]
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
