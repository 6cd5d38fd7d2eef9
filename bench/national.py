"""Build a national database for the national-scale bench: 34 provinces, 3,321 communes, ~1.7 M premises and ~2 M
inspections a year, each province made by ``generate_province.build`` (the same rows a province bench has: markets,
premises, inspections with team, findings, photos, biên bản, standards, instruments, readings and lots) and
written with PostgreSQL's COPY.

    nice -n 19 .venv/bin/python bench/national.py \\
        postgresql+psycopg://inspect:inspect@127.0.0.1:5432/bench_national [--recreate]

The database is created if missing and built by the migrations. Each province is one transaction: a run that stops
(or is stopped) keeps the provinces it finished, and the next run with the same options goes on from the first one
missing. Then the sequences are moved past the ids, and every premise's latest state and every inspection's tallies
are computed (what ``flask rebuild-premise-state`` and ``flask rebuild-inspection-tallies`` run), with ANALYZE.

Seeded: province k draws from ``<seed>:<its code>``, so a province is the same rows whichever run wrote it, and the
ids follow on from the provinces before it. Communes, premises and inspections are shared out evenly between the
provinces. Accounts: every province has its Sở account ``sokhcn.<province code>`` and the commune accounts of
``generate_province.py``; the national administrator (no home province, sees everything) is ``quantri.quocgia``.
Every password is ``Bench-2026``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import Integer, func, select

from generate_province import (
    BENCH_PASSWORD,
    END,
    Place,
    add_record_options,
    build,
    bulk_load_app,
    compute_kept,
    prepare_database,
    reset_sequences,
)

NATIONAL_ADMIN = "quantri.quocgia"
# The 34 provinces and centrally run cities since 1 July 2025, from the south to the north: each gets a box of
# communes one row further north (two boxes to a row), which is enough geography for a map of the country.
PROVINCE_NAMES = [
    "Cà Mau",
    "An Giang",
    "Cần Thơ",
    "Vĩnh Long",
    "Đồng Tháp",
    "Hồ Chí Minh",
    "Tây Ninh",
    "Đồng Nai",
    "Lâm Đồng",
    "Khánh Hòa",
    "Đắk Lắk",
    "Gia Lai",
    "Quảng Ngãi",
    "Đà Nẵng",
    "Huế",
    "Quảng Trị",
    "Hà Tĩnh",
    "Nghệ An",
    "Thanh Hóa",
    "Ninh Bình",
    "Hưng Yên",
    "Hải Phòng",
    "Hà Nội",
    "Bắc Ninh",
    "Quảng Ninh",
    "Phú Thọ",
    "Thái Nguyên",
    "Lạng Sơn",
    "Sơn La",
    "Tuyên Quang",
    "Cao Bằng",
    "Lào Cai",
    "Điện Biên",
    "Lai Châu",
]


def province_code(index: int) -> str:
    return f"{index + 1:02d}"


def supervisor_of(index: int) -> str:
    return f"sokhcn.{province_code(index)}"


def place(index: int) -> Place:
    row, column = divmod(index, 2)
    return Place(
        code=province_code(index),
        name=PROVINCE_NAMES[index % len(PROVINCE_NAMES)],
        supervisor=supervisor_of(index),
        admin=None,
        unit_code_base=10000 + 100 * index,
        south=8.6 + 0.86 * row,
        west=104.6 + 0.78 * column + (0.9 if 6 <= row <= 12 else 0.0),
    )


def share(total: int, parts: int, index: int) -> int:
    """Part ``index`` of ``total`` shared out as evenly as whole numbers allow."""
    return total // parts + (1 if index < total % parts else 0)


# Province k's rows have the ids k × stride + their ids in the province (from 1), so a province's ids are the same
# whichever run, or which of several parallel runs (--part), wrote it.
STRIDE = 10_000_000
SMALL_STRIDES = {"provinces": 1, "units": 1000, "users": 1000, "markets": 1000, "minutes_counters": 1000}


def stride(table_name: str) -> int:
    return SMALL_STRIDES.get(table_name, STRIDE)


class CopySink:
    """``generate_province.build``'s writer for province ``index``: its rows (ids from 1) go to PostgreSQL by COPY,
    every id and every foreign key moved to that province's range of the table it names. Columns a row leaves out
    get the model's Python-side default, as an INSERT through SQLAlchemy would."""

    def __init__(self, conn, index: int):
        self.cursor = conn.connection.driver_connection.cursor()
        self.index = index
        self.counts: dict[str, int] = {}

    def _shift(self, table_name: str) -> int:
        return self.index * stride(table_name)

    def __call__(self, table, rows: list[dict]) -> None:
        if not rows:
            return
        given = set().union(*(row.keys() for row in rows))
        columns = []  # (name, how: "value" | "default" | "callable", shift, is standards snapshot)
        for column in table.columns:
            if column.name in given:
                shift = 0
                if column.name == "id" and isinstance(column.type, Integer):
                    shift = self._shift(table.name)
                for key in column.foreign_keys:
                    shift = self._shift(key.column.table.name)
                snapshot = table.name == "readings" and column.name == "standards"
                columns.append((column.name, "value", shift, snapshot))
            elif column.default is not None and not column.default.is_sequence:
                how = "default" if column.default.is_scalar else "callable"
                columns.append((column.name, how, column.default.arg, False))
        standard_shift = self._shift("reference_standards")
        if "id" in given and max(row.get("id") or 0 for row in rows) > stride(table.name):
            raise ValueError(f"{table.name}: more rows in a province than its id stride allows")
        names = ", ".join(f'"{name}"' for name, *_ in columns)
        with self.cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                values = []
                for name, how, extra, snapshot in columns:
                    if how == "value":
                        value = row.get(name)
                        if value is not None and extra:
                            value += extra
                        elif snapshot:
                            value = [{**item, "id": item["id"] + standard_shift} for item in value]
                        if isinstance(value, (dict, list)):
                            value = json.dumps(value, ensure_ascii=False)
                    elif how == "default":
                        value = extra
                    else:
                        value = extra(None)
                    values.append(value)
                copy.write_row(values)
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)


def fill(conn, args) -> dict[str, int]:
    """Every province not yet in the database, one transaction each (``conn`` is committed after each); returns
    the rows written per table. Prints each province's rows and rows/s."""
    from inspect_app.models import Province

    done = set(conn.execute(select(Province.code)).scalars())
    conn.commit()
    totals: dict[str, int] = {}
    part, parts = args.part
    for index in range(args.provinces):
        where = place(index)
        if where.code in done or index % parts != part:
            continue
        province_args = argparse.Namespace(**vars(args))
        province_args.units = share(args.communes, args.provinces, index)
        province_args.premises = share(args.premises, args.provinces, index)
        province_args.inspections = share(args.inspections, args.provinces, index)
        province_args.seed = f"{args.seed}:{where.code}"
        started, cpu = time.perf_counter(), time.process_time()
        conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
        sink = CopySink(conn, index)
        build(conn, province_args, where, insert=sink)
        conn.commit()
        seconds = time.perf_counter() - started
        rows = sum(sink.counts.values())
        for table, count in sink.counts.items():
            totals[table] = totals.get(table, 0) + count
        print(
            f"province {where.code} {where.name}: {rows:,} rows in {seconds:.1f} s ({rows / seconds:,.0f} rows/s; "
            f"CPU here {time.process_time() - cpu:.1f} s)",
            flush=True,
        )
    return totals


# The tables a province fills by the hundred thousand rows: their secondary indexes and unique constraints are
# dropped while they are filled and built again at the end (a bulk build costs a fraction of keeping them on every
# row), their definitions kept meanwhile in BENCH_DEFERRED so a stopped run puts them back when it goes on.
BIG_TABLES = (
    "premises",
    "premise_changes",
    "instruments",
    "inspections",
    "inspection_members",
    "findings",
    "photos",
    "readings",
    "reading_standards",
    "prepackaged_lots",
    "minutes",
)
BENCH_DEFERRED = "bench_deferred_indexes"


def defer_indexes(conn) -> None:
    conn.exec_driver_sql(
        f"CREATE TABLE IF NOT EXISTS {BENCH_DEFERRED} (name text PRIMARY KEY, drop_ddl text, create_ddl text)"
    )
    found = conn.exec_driver_sql(
        """
        SELECT i.relname, t.relname, pg_get_indexdef(i.oid), c.conname, pg_get_constraintdef(c.oid)
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = t.oid AND c.contype = 'u'
        WHERE t.relname = ANY(%(tables)s) AND NOT x.indisprimary
        """,
        {"tables": list(BIG_TABLES)},
    ).all()
    for index, table, index_ddl, constraint, constraint_ddl in found:
        if constraint:
            drop = f'ALTER TABLE "{table}" DROP CONSTRAINT "{constraint}"'
            create = f'ALTER TABLE "{table}" ADD CONSTRAINT "{constraint}" {constraint_ddl}'
        else:
            drop, create = f'DROP INDEX "{index}"', index_ddl
        conn.exec_driver_sql(
            f"INSERT INTO {BENCH_DEFERRED} VALUES (%(n)s, %(d)s, %(c)s)", {"n": index, "d": drop, "c": create}
        )
        conn.exec_driver_sql(drop)
    conn.commit()


def restore_indexes(conn) -> None:
    exists = conn.exec_driver_sql(f"SELECT to_regclass('{BENCH_DEFERRED}')").scalar()
    if exists is None:
        return
    conn.exec_driver_sql("SET maintenance_work_mem = '1GB'")
    for (create,) in conn.exec_driver_sql(f"SELECT create_ddl FROM {BENCH_DEFERRED} ORDER BY name").all():
        conn.exec_driver_sql(create)
    conn.exec_driver_sql(f"DROP TABLE {BENCH_DEFERRED}")
    conn.commit()


def add_national_admin(conn) -> None:
    from werkzeug.security import generate_password_hash

    from inspect_app.models import User

    if conn.execute(select(User.id).where(User.username == NATIONAL_ADMIN)).first() is None:
        conn.execute(
            User.__table__.insert(),
            {
                "username": NATIONAL_ADMIN,
                "password_hash": generate_password_hash(BENCH_PASSWORD, method="pbkdf2:sha256:1000"),
                "full_name": "Quản trị quốc gia",
                "position": "Quản trị hệ thống",
                "role": "admin",
                "active": True,
                "created_at": END,
            },
        )
    conn.commit()


def generate(args, *, migrate: bool = True) -> dict[str, int]:
    """Fill ``args.url`` (created and migrated when ``migrate``), then the sequences, the national administrator and
    what the app keeps (premise state, tallies)."""
    from flask_migrate import upgrade

    from inspect_app.extensions import db
    from inspect_app.models import Province

    if migrate:
        prepare_database(args.url, args.recreate)
    app = bulk_load_app(args.url)
    started = time.perf_counter()
    with app.app_context():
        if migrate:
            upgrade()
        with db.engine.connect() as conn:
            if args.defer_indexes and not args.finish_now:
                defer_indexes(conn)
            totals = {} if args.finish_now else fill(conn, args)
            present = conn.execute(select(func.count()).select_from(Province)).scalar()
            conn.commit()
            if present < args.provinces and not args.finish_now:
                print(f"{present} of {args.provinces} provinces in: the run that adds the last one finishes")
                return totals
            indexing = time.perf_counter()
            restore_indexes(conn)
            indexing = time.perf_counter() - indexing
            reset_sequences(conn)
            add_national_admin(conn)
        built = time.perf_counter() - started
        state, tallied = compute_kept()
        db.engine.dispose()
    rows = sum(totals.values())
    if rows:
        print(", ".join(f"{table} {count:,}" for table, count in totals.items()))
        print(
            f"{rows:,} rows in {built:.0f} s: {rows / built:,.0f} rows/s (indexes built at the end: {indexing:.0f} s)"
        )
    print(
        f"premise state {state:.0f} s, tallies {tallied:.0f} s; CPU of this process {time.process_time():.0f} s"
    )
    return totals


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("url", help="postgresql+psycopg://… (the database is created if missing)")
    parser.add_argument("--provinces", type=int, default=34)
    parser.add_argument("--communes", type=int, default=3321, help="communes, wards and special zones in all")
    parser.add_argument("--premises", type=int, default=1_700_000)
    parser.add_argument("--inspections", type=int, default=2_000_000, help="in the generated year")
    parser.add_argument(
        "--part",
        type=lambda text: tuple(int(n) for n in text.split("/")),
        default=(0, 1),
        help="k/n: only the provinces whose index is k modulo n (n runs in parallel fill a database n times faster "
        "when the machine has the cores; the last to end finishes)",
    )
    parser.add_argument(
        "--finish-now",
        action="store_true",
        help="add no province: build the indexes, the sequences, the premise state and tallies over those in",
    )
    parser.add_argument(
        "--defer-indexes",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="drop the big tables' secondary indexes while filling them, build them at the end",
    )
    add_record_options(parser)
    return parser


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    generate(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
