"""Time the supervisor's map on a province built by generate_province.py (50,000 premises, 200,000 inspections).

    .venv/bin/python bench/bench_map.py sqlite:////tmp/bench_province_scale.sqlite3 \
        postgresql+psycopg://inspect:inspect@127.0.0.1:5432/bench_province_scale --runs 7

(The generator computes every premise's latest state at its end; a province generated before it did needs
``flask rebuild-premise-state`` first.)

As the province supervisor (all 96 communes) and as one commune's inspector, each case is requested through Flask's
test client in this process, once to warm up and then --runs times; medians are printed as a Markdown table:

- CPU ms: ``time.process_time()`` of this process around the request, plus on PostgreSQL the on-CPU time of the
  server backend (``/proc/<pid>/schedstat``, see bench_lists.py). Wall time is not used: the machine is shared.
- gzip KB: the answer as sent to a browser that accepts gzip (the app gzips JSON, web/compression.py), and raw KB.
- statements: SQL statements sent, the login's user and the scoping door's look-up included.

Views are those of a 1280×800 px map: the whole province (zoom 9, as the page opens on it), zoom 11, a zoom-13
pan round a market and a zoom-15 one. The last case asks for every point of the province at once (the map's point
limit raised): what a client-side clusterer (supercluster) would have to be sent, for comparison.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bench_lists import Meter
from generate_province import BENCH_PASSWORD, SUPERVISOR

SCREEN = (1280, 800)


def view_bbox(latitude: float, longitude: float, zoom: int) -> str:
    """The bbox of a SCREEN-sized Web Mercator map centred here."""
    degrees_per_px = 360.0 / (256 * 2**zoom)
    half_w = SCREEN[0] / 2 * degrees_per_px
    half_h = SCREEN[1] / 2 * degrees_per_px * math.cos(math.radians(latitude))
    return (
        f"{longitude - half_w:.6f},{latitude - half_h:.6f},{longitude + half_w:.6f},{latitude + half_h:.6f}"
    )


def cases(role: str, user) -> list[tuple[str, str, dict, dict]]:
    """(label, url, query, app config overrides)."""
    from inspect_app.extensions import db
    from inspect_app.models import Inspection, Market, Premise, User

    scope = Premise.unit_id == user.unit_id if user.unit_id else Premise.unit_id.is_not(None)
    lat, lng = db.session.execute(
        select(func.avg(Premise.latitude), func.avg(Premise.longitude)).where(scope)
    ).one()
    market = db.session.scalars(
        select(Market).where(Market.unit_id == (user.unit_id or 1)).order_by(Market.id)
    ).first()
    premise_id = db.session.scalar(
        select(Premise.id).where(scope, Premise.last_inspection_id.is_not(None)).order_by(Premise.id)
    )
    inspector = db.session.scalar(
        select(Inspection.created_by_id).where(Inspection.unit_id == (user.unit_id or 1)).limit(1)
    )
    assert db.session.get(User, inspector) is not None
    whole_zoom = 9 if role == "province" else 13
    whole = view_bbox(lat, lng, whole_zoom)
    pan13 = view_bbox(market.latitude + 0.01, market.longitude - 0.01, 13)
    pan15 = view_bbox(market.latitude, market.longitude, 15)
    quarter = {"from": "2026-06-01", "to": "2026-08-31"}
    out = [
        ("HTML /map (filters, legend, list)", "/map", {}, {}),
        ("HTML /map?from=…&to=…&handling=fix_request", "/map", {**quarter, "handling": "fix_request"}, {}),
        ("API map/summary (legend)", "/api/v1/map/summary", {}, {}),
        (
            f"API map/premises whole {role} (zoom {whole_zoom})",
            "/api/v1/map/premises",
            {"bbox": whole, "zoom": whole_zoom},
            {},
        ),
    ]
    if role == "province":
        out.append(
            (
                "API map/premises zoom 11",
                "/api/v1/map/premises",
                {"bbox": view_bbox(lat, lng, 11), "zoom": 11},
                {},
            )
        )
    out += [
        ("API map/premises pan at zoom 13", "/api/v1/map/premises", {"bbox": pan13, "zoom": 13}, {}),
        ("API map/premises pan at zoom 15 (market)", "/api/v1/map/premises", {"bbox": pan15, "zoom": 15}, {}),
        (
            f"API map/premises whole, from/to + handling (zoom {whole_zoom})",
            "/api/v1/map/premises",
            {"bbox": whole, "zoom": whole_zoom, **quarter, "handling": "fix_request"},
            {},
        ),
        (
            f"API map/premises whole, group=GIA&result=violation (zoom {whole_zoom})",
            "/api/v1/map/premises",
            {"bbox": whole, "zoom": whole_zoom, "group": "GIA", "result": "violation"},
            {},
        ),
        (
            f"API map/premises whole, inspector (zoom {whole_zoom})",
            "/api/v1/map/premises",
            {"bbox": whole, "zoom": whole_zoom, "inspector": str(inspector)},
            {},
        ),
        (
            f"API map/premises whole, state=fix_overdue (zoom {whole_zoom})",
            "/api/v1/map/premises",
            {"bbox": whole, "zoom": whole_zoom, "state": "fix_overdue"},
            {},
        ),
        ("API map/gps whole (300 newest)", "/api/v1/map/gps", {"bbox": whole, "zoom": whole_zoom}, {}),
        ("API map/gps pan at zoom 13", "/api/v1/map/gps", {"bbox": pan13, "zoom": 13}, {}),
        ("API map/premises/<id> (popup)", f"/api/v1/map/premises/{premise_id}", {}, {}),
        (
            "API map/premises whole as points (what client-side clustering needs)",
            "/api/v1/map/premises",
            {"bbox": whole, "zoom": whole_zoom},
            {"MAP_POINT_LIMIT": 1_000_000},
        ),
    ]
    return out


def make_app(url: str, overrides: dict):
    from inspect_app import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "UPLOAD_DIR": tempfile.mkdtemp(),
            "WTF_CSRF_ENABLED": False,
            "LOGIN_MAX_FAILURES_PER_IP": 10_000,
            **overrides,
        }
    )


def province_accounts() -> dict:
    """The accounts a province bench measures as: the province supervisor and the first commune's inspector."""
    from inspect_app.extensions import db
    from inspect_app.models import User

    return {
        "province": db.session.scalars(select(User).where(User.username == SUPERVISOR)).one(),
        "commune": db.session.scalars(
            select(User).where(User.role == "inspector").order_by(User.unit_id, User.id)
        ).first(),
    }


def bench_database(
    url: str, runs: int, only: str | None, cases_for=cases, accounts_for=province_accounts, on_case=None
) -> dict:
    """Each of ``cases_for(role, user)``'s requests, as each of ``accounts_for()`` (by default the province
    supervisor and one commune's inspector). ``on_case(app, client, label, path, query)``, if given, runs after a
    case's measured requests."""
    from inspect_app.extensions import db

    base = make_app(url, {})
    with base.app_context():
        accounts = accounts_for()
        plan = {role: (user.username, cases_for(role, user)) for role, user in accounts.items()}
        db.session.remove()
        db.engine.dispose()
    apps: dict[tuple, object] = {}
    results: dict[str, dict] = {}
    for role, (username, role_cases) in plan.items():
        for label, path, query, overrides in role_cases:
            if only and only not in label:
                continue
            key = tuple(sorted(overrides.items()))
            if key not in apps:
                app = make_app(url, overrides)
                with app.app_context():
                    apps[key] = (app, Meter(db.engine))
            app, meter = apps[key]
            client = app.test_client()
            response = client.post("/login", data={"username": username, "password": BENCH_PASSWORD})
            assert response.status_code == 302, response.get_data(as_text=True)[:300]
            samples = []
            for index in range(runs + 1):  # request 0 is the warm-up
                statements_before, db_before = meter.statements, meter.db_cpu_ns()
                cpu_before, wall_before = time.process_time(), time.perf_counter()
                response = client.get(path, query_string=query, headers={"Accept-Encoding": "gzip"})
                body = response.get_data()
                cpu, wall = time.process_time() - cpu_before, time.perf_counter() - wall_before
                db_cpu = (meter.db_cpu_ns() - db_before) / 1e9
                assert response.status_code == 200, (label, response.status_code, body[:300])
                if index:
                    samples.append((cpu, db_cpu, meter.statements - statements_before, len(body), wall))
            raw = len(client.get(path, query_string=query).get_data())
            if on_case is not None:
                on_case(app, client, f"{role}: {label}", path, query)
            result = {
                "cpu_ms": statistics.median(s[0] for s in samples) * 1000,
                "db_cpu_ms": statistics.median(s[1] for s in samples) * 1000,
                "statements": statistics.median(s[2] for s in samples),
                "gzip_kb": samples[-1][3] / 1024,
                "raw_kb": raw / 1024,
                "wall_ms": statistics.median(s[4] for s in samples) * 1000,
            }
            results[f"{role}: {label}"] = result
            print(
                f"  {role}: {label}: {result['cpu_ms']:.1f} + {result['db_cpu_ms']:.1f} ms CPU, "
                f"{result['gzip_kb']:.1f} KB gzip ({result['raw_kb']:.1f} raw), "
                f"{result['statements']:.0f} statements, {result['wall_ms']:.0f} ms wall",
                file=sys.stderr,
                flush=True,
            )
    return results


def browser_figures(url: str) -> dict:
    """The page in headless Chromium as the province supervisor: main-thread long tasks (> 50 ms, the browser's
    own PerformanceObserver) while it opens on the whole province, zooms in six steps and pans twice; and when the
    first view was drawn. Wall-clock figures on a shared machine: a freeze would show as a multi-second task."""
    import logging
    import threading

    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = make_app(url, {})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    loaded = (
        "() => { const m = document.getElementById('map');"
        " return m && m.dataset.drawn && !m.dataset.loading; }"
    )
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport={"width": SCREEN[0], "height": SCREEN[1]})
            page.add_init_script(
                "window.__long = []; new PerformanceObserver(list => list.getEntries()"
                ".forEach(e => window.__long.push(e.duration))).observe({entryTypes: ['longtask']});"
            )
            page.goto(f"{base}/login")
            page.fill("#username", SUPERVISOR)
            page.fill("#password", BENCH_PASSWORD)
            page.click("button[type=submit]")
            page.goto(f"{base}/map")
            page.wait_for_function(loaded, timeout=60000)
            first = page.evaluate("performance.now()")
            drawn = page.evaluate("document.getElementById('map').dataset.drawn")
            steps = []
            for action in ("zoom",) * 6 + ("pan",) * 2:
                page.evaluate("document.getElementById('map').dataset.loading = '1'")
                if action == "zoom":
                    page.click(".leaflet-control-zoom-in")
                else:
                    page.evaluate("() => { window.inspectMap.panBy([300, 200]); }")
                page.wait_for_function(loaded, timeout=60000)
                steps.append(page.evaluate("document.getElementById('map').dataset.mode"))
            long_tasks = page.evaluate("window.__long")
            browser.close()
    finally:
        server.shutdown()
    return {
        "first_view_ms": first,
        "drawn": drawn,
        "modes": steps,
        "long_tasks": len(long_tasks),
        "longest_task_ms": max(long_tasks, default=0),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("urls", nargs="+", help="database URLs built by generate_province.py")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", help="only cases whose label contains this text")
    parser.add_argument("--browser", action="store_true", help="also open the page in headless Chromium")
    args = parser.parse_args(argv)
    if args.browser:
        for url in args.urls:
            print(make_url(url).get_backend_name(), browser_figures(url), file=sys.stderr, flush=True)
    run_and_print(args.urls, args.runs, args.only, cases)
    return 0


def run_and_print(urls: list[str], runs: int, only: str | None, cases_for, **options) -> None:
    """Every case on every database, the load average before and after (stderr), then the Markdown table."""
    with open("/proc/loadavg") as handle:
        print(f"load average at start: {handle.read().split()[0]}", file=sys.stderr)
    everything = {}
    for url in urls:
        backend = make_url(url).get_backend_name()
        print(f"{backend}: {make_url(url).render_as_string()}", file=sys.stderr)
        everything[backend] = bench_database(url, runs, only, cases_for=cases_for, **options)
    with open("/proc/loadavg") as handle:
        print(f"load average at end: {handle.read().split()[0]}", file=sys.stderr)
    print_table(everything)


def print_table(everything: dict) -> None:
    """The results as a Markdown table: CPU ms, wall ms (which alone includes PostgreSQL's parallel workers, on a
    shared machine) and statements per backend, and the answer's size."""
    backends = list(everything)
    header = ["case"]
    for backend in backends:
        name = "PostgreSQL CPU ms (app + db)" if backend == "postgresql" else f"{backend} CPU ms"
        header += [name, "wall ms", "statements"]
    header += ["gzip KB (raw KB)"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" + "---:|" * (len(header) - 1))
    labels = list(dict.fromkeys(label for results in everything.values() for label in results))
    for label in labels:
        row = [label]
        size = "–"
        for backend in backends:
            r = everything[backend].get(label)
            if r is None:
                row += ["–", "–", "–"]
                continue
            if backend == "postgresql":
                total = r["cpu_ms"] + r["db_cpu_ms"]
                row += [
                    f"{total:,.0f} ({r['cpu_ms']:,.0f} + {r['db_cpu_ms']:,.0f})",
                    f"{r['wall_ms']:,.0f}",
                    f"{r['statements']:.0f}",
                ]
            else:
                row += [f"{r['cpu_ms']:,.0f}", f"{r['wall_ms']:,.0f}", f"{r['statements']:.0f}"]
            size = f"{r['gzip_kb']:,.1f} ({r['raw_kb']:,.1f})"
        print("| " + " | ".join(row + [size]) + " |")


if __name__ == "__main__":
    raise SystemExit(main())
