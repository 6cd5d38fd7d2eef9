"""Time the list exports on a province built by generate_province.py: CPU time, peak memory, file size, statements.

    .venv/bin/python bench/bench_exports.py sqlite:////tmp/bench_province_scale.sqlite3
    .venv/bin/python bench/bench_exports.py postgresql+psycopg://inspect:inspect@127.0.0.1:5432/bench_province_scale

As the province supervisor (every commune), each export is requested through Flask's test client in this process and
its body read to the end. Per case it records the process's CPU time (``time.process_time()``: Flask, SQLAlchemy, the
driver, SQLite itself, CSV or XlsxWriter), the growth of the process's peak RSS during the case (``ru_maxrss``: the
whole process, C allocations included; each case runs in a fresh child process so one case's peak is not another's),
the Python heap's peak (tracemalloc, with --tracemalloc: slows the run about threefold), the bytes sent, the rows
and the SQL statements. Wall time is not reported: the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generate_province import BENCH_PASSWORD, SUPERVISOR

CASES = [
    ("inspections", "xlsx", ""),
    ("inspections", "csv", ""),
    ("premises", "xlsx", ""),
    ("premises", "csv", ""),
    ("findings", "csv", "?status=minutes_issued"),
    ("minutes", "xlsx", ""),
]


def run_case(url: str, name: str, fmt: str, query: str, use_tracemalloc: bool, out) -> None:
    import tempfile

    from sqlalchemy import event

    from inspect_app import create_app
    from inspect_app.extensions import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "UPLOAD_DIR": tempfile.mkdtemp(),
            "WTF_CSRF_ENABLED": False,
            "LOGIN_MAX_FAILURES_PER_IP": 10_000,
        }
    )
    client = app.test_client()
    login = client.post("/login", data={"username": SUPERVISOR, "password": BENCH_PASSWORD})
    assert login.status_code in (302, 303), login.status_code
    statements = [0]
    with app.app_context():
        event.listen(
            db.engine, "before_cursor_execute", lambda *a, **k: statements.__setitem__(0, statements[0] + 1)
        )
    client.get(f"/exports/{name}.{fmt}?unit=0").get_data()  # warm-up: imports, the login, empty export
    statements[0] = 0
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if use_tracemalloc:
        tracemalloc.start()
    cpu = time.process_time()
    response = client.get(f"/exports/{name}.{fmt}{query}")
    size = 0
    rows = 0
    for chunk in response.response:
        size += len(chunk)
        if fmt == "csv":
            rows += chunk.count(b"\r\n")
    response.close()
    cpu = time.process_time() - cpu
    heap_peak = tracemalloc.get_traced_memory()[1] if use_tracemalloc else None
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert response.status_code == 200, response.status_code
    out.put(
        {
            "case": f"/exports/{name}.{fmt}{query}",
            "cpu_s": round(cpu, 2),
            "rss_before_mib": round(rss_before / 1024, 1),
            "rss_peak_mib": round(rss_after / 1024, 1),
            "rss_growth_mib": round((rss_after - rss_before) / 1024, 1),
            "heap_peak_mib": round(heap_peak / 2**20, 1) if heap_peak is not None else None,
            "bytes": size,
            "csv_rows": rows - 1 if fmt == "csv" else None,
            "statements": statements[0],
        }
    )


def run_synthetic(rows: int, use_tracemalloc: bool, out) -> None:
    """The inspection export's 22 columns, `rows` rows of typical values, through write_xlsx: no database."""
    import tempfile
    from datetime import UTC, date, datetime, timedelta

    from inspect_app.exports.formats import write_xlsx
    from inspect_app.exports.queries import INSPECTION_COLUMNS

    fields = [field for field, _ in INSPECTION_COLUMNS]
    start = datetime(2026, 1, 5, 1, 30, tzinfo=UTC)

    def generated():
        for k in range(rows):
            at = start + timedelta(minutes=k)
            yield (
                k, at, at + timedelta(hours=1), "Phường Đức Phổ", k % 50_000, f"Sạp cân Nguyễn Thị Hường {k}",
                f"Số {k} đường Nguyễn Nghiêm, phường Đức Phổ", "planned", "completed", "fix_request",
                date(2026, 2, 5), None, "Yêu cầu niêm yết giá đầy đủ", "Kế hoạch số 12/KH-UBND",
                "12/QĐ-UBND", date(2026, 1, 2), "Nguyễn Văn An", False, "poor_accuracy", 42.5, 18.0, None,
            )  # fmt: skip

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if use_tracemalloc:
        tracemalloc.start()
    cpu = time.process_time()
    with tempfile.TemporaryFile() as target:
        written = write_xlsx(target, fields, generated(), "Cuộc kiểm tra")
        size = target.seek(0, 2)
    cpu = time.process_time() - cpu
    heap_peak = tracemalloc.get_traced_memory()[1] if use_tracemalloc else None
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out.put(
        {
            "case": f"write_xlsx, {written:,} rows × {len(fields)} columns (inspection export, no database)",
            "cpu_s": round(cpu, 2),
            "rss_before_mib": round(rss_before / 1024, 1),
            "rss_peak_mib": round(rss_after / 1024, 1),
            "rss_growth_mib": round((rss_after - rss_before) / 1024, 1),
            "heap_peak_mib": round(heap_peak / 2**20, 1) if heap_peak is not None else None,
            "bytes": size,
            "csv_rows": None,
            "statements": 0,
        }
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "url", nargs="?", help="a database built by generate_province.py (none: --synthetic only)"
    )
    parser.add_argument(
        "--synthetic", type=int, default=0, help="also write this many rows without a database"
    )
    parser.add_argument("--only", default="", help="run the cases whose URL contains this text")
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    context = multiprocessing.get_context("spawn")
    results = []
    print("| case | CPU s | peak RSS MiB (growth) | Python heap peak MiB | file MiB | statements |")
    print("|---|---:|---:|---:|---:|---:|")
    jobs = []
    if args.synthetic:
        jobs.append((run_synthetic, (args.synthetic, args.tracemalloc)))
    for name, fmt, query in CASES if args.url else []:
        if args.only in f"/exports/{name}.{fmt}{query}":
            jobs.append((run_case, (args.url, name, fmt, query, args.tracemalloc)))
    for target, job_args in jobs:
        out = context.Queue()
        child = context.Process(target=target, args=(*job_args, out))
        child.start()
        result = out.get()
        child.join()
        results.append(result)
        heap = "–" if result["heap_peak_mib"] is None else result["heap_peak_mib"]
        print(
            f"| {result['case']} | {result['cpu_s']} | {result['rss_peak_mib']} ({result['rss_growth_mib']}) "
            f"| {heap} | {result['bytes'] / 2**20:.1f} | {result['statements']} |",
            flush=True,
        )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
