"""Time the national administrator's, one province's and one commune's pages on the database national.py builds.

    nice -n 19 .venv/bin/python bench/national.py postgresql+psycopg://inspect:inspect@127.0.0.1:5432/bench_national
    .venv/bin/python bench/bench_national.py \\
        postgresql+psycopg://inspect:inspect@127.0.0.1:5432/bench_national --runs 3 [--explain] [--sizes]

Measured as bench_map.py measures the map (Flask's test client in this process, one warm-up request, medians of
--runs; CPU of this process plus the PostgreSQL backend's, not its parallel workers', which only the wall column
includes; statements sent, the login's user and the scoping door's look-ups included). As:

- the national administrator (``quantri.quocgia``, no home province: sees every province): the dashboard of the
  generated year (by province), counted by its job (``supervision.kept``: "Tổng hợp toàn quốc", the job's worker
  timed like a request, medians of --runs) and then served from what the job kept, the lists two of its figures
  open (the year's completed inspections, the instruments tested), and its drill-down to one province (``province=``, by commune), the map page of the
  country and of one province, its legend, the whole country at zoom 6 (one count per province) and one province
  at zoom 9 (one count per commune);
- one province's Sở account (``sokhcn.13``, Quảng Ngãi): the dashboard of the year, the map of the province, and
  the yearly report's figures (``report_table``, every commune and the total, as bench_report.py times them);
- one of that province's communes' inspectors: the inspection list, the premises list, the map page, the commune
  at zoom 13 and the commune's dashboard.

``--explain`` prints, for each case, its three slowest statements and PostgreSQL's ``EXPLAIN (ANALYZE, BUFFERS)`` of
the slowest one. ``--sizes`` prints the database's size and its largest tables (with their indexes).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import event, func, select, text

from bench_dashboard import YEAR
from bench_map import run_and_print, view_bbox
from national import NATIONAL_ADMIN, supervisor_of

PROVINCE = 12  # Quảng Ngãi, code 13: a province in the middle of the list
# The national dashboard's count (a job's result file) and the page that shows it share this file store.
KEPT_FILES = {"UPLOAD_DIR": tempfile.mkdtemp(prefix="bench-national-")}


def print_planner_settings(url: str) -> None:
    """The planner's costs the figures were measured with (national.py sets them on the database it builds)."""
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.connect() as conn:
        shown = [f"{name} = {conn.execute(text(f'SHOW {name}')).scalar()}" for name in PLANNER_SETTINGS]
    engine.dispose()
    print("planner: " + ", ".join(shown))


PLANNER_SETTINGS = ("random_page_cost", "effective_cache_size", "shared_buffers", "work_mem")


def accounts() -> dict:
    from inspect_app.extensions import db
    from inspect_app.models import Unit, User

    province = db.session.scalars(select(User).where(User.username == supervisor_of(PROVINCE))).one()
    commune = db.session.scalars(
        select(User)
        .join(Unit, Unit.id == User.unit_id)
        .where(Unit.province_id == province.province_id, User.role == "inspector")
        .order_by(Unit.code, User.id)
    ).first()
    return {
        "national": db.session.scalars(select(User).where(User.username == NATIONAL_ADMIN)).one(),
        "province": province,
        "commune": commune,
    }


def centre(scope) -> tuple[float, float]:
    from inspect_app.extensions import db
    from inspect_app.models import Premise

    return db.session.execute(
        select(func.avg(Premise.latitude), func.avg(Premise.longitude)).where(scope)
    ).one()


def cases(role: str, user) -> list[tuple[str, str, dict, dict]]:
    from inspect_app.extensions import db
    from inspect_app.models import Premise, Unit

    if role == "national":
        lat, lng = centre(Premise.unit_id.is_not(None))
        one = db.session.scalar(select(Unit.province_id).where(Unit.code == f"{10000 + 100 * PROVINCE}"))
        plat, plng = centre(Premise.unit_id.in_(select(Unit.id).where(Unit.province_id == one)))
        return [
            ("dashboard, the year, kept", "/dashboard", YEAR, KEPT_FILES),
            ("dashboard, the year, one province", "/dashboard", {**YEAR, "province": one}, {}),
            ("list: completed inspections of the year", "/dashboard/inspections", YEAR, {}),
            ("list: instruments tested in the year", "/dashboard/instruments_checked", YEAR, {}),
            ("HTML /map", "/map", {}, {}),
            ("HTML /map, one province", "/map", {"province": one}, {}),
            ("API map/summary (legend)", "/api/v1/map/summary", {}, {}),
            (
                "API map/premises whole country (zoom 6)",
                "/api/v1/map/premises",
                {"bbox": view_bbox(lat, lng, 6), "zoom": 6},
                {},
            ),
            (
                "API map/premises one province (zoom 9)",
                "/api/v1/map/premises",
                {"bbox": view_bbox(plat, plng, 9), "zoom": 9},
                {},
            ),
        ]
    if role == "province":
        lat, lng = centre(Premise.unit_id.in_(select(Unit.id).where(Unit.province_id == user.province_id)))
        return [
            ("dashboard, the year", "/dashboard", YEAR, {}),
            ("HTML /map", "/map", {}, {}),
            (
                "API map/premises whole province (zoom 9)",
                "/api/v1/map/premises",
                {"bbox": view_bbox(lat, lng, 9), "zoom": 9},
                {},
            ),
        ]
    lat, lng = centre(Premise.unit_id == user.unit_id)
    return [
        ("HTML /inspections", "/inspections", {}, {}),
        ("HTML /premises", "/premises", {}, {}),
        ("HTML /map", "/map", {}, {}),
        (
            "API map/premises whole commune (zoom 13)",
            "/api/v1/map/premises",
            {"bbox": view_bbox(lat, lng, 13), "zoom": 13},
            {},
        ),
        ("dashboard, the year", "/dashboard", YEAR, {}),
    ]


def national_count(url: str, runs: int) -> dict:
    """The national dashboard's count as its job makes it: the national administrator asks for the year's figures
    again ("Tính lại ngay"), a worker in this process runs the job; medians of ``runs`` (after one warm-up), CPU of
    this process and of the PostgreSQL backends, statements. Leaves a fresh count kept for the page's case."""
    from bench_lists import Meter
    from bench_map import BENCH_PASSWORD, make_app

    from inspect_app.extensions import db
    from inspect_app.jobs.worker import Worker

    app = make_app(url, KEPT_FILES)
    with app.app_context():
        meter = Meter(db.engine)
    client = app.test_client()
    assert client.post("/login", data={"username": NATIONAL_ADMIN, "password": BENCH_PASSWORD}).status_code == 302
    samples = []
    for index in range(runs + 1):
        assert client.post("/dashboard/recount", query_string=YEAR).status_code == 302
        statements_before, db_before = meter.statements, meter.db_cpu_ns()
        cpu_before, wall_before = time.process_time(), time.perf_counter()
        assert Worker(app, poll_seconds=0).run_one(), "the count was queued"
        cpu, wall = time.process_time() - cpu_before, time.perf_counter() - wall_before
        if index:
            samples.append((cpu, (meter.db_cpu_ns() - db_before) / 1e9, meter.statements - statements_before, wall))
    page = client.get("/dashboard", query_string=YEAR).get_data(as_text=True)
    assert 'data-kept="fresh"' in page, page[:500]
    result = {
        "cpu_ms": statistics.median(s[0] for s in samples) * 1000,
        "db_cpu_ms": statistics.median(s[1] for s in samples) * 1000,
        "statements": statistics.median(s[2] for s in samples),
        "wall_ms": statistics.median(s[3] for s in samples) * 1000,
    }
    print(
        f"  national: dashboard, the year, counted by its job: {result['cpu_ms']:.1f} + {result['db_cpu_ms']:.1f} ms"
        f" CPU, {result['statements']:.0f} statements, {result['wall_ms']:.0f} ms wall",
        file=sys.stderr,
        flush=True,
    )
    return result


class Explainer:
    """After a case: its request once more with every statement timed, the three slowest printed, and the slowest
    run again under EXPLAIN (ANALYZE, BUFFERS)."""

    def __init__(self):
        self.engines = set()

    def __call__(self, app, client, label, path, query):
        from inspect_app.extensions import db

        timed: list[tuple[float, str, object]] = []

        def before(conn, cursor, statement, parameters, context, executemany):
            conn.info["bench_started"] = time.perf_counter()

        def after(conn, cursor, statement, parameters, context, executemany):
            timed.append((time.perf_counter() - conn.info.pop("bench_started"), statement, parameters))

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        try:
            client.get(path, query_string=query)
        finally:
            event.remove(engine, "before_cursor_execute", before)
            event.remove(engine, "after_cursor_execute", after)
        timed.sort(key=lambda t: -t[0])
        print(f"\n### {label}: slowest statements", file=sys.stderr)
        for seconds, statement, _ in timed[:3]:
            print(f"-- {seconds * 1000:.0f} ms: {' '.join(statement.split())[:400]}", file=sys.stderr)
        if not timed or timed[0][0] < 0.05:
            return
        _, statement, parameters = timed[0]
        with engine.connect() as conn:
            plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).scalars().all()
            conn.rollback()
        print("\n".join(plan), file=sys.stderr, flush=True)


def camera_photo(seed: int, size: tuple[int, int] = (4000, 3000)) -> bytes:
    """A photo-like JPEG as a 12 MP phone camera writes one (quality 92): gradients, noise of a strength varying with
    the seed (a plain wall to a cluttered market stall) and a few outlines. Synthetic: no real field photos are
    available to the project."""
    import io
    import random

    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(seed)
    width, height = size
    gradient = Image.linear_gradient("L")
    img = Image.merge(
        "RGB",
        (
            gradient.rotate(rng.uniform(0, 360)).resize(size),
            Image.radial_gradient("L").resize(size),
            gradient.rotate(rng.uniform(0, 360)).resize(size),
        ),
    )
    # Camera noise is not per-pixel white noise: draw it at half size and enlarge it, as sensor noise after
    # demosaicing and the fine texture of goods, cloth and concrete look.
    noise = Image.frombytes("RGB", (width // 2, height // 2), rng.randbytes(width * height * 3 // 4))
    noise = noise.resize(size, Image.BILINEAR).filter(ImageFilter.GaussianBlur(0.6))
    img = Image.blend(img, noise, 0.04 + 0.03 * (seed % 5))
    draw = ImageDraw.Draw(img)
    for _ in range(40):
        x, y = rng.randrange(width), rng.randrange(height)
        colour = tuple(rng.randrange(256) for _ in range(3))
        draw.rectangle(
            (x, y, x + rng.randrange(80, 600), y + rng.randrange(60, 400)), outline=colour, width=8
        )
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=92)
    return out.getvalue()


def photo_sizes(count: int) -> None:
    """What the upload pipeline stores of ``count`` camera-sized photos: the photo (longest edge 2000 px) and its
    thumbnail (400 px), in bytes."""
    import statistics

    from inspect_app.files.photos import process_photo

    uploads, photos, thumbnails = [], [], []
    for seed in range(count):
        upload = camera_photo(seed)
        processed = process_photo(upload)
        uploads.append(len(upload))
        photos.append(len(processed.jpeg))
        thumbnails.append(len(processed.thumbnail))
    for name, sizes in (
        ("upload (4000×3000, q92)", uploads),
        ("stored photo", photos),
        ("thumbnail", thumbnails),
    ):
        print(
            f"{name}: mean {statistics.mean(sizes) / 1000:,.0f} kB, median {statistics.median(sizes) / 1000:,.0f} kB, "
            f"{min(sizes) / 1000:,.0f}–{max(sizes) / 1000:,.0f} kB over {count}"
        )


def print_sizes(url: str) -> None:
    from bench_map import make_app

    from inspect_app.extensions import db

    app = make_app(url, {})
    with app.app_context(), db.engine.connect() as conn:
        total = conn.execute(text("SELECT pg_database_size(current_database())")).scalar()
        print(f"database: {total / 2**30:.2f} GiB")
        rows = conn.execute(
            text(
                "SELECT c.relname, c.reltuples::bigint, pg_table_size(c.oid), pg_indexes_size(c.oid) "
                "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind = 'r' "
                "ORDER BY pg_total_relation_size(c.oid) DESC LIMIT 16"
            )
        ).all()
        print("| table | rows (estimate) | table MiB | indexes MiB |")
        print("|---|---:|---:|---:|")
        for name, count, table, indexes in rows:
            print(f"| {name} | {count:,} | {table / 2**20:,.0f} | {indexes / 2**20:,.0f} |")
        db.engine.dispose()


def main(argv=None) -> int:
    global PROVINCE
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("url", help="the database built by national.py")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--province",
        type=int,
        default=PROVINCE,
        help="which province (0 for the first) the Sở and commune are of",
    )
    parser.add_argument("--only", help="only cases whose label contains this text")
    parser.add_argument(
        "--explain", action="store_true", help="the slowest statements of each case, explained"
    )
    parser.add_argument("--sizes", action="store_true", help="the database's size and its largest tables")
    parser.add_argument(
        "--photos", type=int, default=0, help="measure the stored sizes of this many photos, only"
    )
    parser.add_argument("--no-report", action="store_true", help="leave out the province's yearly report")
    args = parser.parse_args(argv)
    PROVINCE = args.province
    if args.photos:
        photo_sizes(args.photos)
        return 0
    if args.sizes:
        print_sizes(args.url)
    print_planner_settings(args.url)
    counted = None
    if not args.only or args.only in "dashboard, the year, kept":
        counted = national_count(args.url, args.runs)
    run_and_print(
        [args.url],
        args.runs,
        args.only,
        cases,
        accounts_for=accounts,
        on_case=Explainer() if args.explain else None,
    )
    if counted is not None:
        r = counted
        print(
            f"| national: dashboard, the year, counted by its job | {r['cpu_ms'] + r['db_cpu_ms']:,.0f} "
            f"({r['cpu_ms']:,.0f} + {r['db_cpu_ms']:,.0f}) | {r['wall_ms']:,.0f} | {r['statements']:.0f} | – |"
        )
    if not args.no_report and (not args.only or args.only in "report_table"):
        from bench_report import bench_database

        result = bench_database(
            args.url,
            args.runs,
            accounts_for=lambda: {"province: report_table, the year": accounts()["province"]},
        )
        for label, r in result.items():
            print(
                f"| {label} | {r['cpu_ms'] + r['db_cpu_ms']:,.0f} ({r['cpu_ms']:,.0f} + {r['db_cpu_ms']:,.0f}) "
                f"| {r['wall_ms']:,.0f} | {r['statements']:.0f} | {r['inspections']:,} inspections |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
