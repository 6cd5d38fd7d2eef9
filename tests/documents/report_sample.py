"""Sample yearly reports for the renderers' and the text's tests: ``ReportTable``s built directly (no database) and
``ReportDocument``s for a commune and for a roll-up of ten communes with long names and diacritics everywhere."""

from __future__ import annotations

import random
from datetime import date

from inspect_app.domain.vocabulary import DIRECTIONS, INSPECTION_KINDS, PREMISE_TYPES
from inspect_app.supervision.dashboard import MEASURED_TYPES
from inspect_app.reports.document import AppendixSection, ReportDocument, TypedRow
from inspect_app.reports.figures import REPORT_CODES, ReportTable
from inspect_app.reports.text import document_columns, document_rows, section_text

PERIOD = (date(2025, 11, 21), date(2026, 11, 20))
TODAY = date(2026, 11, 25)
URL = "https://kiemtra.example.vn/xac-thuc/bao-cao/AbCdEfGhIjKlMnOpQrStUv.xyz"

COMMUNES = (
    "Phường Trương Quang Trọng",
    "Xã Ba Động",
    "Đặc khu Lý Sơn",
    "Phường Cẩm Thành",
    "Xã Nghĩa Hành Đông",
    "Phường Đức Phổ",
    "Xã Sơn Tịnh Thượng",
    "Xã Mộ Đức Nguyễn Nghiêm",
    "Phường Sa Huỳnh",
    "Xã Tư Nghĩa Khánh Cường",
)

# A commune's figures as in issue 11's example: 42 inspections, 55 instruments, 1.200 control measurements.
BA_DONG = {
    "inspections": 42,
    "kind_planned": 38,
    "kind_unannounced": 4,
    "inspected": 37,
    "inspected_market_stall": 20,
    "inspected_grocery": 12,
    "inspected_fuel_station": 5,
    "instruments_checked": 55,
    "instruments_checked_spring_scale": 30,
    "instruments_checked_electronic_scale": 15,
    "instruments_checked_fuel_dispenser": 10,
    "instruments_passed": 51,
    "instruments_failed": 4,
    "reason_stamp": 3,
    "reason_error": 1,
    "control": 1200,
    "control_sell": 1000,
    "control_sell_failed": 5,
    "control_buy": 200,
    "control_buy_failed": 1,
    "control_failed": 6,
    "label_quantity_checked": 14,
    "label_quantity_violated": 2,
    "lots": 8,
    "lots_failed": 1,
    "group_nhan_checked": 30,
    "group_nhan_violation": 3,
    "group_gia_checked": 35,
    "group_gia_violation": 5,
    "group_cl_checked": 10,
    "handling_reminder": 8,
    "minutes_issued": 42,
    "minutes_nonconforming": 7,
    "handling_fix_request": 5,
    "fix_done": 3,
    "fix_open": 2,
    "fix_overdue": 1,
    "handling_violation_record": 1,
    "handling_referral": 2,
    "referral_skhcn": 1,
    "referral_qltt": 1,
    "standards_used": 6,
    "standards_used_expired": 1,
}


def make_table(units: dict[str, dict[str, int]], period: tuple[date, date] = PERIOD) -> ReportTable:
    """A table as ``report_table`` gives it: every code for every unit (zeros included) and the totals."""
    ids = [(n, name) for n, name in enumerate(units, start=1)]
    cells = {code: {uid: units[name].get(code, 0) for uid, name in ids} for code in REPORT_CODES}
    totals = {code: sum(per_unit.values()) for code, per_unit in cells.items()}
    return ReportTable(period[0], period[1], TODAY, ids, cells, totals)


def random_figures(rng: random.Random) -> dict[str, int]:
    """Consistent figures for one commune: the breakdowns add up to their totals, as the app's counts do."""

    def split(total: int, keys: list[str]) -> dict[str, int]:
        cuts = sorted(rng.randint(0, total) for _ in keys[1:])
        bounds = [0, *cuts, total]
        return {key: bounds[k + 1] - bounds[k] for k, key in enumerate(keys)}

    f: dict[str, int] = {"inspections": rng.randint(5, 400)}
    f |= split(f["inspections"], [f"kind_{code}" for code in INSPECTION_KINDS])
    f["inspected"] = rng.randint(1, f["inspections"])
    f |= split(f["inspected"], [f"inspected_{code}" for code in PREMISE_TYPES])
    f["instruments_checked"] = rng.randint(0, 3000)
    f |= split(f["instruments_checked"], [f"instruments_checked_{code}" for code in MEASURED_TYPES])
    f["instruments_failed"] = rng.randint(0, f["instruments_checked"] // 10)
    f["instruments_passed"] = f["instruments_checked"] - f["instruments_failed"]
    for reason in ("stamp", "seal", "error", "range"):
        f[f"reason_{reason}"] = rng.randint(0, f["instruments_failed"])
    for code in DIRECTIONS:
        f[f"control_{code}"] = rng.randint(0, 9000)
        f[f"control_{code}_failed"] = rng.randint(0, f[f"control_{code}"] // 20)
    f["control"] = sum(f[f"control_{code}"] for code in DIRECTIONS)
    f["control_failed"] = sum(f[f"control_{code}_failed"] for code in DIRECTIONS)
    f["minutes_issued"] = f["inspections"]
    f["minutes_nonconforming"] = rng.randint(0, f["inspections"] // 3)
    f["handling_reminder"] = rng.randint(0, 20)
    f["handling_fix_request"] = rng.randint(0, 20)
    f["fix_done"] = rng.randint(0, f["handling_fix_request"])
    f["fix_open"] = f["handling_fix_request"] - f["fix_done"]
    f["fix_overdue"] = rng.randint(0, f["fix_open"])
    f["standards_used"] = rng.randint(1, 12)
    return f


def commune_document(table: ReportTable | None = None, **changes) -> ReportDocument:
    table = table or make_table({"Xã Ba Động": BA_DONG})
    fields = dict(
        province_name="Quảng Ngãi",
        issuer_parent="UBND TỈNH QUẢNG NGÃI",
        issuer="UBND XÃ BA ĐỘNG",
        number="15/BC-UBND",
        place="Ba Động",
        issued_on=date(2026, 11, 27),
        title="BÁO CÁO",
        subtitle="Kết quả kiểm tra về tiêu chuẩn, đo lường, chất lượng năm 2026",
        opening=(
            "Thực hiện Công văn số 3078/SKHCN-TĐC ngày 25/11/2025 của Sở Khoa học và Công nghệ tỉnh Quảng Ngãi về "
            "việc đề nghị báo cáo kết quả thực hiện Kế hoạch số 40/KH-UBND ngày 09/9/2025 của UBND tỉnh Quảng "
            "Ngãi; UBND xã Ba Động báo cáo kết quả công tác kiểm tra như sau:"
        ),
        period_from=table.date_from,
        period_to=table.date_to,
        section_heading="2.5. Đẩy mạnh công tác kiểm tra trong lĩnh vực tiêu chuẩn, đo lường và chất lượng",
        section_text=section_text(table, "Xã Ba Động"),
        columns=document_columns(table),
        rows=document_rows(table),
        typed_rows=(
            TypedRow("Số lượt cán bộ tham gia tập huấn", "3 lượt (Kế hoạch số 1534/KH-SKHCN)"),
            TypedRow("Kinh phí bố trí cho công tác kiểm tra", "25.000.000 đồng"),
            TypedRow("Số buổi tuyên truyền trên Đài truyền thanh xã", "12 buổi"),
        ),
        closing="Trên đây là báo cáo kết quả công tác kiểm tra năm 2026; UBND xã Ba Động kính báo cáo./.",
        recipients=(
            "Sở Khoa học và Công nghệ tỉnh; (Báo cáo)",
            "TT Đảng ủy xã;",
            "TT HĐND xã;",
            "CT, các PCT UBND xã;",
            "Lưu: VT, PVHXH (Sâm).",
        ),
        signer_title="TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH",
        signer_name="Nguyễn Văn Sinh",
        verify_url=URL,
        appendix=(
            AppendixSection(
                "Số cuộc kiểm tra đã thực hiện",
                3,
                (
                    "12/03/2026 — Sạp 12, chợ Ba Động — Vi phạm",
                    "14/03/2026 — Cửa hàng xăng dầu Ba Động — Đạt",
                    "02/04/2026 — Tạp hóa Bà Nguyễn Thị Hường — Nhắc nhở",
                ),
            ),
            AppendixSection(
                "Số phép đo không phù hợp (vượt lượng thiếu cho phép)",
                6,
                tuple(f"{d:02d}/05/2026 — Sạp {d}, chợ Ba Động — thiếu 15 g / 1 kg" for d in range(1, 6)),
                truncated=1,
            ),
        ),
    )
    fields.update(changes)
    return ReportDocument(**fields)


def rollup_document(communes: tuple[str, ...] = COMMUNES, seed: int = 11) -> ReportDocument:
    rng = random.Random(seed)
    table = make_table({name: random_figures(rng) for name in communes})
    appendix = tuple(
        AppendixSection(
            f"{name}: số cuộc kiểm tra đã thực hiện",
            table.value("inspections", uid),
            tuple(
                f"{(k % 28) + 1:02d}/{(k % 12) + 1:02d}/2026 — Cơ sở kinh doanh số {k}, {name} — Đạt"
                for k in range(1, 25)
            ),
            truncated=max(table.value("inspections", uid) - 24, 0),
        )
        for uid, name in table.units
    )
    return commune_document(
        table,
        issuer_parent="UBND TỈNH QUẢNG NGÃI",
        issuer="SỞ KHOA HỌC VÀ CÔNG NGHỆ",
        number="",
        place="Quảng Ngãi",
        subtitle="Tổng hợp kết quả kiểm tra về đo lường, ghi nhãn, niêm yết giá, chất lượng của các xã, phường, đặc khu năm 2026",
        opening="Tổng hợp báo cáo của các xã, phường, đặc khu trên địa bàn tỉnh theo Công văn số 3078/SKHCN-TĐC ngày 25/11/2025:",
        section_text=section_text(table, "tỉnh Quảng Ngãi"),
        columns=document_columns(table),
        rows=document_rows(table),
        typed_rows=(),
        closing="Trên đây là tổng hợp kết quả kiểm tra của các xã, phường, đặc khu; Sở Khoa học và Công nghệ kính báo cáo./.",
        recipients=("UBND tỉnh (Báo cáo);", "Giám đốc, các PGĐ Sở;", "Lưu: VT, TĐC."),
        signer_title="KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC",
        signer_name="Trần Thị Ánh Tuyết",
        verify_url=None,
        appendix=appendix,
    )
