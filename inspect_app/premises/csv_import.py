"""CSV import of premises: good rows are imported, bad rows reported by line; re-importing the same file changes nothing.

A row is matched to an existing premise of the unit by business registration number, else by market and stall,
else by folded name and address. A matched row with the same values changes nothing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlalchemy import select

from ..extensions import db
from ..models import Market, Premise, User
from ..domain.errors import RuleError
from ..domain.text import fold, nfc
from . import rules
from .service import create_premise, update_premise

# Accepted header spellings, compared after folding (no diacritics, lower case). The first is the canonical one.
COLUMNS = {
    "name": ["Tên cơ sở", "ten", "name", "ten co so kinh doanh"],
    "owner_name": ["Chủ cơ sở", "chu ho kinh doanh", "ho kinh doanh", "owner", "owner_name"],
    "business_reg_no": ["Số ĐKKD", "so dang ky kinh doanh", "so dkhkd", "ma so thue", "business_reg_no"],
    "premise_type": ["Loại hình", "loai hinh kinh doanh", "type", "premise_type"],
    "market": ["Chợ", "ten cho", "market"],
    "stall_number": ["Số sạp", "so ki-ot", "so kiot", "sap", "stall", "stall_number"],
    "address": ["Địa chỉ", "address"],
    "latitude": ["Vĩ độ", "lat", "latitude"],
    "longitude": ["Kinh độ", "lon", "lng", "longitude"],
    "phone": ["Điện thoại", "so dien thoai", "sdt", "phone"],
    "status": ["Trạng thái", "status"],
}
REQUIRED = ("name",)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason); line 0 = whole file
    fatal: str | None = None

    @property
    def ok(self) -> bool:
        return self.fatal is None

    def summary(self) -> str:
        if self.fatal:
            return f"Không nhập được tệp: {self.fatal}"
        return (
            f"Đã thêm {self.created} cơ sở, cập nhật {self.updated}, giữ nguyên {self.unchanged}; "
            f"{len(self.errors)} dòng lỗi không được nhập."
        )


def _header_map(header: list[str]) -> tuple[dict[str, int], list[str]]:
    known = {fold(alias): key for key, aliases in COLUMNS.items() for alias in aliases}
    mapping: dict[str, int] = {}
    unknown = []
    for index, title in enumerate(header):
        key = known.get(fold(title.lstrip("\ufeff")))
        if key is None:
            if title.strip():
                unknown.append(title.strip())
        elif key not in mapping:
            mapping[key] = index
    return mapping, unknown


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise RuleError(
            f"tệp không phải mã UTF-8 (lỗi ở dòng {line}). Trong Excel hãy chọn Lưu thành “CSV UTF-8 "
            "(phân tách bằng dấu phẩy)” rồi nhập lại."
        ) from None


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(sample.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        return csv.excel


def _row_values(row: list[str], mapping: dict[str, int], markets: dict[str, Market]) -> dict:
    """The row's clean values; every problem of the row at once (RuleError, one sentence each), not the first."""

    def cell(key: str) -> str:
        index = mapping.get(key)
        return row[index] if index is not None and index < len(row) else ""

    def market_id(name: str) -> int | None:
        if not name:
            return None
        market = markets.get(fold(name))
        if market is None:
            known = ", ".join(sorted(m.name for m in markets.values())) or "đơn vị chưa có chợ nào"
            raise RuleError(
                f"Chợ “{name}” chưa có trong danh mục chợ của đơn vị (các chợ đã có: {known}); "
                "hãy thêm chợ trước rồi nhập lại."
            )
        return market.id

    values, problems = rules.check_all(
        {
            "name": lambda: rules.name(cell("name")),
            "owner_name": lambda: rules.text(cell("owner_name"), "Chủ cơ sở", 160),
            "business_reg_no": lambda: rules.business_reg_no(cell("business_reg_no")),
            "premise_type": lambda: rules.premise_type(cell("premise_type")),
            "stall_number": lambda: rules.text(cell("stall_number"), "Số sạp", 20),
            "address": lambda: rules.text(cell("address"), "Địa chỉ", 255),
            "location": lambda: rules.location(cell("latitude"), cell("longitude")),
            "phone": lambda: rules.phone(cell("phone")),
            "status": lambda: rules.status(cell("status")),
            "market_id": lambda: market_id(nfc(cell("market"))),
        }
    )
    if problems:
        raise RuleError(" ".join(problems))
    values["latitude"], values["longitude"] = values.pop("location")
    return values


def _match(values: dict, existing: list[Premise]) -> Premise | None:
    if values["business_reg_no"]:
        for premise in existing:
            if premise.business_reg_no and premise.business_reg_no == values["business_reg_no"]:
                return premise
    if values["market_id"] and values["stall_number"]:
        for premise in existing:
            if premise.market_id == values["market_id"] and fold(premise.stall_number) == fold(
                values["stall_number"]
            ):
                return premise
    key = (fold(values["name"]), fold(values["address"]))
    for premise in existing:
        if (fold(premise.name), fold(premise.address)) == key:
            return premise
    return None


def import_premises(data: bytes, unit_id: int, user: User | None, max_bytes: int) -> ImportReport:
    """Import one CSV file into one unit. Commits once; a file-level problem imports nothing."""
    report = ImportReport()
    if len(data) > max_bytes:
        report.fatal = f"tệp quá lớn ({len(data) / 1048576:.1f} MB; tối đa {max_bytes // 1048576} MB)."
        return report
    if not data.strip():
        report.fatal = "tệp rỗng."
        return report
    if b"\x00" in data[:4096]:
        report.fatal = (
            "đây không phải tệp CSV dạng văn bản (có thể là tệp Excel .xlsx — hãy lưu thành CSV UTF-8)."
        )
        return report
    try:
        content = _decode(data)
    except RuleError as error:
        report.fatal = str(error)
        return report

    reader = csv.reader(io.StringIO(content, newline=""), _dialect(content[:4096]))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        report.fatal = "không đọc được dòng tiêu đề."
        return report
    mapping, _unknown = _header_map(header)
    missing = [COLUMNS[key][0] for key in REQUIRED if key not in mapping]
    if missing:
        expected = ", ".join(aliases[0] for aliases in COLUMNS.values())
        report.fatal = f"thiếu cột bắt buộc: {', '.join(missing)}. Các cột được nhận: {expected}."
        return report

    markets = {fold(m.name): m for m in db.session.scalars(select(Market).where(Market.unit_id == unit_id))}
    existing = list(db.session.scalars(select(Premise).where(Premise.unit_id == unit_id)))
    seen_lines: dict[int, int] = {}  # premise id → the line that touched it
    line = 1
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(header):
                report.errors.append((line, f"có {len(row)} ô nhưng tiêu đề chỉ có {len(header)} cột."))
                continue
            try:
                values = _row_values(row, mapping, markets)
            except RuleError as error:
                report.errors.append((line, str(error)))
                continue
            premise = _match(values, existing)
            if premise is not None and premise.id in seen_lines:
                report.errors.append((line, f"trùng với cơ sở ở dòng {seen_lines[premise.id]} của cùng tệp."))
                continue
            if premise is None:
                premise = create_premise(unit_id, values, user)
                db.session.flush()  # gives the new premise its id, so a repeated row is seen as a repeat
                existing.append(premise)
                report.created += 1
            elif update_premise(premise, values, user, source="import"):
                report.updated += 1
            else:
                report.unchanged += 1
            seen_lines[premise.id] = line
    except csv.Error as error:
        db.session.rollback()
        report.created = report.updated = report.unchanged = 0
        report.fatal = f"tệp CSV bị hỏng ở dòng {line + 1}: {error}. Không có dòng nào được nhập."
        return report
    db.session.commit()
    return report
