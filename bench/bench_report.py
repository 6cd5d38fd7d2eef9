"""Time the yearly report's figures (``reports.figures.report_table``) on a province built by generate_province.py.

The issue's size is 100,000 inspections and 1,000,000 readings:

    .venv/bin/python bench/generate_province.py sqlite:////tmp/bench_report.sqlite3 --recreate \
        --inspections 100000 --readings-scale 14
    .venv/bin/python bench/generate_province.py \
        postgresql+psycopg://inspect:inspect@127.0.0.1:5432/bench_report --recreate \
        --inspections 100000 --readings-scale 14
    .venv/bin/python bench/bench_report.py sqlite:////tmp/bench_report.sqlite3 \
        postgresql+psycopg://inspect:inspect@127.0.0.1:5432/bench_report --runs 5

Every figure of the report for the generated year (1/12/2025–30/11/2026), as the province supervisor (every
commune and the total) and as one commune's inspector, computed in this process after one warm-up: CPU ms of this
process plus, on PostgreSQL, of its server backend (not its parallel workers; the wall column has them), wall ms and
statements, medians of --runs. The target is 1 s for the province.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bench_lists import Meter
from bench_map import make_app
from generate_province import SUPERVISOR

PERIOD = (date(2025, 12, 1), date(2026, 11, 30))
TODAY = date(2026, 12, 2)


def bench_database(url: str, runs: int, accounts_for=None) -> dict[str, dict]:
    """``report_table`` for the generated year as each of ``accounts_for()`` ({label: user}; by default the province
    supervisor and one commune's inspector)."""
    from inspect_app.extensions import db
    from inspect_app.models import Inspection, Reading, User
    from inspect_app.reports.figures import report_table

    app = make_app(url, {})
    results = {}
    with app.app_context():
        meter = Meter(db.engine)
        sizes = db.session.execute(
            select(
                select(func.count()).select_from(Inspection).scalar_subquery(),
                select(func.count()).select_from(Reading).scalar_subquery(),
            )
        ).one()
        print(f"  {sizes[0]:,} inspections, {sizes[1]:,} readings", file=sys.stderr)
        accounts = (
            accounts_for()
            if accounts_for
            else {
                "province (every commune and the total)": db.session.scalars(
                    select(User).where(User.username == SUPERVISOR)
                ).one(),
                "one commune": db.session.scalars(
                    select(User).where(User.role == "inspector").order_by(User.unit_id, User.id)
                ).first(),
            }
        )
        for label, user in accounts.items():
            samples = []
            for index in range(runs + 1):  # run 0 is the warm-up
                db.session.expire_all()
                statements, db_before = meter.statements, meter.db_cpu_ns()
                cpu_before, wall_before = time.process_time(), time.perf_counter()
                table = report_table(user, *PERIOD, today=TODAY)
                cpu, wall = time.process_time() - cpu_before, time.perf_counter() - wall_before
                if index:
                    samples.append(
                        (cpu, (meter.db_cpu_ns() - db_before) / 1e9, wall, meter.statements - statements)
                    )
            results[label] = {
                "cpu_ms": statistics.median(s[0] for s in samples) * 1000,
                "db_cpu_ms": statistics.median(s[1] for s in samples) * 1000,
                "wall_ms": statistics.median(s[2] for s in samples) * 1000,
                "statements": statistics.median(s[3] for s in samples),
                "units": len(table.units),
                "inspections": table.value("inspections"),
                "control": table.value("control"),
            }
            print(f"  {label}: {results[label]}", file=sys.stderr, flush=True)
        db.session.remove()
        db.engine.dispose()
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("urls", nargs="+", help="database URLs built by generate_province.py")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    with open("/proc/loadavg") as handle:
        print(f"load average at start: {handle.read().split()[0]}", file=sys.stderr)
    everything = {}
    for url in args.urls:
        backend = make_url(url).get_backend_name()
        print(f"{backend}: {make_url(url).render_as_string()}", file=sys.stderr)
        everything[backend] = bench_database(url, args.runs)
    with open("/proc/loadavg") as handle:
        print(f"load average at end: {handle.read().split()[0]}", file=sys.stderr)
    print("| case | backend | CPU ms (app + db) | wall ms | statements | inspections counted |")
    print("|---|---|---:|---:|---:|---:|")
    for backend, results in everything.items():
        for label, r in results.items():
            cpu = f"{r['cpu_ms'] + r['db_cpu_ms']:,.0f} ({r['cpu_ms']:,.0f} + {r['db_cpu_ms']:,.0f})"
            print(
                f"| {label} | {backend} | {cpu} | {r['wall_ms']:,.0f} | {r['statements']:.0f} | "
                f"{r['inspections']:,} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
