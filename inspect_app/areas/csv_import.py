"""Import administrative units (province → xã / phường / đặc khu) from CSV; re-importing updates in place."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select

from ..domain.errors import RuleError
from ..domain.text import fold, nfc
from ..domain.vocabulary import UNIT_KINDS
from ..extensions import db
from ..models import Province, Unit
from ..premises import rules

COLUMNS = {
    "province_code": ["Mã tỉnh", "province_code"],
    "province_name": ["Tên tỉnh", "province_name"],
    "code": ["Mã đơn vị", "ma xa", "unit_code", "code"],
    "name": ["Tên đơn vị", "ten xa", "unit_name", "name"],
    "kind": ["Cấp", "loai", "kind"],
    "latitude": ["Vĩ độ", "latitude", "lat"],
    "longitude": ["Kinh độ", "longitude", "lon"],
}


@dataclass
class UnitImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def _kind(value: str, unit_name: str) -> str:
    key = fold(value) or fold(unit_name).split(" ")[0]
    for code, label in UNIT_KINDS.items():
        if key in (fold(code), fold(label)):
            return code
    raise RuleError(f"Cấp “{value}” không hợp lệ (xã, phường hoặc đặc khu).")


def _codes(province_code: str, unit_code: str) -> None:
    if not province_code.isdigit() or not unit_code.isdigit():
        raise RuleError("Mã tỉnh và mã đơn vị phải là chữ số (ví dụ 51 và 21439).")


def _row_values(cell: Callable[[str], str]) -> tuple[dict, list[str]]:
    """The line's clean values and every problem of the line at once."""
    return rules.check_all(
        {
            "codes": lambda: _codes(cell("province_code"), cell("code")),
            "name": lambda: rules.text(
                cell("name"), "Tên đơn vị", 120, required=True, example="Phường Đức Phổ"
            ),
            "kind": lambda: _kind(cell("kind"), cell("name")),
            "latitude": lambda: rules.coordinate(cell("latitude"), "latitude"),
            "longitude": lambda: rules.coordinate(cell("longitude"), "longitude"),
            "province_name": lambda: rules.text(
                cell("province_name"), "Tên tỉnh", 120, required=True, example="Quảng Ngãi"
            ),
        }
    )


def import_units(data: bytes) -> UnitImportReport:
    report = UnitImportReport()
    content = data.decode("utf-8-sig")
    reader = csv.reader(io.StringIO(content, newline=""))
    header = next(reader)
    known = {fold(alias): key for key, aliases in COLUMNS.items() for alias in aliases}
    mapping = {known[fold(title)]: index for index, title in enumerate(header) if fold(title) in known}
    missing = [
        COLUMNS[key][0] for key in ("province_code", "province_name", "code", "name") if key not in mapping
    ]
    if missing:
        raise RuleError(f"thiếu cột: {', '.join(missing)}")
    provinces = {p.code: p for p in db.session.scalars(select(Province))}
    units = {u.code: u for u in db.session.scalars(select(Unit))}
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue

        def cell(key: str, row: list[str] = row) -> str:
            index = mapping.get(key)
            return nfc(row[index]) if index is not None and index < len(row) else ""

        province_code, unit_code = cell("province_code"), cell("code")
        values, problems = _row_values(cell)
        if problems:  # every problem of the line at once
            report.errors.append((reader.line_num, " ".join(problems)))
            continue
        values.pop("codes")
        province_name = values.pop("province_name")
        province = provinces.get(province_code)
        if province is None:
            province = provinces[province_code] = Province(code=province_code, name=province_name)
            db.session.add(province)
        elif province.name != province_name:
            province.name = province_name
        unit = units.get(unit_code)
        if unit is None:
            units[unit_code] = Unit(code=unit_code, province=province, **values)
            db.session.add(units[unit_code])
            report.created += 1
            continue
        changed = unit.province is not province or any(getattr(unit, k) != v for k, v in values.items())
        if changed:
            unit.province = province
            for key, value in values.items():
                setattr(unit, key, value)
            report.updated += 1
        else:
            report.unchanged += 1
    db.session.commit()
    return report
