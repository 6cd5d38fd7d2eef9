"""A realistic biên bản kiểm tra for tests and the bench: a spring scale failing at a market stall in Đức Phổ."""

from __future__ import annotations

import dataclasses
import io
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from inspect_app.documents.minutes_pdf import (
    ANSWER_NOT_APPLICABLE,
    ANSWER_NOT_PASS,
    ANSWER_PASS,
    Business,
    CheckResult,
    MinutesDocument,
    Photo,
    PrepackagedLot,
    Reading,
    Representative,
    RequestItem,
    ResultGroup,
    Signatory,
    TeamMember,
    Violation,
)

PREMISE_NAME = "Sạp cân Nguyễn Thị Hường – Chợ Đức Phổ"
SPRING_SCALE = "Cân đồng hồ lò xo 15 kg, cấp 4 (IIII), e = 50 g"
PLATFORM_SCALE = "Cân bàn điện tử 150 kg, cấp III, e = 50 g"

READINGS = (
    Reading(
        SPRING_SCALE,
        Decimal("2.00"),
        Decimal("2.05"),
        Decimal("0.050"),
        Decimal("0.100"),
        "kg",
        ANSWER_PASS,
        rule="ĐLVN 30:2019, cấp IIII",
    ),
    Reading(
        SPRING_SCALE,
        Decimal("5.00"),
        Decimal("5.15"),
        Decimal("0.150"),
        Decimal("0.100"),
        "kg",
        ANSWER_NOT_PASS,
        rule="ĐLVN 30:2019, cấp IIII",
    ),
    Reading(
        SPRING_SCALE,
        Decimal("10.00"),
        Decimal("10.20"),
        Decimal("0.200"),
        Decimal("0.150"),
        "kg",
        ANSWER_NOT_PASS,
        rule="ĐLVN 30:2019, cấp IIII",
        provisional=True,
    ),
    Reading(
        PLATFORM_SCALE,
        Decimal("20.00"),
        Decimal("20.05"),
        Decimal("0.050"),
        Decimal("0.100"),
        "kg",
        ANSWER_PASS,
        rule="OIML R76, cấp III, MPE sử dụng",
    ),
    Reading(
        PLATFORM_SCALE,
        Decimal("50.00"),
        Decimal("50.10"),
        Decimal("0.100"),
        Decimal("0.100"),
        "kg",
        ANSWER_PASS,
        rule="OIML R76, cấp III, MPE sử dụng",
    ),
)

LOTS = (
    PrepackagedLot(
        "Gạo ST25 túi 5 kg (Công ty TNHH Lương thực Sóc Trăng)",
        Decimal("5.000"),
        "kg",
        10,
        Decimal("4.962"),
        Decimal("0.075"),
        2,
        0,
        ANSWER_NOT_PASS,
        rules_broken=("Lượng trung bình nhỏ hơn lượng danh định",),
    ),
    PrepackagedLot(
        "Đường cát trắng túi 1 kg",
        Decimal("1.000"),
        "kg",
        10,
        Decimal("1.004"),
        Decimal("0.015"),
        0,
        0,
        ANSWER_PASS,
    ),
)


def _signature_png(seed: int) -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (360, 120), (255, 255, 255, 0))
    draw = ImageDraw.Draw(img)
    points = [(20 + k * 16, 60 + ((k * 37 + seed * 11) % 50) - 25) for k in range(21)]
    draw.line(points, fill=(20, 30, 120, 255), width=5)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def _photo_jpeg(color: tuple[int, int, int], size: tuple[int, int] = (640, 480)) -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", size, color)
    draw = ImageDraw.Draw(img)
    draw.rectangle(
        (size[0] // 4, size[1] // 4, size[0] * 3 // 4, size[1] * 3 // 4), outline=(255, 255, 255), width=8
    )
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=80)
    return out.getvalue()


def field_photo(seed: int, size: tuple[int, int] = (2000, 1500)) -> bytes:
    """A photo-like JPEG as the upload pipeline stores one (longest edge 2000 px, quality 85, optimised baseline).

    Gradients, fine noise and a few outlines give about 440 kB, the size of a typical stored phone photo; the
    same seed always gives the same bytes.
    """
    import random

    from PIL import Image, ImageDraw

    width, height = size
    gradient = Image.linear_gradient("L")
    img = Image.merge(
        "RGB",
        (
            gradient.resize(size),
            Image.radial_gradient("L").resize(size),
            gradient.rotate(90 + seed * 30).resize(size),
        ),
    )
    noise = Image.frombytes("RGB", size, random.Random(seed).randbytes(width * height * 3))
    img = Image.blend(img, noise, 0.1)
    draw = ImageDraw.Draw(img)
    for k in range(12):
        x, y = (k * 397 + seed * 131) % width, (k * 211 + seed * 71) % height
        draw.rectangle((x, y, x + 220, y + 160), outline=(255, 255, 255), width=6)
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=85, optimize=True, progressive=False)
    return out.getvalue()


def field_photos(count: int = 6) -> tuple[Photo, ...]:
    """``count`` distinct field photos with captions, for the appendix."""
    return tuple(Photo(field_photo(seed), f"Ảnh hiện trường số {seed + 1}") for seed in range(count))


def sample_document(*, with_images: bool = False, **overrides: Any) -> MinutesDocument:
    """The sample biên bản (two pages without images); keyword arguments replace fields."""
    team = (
        TeamMember("Trần Văn Bình", "Công chức Văn hóa – Xã hội", "UBND phường Đức Phổ", "Trưởng đoàn"),
        TeamMember("Lê Thị Thu Hà", "Chuyên viên Phòng Kinh tế", "UBND phường Đức Phổ", "Thành viên"),
        TeamMember("Phạm Quốc Dũng", "Cán bộ Công an phường", "Công an phường Đức Phổ", "Thành viên"),
    )
    groups = (
        ResultGroup(
            "Phương tiện đo",
            (
                CheckResult(
                    "Phương tiện đo thuộc Danh mục phương tiện đo nhóm 2 phải kiểm định (TT 23/2013/TT-BKHCN, "
                    "sửa đổi bởi TT 07/2019 và TT 03/2024)",
                    ANSWER_PASS,
                ),
                CheckResult(
                    "Có dấu/tem kiểm định, giấy chứng nhận kiểm định còn hiệu lực",
                    ANSWER_NOT_PASS,
                    "Tem kiểm định của cân đồng hồ lò xo hết hạn ngày 15/8/2026",
                ),
                CheckResult(
                    "Phạm vi đo và giá trị độ chia phù hợp với lượng hàng hóa (TT 09/2017 Bảng 1)",
                    ANSWER_PASS,
                ),
                CheckResult(
                    "Phép đo đối chứng bằng quả cân chuẩn trong giới hạn lượng thiếu cho phép",
                    ANSWER_NOT_PASS,
                    "Xem bảng kết quả phép đo",
                ),
            ),
        ),
        ResultGroup(
            "Ghi nhãn hàng hóa",
            (
                CheckResult(
                    "Nhãn hàng hóa bằng tiếng Việt, đủ nội dung bắt buộc (NĐ 37/2026/NĐ-CP Điều 42)",
                    ANSWER_PASS,
                ),
                CheckResult("Định lượng ghi bằng đơn vị đo pháp định", ANSWER_PASS),
                CheckResult("Hàng hóa còn hạn sử dụng", ANSWER_PASS),
            ),
        ),
        ResultGroup(
            "Niêm yết giá",
            (
                CheckResult(
                    "Niêm yết giá hàng hóa rõ ràng, bằng Đồng Việt Nam (Luật Giá 16/2023/QH15)",
                    ANSWER_NOT_PASS,
                    "Chưa niêm yết giá gạo, đường",
                ),
                CheckResult("Không bán cao hơn giá niêm yết", ANSWER_NOT_APPLICABLE),
            ),
        ),
        ResultGroup(
            "Chất lượng",
            (
                CheckResult("Hàng hóa có nguồn gốc, xuất xứ rõ ràng (NĐ 98/2020/NĐ-CP)", ANSWER_PASS),
                CheckResult(
                    "Lượng hàng đóng gói sẵn phù hợp TT 21/2014/TT-BKHCN",
                    ANSWER_NOT_PASS,
                    "Xem bảng hàng đóng gói sẵn",
                ),
            ),
        ),
    )
    fields: dict[str, Any] = {
        "issuing_body_lines": ("ỦY BAN NHÂN DÂN", "PHƯỜNG ĐỨC PHỔ"),
        "number": 12,
        "year": 2026,
        "place_name": "Đức Phổ",
        "issued_on": date(2026, 11, 21),
        "subtitle": "Về việc kiểm tra đo lường, ghi nhãn hàng hóa, niêm yết giá và chất lượng hàng hóa",
        "legal_basis": (
            "Căn cứ Luật Đo lường số 04/2011/QH13 ngày 11 tháng 11 năm 2011;",
            (
                "Căn cứ Thông tư số 28/2013/TT-BKHCN ngày 17 tháng 12 năm 2013 của Bộ trưởng Bộ Khoa học và Công nghệ "
                "quy định kiểm tra nhà nước về đo lường, được sửa đổi, bổ sung bởi Thông tư số 10/2022/TT-BKHCN;"
            ),
            (
                "Căn cứ Kế hoạch số 85/KH-UBND ngày 02 tháng 3 năm 2026 của Ủy ban nhân dân phường Đức Phổ về kiểm tra "
                "tiêu chuẩn, đo lường, chất lượng năm 2026."
            ),
        ),
        "started_at": datetime(2026, 11, 21, 8, 30),
        "ended_at": datetime(2026, 11, 21, 10, 15),
        "place": PREMISE_NAME + ", tổ dân phố 3, phường Đức Phổ, tỉnh Quảng Ngãi",
        "team": team,
        "business": Business(
            name=PREMISE_NAME,
            owner="Nguyễn Thị Hường",
            registration_number="34F8012345",
            address="Tổ dân phố 3, phường Đức Phổ, tỉnh Quảng Ngãi",
            market="Chợ Đức Phổ",
            stall="Sạp số 17, dãy B",
        ),
        "representative": Representative("Nguyễn Thị Hường", "Chủ hộ kinh doanh", "051186001234"),
        "result_groups": groups,
        "reference_standards": (
            (
                "Bộ quả cân chuẩn cấp chính xác M1 (1 kg – 20 kg), số hiệu QC-01, giấy chứng nhận hiệu chuẩn số "
                "HC-2026/0153 còn hiệu lực đến ngày 30/6/2027"
            ),
        ),
        "readings": READINGS,
        "lots": LOTS,
        "violations": (
            Violation(
                "Sử dụng cân đồng hồ lò xo có tem kiểm định hết hiệu lực trong mua bán hàng hóa.",
                "Luật Đo lường 04/2011/QH13; TT 23/2013/TT-BKHCN",
            ),
            Violation(
                "Sai số của cân đồng hồ lò xo tại mức cân 5 kg và 10 kg vượt giới hạn sai số cho phép.",
                "NĐ 119/2017/NĐ-CP Điều 14",
            ),
            Violation(
                "Không niêm yết giá hàng hóa gạo, đường.", "Luật Giá 16/2023/QH15; NĐ 87/2024/NĐ-CP Điều 13"
            ),
        ),
        "outcome": "Cơ sở không đạt yêu cầu về đo lường và niêm yết giá; ghi nhãn hàng hóa đạt yêu cầu.",
        "handling": "Yêu cầu khắc phục trong thời hạn; Đoàn kiểm tra sẽ kiểm tra lại sau thời hạn khắc phục.",
        "requests": (
            RequestItem(
                "Ngừng sử dụng cân đồng hồ lò xo 15 kg trong mua bán cho đến khi được kiểm định lại.",
                date(2026, 11, 21),
            ),
            RequestItem(
                "Đưa cân đi kiểm định tại tổ chức được chỉ định và xuất trình giấy chứng nhận kiểm định.",
                date(2026, 12, 5),
            ),
            RequestItem("Niêm yết giá đầy đủ, rõ ràng đối với tất cả hàng hóa bày bán.", date(2026, 11, 23)),
        ),
        "representative_statement": "Tôi đồng ý với kết quả kiểm tra và cam kết khắc phục đúng thời hạn.",
        "copies": 2,
        "recorder": Signatory("Lê Thị Thu Hà"),
        "team_leader": Signatory("Trần Văn Bình"),
    }
    if with_images:
        fields.update(
            business_signatory=Signatory("Nguyễn Thị Hường", _signature_png(1)),
            recorder=Signatory("Lê Thị Thu Hà", _signature_png(2)),
            team_leader=Signatory("Trần Văn Bình", _signature_png(3)),
            photos=(
                Photo(_photo_jpeg((120, 90, 60)), "Tem kiểm định hết hạn trên cân đồng hồ lò xo"),
                Photo(_photo_jpeg((60, 110, 140)), "Phép đo đối chứng tại mức cân 5 kg"),
                Photo(_photo_jpeg((90, 140, 70), (480, 640)), "Bảng niêm yết giá"),
            ),
        )
    fields.update(overrides)
    return MinutesDocument(**fields)


def replace(doc: MinutesDocument, **changes: Any) -> MinutesDocument:
    """dataclasses.replace, re-exported for tests."""
    return dataclasses.replace(doc, **changes)
