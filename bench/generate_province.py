"""Build one province at scale for the list benchmarks: communes, markets, premises with coordinates, a year of
inspections with findings, team and photos, the biên bản issued for a share of them, and accounts of every role.

    .venv/bin/python bench/generate_province.py sqlite:////tmp/bench_province_scale.sqlite3
    .venv/bin/python bench/generate_province.py \
        postgresql+psycopg://inspect:inspect@127.0.0.1:5432/bench_province_scale

The database is built by the migrations first (a PostgreSQL database is created if missing; --recreate drops it or
deletes the SQLite file first), then filled with bulk Core INSERTs (executemany in chunks, explicit ids). The same
--seed gives the same rows on both backends. Every account's password is BENCH_PASSWORD; the province supervisor is
``sokhcn.bench`` and each commune has ``kiemtra.<unit code>``, ``kiemtra2.<unit code>``, ``vanphong.<unit code>`` and
``lanhdao.<unit code>``.

Not generated: PDF files (a biên bản row names a key with no file behind it), photo files, instruments, readings
and lots. The list pages and list API calls read none of them.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

BENCH_PASSWORD = "Bench-2026"
PROVINCE_CODE = "51"
PROVINCE_NAME = "Quảng Ngãi"
SUPERVISOR = "sokhcn.bench"
# The last instant of the generated year: inspections fall in the 365 days before it.
END = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
VN_OFFSET = timedelta(hours=7)

SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Huỳnh",
    "Hoàng",
    "Võ",
    "Phan",
    "Trương",
    "Bùi",
    "Đặng",
    "Đỗ",
    "Ngô",
    "Hồ",
    "Dương",
    "Đinh",
    "Lý",
    "Đoàn",
    "Lương",
    "Tạ",
]
MIDDLES = ["Văn", "Thị", "Minh", "Quang", "Thị Thu", "Hữu", "Đức", "Ngọc", "Thanh", "Xuân", "Công", "Kim"]
GIVEN = [
    "Hường",
    "Lộc",
    "Nở",
    "Bích",
    "Tư",
    "Sương",
    "Liên",
    "Khải",
    "Yến",
    "Được",
    "Hạnh",
    "Thắm",
    "Sáu",
    "Ngọc",
    "Tuyết",
    "Mạnh",
    "Đào",
    "Hồng",
    "Tám",
    "Hai",
    "Ba",
    "Hùng",
    "Lan",
    "Mai",
    "Bình",
    "Thành",
    "Vinh",
    "Hoa",
    "Quân",
    "Hà",
    "Phúc",
    "An",
    "Dũng",
    "Trang",
    "Nhung",
    "Cường",
    "Tâm",
    "Thảo",
]
GOODS = [
    "cân",
    "thịt heo",
    "cá biển",
    "rau củ",
    "gạo",
    "trái cây",
    "hàng khô",
    "gia vị",
    "thịt bò",
    "hải sản",
    "đường, bột",
    "dầu ăn",
    "gà vịt",
    "bánh kẹo",
    "đậu phụ",
    "trứng",
    "nước mắm",
    "vải",
    "giày dép",
]
PLACES = [
    "Phổ",
    "Đức",
    "Ba",
    "Tịnh",
    "Bình",
    "Nghĩa",
    "Sơn",
    "Trà",
    "Minh",
    "Long",
    "An",
    "Hòa",
    "Thạnh",
    "Phước",
    "Mỹ",
    "Lợi",
    "Quang",
    "Châu",
    "Vĩnh",
    "Hiệp",
    "Thuận",
    "Khánh",
    "Hưng",
    "Tân",
]
STREETS = [
    "Nguyễn Nghiêm",
    "Lê Lợi",
    "Hùng Vương",
    "Quang Trung",
    "Trần Hưng Đạo",
    "Phạm Văn Đồng",
    "Lý Thường Kiệt",
    "Nguyễn Du",
    "Bà Triệu",
    "Hai Bà Trưng",
    "Lê Trung Đình",
    "Phan Đình Phùng",
]
# Premise types with their share of a province's registry.
TYPE_SHARES = [
    ("market_stall", 55),
    ("grocery", 25),
    ("fuel_station", 3),
    ("supermarket", 5),
    ("producer", 5),
    ("other", 7),
]
TYPE_PREFIX = {
    "grocery": "Tạp hóa",
    "fuel_station": "Cửa hàng xăng dầu",
    "supermarket": "Cửa hàng tiện lợi",
    "producer": "Cơ sở sản xuất",
    "other": "Cửa hàng",
}
# Outcomes with their share of completed inspections.
OUTCOME_SHARES = [
    ("pass", 58),
    ("reminder", 20),
    ("fix_request", 14),
    ("violation_record", 5),
    ("referral", 3),
]
KIND_SHARES = [("planned", 60), ("themed", 20), ("unannounced", 15), ("complaint", 5)]
OUTCOME_LABELS = {
    "reminder": "Nhắc nhở",
    "fix_request": "Yêu cầu khắc phục",
    "violation_record": "Lập biên bản vi phạm hành chính",
    "referral": "Chuyển cơ quan có thẩm quyền",
}
CHUNK = 5000


def weighted(rng: random.Random, shares):
    return rng.choices([code for code, _ in shares], weights=[w for _, w in shares])[0]


def person(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLES)} {rng.choice(GIVEN)}"


def a_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def a_hex(rng: random.Random, bits: int = 256) -> str:
    return f"{rng.getrandbits(bits):0{bits // 4}x}"


def metres(lat1, lon1, lat2, lon2) -> float:
    """Equirectangular distance: accurate to well under a metre at the few hundred metres a fix is off by."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6371008.8 * math.hypot(x, y)


def prepare_database(url: str, recreate: bool) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        if recreate and path.exists():
            path.unlink()
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        name = parsed.database
        if recreate:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


class Inserter:
    """Bulk INSERTs into one connection, in chunks, with a running count per table."""

    def __init__(self, conn):
        self.conn = conn
        self.counts: dict[str, int] = {}

    def __call__(self, table, rows: list[dict]) -> None:
        for start in range(0, len(rows), CHUNK):
            self.conn.execute(table.insert(), rows[start : start + CHUNK])
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)


def build(conn, args) -> dict[str, int]:
    from werkzeug.security import generate_password_hash

    from inspect_app.checklists import load_catalogue
    from inspect_app.domain.text import fold
    from inspect_app.models import (
        Finding,
        Inspection,
        InspectionMember,
        Market,
        Minutes,
        MinutesCounter,
        Photo,
        Premise,
        PremiseChange,
        Province,
        Unit,
        User,
    )

    rng = random.Random(args.seed)
    insert = Inserter(conn)
    catalogue = load_catalogue(None)
    items_by_type: dict[str, list[str]] = {}
    for code, _ in TYPE_SHARES:
        items_by_type[code] = [i.code for g in catalogue.groups for i in g.items if i.applies_to(code)]

    # ---- province, communes, accounts ----------------------------------------------------------------------------
    insert(Province.__table__, [{"id": 1, "code": PROVINCE_CODE, "name": PROVINCE_NAME}])
    units = []
    side = math.ceil(math.sqrt(args.units))
    names_seen = set()
    for n in range(args.units):
        kind = "phuong" if n % 4 == 0 else ("dac_khu" if n == args.units - 1 else "xa")
        label = {"phuong": "Phường", "xa": "Xã", "dac_khu": "Đặc khu"}[kind]
        while True:
            place = f"{rng.choice(PLACES)} {rng.choice(PLACES)}"
            if place not in names_seen:
                names_seen.add(place)
                break
        # Communes on a grid over roughly 14.5–15.4 N, 108.3–109.1 E.
        lat = 14.55 + 0.85 * ((n // side) + 0.5) / side + rng.uniform(-0.01, 0.01)
        lon = 108.35 + 0.75 * ((n % side) + 0.5) / side + rng.uniform(-0.01, 0.01)
        units.append(
            {
                "id": n + 1,
                "code": f"{21000 + n}",
                "name": f"{label} {place}",
                "kind": kind,
                "province_id": 1,
                "latitude": round(lat, 5),
                "longitude": round(lon, 5),
            }
        )
    insert(Unit.__table__, units)

    password_hash = generate_password_hash(BENCH_PASSWORD, method="pbkdf2:sha256:1000")
    users = []
    inspectors: dict[int, list[int]] = {}
    staff: dict[int, int] = {}

    def add_user(username, role, unit_id=None, province_id=None, position=""):
        users.append(
            {
                "id": len(users) + 1,
                "username": username,
                "password_hash": password_hash,
                "full_name": person(rng),
                "position": position,
                "role": role,
                "unit_id": unit_id,
                "province_id": province_id,
                "active": True,
                "created_at": END - timedelta(days=400),
            }
        )
        return len(users)

    add_user(SUPERVISOR, "supervisor", province_id=1, position="Chuyên viên Sở Khoa học và Công nghệ")
    add_user("admin.bench", "admin", province_id=1, position="Quản trị hệ thống")
    for unit in units:
        code = unit["code"]
        inspectors[unit["id"]] = [
            add_user(f"kiemtra.{code}", "inspector", unit["id"], position="Công chức Văn hóa – Xã hội"),
            add_user(f"kiemtra2.{code}", "inspector", unit["id"], position="Chuyên viên Phòng Kinh tế"),
        ]
        staff[unit["id"]] = add_user(
            f"vanphong.{code}", "staff", unit["id"], position="Chuyên viên Văn phòng"
        )
        add_user(f"lanhdao.{code}", "supervisor", unit["id"], position="Phó Chủ tịch UBND")
    insert(User.__table__, users)

    # ---- markets and premises ------------------------------------------------------------------------------------
    markets = []
    markets_of: dict[int, list[dict]] = {}
    for unit in units:
        for m in range(args.markets_per_unit):
            name = f"Chợ {unit['name'].split(' ', 1)[1]}" if m == 0 else f"Chợ {rng.choice(PLACES)} {m + 1}"
            market = {
                "id": len(markets) + 1,
                "unit_id": unit["id"],
                "name": name,
                "address": f"Đường {rng.choice(STREETS)}, {unit['name']}",
                "latitude": round(unit["latitude"] + rng.uniform(-0.02, 0.02), 6),
                "longitude": round(unit["longitude"] + rng.uniform(-0.02, 0.02), 6),
            }
            markets.append(market)
            markets_of.setdefault(unit["id"], []).append(market)
    insert(Market.__table__, markets)

    premises = []
    changes = []
    for n in range(args.premises):
        unit = units[n % len(units)]
        ptype = weighted(rng, TYPE_SHARES)
        owner = person(rng)
        market = None
        stall = ""
        if ptype == "market_stall":
            market = rng.choice(markets_of[unit["id"]])
            stall = f"{'ABCDEFGH'[rng.randrange(8)]}{rng.randrange(1, 200):02d}"
            name = f"Sạp {rng.choice(GOODS)} {owner}"
            address = f"{market['name']}, {unit['name']}"
            lat = market["latitude"] + rng.uniform(-0.0006, 0.0006)
            lon = market["longitude"] + rng.uniform(-0.0006, 0.0006)
        else:
            name = f"{TYPE_PREFIX[ptype]} {owner}"
            address = f"Số {rng.randrange(1, 400)} đường {rng.choice(STREETS)}, {unit['name']}"
            lat = unit["latitude"] + rng.gauss(0, 0.02)
            lon = unit["longitude"] + rng.gauss(0, 0.02)
        located = rng.random() > 0.03
        created = END - timedelta(days=rng.uniform(60, 1100))
        updated = (
            created + timedelta(days=rng.uniform(0, (END - created).days)) if rng.random() < 0.3 else created
        )
        reg_no = f"{34 + rng.randrange(3)}A8{rng.randrange(10**6):06d}" if ptype != "market_stall" else ""
        premise = {
            "id": n + 1,
            "unit_id": unit["id"],
            "name": name,
            "owner_name": owner,
            "business_reg_no": reg_no,
            "premise_type": ptype,
            "market_id": market["id"] if market else None,
            "stall_number": stall,
            "address": address,
            "latitude": round(lat, 6) if located else None,
            "longitude": round(lon, 6) if located else None,
            "phone": f"09{rng.randrange(10**8):08d}",
            "status": "closed" if rng.random() < 0.05 else "active",
            "created_at": created,
            "updated_at": updated,
            "created_by_id": staff[unit["id"]],
        }
        premise["search_text"] = fold(" ".join(p for p in (name, owner, address, stall, reg_no) if p))
        premises.append(premise)
        if updated != created:
            changes.append(
                {
                    "id": len(changes) + 1,
                    "premise_id": n + 1,
                    "user_id": staff[unit["id"]],
                    "changed_at": updated,
                    "field": "phone",
                    "old_value": f"09{rng.randrange(10**8):08d}",
                    "new_value": premise["phone"],
                    "source": "form",
                }
            )
    insert(Premise.__table__, premises)
    insert(PremiseChange.__table__, changes)

    # ---- inspections, team, findings, photos, minutes --------------------------------------------------------------
    active = [p for p in premises if p["status"] == "active"]
    inspections, members, findings, photos, minutes = [], [], [], [], []
    for n in range(args.inspections):
        premise = rng.choice(active)
        unit_id = premise["unit_id"]
        inspector = rng.choice(inspectors[unit_id])
        started = END - timedelta(seconds=rng.uniform(0, 365 * 86400))
        started = started.replace(microsecond=0)
        recent = (END - started).days < 3
        status = "draft" if recent and rng.random() < 0.4 else "completed"
        outcome = weighted(rng, OUTCOME_SHARES) if status == "completed" else None
        ended = started + timedelta(minutes=rng.randint(20, 120)) if status == "completed" else None
        fix_deadline = (started + timedelta(days=30)).date() if outcome == "fix_request" else None
        lat = lon = accuracy = distance = None
        flags = []
        if rng.random() < 0.04:
            flags.append("no_fix")
        else:
            accuracy = round(rng.uniform(4, 45) if rng.random() > 0.05 else rng.uniform(60, 200), 1)
            off = rng.expovariate(1 / 25) if rng.random() > 0.03 else rng.uniform(300, 2000)
            base_lat = premise["latitude"] if premise["latitude"] is not None else 14.8
            base_lon = premise["longitude"] if premise["longitude"] is not None else 108.9
            bearing = rng.uniform(0, 2 * math.pi)
            lat = round(base_lat + off * math.cos(bearing) / 111_320, 6)
            lon = round(base_lon + off * math.sin(bearing) / (111_320 * math.cos(math.radians(base_lat))), 6)
            if accuracy > 50:
                flags.append("poor_accuracy")
            if premise["latitude"] is None:
                flags.append("premise_without_location")
            else:
                distance = round(metres(lat, lon, premise["latitude"], premise["longitude"]), 1)
                if distance > 150 + accuracy:
                    flags.append("far_from_premise")
        inspection_id = n + 1
        record = {
            "id": inspection_id,
            "uuid": a_uuid(rng),
            "unit_id": unit_id,
            "premise_id": premise["id"],
            "kind": weighted(rng, KIND_SHARES),
            "basis": "Kế hoạch kiểm tra năm 2026",
            "started_at": started,
            "ended_at": ended,
            "status": status,
            "catalogue_version": catalogue.version,
            "outcome": outcome,
            "fix_deadline": fix_deadline,
            "referral_body": "qltt" if outcome == "referral" else None,
            "handling_note": "",
            "follows_id": None,
            "gps_latitude": lat,
            "gps_longitude": lon,
            "gps_accuracy_m": accuracy,
            "gps_distance_m": distance,
            "gps_flags": ",".join(flags),
            "created_by_id": inspector,
            "created_at": started,
            "updated_at": ended or started,
            "version": 1,
            "create_digest": a_hex(rng),
        }
        inspections.append(record)
        members.append(
            {
                "id": len(members) + 1,
                "inspection_id": inspection_id,
                "user_id": inspector,
                "name": "",
                "position": "",
                "organisation": "",
                "team_role": "lead",
                "position_in_team": 0,
            }
        )
        items = rng.sample(items_by_type[premise["premise_type"]], args.findings_per_inspection)
        failing = 0 if outcome in (None, "pass") else rng.randint(1, min(2, len(items)))
        for position, code in enumerate(items):
            answer = "fail" if position < failing else ("na" if rng.random() < 0.1 else "pass")
            findings.append(
                {
                    "id": len(findings) + 1,
                    "uuid": a_uuid(rng),
                    "inspection_id": inspection_id,
                    "item_code": code,
                    "answer": answer,
                    "note": "Không đạt yêu cầu" if answer == "fail" else "",
                    "affected_count": rng.randint(1, 5) if answer == "fail" else None,
                    "created_by_id": inspector,
                    "created_at": started,
                    "updated_at": started,
                    "version": 1,
                    "create_digest": a_hex(rng),
                }
            )
        if rng.random() < args.photo_share:
            digest = a_hex(rng)
            key = f"photos/{started:%Y/%m}/{inspection_id}/{a_uuid(rng)}"
            photos.append(
                {
                    "id": len(photos) + 1,
                    "uuid": a_uuid(rng),
                    "inspection_id": inspection_id,
                    "item_code": items[0],
                    "caption": "Bảng giá",
                    "storage_key": f"{key}.jpg",
                    "thumbnail_key": f"{key}-thumb.jpg",
                    "sha256": digest,
                    "upload_sha256": digest,
                    "width": 2000,
                    "height": 1500,
                    "size_bytes": rng.randint(200_000, 900_000),
                    "taken_at": started,
                    "exif_latitude": lat,
                    "exif_longitude": lon,
                    "created_by_id": inspector,
                    "created_at": started,
                }
            )
        if outcome not in (None, "pass") and rng.random() < args.minutes_share:
            record["status"] = "minutes_issued"
            issued_at = ended + timedelta(minutes=rng.randint(5, 60))
            minutes.append(
                {
                    "inspection_id": inspection_id,
                    "unit_id": unit_id,
                    "issued_at": issued_at,
                    "issued_on": (issued_at + VN_OFFSET).date(),
                    "issued_by_id": staff[unit_id],
                    "status": "revoked" if rng.random() < 0.01 else "valid",
                    "outcome_label": OUTCOME_LABELS[outcome],
                    "representative_name": person(rng),
                    "representative_position": "Chủ cơ sở",
                    "copies": 2,
                    "with_photos": False,
                    "print_count": rng.randint(0, 2),
                }
            )
    insert(Inspection.__table__, inspections)
    insert(InspectionMember.__table__, members)
    insert(Finding.__table__, findings)
    insert(Photo.__table__, photos)

    # Numbers per unit and year in the order issued, as the counter hands them out.
    minutes.sort(key=lambda m: (m["unit_id"], m["issued_on"].year, m["issued_at"]))
    counters: dict[tuple[int, int], int] = {}
    for n, m in enumerate(minutes):
        year = m["issued_on"].year
        number = counters.get((m["unit_id"], year), 0) + 1
        counters[(m["unit_id"], year)] = number
        m.update(
            id=n + 1,
            year=year,
            number=number,
            number_text=f"{number:02d}/BB-KT",
            public_id=a_hex(rng, 128),
            pdf_key=f"minutes/{year}/{n + 1}.pdf",
            pdf_sha256=a_hex(rng),
            pdf_size=rng.randint(80_000, 120_000),
            representative_id_number="",
            representative_statement="",
            change_reason="",
        )
        if m["status"] == "revoked":
            m.update(
                change_reason="Lập nhầm cơ sở", changed_by_id=staff[m["unit_id"]], changed_at=m["issued_at"]
            )
    insert(Minutes.__table__, minutes)
    insert(
        MinutesCounter.__table__,
        [
            {"id": n + 1, "unit_id": u, "year": y, "last_number": last}
            for n, ((u, y), last) in enumerate(sorted(counters.items()))
        ],
    )
    return insert.counts


def reset_sequences(conn) -> None:
    """Explicit ids leave PostgreSQL's sequences at 1: move each past the largest id."""
    if conn.dialect.name != "postgresql":
        return
    tables = conn.execute(
        text("SELECT table_name FROM information_schema.columns WHERE column_default LIKE 'nextval%'")
    ).scalars()
    for table in list(tables):
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f'(SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"), false)'
            )
        )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("url", help="SQLAlchemy database URL (sqlite:///… or postgresql+psycopg://…)")
    parser.add_argument("--premises", type=int, default=50_000)
    parser.add_argument("--inspections", type=int, default=200_000)
    parser.add_argument("--units", type=int, default=96, help="communes, wards and special zones")
    parser.add_argument("--markets-per-unit", type=int, default=2)
    parser.add_argument("--findings-per-inspection", type=int, default=4)
    parser.add_argument("--photo-share", type=float, default=0.3, help="share of inspections with a photo")
    parser.add_argument(
        "--minutes-share", type=float, default=0.35, help="share of inspections needing handling that get one"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--recreate", action="store_true", help="drop the database (or SQLite file) first")
    args = parser.parse_args(argv)

    from flask_migrate import upgrade

    from inspect_app import create_app
    from inspect_app.extensions import db
    from inspect_app.models import Premise

    prepare_database(args.url, args.recreate)
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": args.url, "SECRET_KEY": "bench", "UPLOAD_DIR": tempfile.mkdtemp()}
    )
    started = time.perf_counter()
    with app.app_context():
        upgrade()
        with db.engine.begin() as conn:
            if conn.execute(select(func.count()).select_from(Premise.__table__)).scalar():
                print("The database already has premises; use --recreate to build it anew.", file=sys.stderr)
                return 2
            counts = build(conn, args)
            reset_sequences(conn)
        with db.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
        db.engine.dispose()
    elapsed = time.perf_counter() - started
    print(", ".join(f"{table} {count:,}" for table, count in counts.items()))
    print(f"built in {elapsed:.0f} s (CPU of this process {time.process_time():.0f} s): {args.url}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
