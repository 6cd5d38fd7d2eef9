"""Demo data for clicking through: Quảng Ngãi with three commune-level units, markets, 40+ premises and accounts.

Loading is idempotent: every record is looked up by its natural key first, so running it again adds nothing.
"""

from __future__ import annotations

from importlib import resources

from sqlalchemy import select

from ..areas_import import import_units
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


def load_demo() -> dict[str, int]:
    """Load every demo record that is not there yet; returns what was added."""
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
    return added
