"""Demo data for clicking through: Quảng Ngãi with three commune-level units, markets, 40+ premises and accounts.

Loading is idempotent: every record is looked up by its natural key first, so running it again adds nothing.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from importlib import resources

from sqlalchemy import select

from ..areas.csv_import import import_units
from ..extensions import db
from ..models import Market, Premise, Province, Unit, User
from ..premises.service import create_premise

DEMO_PASSWORD = "KiemTra@2026"

# username, full name, position, role, unit code or None, province code or None
ACCOUNTS = [
    ("admin", "Lê Minh Quân", "Quản trị hệ thống", "admin", None, "51"),
    ("sokhcn", "Phạm Thị Thu Hà", "Chuyên viên Sở Khoa học và Công nghệ", "supervisor", None, "51"),
    ("lanhdao.ducpho", "Võ Văn Thành", "Phó Chủ tịch UBND phường", "supervisor", "21439", None),
    ("kiemtra.ducpho", "Trần Văn Bình", "Công chức Văn hóa – Xã hội", "inspector", "21439", None),
    ("kiemtra2.ducpho", "Huỳnh Thị Mai", "Chuyên viên Phòng Kinh tế", "inspector", "21439", None),
    ("vanphong.ducpho", "Nguyễn Thị Lan", "Chuyên viên Văn phòng HĐND và UBND", "staff", "21439", None),
    ("kiemtra.badong", "Đinh Văn Hùng", "Công chức Văn hóa – Xã hội", "inspector", "21496", None),
    ("vanphong.badong", "Phạm Thị Hoa", "Chuyên viên Văn phòng HĐND và UBND", "staff", "21496", None),
    (
        "kiemtra.camthanh",
        "Lê Quang Vinh",
        "Chuyên viên Phòng Kinh tế, Hạ tầng và Đô thị",
        "inspector",
        "21025",
        None,
    ),
]

# unit code → markets: name, address, lat, lon, stalls (name, owner, stall number)
MARKETS = {
    "21439": [
        (
            "Chợ Đức Phổ",
            "Đường Nguyễn Nghiêm, phường Đức Phổ",
            14.81125,
            108.95712,
            [
                ("Sạp cân Nguyễn Thị Hường", "Nguyễn Thị Hường", "A01"),
                ("Sạp thịt heo Trần Văn Lộc", "Trần Văn Lộc", "A02"),
                ("Sạp cá biển Phạm Thị Nở", "Phạm Thị Nở", "A03"),
                ("Sạp rau củ Lê Thị Bích", "Lê Thị Bích", "A04"),
                ("Sạp gạo Huỳnh Văn Tư", "Huỳnh Văn Tư", "A05"),
                ("Sạp trái cây Võ Thị Sương", "Võ Thị Sương", "A06"),
                ("Sạp hàng khô Đặng Thị Liên", "Đặng Thị Liên", "B01"),
                ("Sạp gia vị Nguyễn Văn Khải", "Nguyễn Văn Khải", "B02"),
                ("Sạp thịt bò Bùi Thị Yến", "Bùi Thị Yến", "B03"),
                ("Sạp hải sản Trương Văn Được", "Trương Văn Được", "B04"),
                ("Sạp đường, bột Lý Thị Hạnh", "Lý Thị Hạnh", "B05"),
                ("Sạp dầu ăn Phan Thị Thắm", "Phan Thị Thắm", "B06"),
                ("Sạp gà vịt Ngô Văn Sáu", "Ngô Văn Sáu", "C01"),
                ("Sạp bánh kẹo Hồ Thị Ngọc", "Hồ Thị Ngọc", "C02"),
                ("Sạp đậu phụ Đỗ Thị Tuyết", "Đỗ Thị Tuyết", "C03"),
                ("Sạp trứng Dương Văn Mạnh", "Dương Văn Mạnh", "C04"),
            ],
        ),
        (
            "Chợ Phổ Ninh",
            "Thôn Vĩnh Xuân, phường Đức Phổ",
            14.79420,
            108.96880,
            [
                ("Sạp rau Nguyễn Thị Đào", "Nguyễn Thị Đào", "01"),
                ("Sạp cá Trần Thị Hồng", "Trần Thị Hồng", "02"),
                ("Sạp thịt heo Lê Văn Tám", "Lê Văn Tám", "03"),
                ("Sạp gạo Phạm Văn Hai", "Phạm Văn Hai", "04"),
            ],
        ),
    ],
    "21496": [
        (
            "Chợ Ba Động",
            "Thôn Nước Lăng, xã Ba Động",
            14.84710,
            108.79245,
            [
                ("Sạp thịt heo Đinh Văn Rin", "Đinh Văn Rin", "01"),
                ("Sạp rau rừng Phạm Thị Hiên", "Phạm Thị Hiên", "02"),
                ("Sạp gạo Đinh Thị Mơ", "Đinh Thị Mơ", "03"),
                ("Sạp cá suối Phạm Văn Đen", "Phạm Văn Đen", "04"),
                ("Sạp hàng khô Nguyễn Thị Thu", "Nguyễn Thị Thu", "05"),
                ("Sạp muối, đường Đinh Văn Lới", "Đinh Văn Lới", "06"),
            ],
        ),
    ],
    "21025": [
        (
            "Chợ Quảng Ngãi",
            "Đường Phan Đình Phùng, phường Cẩm Thành",
            15.12310,
            108.80120,
            [
                ("Sạp vải Trần Thị Kim", "Trần Thị Kim", "K12"),
                ("Sạp thịt heo Nguyễn Văn Phúc", "Nguyễn Văn Phúc", "T05"),
                ("Sạp hải sản Lê Thị Cúc", "Lê Thị Cúc", "H08"),
                ("Sạp trái cây Võ Văn Tài", "Võ Văn Tài", "T11"),
                ("Sạp gạo, ngũ cốc Phan Văn Lợi", "Phan Văn Lợi", "G02"),
            ],
        ),
    ],
}

# Premises outside markets: unit, name, owner, type, registration no, address, lat, lon, phone
SHOPS = [
    (
        "21439",
        "Cửa hàng xăng dầu Phổ Minh",
        "Công ty TNHH Xăng dầu Đức Phổ",
        "fuel_station",
        "4300123456",
        "Quốc lộ 1A, phường Đức Phổ",
        14.80310,
        108.95140,
        "02553859123",
    ),
    (
        "21439",
        "Tạp hóa Minh Châu",
        "Trần Minh Châu",
        "grocery",
        "34A8001234",
        "12 Nguyễn Nghiêm, phường Đức Phổ",
        14.81210,
        108.95860,
        "0905111222",
    ),
    (
        "21439",
        "Tạp hóa Bảy Hiền",
        "Nguyễn Thị Hiền",
        "grocery",
        "34A8004567",
        "45 Phạm Văn Đồng, phường Đức Phổ",
        14.80880,
        108.96020,
        "0914333444",
    ),
    (
        "21439",
        "Siêu thị mini Đức Phổ Mart",
        "Hộ kinh doanh Lê Văn Nam",
        "supermarket",
        "34A8007890",
        "88 Nguyễn Nghiêm, phường Đức Phổ",
        14.81390,
        108.95530,
        "0935555666",
    ),
    (
        "21439",
        "Cơ sở sản xuất nước mắm Sa Huỳnh Xanh",
        "Võ Văn Biển",
        "producer",
        "34A8009911",
        "Tổ dân phố 3, phường Đức Phổ",
        14.79870,
        108.97210,
        "0988777666",
    ),
    (
        "21496",
        "Cửa hàng xăng dầu Ba Động",
        "Doanh nghiệp tư nhân Hòa Bình",
        "fuel_station",
        "4300654321",
        "Tỉnh lộ 624, xã Ba Động",
        14.84920,
        108.79580,
        "02553861234",
    ),
    (
        "21496",
        "Tạp hóa Yên Thảo",
        "Phạm Thị Yên",
        "grocery",
        "",
        "Thôn Nước Lăng, xã Ba Động",
        14.84650,
        108.79110,
        "0979123123",
    ),
    (
        "21496",
        "Tạp hóa Đinh Văn Ba",
        "Đinh Văn Ba",
        "grocery",
        "",
        "Thôn Làng Xi, xã Ba Động",
        14.85230,
        108.78660,
        "",
    ),
    (
        "21025",
        "Siêu thị mini Hòa Bình",
        "Công ty TNHH Thương mại Hòa Bình",
        "supermarket",
        "4300778899",
        "156 Quang Trung, phường Cẩm Thành",
        15.12050,
        108.79880,
        "02553822999",
    ),
    (
        "21025",
        "Cửa hàng xăng dầu số 5",
        "Công ty Xăng dầu Quảng Ngãi",
        "fuel_station",
        "4300111999",
        "Đường Hùng Vương, phường Cẩm Thành",
        15.11820,
        108.80650,
        "02553823555",
    ),
]


LENDER = "Trung tâm Kỹ thuật Tiêu chuẩn Đo lường Chất lượng tỉnh Quảng Ngãi"
# unit code → reference standards: kind, nominal, unit, class, serial. Đức Phổ borrows an M1 kit from the province;
# Ba Động has none (seed 003: the ward asks the province for one), so its checks end as reminders.
STANDARDS = {
    "21439": [
        ("weight", "5", "kg", "M1", "QC-M1-05K-01"),
        ("weight", "2", "kg", "M1", "QC-M1-02K-01"),
        ("weight", "2", "kg", "M1", "QC-M1-02K-02"),
        ("weight", "1", "kg", "M1", "QC-M1-01K-01"),
        ("weight", "500", "g", "M1", "QC-M1-500G-01"),
        ("weight", "200", "g", "M1", "QC-M1-200G-01"),
        ("weight", "100", "g", "M1", "QC-M1-100G-01"),
        ("volume_measure", "20", "L", "0.1", "BC-20L-07"),
    ],
}
# premise name → instruments: type, class, unit, Max, e, goods mass, mark, verified on, valid until, seal
INSTRUMENTS = {
    "Sạp cân Nguyễn Thị Hường": [
        (
            "spring_scale",
            "IIII",
            "kg",
            "15",
            "0.05",
            "2",
            "TKĐ-51-0234567",
            date(2026, 3, 10),
            date(2027, 3, 9),
            "none",
        ),
    ],
    "Sạp thịt heo Trần Văn Lộc": [
        (
            "spring_scale",
            "IIII",
            "kg",
            "30",
            "0.1",
            "1",
            "TKĐ-51-0198765",
            date(2025, 5, 20),
            date(2026, 5, 19),
            "none",
        ),
    ],
    "Sạp gạo Huỳnh Văn Tư": [
        (
            "platform_scale",
            "III",
            "kg",
            "150",
            "0.05",
            "10",
            "TKĐ-51-0211111",
            date(2026, 1, 5),
            date(2027, 1, 4),
            "intact",
        ),
    ],
    "Siêu thị mini Đức Phổ Mart": [
        (
            "electronic_scale",
            "III",
            "kg",
            "30",
            "0.01",
            "1",
            "TKĐ-51-0222222",
            date(2026, 7, 1),
            date(2027, 6, 30),
            "intact",
        ),
    ],
    "Cửa hàng xăng dầu Phổ Minh": [
        (
            "fuel_dispenser",
            "0.5",
            "L",
            None,
            None,
            None,
            "TKĐ-51-0333333",
            date(2026, 2, 15),
            date(2027, 2, 14),
            "intact",
        ),
    ],
}


def _demo_uuid(*parts: str) -> str:
    """Stable ids, so loading the demo again finds what it made the first time."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "inspect-demo:" + "/".join(parts)))


def _load_metrology(units: dict[str, Unit]) -> dict[str, int]:
    from ..measurements import create_instrument, create_standard

    added = {"standards": 0, "instruments": 0}
    for unit_code, standards in STANDARDS.items():
        clerk = db.session.scalars(select(User).where(User.unit_id == units[unit_code].id)).first()
        for kind, nominal, unit, accuracy_class, serial in standards:
            _, created = create_standard(
                {
                    "uuid": _demo_uuid("standard", unit_code, serial),
                    "kind": kind,
                    "nominal": Decimal(nominal),
                    "unit": unit,
                    "accuracy_class": accuracy_class,
                    "serial": serial,
                    "certificate_number": f"GCN-{serial}",
                    "calibrated_on": date(2026, 6, 30),
                    "due_on": date(2027, 6, 29),
                    "ownership": "borrowed",
                    "lender": LENDER,
                },
                clerk,
            )
            added["standards"] += created
    for premise_name, instruments in INSTRUMENTS.items():
        premise = db.session.scalars(select(Premise).where(Premise.name == premise_name)).one()
        clerk = db.session.scalars(select(User).where(User.unit_id == premise.unit_id)).first()
        for index, (kind, cls, unit, maximum, e, goods, mark, verified, valid, seal) in enumerate(
            instruments
        ):
            data = {
                "uuid": _demo_uuid("instrument", premise_name, str(index)),
                "instrument_type": kind,
                "accuracy_class": cls,
                "unit": unit,
                "verification_mark": mark,
                "verified_on": verified,
                "valid_until": valid,
                "seal_state": seal,
            }
            if maximum is not None:
                data.update(max_capacity=Decimal(maximum), e=Decimal(e), goods_mass=Decimal(goods))
            _, created = create_instrument(premise, data, clerk)
            added["instruments"] += created
    return added


# Complaints of Phường Đức Phổ: (key, days ago, channel, subject, stall premise name or None, address, content,
# complainant, contact, assigned to, deadline in days from receipt, resolution or None).
COMPLAINTS = [
    ("can-thieu", 3, "hotline", "scale", 0, "", "Người dân phản ánh cân của sạp bán thịt thiếu khoảng 1 lạng mỗi kg.",
     "Lê Thị Thu", "0905 123 456", None, None, None),
    ("dien-ke", 12, "voter", "electricity_meter", None, "Tổ dân phố 4, phường Đức Phổ",
     "Cử tri phản ánh điện kế nhà chạy nhanh bất thường sau khi thay mới.", "Phạm Văn Nam", "0914 222 333",
     "kiemtra.ducpho", 7, None),
    ("gia-cao", 30, "zalo", "price", 1, "", "Sạp không niêm yết giá, bán cao hơn giá hỏi lúc đầu.", "", "",
     "kiemtra2.ducpho", 15, "answer"),
]  # fmt: skip


def _load_complaints(unit: Unit) -> int:
    """A few complaints in every state, and the public stall page turned on (the sticker is printable)."""
    from datetime import timedelta

    from ..domain.time import today_vn
    from ..models import Complaint

    unit.public_stall_page = True
    stalls = db.session.scalars(
        select(Premise).where(Premise.unit_id == unit.id, Premise.market_id.is_not(None)).order_by(Premise.id)
    ).all()
    added = 0
    today = today_vn()
    for (
        key,
        ago,
        channel,
        subject,
        stall,
        address,
        content,
        name,
        contact,
        assignee,
        days,
        resolution,
    ) in COMPLAINTS:
        record_uuid = _demo_uuid("complaint", key)
        if db.session.scalar(select(Complaint.id).where(Complaint.uuid == record_uuid)) or (
            stall is not None and stall >= len(stalls)
        ):
            continue
        received = today - timedelta(days=ago)
        complaint = Complaint(
            uuid=record_uuid,
            unit_id=unit.id,
            premise_id=stalls[stall].id if stall is not None else None,
            address=address,
            received_on=received,
            channel=channel,
            subject=subject,
            content=content,
            complainant_name=name,
            complainant_contact=contact,
            status="new",
        )
        if assignee:
            complaint.assignee_id = db.session.scalar(select(User.id).where(User.username == assignee))
            complaint.deadline = received + timedelta(days=days)
            complaint.status = "assigned"
        if resolution == "answer":
            complaint.status, complaint.resolution = "resolved", "answer"
            complaint.resolution_note = "Đã nhắc nhở chủ sạp niêm yết giá; trả lời bằng văn bản qua Zalo."
            complaint.resolved_on = received + timedelta(days=5)
        db.session.add(complaint)
        added += 1
    db.session.commit()
    return added


# The yearly plan shown in the demo: Phường Đức Phổ's for next year, proposed by its clerk with a fixed seed.
DEMO_PLAN = {
    "unit_code": "21439",
    "year": 2027,
    "clerk": "vanphong.ducpho",
    "seed": 20270101,
    "annex_size": 12,
}


def _load_plans(units: dict[str, Unit]) -> int:
    from ..models import Plan
    from ..plans import service as plans

    unit = units[DEMO_PLAN["unit_code"]]
    if db.session.scalar(select(Plan.id).where(Plan.unit_id == unit.id, Plan.year == DEMO_PLAN["year"])):
        return 0
    clerk = db.session.scalars(select(User).where(User.username == DEMO_PLAN["clerk"])).one()
    plan, _ = plans.create_plan(unit, DEMO_PLAN["year"], clerk)
    plan.number = "15/KH-UBND"
    plan.annex_size = DEMO_PLAN["annex_size"]
    plan.signer_title = "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"
    plan.signer_name = "Võ Văn Thành"
    db.session.commit()
    plans.propose(plan, clerk, seed=DEMO_PLAN["seed"])
    return 1


def load_demo(metrology: bool = True) -> dict[str, int]:
    """Load every demo record that is not there yet; returns what was added.

    metrology=False leaves out the reference standards and instruments (for tests that bring their own kit)."""
    added = {"units": 0, "accounts": 0, "markets": 0, "premises": 0}
    report = import_units(resources.files("inspect_app.demo").joinpath("units.csv").read_bytes())
    added["units"] = report.created
    units = {u.code: u for u in db.session.scalars(select(Unit))}
    provinces = {p.code: p for p in db.session.scalars(select(Province))}

    for username, full_name, position, role, unit_code, province_code in ACCOUNTS:
        if db.session.scalar(select(User.id).where(User.username == username)):
            continue
        user = User(
            username=username,
            full_name=full_name,
            position=position,
            role=role,
            unit_id=units[unit_code].id if unit_code else None,
            province_id=provinces[province_code].id if province_code else None,
        )
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        added["accounts"] += 1

    def ensure_premise(unit: Unit, values: dict) -> None:
        exists = db.session.scalar(
            select(Premise.id).where(Premise.unit_id == unit.id, Premise.name == values["name"])
        )
        if not exists:
            create_premise(unit.id, values, None)
            added["premises"] += 1

    for unit_code, markets in MARKETS.items():
        unit = units[unit_code]
        for market_name, address, lat, lon, stalls in markets:
            market = db.session.scalars(
                select(Market).where(Market.unit_id == unit.id, Market.name == market_name)
            ).first()
            if market is None:
                market = Market(
                    unit_id=unit.id, name=market_name, address=address, latitude=lat, longitude=lon
                )
                db.session.add(market)
                db.session.flush()
                added["markets"] += 1
            for index, (name, owner, stall) in enumerate(stalls):
                # Stalls sit in rows a few metres apart around the market's centre point.
                row, col = divmod(index, 6)
                ensure_premise(
                    unit,
                    {
                        "name": name,
                        "owner_name": owner,
                        "premise_type": "market_stall",
                        "market_id": market.id,
                        "stall_number": stall,
                        "address": f"Sạp {stall}, {market_name}, {address.split(', ', 1)[-1]}",
                        "latitude": round(lat + (row - 1) * 0.00009, 6),
                        "longitude": round(lon + (col - 2.5) * 0.00008, 6),
                        "phone": f"09{(int(unit_code) * 7 + index * 7919) % 100000000:08d}",
                        "status": "active",
                    },
                )
    for unit_code, name, owner, kind, reg_no, address, lat, lon, phone in SHOPS:
        ensure_premise(
            units[unit_code],
            {
                "name": name,
                "owner_name": owner,
                "premise_type": kind,
                "business_reg_no": reg_no,
                "address": address,
                "latitude": lat,
                "longitude": lon,
                "phone": phone,
                "status": "active",
            },
        )
    db.session.commit()
    added.update(_load_metrology(units) if metrology else {"standards": 0, "instruments": 0})
    added["complaints"] = _load_complaints(units["21439"])
    added["decisions"] = _load_decision(units)
    added["plans"] = _load_plans(units) if metrology else 0
    return added


def _load_decision(units: dict[str, Unit]) -> int:
    """One issued Quyết định kiểm tra of Đức Phổ for the year, so inspections have a decision to rest on."""
    from datetime import date

    from ..decisions.service import create_draft, issue_decision
    from ..domain.decision_rules import DecisionDraft, MemberLine
    from ..models import Decision

    unit = units["21439"]
    if db.session.scalar(select(Decision.id).where(Decision.unit_id == unit.id)):
        return 0
    clerk = db.session.scalars(select(User).where(User.username == "vanphong.ducpho")).one()
    year = date.today().year
    draft = DecisionDraft(
        kind="planned",
        subject="Kiểm tra nhà nước về đo lường, ghi nhãn hàng hóa và niêm yết giá tại các chợ trên địa bàn phường",
        period_from=date(year, 1, 1),
        period_to=date(year, 12, 31),
        legal_bases="Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025\n"
        "Luật Đo lường ngày 11 tháng 11 năm 2011\n"
        "Thông tư số 28/2013/TT-BKHCN ngày 17 tháng 12 năm 2013 của Bộ trưởng Bộ Khoa học và Công nghệ\n"
        "Kế hoạch số 40/KH-UBND ngày 09 tháng 9 năm 2025 của UBND tỉnh Quảng Ngãi",
        signer_title="KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
        signer_name="Huỳnh Văn Minh",
        scope_groups=("metrology", "label", "price"),
        scope_place="các hộ kinh doanh tại chợ Đức Phổ và các cửa hàng trên địa bàn phường",
        recipients="Như Điều 3;\nPhòng Kinh tế (b/c);\nLưu: VT.",
        members=(
            MemberLine(
                "Trần Văn Hùng",
                "Phó Chủ tịch UBND phường",
                "UBND phường Đức Phổ",
                "lead",
                False,
                "125/2024/CC-TĐC",
                date(2024, 5, 6),
            ),  # fmt: skip
            MemberLine(
                "Nguyễn Thị Lan",
                "Công chức",
                "Phòng Kinh tế",
                "member",
                True,
                "88/2023/CC-TĐC",
                date(2023, 3, 1),
            ),  # fmt: skip
            MemberLine("Phạm Văn Tài", "Cán bộ", "Công an phường Đức Phổ"),
            MemberLine("Võ Thị Mai", "Trưởng ban", "Ban quản lý chợ Đức Phổ"),
        ),
    )
    issue_decision(create_draft(unit, draft, clerk)[0], clerk, confirmed=True)
    return 1
