"""Build one province at scale for the list, map, dashboard and export benchmarks: communes, markets, premises with
coordinates, a year of inspections with findings, team and photos, the biên bản issued for a share of them, accounts
of every role, and the metrology records the dashboard and the exports count: the communes' reference standards, the
instruments at the premises, readings and pre-packaged lots.

    .venv/bin/python bench/generate_province.py sqlite:////tmp/bench_province_scale.sqlite3
    .venv/bin/python bench/generate_province.py \
        postgresql+psycopg://inspect:inspect@127.0.0.1:5432/bench_province_scale

The database is built by the migrations first (a PostgreSQL database is created if missing; --recreate drops it or
deletes the SQLite file first), then filled with bulk Core INSERTs (executemany in chunks, explicit ids). The same
--seed gives the same rows on both backends. Every account's password is BENCH_PASSWORD; the province supervisor is
``sokhcn.bench`` and each commune has ``kiemtra.<unit code>``, ``kiemtra2.<unit code>``, ``vanphong.<unit code>`` and
``lanhdao.<unit code>``. Last, every premise's latest state and every inspection's tallies are computed (what ``flask
rebuild-premise-state`` and ``flask rebuild-inspection-tallies`` run), so the map and the dashboard can be read
straight away.

Metrology, drawn from a second random stream (same --seed), so the registry, inspections and findings stay the rows
the generator made before it had any (only the findings' ``indicative`` flag and the Sở member below are new):

- Team: ``--province-team-share`` of the inspections have the province supervisor in the team
  (``province_in_team``); every finding, reading and lot gets ``indicative`` from its decision scope as the app sets
  it (an instrument's error test, a lot or a Sở item without the Sở in the team, a referral item: "sơ bộ").
- Reference standards, per commune: an M1 weight kit (500 g – 5 kg, often 10 and 20 kg too) on one certificate, for
  a fifth of the communes a kit borrowed from the province's centre, a 20 L volume measure where there are fuel
  stations, now and then a retired weight. About 15 % of the kits are overdue on ``AS_OF`` and 10 % fall due within
  30 days of it; a reading made before the current certificate names the previous one.
- Instruments, per premise type: 1–3 scales of the kinds and (Max, e, class) the vocabulary and TT 09/2017 know at
  a stall, shop, supermarket or producer, 1–3 fuel dispensers at a fuel station, 0–2 scales for "other"; stamp
  number, verification date and validity (a quarter with the date only: the expiry comes from the cycle), about 11 %
  expired on ``AS_OF``, 3 % without a stamp, seals, 5 % no longer in use.
- Readings, on completed inspections that checked the PTD group (0.8 of them per such inspection): control
  measurements (``control``, at the types item PTD-05 applies to), scale error tests (``weighing``) and dispenser
  runs (``dispenser``), on the premise's instruments with the commune's standards, judged by the tolerance engine as
  the app judges them (verdict, rule, tables and versions, the standards' snapshot; "inconclusive" when the standard
  had expired that day). Readings fail only where their checklist item (PTD-05 for a control measurement, PTD-06
  for an error test) failed — then at least one does, with a standard still valid if the commune has one — or, now
  and then, where the item was not answered and the inspection needed handling; an answer "không áp dụng" means no
  reading of that kind. About 3 % of the inspections with readings also have a mistyped reading voided before the
  biên bản (voided_at, reason, who).
- Pre-packaged lots, on about 25 % of the completed inspections (more at shops, supermarkets and producers than at
  stalls), judged by TT 21/2014 from generated quantities; they fail with item CL-03 in the same way, and 2 % of the
  inspections with lots have a duplicate lot voided.

Not generated: PDF files (a biên bản row names a key with no file behind it), photo files, instrument photos and
standards' certificate photos, water and electricity meters and their checks, the audit log, settings (the
state-check choice is the default, in service), readings judged with a superseded table (``superseded_table``), and
findings filled from the instruments (PTD-02 and PTD-04 are answered at random as before, whatever the stamps).
"""

from __future__ import annotations

import argparse
import itertools
import math
import random
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
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

# ---- metrology ---------------------------------------------------------------------------------------------------
# The day the generated state is read (the dashboard's "today" when the benchmarks run): stamps and standards are
# expired or due against it.
AS_OF = (END + timedelta(days=2)).date()
# Scales of each type as (Max in kg, e in kg, class) with their share: spring scales are the (Max, d) of
# TT 09/2017 Bảng 2, the others are common class III / IIII nameplates (R 76-1 Bảng 3 holds for every one).
SCALE_MODELS = {
    "spring_scale": [
        (("2", "0.01", "IIII"), 10),
        (("5", "0.02", "IIII"), 20),
        (("10", "0.05", "IIII"), 20),
        (("15", "0.05", "IIII"), 20),
        (("20", "0.05", "IIII"), 10),
        (("30", "0.1", "IIII"), 15),
        (("60", "0.2", "IIII"), 5),
    ],
    "pan_scale": [(("5", "0.02", "IIII"), 60), (("10", "0.05", "IIII"), 40)],
    "electronic_scale": [
        (("3", "0.001", "III"), 15),
        (("6", "0.002", "III"), 20),
        (("15", "0.005", "III"), 30),
        (("30", "0.01", "III"), 35),
    ],
    "platform_scale": [
        (("60", "0.02", "III"), 25),
        (("100", "0.05", "III"), 25),
        (("150", "0.05", "III"), 30),
        (("300", "0.1", "III"), 20),
    ],
}
# Per premise type: how many instruments (with shares) and of which types.
INSTRUMENT_MIX = {
    "market_stall": (
        [(1, 50), (2, 35), (3, 15)],
        [("spring_scale", 70), ("electronic_scale", 25), ("pan_scale", 5)],
    ),
    "grocery": (
        [(1, 60), (2, 30), (3, 10)],
        [("electronic_scale", 50), ("spring_scale", 40), ("platform_scale", 10)],
    ),
    "supermarket": ([(1, 30), (2, 40), (3, 30)], [("electronic_scale", 85), ("platform_scale", 15)]),
    "producer": (
        [(1, 40), (2, 40), (3, 20)],
        [("platform_scale", 50), ("electronic_scale", 40), ("spring_scale", 10)],
    ),
    "fuel_station": ([(1, 25), (2, 45), (3, 30)], [("fuel_dispenser", 100)]),
    "other": ([(0, 40), (1, 50), (2, 10)], [("spring_scale", 50), ("electronic_scale", 50)]),
}
MAKES = {
    "spring_scale": ["Nhơn Hòa", "Nhơn Hòa", "Ánh Dương", "Đại Phát"],
    "pan_scale": ["Nhơn Hòa", "Vinacân"],
    "electronic_scale": ["Vibra", "CAS", "Ohaus", "Yaohua", "Jadever"],
    "platform_scale": ["Nhơn Hòa", "Yaohua", "CAS"],
    "fuel_dispenser": ["Tatsuno", "Tokheim", "Gilbarco", "Tân Phát"],
}
GOODS_MASSES = ["0.5", "1", "2", "5", "10", "20", "50"]
# A commune's weight kit (nominal, unit), the large weights most have too, and the kit borrowed from the province.
WEIGHT_KIT = [("500", "g"), ("1", "kg"), ("2", "kg"), ("5", "kg")]
LARGE_WEIGHTS = [("10", "kg"), ("20", "kg")]
BORROWED_KIT = [("2", "kg"), ("5", "kg"), ("10", "kg"), ("20", "kg")]
LENDER = "Trung tâm Kỹ thuật Tiêu chuẩn Đo lường Chất lượng tỉnh Quảng Ngãi"
CERTIFICATE_SHARES = [("verification", 80), ("calibration", 12), ("unknown", 8)]
# The premise types item PTD-05 (phép đo đối chứng) applies to.
CONTROL_TYPES = ("market_stall", "grocery", "supermarket", "other")
# Readings per inspection that checked the PTD group, when its premise has something to measure with.
READING_COUNTS = [(0, 40), (1, 42), (2, 14), (3, 4)]
# Share of completed inspections with pre-packaged lots, by premise type, and lots per such inspection.
LOT_SHARES = {
    "market_stall": 0.13,
    "grocery": 0.36,
    "supermarket": 0.55,
    "producer": 0.45,
    "other": 0.22,
    "fuel_station": 0.05,
}
LOT_COUNTS = [(1, 70), (2, 22), (3, 8)]
# Products sampled as lots: name, nominal quantity, unit, tare of the packaging (None: measured net by volume).
LOT_PRODUCTS = [
    ("Đường tinh luyện", "1", "kg", "0.006"),
    ("Gạo thơm túi", "5", "kg", "0.02"),
    ("Bột ngọt", "454", "g", "3"),
    ("Muối i-ốt", "500", "g", "2"),
    ("Hạt nêm", "400", "g", "4"),
    ("Bột giặt", "800", "g", "9"),
    ("Cà phê bột", "500", "g", "6"),
    ("Bánh quy", "300", "g", "25"),
    ("Mì sợi", "500", "g", "5"),
    ("Nước mắm", "500", "mL", None),
    ("Dầu ăn", "1", "L", None),
    ("Nước tinh khiết", "500", "mL", None),
]
LOT_STEPS = {"g": Decimal("0.1"), "kg": Decimal("0.001"), "mL": Decimal("1"), "L": Decimal("0.001")}
READING_VOID_REASONS = ["Ghi nhầm số chỉ, đã đo lại", "Đặt nhầm quả cân, đo lại", "Chọn nhầm phương tiện đo"]
LOT_VOID_REASON = "Nhập trùng lô hàng"


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


# The planner's costs the README's deployment section recommends for a server on SSD storage, set on the bench's
# database as a deployment sets them in postgresql.conf (Debian's defaults assume spinning disks).
SSD_PLANNER_SETTINGS = {"random_page_cost": "1.1", "effective_cache_size": "12GB"}


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
        for setting, value in SSD_PLANNER_SETTINGS.items():
            conn.execute(text(f"ALTER DATABASE \"{name}\" SET {setting} = '{value}'"))
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


# ---- metrology ---------------------------------------------------------------------------------------------------


def at_day(day: date, hour: int = 2) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def due_date(rng: random.Random) -> date:
    """A certificate's due date against AS_OF: 15 % overdue, 10 % due within 30 days, the rest later in the year."""
    draw = rng.random()
    if draw < 0.15:
        return AS_OF - timedelta(days=rng.randint(1, 150))
    if draw < 0.25:
        return AS_OF + timedelta(days=rng.randint(0, 30))
    return AS_OF + timedelta(days=rng.randint(31, 360))


def standard_rows(rng: random.Random, units, staff, fuel_units: set[int]):
    """Every commune's reference standards, and its kits in use: the standards of one certificate, with its due date,
    its date and the previous certificate (number, due date) that a reading made before it names."""
    from inspect_app.measurements.units import to_grams
    from inspect_app.tolerances import weight_mpe
    from inspect_app.tolerances.cycles import add_months

    rows: list[dict] = []
    kits_of: dict[int, list[dict]] = {}
    created = END - timedelta(days=400)

    def row(
        unit, kind, nominal, unit_name, accuracy_class, serial, certificate, calibrated_on, due_on, **extra
    ):
        rows.append(
            {
                "id": len(rows) + 1,
                "uuid": a_uuid(rng),
                "unit_id": unit["id"],
                "kind": kind,
                "nominal": Decimal(nominal),
                "unit": unit_name,
                "accuracy_class": accuracy_class,
                "correction_mg": None,
                "serial": serial,
                "certificate_number": certificate,
                "calibrated_on": calibrated_on,
                "due_on": due_on,
                "certificate_type": "verification",
                "due_on_computed": False,
                "ownership": "own",
                "lender": "",
                "certificate_key": None,
                "certificate_thumbnail_key": None,
                "certificate_sha256": None,
                "active": True,
                "note": "",
                "created_by_id": staff[unit["id"]],
                "created_at": created,
                "updated_at": max(created, at_day(calibrated_on)),
                "version": 1,
                "create_digest": a_hex(rng),
                **extra,
            }
        )
        return rows[-1]

    def kit(unit, kind, items, accuracy_class, ownership, prefix):
        due_on = due_date(rng)
        calibrated_on = add_months(due_on, -12) + timedelta(days=1)
        number = rng.randrange(1000, 10**5)
        certificate_type = weighted(rng, CERTIFICATE_SHARES) if kind == "weight" else "verification"
        previous = f"{number - rng.randrange(1, 900):05d}/GCN-{calibrated_on.year - 1}"
        made = {
            "id": sum(len(k) for k in kits_of.values()) + 1,
            "kind": kind,
            "standards": [],
            "due_on": due_on,
            "calibrated_on": calibrated_on,
            "previous": (previous, calibrated_on - timedelta(days=1)),
        }
        for nominal, unit_name in items:
            correction = None
            if kind == "weight" and rng.random() < 0.5:
                half = int(weight_mpe(to_grams(Decimal(nominal), unit_name), accuracy_class) / 2)
                correction = Decimal(rng.randint(-half, half))
            made["standards"].append(
                row(
                    unit,
                    kind,
                    nominal,
                    unit_name,
                    accuracy_class,
                    f"{prefix}-{nominal}{unit_name}-{unit['code']}",
                    f"{number:05d}/GCN-{calibrated_on.year}",
                    calibrated_on,
                    due_on,
                    correction_mg=correction,
                    certificate_type=certificate_type,
                    ownership=ownership,
                    lender=LENDER if ownership == "borrowed" else "",
                )
            )
        kits_of.setdefault(unit["id"], []).append(made)

    for unit in units:
        weights = WEIGHT_KIT + (LARGE_WEIGHTS if rng.random() < 0.6 else [])
        kit(unit, "weight", weights, "M1", "own", "QC")
        if rng.random() < 0.2:
            kit(unit, "weight", BORROWED_KIT, "M1", "borrowed", "TTKT")
        if unit["id"] in fuel_units:
            kit(unit, "volume_measure", [("20", "L")], "0.1", "own", "BC")
        if rng.random() < 0.1:
            old = AS_OF - timedelta(days=rng.randint(400, 900))
            row(
                unit,
                "weight",
                "1",
                "kg",
                "M2",
                f"QC-1kg-{unit['code']}-cu",
                f"{rng.randrange(1000, 10**5):05d}/GCN-{old.year - 1}",
                old - timedelta(days=364),
                old,
                active=False,
                note="Ngừng sử dụng: đã thay bằng bộ quả cân M1",
            )
    return rows, kits_of


def instrument_rows(rng: random.Random, premises, staff):
    """The instruments at every premise, and the ones in use by premise id."""
    from inspect_app.measurements.units import from_grams, tidy, to_grams
    from inspect_app.tolerances import cycle_expiry_date, min_capacity, validate_scale
    from inspect_app.tolerances.cycles import add_months, instrument_cycle_months

    for kind, models in SCALE_MODELS.items():
        for (maximum, e, accuracy_class), _ in models:
            problems = validate_scale(
                to_grams(Decimal(maximum), "kg"), to_grams(Decimal(e), "kg"), accuracy_class
            )
            assert not problems, (kind, maximum, e, problems)
    months_of = instrument_cycle_months()
    rows: list[dict] = []
    in_use_at: dict[int, list[dict]] = {}
    for premise in premises:
        counts, types = INSTRUMENT_MIX[premise["premise_type"]]
        for _ in range(weighted(rng, counts)):
            kind = weighted(rng, types)
            make = rng.choice(MAKES[kind])
            maximum = minimum = e = goods = None
            if kind == "fuel_dispenser":
                unit, accuracy_class = "L", "0.5"
                seal = weighted(rng, [("intact", 95), ("broken", 5)])
            else:
                max_text, e_text, accuracy_class = weighted(rng, SCALE_MODELS[kind])
                unit, maximum, e = "kg", Decimal(max_text), Decimal(e_text)
                minimum = tidy(from_grams(min_capacity(to_grams(e, unit), accuracy_class), unit))
                if rng.random() < 0.5:
                    goods = Decimal(rng.choice([g for g in GOODS_MASSES if Decimal(g) <= maximum]))
                if kind in ("electronic_scale", "platform_scale"):
                    seal = weighted(rng, [("intact", 60), ("none", 35), ("broken", 5)])
                else:
                    seal = weighted(rng, [("none", 85), ("intact", 12), ("broken", 3)])
            mark, verified_on, valid_until = "", None, None
            draw = rng.random()
            if draw >= 0.03:
                months = months_of[(kind, None)]
                if draw < 0.14:
                    expires = AS_OF - timedelta(days=rng.randint(1, 300))
                else:
                    expires = AS_OF + timedelta(days=rng.randint(0, months * 30 - 5))
                verified_on = add_months(expires, -months) + timedelta(days=1)
                # A quarter of the stamps show only the verification date: the expiry is the cycle's.
                valid_until = cycle_expiry_date(verified_on, months) if rng.random() < 0.75 else None
                mark = f"TKĐ-{PROVINCE_CODE}-{rng.randrange(10**7):07d}"
            created = (premise["created_at"] + timedelta(hours=rng.uniform(0, 72))).replace(microsecond=0)
            instrument = {
                "id": len(rows) + 1,
                "uuid": a_uuid(rng),
                "unit_id": premise["unit_id"],
                "premise_id": premise["id"],
                "instrument_type": kind,
                "variant": None,
                "owner_name": "",
                "installation_address": "",
                "make": make,
                "model": "",
                "serial": f"{rng.randrange(10**6):06d}",
                "accuracy_class": accuracy_class,
                "unit": unit,
                "max_capacity": maximum,
                "min_capacity": minimum,
                "e": e,
                "d": None,
                "goods_mass": goods,
                "verification_mark": mark,
                "verified_on": verified_on,
                "valid_until": valid_until,
                "seal_state": seal,
                "in_use": rng.random() > 0.05,
                "note": "",
                "created_by_id": staff[premise["unit_id"]],
                "created_at": created,
                "updated_at": created,
                "version": 1,
                "create_digest": a_hex(rng),
            }
            rows.append(instrument)
            if instrument["in_use"]:
                in_use_at.setdefault(premise["id"], []).append(instrument)
    return rows, in_use_at


def add_province_staff(rng: random.Random, share: float, inspections, members, findings, catalogue, user_id):
    """Put the province supervisor in a share of the teams, and mark every finding "sơ bộ" or not as the app does."""
    from inspect_app.domain.scope import is_indicative

    scopes = {item.code: item.decision_scope for group in catalogue.groups for item in group.items}
    for record in inspections:
        record["province_in_team"] = rng.random() < share
        if record["province_in_team"]:
            members.append(
                {
                    "id": len(members) + 1,
                    "inspection_id": record["id"],
                    "user_id": user_id,
                    "name": "",
                    "position": "",
                    "organisation": "",
                    "team_role": "member",
                    "position_in_team": 1,
                }
            )
    for finding in findings:
        with_province = inspections[finding["inspection_id"] - 1]["province_in_team"]
        finding["indicative"] = is_indicative(scopes[finding["item_code"]], with_province)


class Judge:
    """The tolerance engine's verdict on a reading, with the columns the app stores from it
    (``measurements.readings._judge``), cached by the inputs, which repeat: a few scale models, standard weights and
    errors in whole divisions. The state-check choice is the default (in service)."""

    def __init__(self):
        from inspect_app.measurements.readings import judge_control
        from inspect_app.measurements.settings import DEFAULT_STATE_CHECK_RULE, state_check_text
        from inspect_app.measurements.units import from_grams, tidy
        from inspect_app.models.metrology import Instrument, Reading
        from inspect_app.tolerances import combine_weights, judge_dispenser_run, judge_weighing

        self.judge_control, self.judge_weighing, self.judge_dispenser_run = (
            judge_control,
            judge_weighing,
            judge_dispenser_run,
        )
        self.combine_weights, self.from_grams, self.tidy = combine_weights, from_grams, tidy
        self.choice, self.state_check_text = DEFAULT_STATE_CHECK_RULE, state_check_text
        self.columns_from, self.Instrument = Reading.columns_from, Instrument
        self.instruments: dict[tuple, object] = {}
        self.cache: dict[tuple, dict] = {}

    @staticmethod
    def model(instrument: dict) -> tuple:
        return (
            instrument["instrument_type"],
            instrument["max_capacity"],
            instrument["e"],
            instrument["accuracy_class"],
            instrument["unit"],
        )

    def instrument(self, model: tuple):
        """A transient Instrument of this model (never added to a session), for the app's own functions."""
        found = self.instruments.get(model)
        if found is None:
            kind, maximum, e, accuracy_class, unit = model
            found = self.instruments[model] = self.Instrument(
                instrument_type=kind,
                max_capacity=maximum,
                e=e,
                d=None,
                accuracy_class=accuracy_class,
                unit=unit,
            )
        return found

    def __call__(self, kind, model, weights, reference, indication, direction, valid) -> dict:
        key = (kind, model, weights, reference, indication, direction, valid)
        found = self.cache.get(key)
        if found is None:
            found = self.cache[key] = self._judge(*key)
        return found

    def _judge(self, kind, model, weights, reference, indication, direction, valid) -> dict:
        instrument = self.instrument(model)
        unit = model[4]
        choice = None
        if kind == "control":
            verdict = self.judge_control(instrument, indication, reference, unit, direction, valid)
            error = self.from_grams(verdict.error, unit)
            permitted = self.from_grams(verdict.permitted_error, unit)
            rule = verdict.rule
        elif kind == "weighing":
            choice = self.choice
            verdict = self.judge_weighing(
                indication,
                reference,
                instrument.e,
                instrument.accuracy_class,
                in_service=choice == "in_service",
                standards_mpe=self.combine_weights(list(weights)),
                standards_valid=valid,
                unit=unit,
            )
            error, permitted = verdict.error, verdict.permitted_error
            rule = f"{self.state_check_text(choice, kind)}; {verdict.rule}"
        else:
            choice = self.choice
            verdict = self.judge_dispenser_run(
                reference,
                indication,
                instrument.accuracy_class,
                "system" if choice == "in_service" else "meter",
                standards_valid=valid,
            )
            error, permitted = verdict.error, verdict.permitted_error
            rule = f"{self.state_check_text(choice, kind)}; {verdict.rule}"
        return {
            "unit": unit,
            "error": self.tidy(error),
            "permitted_error": self.tidy(permitted),
            **self.columns_from(verdict),
            "rule": rule,
            "state_check_rule": choice,
        }


def reading_rows(
    rng: random.Random, inspections, findings, premises, instruments_at, kits_of, scale: int = 1
) -> list[dict]:
    """Readings on the completed inspections that checked the PTD group, consistent with items PTD-05 and PTD-06."""
    from inspect_app.domain.scope import is_indicative
    from inspect_app.domain.vocabulary import READING_KIND_SCOPES
    from inspect_app.measurements.readings import instrument_label
    from inspect_app.measurements.standards import certificate_warning
    from inspect_app.measurements.units import from_grams, to_grams
    from inspect_app.models.metrology import canonical_decimal
    from inspect_app.tolerances import standard_status

    judge = Judge()
    answers_of: dict[int, dict[str, str]] = {}
    for finding in findings:
        answers_of.setdefault(finding["inspection_id"], {})[finding["item_code"]] = finding["answer"]
    labels: dict[int, str] = {}
    loads: dict[tuple, list] = {}

    def label(instrument):
        found = labels.get(instrument["id"])
        if found is None:
            model = judge.instrument(Judge.model(instrument))
            model.serial = instrument["serial"]
            found = labels[instrument["id"]] = instrument_label(model)
        return found

    def loads_for(instrument, kit):
        """The weights of the kit (alone or two together) a scale can be checked with: 20 d up to Max."""
        key = (Judge.model(instrument), kit["id"])
        found = loads.get(key)
        if found is None:
            maximum = to_grams(instrument["max_capacity"], instrument["unit"])
            lowest = 20 * to_grams(instrument["e"], instrument["unit"])
            singles = [(s,) for s in kit["standards"]]
            pairs = list(itertools.combinations(kit["standards"], 2))
            found = loads[key] = [
                [
                    combo
                    for combo in group
                    if lowest <= sum(to_grams(s["nominal"], s["unit"]) for s in combo) <= maximum
                ]
                for group in (singles, pairs)
            ]
        return found

    def snapshot(standard, kit, on_date):
        certificate, due_on = standard["certificate_number"], standard["due_on"]
        if on_date < standard["calibrated_on"]:
            certificate, due_on = kit["previous"]
        return {
            "id": standard["id"],
            "kind": standard["kind"],
            "nominal": canonical_decimal(standard["nominal"]),
            "unit": standard["unit"],
            "accuracy_class": standard["accuracy_class"],
            "correction_mg": None
            if standard["correction_mg"] is None
            else canonical_decimal(standard["correction_mg"]),
            "serial": standard["serial"],
            "certificate_number": certificate,
            "due_on": due_on.isoformat(),
            "status": standard_status(due_on, on_date),
            "certificate_type": standard["certificate_type"],
        }

    rows: list[dict] = []
    for record in inspections:
        if record["status"] == "draft":
            continue
        answers = answers_of.get(record["id"], {})
        if not any(code.startswith("PTD-") and answer != "na" for code, answer in answers.items()):
            continue
        premise = premises[record["premise_id"] - 1]
        instruments = instruments_at.get(premise["id"], [])
        scales = [i for i in instruments if i["instrument_type"] in SCALE_MODELS]
        dispensers = [i for i in instruments if i["instrument_type"] == "fuel_dispenser"]
        kits = kits_of.get(record["unit_id"], [])
        weight_kits = [k for k in kits if k["kind"] == "weight"]
        volume_kits = [k for k in kits if k["kind"] == "volume_measure"]
        control_answer, error_answer = answers.get("PTD-05"), answers.get("PTD-06")
        may = {
            "control": premise["premise_type"] in CONTROL_TYPES
            and bool(scales and weight_kits)
            and control_answer != "na",
            "weighing": bool(scales and weight_kits) and error_answer != "na",
            "dispenser": bool(dispensers and volume_kits) and error_answer != "na",
        }
        error_kind = "dispenser" if may["dispenser"] else "weighing"
        forced = []
        if control_answer == "fail" and may["control"]:
            forced.append("control")
        if error_answer == "fail" and may[error_kind]:
            forced.append(error_kind)
        count = max(weighted(rng, READING_COUNTS) * scale, len(forced))
        if not any(may.values()) or count == 0:
            continue
        handled = record["outcome"] not in (None, "pass")
        planned = []  # (kind, fail, voided)
        for n in range(count):
            if n < len(forced):
                planned.append((forced[n], True, False))
                continue
            if may["dispenser"]:
                kind = "dispenser"
            elif may["control"] and (
                not may["weighing"] or rng.random() > (0.5 if record["province_in_team"] else 0.15)
            ):
                kind = "control"
            elif may["weighing"]:
                kind = "weighing"
            else:
                continue
            answer = control_answer if kind == "control" else error_answer
            chance = 0.4 if answer == "fail" else (0.15 if answer is None and handled else 0.0)
            planned.append((kind, rng.random() < chance, False))
        if planned and rng.random() < 0.03:
            # A mistyped reading, voided before the biên bản and measured again.
            planned.insert(0, (planned[0][0], True, True))
        span = record["ended_at"] - record["started_at"]
        for n, (kind, fail, voided) in enumerate(planned):
            measured_at = (record["started_at"] + span * (n + 1) / (len(planned) + 2)).replace(microsecond=0)
            on_date = (measured_at + VN_OFFSET).date()
            instrument = rng.choice(dispensers if kind == "dispenser" else scales)
            model = Judge.model(instrument)
            pool = volume_kits if kind == "dispenser" else weight_kits
            if fail and not voided:
                pool = [k for k in pool if on_date <= k["due_on"]] or pool
            direction = None
            if kind == "dispenser":
                kit = rng.choice(pool)
                standards = kit["standards"][:1]
                weights = ()
                indication = Decimal("20.00")
                step = Decimal("0.01")
                valid = on_date <= kit["due_on"]
                permitted = judge(kind, model, weights, indication, indication, None, True)["permitted_error"]
                if fail:
                    delta = permitted + step * rng.randint(1, 15) * (10 if voided else 1)
                    reference = indication + delta if rng.random() < 0.15 else indication - delta
                else:
                    reference = indication + step * rng.randint(-6, 6)
            else:
                choices = [(kit, loads_for(instrument, kit)) for kit in pool]
                choices = [(kit, groups) for kit, groups in choices if groups[0] or groups[1]]
                if not choices:
                    continue
                kit, (singles, pairs) = rng.choice(choices)
                standards = list(
                    rng.choice(singles if singles and (not pairs or rng.random() < 0.8) else pairs)
                )
                weights = tuple((to_grams(s["nominal"], s["unit"]), s["accuracy_class"]) for s in standards)
                unit = instrument["unit"]
                reference = from_grams(sum(w for w, _ in weights), unit)
                valid = on_date <= kit["due_on"]
                step = instrument["e"]
                if kind == "control":
                    direction = "sell" if rng.random() < 0.85 else "buy"
                permitted = judge(kind, model, weights, reference, reference, direction, True)[
                    "permitted_error"
                ]
                if voided:
                    indication = reference + permitted + step * rng.randint(10, 30)
                elif fail:
                    off = permitted + step * rng.randint(1, 3)
                    if kind == "control":
                        indication = reference + off if direction == "sell" else reference - off
                    else:
                        indication = reference + off if rng.random() < 0.7 else reference - off
                else:
                    indication = reference + step * rng.choice((-1, 0, 0, 0, 1))
            verdict = judge(kind, model, weights, reference, indication, direction, valid)
            snapshots = [snapshot(s, kit, on_date) for s in standards]
            notes = list(dict.fromkeys(filter(None, map(certificate_warning, snapshots))))
            inspector = record["created_by_id"]
            rows.append(
                {
                    "id": len(rows) + 1,
                    "uuid": a_uuid(rng),
                    "inspection_id": record["id"],
                    "instrument_id": instrument["id"],
                    "kind": kind,
                    "instrument_label": label(instrument),
                    "standards": snapshots,
                    "reference": reference,
                    "indication": indication,
                    "direction": direction,
                    "measured_at": measured_at,
                    "note": "",
                    **verdict,
                    "warnings": [*verdict["warnings"], *notes] if notes else verdict["warnings"],
                    "superseded_table": None,
                    "indicative": is_indicative(READING_KIND_SCOPES[kind], record["province_in_team"]),
                    "voided_at": measured_at + timedelta(minutes=rng.randint(1, 5)) if voided else None,
                    "void_reason": rng.choice(READING_VOID_REASONS) if voided else None,
                    "voided_by_id": inspector if voided else None,
                    "created_by_id": inspector,
                    "created_at": measured_at,
                    "version": 2 if voided else 1,
                    "create_digest": a_hex(rng),
                }
            )
    return rows


def lot_rows(rng: random.Random, inspections, findings, premises) -> list[dict]:
    """Pre-packaged lots on about a quarter of the completed inspections, failing with item CL-03."""
    from inspect_app.domain.scope import is_indicative
    from inspect_app.domain.vocabulary import LOT_DECISION_SCOPE
    from inspect_app.measurements.units import tidy
    from inspect_app.models.metrology import PrepackagedLot, canonical_decimal
    from inspect_app.tolerances import judge_lot, tolerance

    lot_answer_of = {f["inspection_id"]: f["answer"] for f in findings if f["item_code"] == "CL-03"}
    rows: list[dict] = []

    def sample(nominal, unit, fail):
        """Net quantities of a sample, and its lot size (None or the sample size: the whole lot)."""
        step = LOT_STEPS[unit]
        t = tolerance(nominal, unit).tolerable_deficiency
        if rng.random() < 0.45:
            size = rng.randint(5, 20)
            lot_size = size if rng.random() < 0.7 else None
        else:
            size = weighted(rng, [(20, 40), (30, 40), (50, 20)])
            lot_size = size + rng.randint(10, 400)
        low, high = (-1.2, 0.3) if fail and rng.random() < 0.6 else (-0.3, 0.9)
        nets = [(nominal + t * Decimal(f"{rng.uniform(low, high):.3f}")).quantize(step) for _ in range(size)]
        if fail and low > -1:
            nets[rng.randrange(size)] = (nominal - t * Decimal("2.3")).quantize(step)
        return nets, lot_size

    for record in inspections:
        if record["status"] == "draft":
            continue
        answer = lot_answer_of.get(record["id"])
        premise = premises[record["premise_id"] - 1]
        if answer == "na" or (answer != "fail" and rng.random() >= LOT_SHARES[premise["premise_type"]]):
            continue
        handled = record["outcome"] not in (None, "pass")
        count = weighted(rng, LOT_COUNTS)
        planned = [
            (answer == "fail" and n == 0)
            or rng.random() < (0.3 if answer == "fail" else (0.2 if answer is None and handled else 0.0))
            for n in range(count)
        ]
        duplicate = rng.random() < 0.02
        span = record["ended_at"] - record["started_at"]
        inspector = record["created_by_id"]
        for n, fail in enumerate(planned):
            product, nominal_text, unit, tare_text = rng.choice(LOT_PRODUCTS)
            nominal = Decimal(nominal_text)
            tare = None if tare_text is None else Decimal(tare_text)
            for _ in range(5):
                nets, lot_size = sample(nominal, unit, fail)
                verdict = judge_lot(nominal, unit, nets, lot_size)
                if (verdict.outcome == "fail") == fail:
                    break
            measured = [net + tare for net in nets] if tare is not None else nets
            created = (record["started_at"] + span * (n + 1) / (count + 2)).replace(microsecond=0)
            lot = {
                "uuid": a_uuid(rng),
                "inspection_id": record["id"],
                "product": f"{product} {nominal_text} {unit}",
                "nominal": nominal,
                "unit": unit,
                "tare": tare,
                "lot_size": lot_size,
                "measured": [canonical_decimal(value) for value in measured],
                "note": "",
                "sample_size": verdict.sample_size,
                "mean": tidy(verdict.mean),
                "std_dev": tidy(verdict.std_dev),
                "tolerable_deficiency": tidy(verdict.tolerable_deficiency),
                "count_beyond_t": verdict.count_beyond_t,
                "count_beyond_2t": verdict.count_beyond_2t,
                **PrepackagedLot.columns_from(verdict),
                "rule": verdict.rule,
                "rules_broken": list(verdict.rules_broken),
                "indicative": is_indicative(LOT_DECISION_SCOPE, record["province_in_team"]),
                "voided_at": None,
                "void_reason": None,
                "voided_by_id": None,
                "created_by_id": inspector,
                "created_at": created,
                "version": 1,
                "create_digest": a_hex(rng),
            }
            if duplicate and n == 0:
                # The same lot entered twice: the first copy is voided.
                rows.append(
                    {
                        **lot,
                        "id": len(rows) + 1,
                        "voided_at": created + timedelta(minutes=rng.randint(1, 10)),
                        "void_reason": LOT_VOID_REASON,
                        "voided_by_id": inspector,
                        "version": 2,
                    }
                )
                lot = {**lot, "uuid": a_uuid(rng), "create_digest": a_hex(rng)}
            rows.append({**lot, "id": len(rows) + 1})
    return rows


@dataclass(frozen=True)
class Place:
    """Where a generated province is and what it is called: its code and name, its Sở account (and an
    administrator's, if any), the first of its communes' codes and the south-west corner of the 0.85° × 0.75° box its
    communes are spread over. ``national.py`` builds 34 of them, each with its own."""

    code: str = PROVINCE_CODE
    name: str = PROVINCE_NAME
    supervisor: str = SUPERVISOR
    admin: str | None = "admin.bench"
    unit_code_base: int = 21000
    south: float = 14.55
    west: float = 108.35


def build(conn, args, where: Place = Place(), insert=None) -> dict[str, int]:
    """Every row of one province, written by ``insert(table, rows)`` (bulk INSERTs into ``conn`` by default) with
    ids from 1 in each table; the rows reference each other by those ids."""
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
    from inspect_app.measurements.readings import within_verification
    from inspect_app.models.metrology import (
        Instrument,
        PrepackagedLot,
        Reading,
        ReadingStandard,
        ReferenceStandard,
    )

    rng = random.Random(args.seed)
    # The metrology records draw from their own stream: the rows made without them stay the same.
    metrology_rng = random.Random(f"{args.seed}:metrology")
    insert = insert or Inserter(conn)
    catalogue = load_catalogue(None)
    items_by_type: dict[str, list[str]] = {}
    for code, _ in TYPE_SHARES:
        items_by_type[code] = [i.code for g in catalogue.groups for i in g.items if i.applies_to(code)]

    # ---- province, communes, accounts ----------------------------------------------------------------------------
    insert(Province.__table__, [{"id": 1, "code": where.code, "name": where.name}])
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
        lat = where.south + 0.85 * ((n // side) + 0.5) / side + rng.uniform(-0.01, 0.01)
        lon = where.west + 0.75 * ((n % side) + 0.5) / side + rng.uniform(-0.01, 0.01)
        units.append(
            {
                "id": n + 1,
                "code": f"{where.unit_code_base + n}",
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

    supervisor_id = add_user(
        where.supervisor, "supervisor", province_id=1, position="Chuyên viên Sở Khoa học và Công nghệ"
    )
    if where.admin:
        add_user(where.admin, "admin", province_id=1, position="Quản trị hệ thống")
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

    # ---- reference standards and instruments -----------------------------------------------------------------------
    fuel_units = {p["unit_id"] for p in premises if p["premise_type"] == "fuel_station"}
    standards, kits_of = standard_rows(metrology_rng, units, staff, fuel_units)
    insert(ReferenceStandard.__table__, standards)
    instruments, instruments_at = instrument_rows(metrology_rng, premises, staff)
    insert(Instrument.__table__, instruments)

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
            base_lat = premise["latitude"] if premise["latitude"] is not None else where.south + 0.25
            base_lon = premise["longitude"] if premise["longitude"] is not None else where.west + 0.55
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
    add_province_staff(
        metrology_rng, args.province_team_share, inspections, members, findings, catalogue, supervisor_id
    )
    insert(Inspection.__table__, inspections)
    insert(InspectionMember.__table__, members)
    insert(Finding.__table__, findings)
    insert(Photo.__table__, photos)
    readings = reading_rows(
        metrology_rng, inspections, findings, premises, instruments_at, kits_of, args.readings_scale
    )
    insert(Reading.__table__, readings)
    # The standards each reading used, as rows (what measurements.readings.use_standards writes).
    insert(
        ReadingStandard.__table__,
        [
            {"reading_id": r["id"], "standard_id": s["id"], "within_verification": within_verification(s)}
            for r in readings
            for s in {item["id"]: item for item in r["standards"]}.values()
        ],
    )
    del readings
    insert(PrepackagedLot.__table__, lot_rows(metrology_rng, inspections, findings, premises))

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


def add_record_options(parser: argparse.ArgumentParser) -> None:
    """The options of what each inspection carries, shared with ``national.py``."""
    parser.add_argument("--markets-per-unit", type=int, default=2)
    parser.add_argument("--findings-per-inspection", type=int, default=4)
    parser.add_argument("--photo-share", type=float, default=0.3, help="share of inspections with a photo")
    parser.add_argument(
        "--minutes-share", type=float, default=0.35, help="share of inspections needing handling that get one"
    )
    parser.add_argument(
        "--province-team-share",
        type=float,
        default=0.12,
        help="share of inspections with someone from the Sở in the team (their error tests and lots conclude)",
    )
    parser.add_argument(
        "--readings-scale",
        type=int,
        default=1,
        help="multiply the readings per inspection that has any (about 0.7 per inspection at 1; 14 gives the yearly "
        "report's bench some 1,000,000 readings for 100,000 inspections)",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--recreate", action="store_true", help="drop the database (or SQLite file) first")


def bulk_load_app(url: str):
    from inspect_app import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "UPLOAD_DIR": tempfile.mkdtemp(),
            "DB_STATEMENT_TIMEOUT_MS": 0,  # a bulk load, not a web request
        }
    )


def compute_kept() -> tuple[float, float]:
    """In the app's context, after the rows are in: every premise's latest state and every inspection's tallies, as
    `flask rebuild-premise-state` and `flask rebuild-inspection-tallies` compute them, with ANALYZE before (PostgreSQL
    plans the state 30 times slower on freshly loaded tables without statistics) and after. Seconds of each."""
    from inspect_app.extensions import db
    from inspect_app.inspections import tallies
    from inspect_app.premises.state import refresh_premise_state

    def analyze():
        with db.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()

    started = time.perf_counter()
    analyze()
    refresh_premise_state(None)
    db.session.commit()
    state = time.perf_counter() - started
    tallies.refresh(db.session)
    db.session.commit()
    tallied = time.perf_counter() - started - state
    analyze()
    return state, tallied


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("url", help="SQLAlchemy database URL (sqlite:///… or postgresql+psycopg://…)")
    parser.add_argument("--premises", type=int, default=50_000)
    parser.add_argument("--inspections", type=int, default=200_000)
    parser.add_argument("--units", type=int, default=96, help="communes, wards and special zones")
    add_record_options(parser)
    args = parser.parse_args(argv)

    from flask_migrate import upgrade

    from inspect_app.extensions import db
    from inspect_app.models import Premise

    prepare_database(args.url, args.recreate)
    app = bulk_load_app(args.url)
    started = time.perf_counter()
    with app.app_context():
        upgrade()
        with db.engine.begin() as conn:
            if conn.execute(select(func.count()).select_from(Premise.__table__)).scalar():
                print("The database already has premises; use --recreate to build it anew.", file=sys.stderr)
                return 2
            counts = build(conn, args)
            reset_sequences(conn)
        built = time.perf_counter() - started
        state, tallied = compute_kept()
        db.engine.dispose()
    elapsed = time.perf_counter() - started
    print(", ".join(f"{table} {count:,}" for table, count in counts.items()))
    print(
        f"built in {elapsed:.0f} s (rows {built:.0f} s, premise state {state:.0f} s, tallies {tallied:.0f} s; "
        f"CPU of this process {time.process_time():.0f} s): {args.url}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
