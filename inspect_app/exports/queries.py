"""What each list export holds: its columns (Vietnamese header, stored value) and the scoped query that reads them.

Each export starts from the desk list's own query function (so the scoping door and the filters are the list's),
selects only the columns it shows, with the related names joined in the same statement, in the list's order, and is
read in batches (``yield_per``: a server-side cursor on PostgreSQL), so a request sends the same few statements and
holds one batch in memory whatever the number of rows. Findings, readings and lots are exported for the inspections
the inspection list's filters select. A column is one line of a ``COLUMNS`` tuple.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, and_, case, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select

from ..access import scoped
from ..checklists import load_catalogue
from ..checklists.loader import CatalogueError
from ..domain.geo import FLAG_LABELS
from ..domain.minutes_rules import minutes_number_text
from ..domain.time import today_vn
from ..domain.vocabulary import (
    ANSWERS,
    DIRECTIONS,
    GROUPS,
    HANDLING,
    INSPECTION_KINDS,
    INSPECTION_STATUSES,
    MINUTES_STATUSES,
    OUTCOMES,
    PREMISE_STATUSES,
    PREMISE_TYPES,
    READING_KINDS,
    REFERRAL_BODIES,
)
from ..extensions import db
from ..inspections.queries import NEWEST_FIRST, inspection_list_args, inspection_query
from ..minutes.queries import LATEST_FIRST, minutes_list_args, minutes_query
from ..tolerances import with_table_names
from ..models import (
    Finding,
    Inspection,
    InspectionMember,
    InspectionTally,
    Market,
    Minutes,
    PrepackagedLot,
    Premise,
    Province,
    Reading,
    Unit,
    User,
)
from ..premises.queries import BY_NAME, premise_list_args, premise_query
from ..supervision.filters import SupervisionFilters
from ..web.paging import ListArgs
from .formats import Field

# Rows fetched from the database per batch.
BATCH_ROWS = 1000


class InvalidFilters(ValueError):
    """Filters in the query string that are not valid; ``errors`` has a Vietnamese message for each."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


# ---- converters (stored values → cell values) --------------------------------------------------------------------


@lru_cache(maxsize=64)
def _catalogue_item(version: str | None, code: str):
    try:
        return load_catalogue(version).get(code)
    except (CatalogueError, FileNotFoundError, ValueError):
        return None


def item_question(version: str | None, code: str) -> str:
    item = _catalogue_item(version, code)
    return item.question if item else ""


def item_group(version: str | None, code: str) -> str:
    item = _catalogue_item(version, code)
    return GROUPS.get(item.group, item.group) if item else ""


def table_name_text(text: str | None) -> str | None:
    """A stored table reference ("<id> <version>") as a person names the table."""
    return with_table_names(text) if text else text


def standards_text(standards: Any) -> str:
    """The standards a reading used, as they were on the day: "M1 5 kg (số 123); …"."""
    if not isinstance(standards, list):
        return ""
    parts = []
    for standard in standards:
        if not isinstance(standard, dict):
            continue
        text = " ".join(str(standard.get(key) or "") for key in ("accuracy_class", "nominal", "unit")).strip()
        if standard.get("serial"):
            text += f" (số {standard['serial']})"
        parts.append(text)
    return "; ".join(parts)


def minutes_number_or_blank(number: int | None, suffix: str | None) -> str:
    """The biên bản's number ("05/BB-KT"), or nothing for an inspection without one."""
    return minutes_number_text(number, suffix) if number is not None else ""


def measured_text(values: Any) -> str:
    return "; ".join(str(value) for value in values) if isinstance(values, list) else ""


# ---- the lists ---------------------------------------------------------------------------------------------------

# The inspection team's lead, by account name or by the name typed for someone without an account.
_lead_user = aliased(User)
LEAD_NAME = (
    select(case((InspectionMember.user_id.is_(None), InspectionMember.name), else_=_lead_user.full_name))
    .outerjoin(_lead_user, _lead_user.id == InspectionMember.user_id)
    .where(InspectionMember.inspection_id == Inspection.id, InspectionMember.team_role == "lead")
    .order_by(InspectionMember.position_in_team, InspectionMember.id)
    .limit(1)
    .correlate(Inspection)
    .scalar_subquery()
)

PREMISE_COLUMNS: tuple[tuple[Field, Any], ...] = (
    (Field("Mã cơ sở", "int", width=9), Premise.id),
    (Field("Tên cơ sở", width=32), Premise.name),
    (Field("Chủ cơ sở", width=22), Premise.owner_name),
    (Field("Số đăng ký kinh doanh", width=16), Premise.business_reg_no),
    (Field("Loại hình", labels=PREMISE_TYPES, width=18), Premise.premise_type),
    (Field("Đơn vị", width=20), Unit.name),
    (Field("Chợ", width=20), Market.name),
    (Field("Số sạp", width=8), Premise.stall_number),
    (Field("Địa chỉ", width=36), Premise.address),
    (Field("Vĩ độ", "float", places=6, width=11), Premise.latitude),
    (Field("Kinh độ", "float", places=6, width=11), Premise.longitude),
    (Field("Điện thoại", width=13), Premise.phone),
    (Field("Trạng thái", labels=PREMISE_STATUSES, width=16), Premise.status),
    (Field("Cập nhật lúc", "datetime", width=16), Premise.updated_at),
)

INSPECTION_COLUMNS: tuple[tuple[Field, Any], ...] = (
    (Field("Mã cuộc kiểm tra", "int", width=9), Inspection.id),
    (Field("Bắt đầu", "datetime", width=16), Inspection.started_at),
    (Field("Kết thúc", "datetime", width=16), Inspection.ended_at),
    (Field("Đơn vị", width=20), Unit.name),
    (Field("Mã cơ sở", "int", width=9), Premise.id),
    (Field("Cơ sở", width=30), Premise.name),
    (Field("Địa chỉ", width=32), Premise.address),
    (Field("Hình thức", labels=INSPECTION_KINDS, width=14), Inspection.kind),
    (Field("Trạng thái", labels=INSPECTION_STATUSES, width=16), Inspection.status),
    (Field("Kết quả xử lý", labels=HANDLING, width=22), Inspection.outcome),
    (Field("Hạn khắc phục", "date", width=12), Inspection.fix_deadline),
    (Field("Chuyển cơ quan", labels=REFERRAL_BODIES, width=18), Inspection.referral_body),
    (Field("Ghi chú xử lý", width=30), Inspection.handling_note),
    (Field("Căn cứ kiểm tra", width=30), Inspection.basis),
    (Field("Số quyết định kiểm tra", width=16), Inspection.decision_number),
    (Field("Ngày quyết định", "date", width=12), Inspection.decision_date),
    (Field("Trưởng đoàn", width=22), LEAD_NAME),
    (Field("Đoàn có cán bộ Sở KH&CN", "bool", width=10), Inspection.province_in_team),
    (Field("Cảnh báo vị trí GPS", labels=FLAG_LABELS, width=30), Inspection.gps_flags),
    (Field("Khoảng cách GPS đến cơ sở (m)", "float", width=12), Inspection.gps_distance_m),
    (Field("Độ chính xác GPS (m)", "float", width=12), Inspection.gps_accuracy_m),
    (Field("Kiểm tra lại cuộc kiểm tra số", "int", width=10), Inspection.follows_id),
)

# The inspection each finding, reading or lot belongs to, as every one of their exports begins.
_PARENT_COLUMNS: tuple[tuple[Field, Any], ...] = (
    (Field("Mã cuộc kiểm tra", "int", width=9), Inspection.id),
    (Field("Ngày kiểm tra", "datetime", width=16), Inspection.started_at),
    (Field("Đơn vị", width=20), Unit.name),
    (Field("Mã cơ sở", "int", width=9), Premise.id),
    (Field("Cơ sở", width=30), Premise.name),
)

FINDING_COLUMNS: tuple[tuple[Field, Any], ...] = (
    *_PARENT_COLUMNS,
    (Field("Mã nội dung", width=10), Finding.item_code),
    (Field("Nhóm", convert=item_group, width=18), (Inspection.catalogue_version, Finding.item_code)),
    (
        Field("Nội dung kiểm tra", convert=item_question, width=50),
        (Inspection.catalogue_version, Finding.item_code),
    ),
    (Field("Kết quả", labels=ANSWERS, width=12), Finding.answer),
    (Field("Số lượng liên quan", "int", width=10), Finding.affected_count),
    (Field("Ghi chú", width=36), Finding.note),
    (Field("Kết quả sơ bộ (chưa kết luận)", "bool", width=12), Finding.indicative),
    (Field("Tính là vi phạm", "bool", width=10), case((Finding.counts_as_violation, 1), else_=0)),
)

READING_COLUMNS: tuple[tuple[Field, Any], ...] = (
    *_PARENT_COLUMNS,
    (Field("Mã phép đo", "int", width=9), Reading.id),
    (Field("Đo lúc", "datetime", width=16), Reading.measured_at),
    (Field("Loại phép đo", labels=READING_KINDS, width=22), Reading.kind),
    (Field("Phương tiện đo", width=36), Reading.instrument_label),
    (Field("Chiều mua bán", labels=DIRECTIONS, width=10), Reading.direction),
    (Field("Đơn vị đo", width=8), Reading.unit),
    (Field("Giá trị chuẩn", "decimal", width=12), Reading.reference),
    (Field("Giá trị chỉ thị", "decimal", width=12), Reading.indication),
    (Field("Sai số", "decimal", width=10), Reading.error),
    (Field("Sai số cho phép", "decimal", width=10), Reading.permitted_error),
    (Field("Kết luận", labels=OUTCOMES, width=14), Reading.outcome),
    (Field("Diễn giải", width=36), Reading.conclusion),
    (Field("Kết quả sơ bộ (chưa kết luận)", "bool", width=12), Reading.indicative),
    (Field("Tính là vi phạm", "bool", width=10), case((Reading.counts_as_violation, 1), else_=0)),
    (Field("Chuẩn đã dùng", convert=standards_text, width=30), Reading.standards),
    (Field("Ghi chú", width=30), Reading.note),
    (Field("Bảng sai số đã được thay thế", convert=table_name_text, width=30), Reading.superseded_table),
    (Field("Hủy lúc", "datetime", width=16), Reading.voided_at),
    (Field("Lý do hủy", width=30), Reading.void_reason),
)

LOT_COLUMNS: tuple[tuple[Field, Any], ...] = (
    *_PARENT_COLUMNS,
    (Field("Mã lô", "int", width=9), PrepackagedLot.id),
    (Field("Sản phẩm", width=30), PrepackagedLot.product),
    (Field("Lượng danh nghĩa", "decimal", width=10), PrepackagedLot.nominal),
    (Field("Đơn vị đo", width=8), PrepackagedLot.unit),
    (Field("Bì", "decimal", width=8), PrepackagedLot.tare),
    (Field("Cỡ lô", "int", width=8), PrepackagedLot.lot_size),
    (Field("Cỡ mẫu", "int", width=8), PrepackagedLot.sample_size),
    (Field("Kết quả từng mẫu", convert=measured_text, width=36), PrepackagedLot.measured),
    (Field("Trung bình", "decimal", width=10), PrepackagedLot.mean),
    (Field("Độ lệch chuẩn", "decimal", width=10), PrepackagedLot.std_dev),
    (Field("Lượng thiếu cho phép (T)", "decimal", width=10), PrepackagedLot.tolerable_deficiency),
    (Field("Số mẫu thiếu quá T", "int", width=8), PrepackagedLot.count_beyond_t),
    (Field("Số mẫu thiếu quá 2T", "int", width=8), PrepackagedLot.count_beyond_2t),
    (Field("Kết luận", labels=OUTCOMES, width=14), PrepackagedLot.outcome),
    (Field("Diễn giải", width=36), PrepackagedLot.conclusion),
    (Field("Kết quả sơ bộ (chưa kết luận)", "bool", width=12), PrepackagedLot.indicative),
    (Field("Tính là vi phạm", "bool", width=10), case((PrepackagedLot.counts_as_violation, 1), else_=0)),
    (Field("Ghi chú", width=30), PrepackagedLot.note),
    (Field("Hủy lúc", "datetime", width=16), PrepackagedLot.voided_at),
    (Field("Lý do hủy", width=30), PrepackagedLot.void_reason),
)

_issuer = aliased(User)
MINUTES_COLUMNS: tuple[tuple[Field, Any], ...] = (
    (Field("Số biên bản", convert=minutes_number_text, width=14), (Minutes.number, Minutes.number_suffix)),
    (Field("Ngày lập", "date", width=12), Minutes.issued_on),
    (Field("Trạng thái", labels=MINUTES_STATUSES, width=16), Minutes.status),
    (Field("Đơn vị", width=20), Unit.name),
    (Field("Mã cuộc kiểm tra", "int", width=9), Inspection.id),
    (Field("Cơ sở", width=30), Premise.name),
    (Field("Địa chỉ", width=32), Premise.address),
    (Field("Kết quả", width=24), Minutes.outcome_label),
    (Field("Đại diện cơ sở", width=22), Minutes.representative_name),
    (Field("Chức vụ", width=16), Minutes.representative_position),
    (Field("Từ chối ký", "bool", width=9), Minutes.refused_to_sign),
    (Field("Người lập", width=22), _issuer.full_name),
    (Field("Lập lúc", "datetime", width=16), Minutes.issued_at),
    (Field("Số lần in", "int", width=8), Minutes.print_count),
    (Field("Lý do đính chính / hủy", width=30), Minutes.change_reason),
)


@dataclass(frozen=True)
class Export:
    """One export, ready to read: its fields, the query and how to regroup a selected row into cells."""

    name: str
    title: str
    filename: str
    fields: tuple[Field, ...]
    query: Select
    slices: tuple[slice | int, ...]

    def rows(self) -> Iterator[tuple]:
        """The rows, one cell value per field, read in batches through one statement."""
        result = db.session.execute(self.query.execution_options(yield_per=BATCH_ROWS))
        for batch in result.partitions():
            for row in batch:
                yield tuple(row[s] if isinstance(s, int) else tuple(row[s]) for s in self.slices)


def _flatten(columns) -> tuple[tuple[Field, ...], list, tuple]:
    fields, expressions, slices = [], [], []
    for field, source in columns:
        fields.append(field)
        if isinstance(source, tuple):
            slices.append(slice(len(expressions), len(expressions) + len(source)))
            expressions.extend(source)
        else:
            slices.append(len(expressions))
            expressions.append(source)
    return tuple(fields), expressions, tuple(slices)


def _labelled(expressions: list) -> list[ColumnElement]:
    # Unique labels: several columns are called "name" or "id".
    return [expression.label(f"c{index}") for index, expression in enumerate(expressions)]


def _export(name: str, title: str, filename: str, columns, query: Select, order: list) -> Export:
    fields, expressions, slices = _flatten(columns)
    return Export(
        name=name,
        title=title,
        filename=filename,
        fields=fields,
        query=query.with_only_columns(*_labelled(expressions), maintain_column_froms=False).order_by(*order),
        slices=slices,
    )


def _checked(listed: ListArgs) -> ListArgs:
    if listed.errors:
        raise InvalidFilters(listed.errors)
    return listed


def premises_export(user: User, args: Mapping[str, str]) -> Export:
    listed = _checked(premise_list_args(args))
    query = premise_query(user, **listed.kwargs).select_from(
        Premise.__table__.join(Unit, Unit.id == Premise.unit_id).outerjoin(
            Market, Market.id == Premise.market_id
        )
    )
    return _export(
        "premises", "Cơ sở kinh doanh", "co-so-kinh-doanh", PREMISE_COLUMNS, query, BY_NAME.order_by()
    )


def _inspection_joins():
    return Inspection.__table__.join(Unit, Unit.id == Inspection.unit_id).join(
        Premise, Premise.id == Inspection.premise_id
    )


def inspections_export(user: User, args: Mapping[str, str]) -> Export:
    listed = _checked(inspection_list_args(args))
    query = inspection_query(user, **listed.kwargs).select_from(_inspection_joins())
    return _export(
        "inspections", "Cuộc kiểm tra", "cuoc-kiem-tra", INSPECTION_COLUMNS, query, NEWEST_FIRST.order_by()
    )


def _child_export(user: User, args: Mapping[str, str], model, name, title, filename, columns) -> Export:
    """Records of the inspections the inspection list's filters select, newest inspection first."""
    listed = _checked(inspection_list_args(args))
    inspections = inspection_query(user, **listed.kwargs).with_only_columns(Inspection.id).order_by(None)
    query = (
        scoped(model, user)
        .where(model.inspection_id.in_(inspections))
        .select_from(model.__table__.join(_inspection_joins(), Inspection.id == model.inspection_id))
    )
    return _export(name, title, filename, columns, query, [*NEWEST_FIRST.order_by(), model.id.asc()])


def findings_export(user: User, args: Mapping[str, str]) -> Export:
    return _child_export(
        user, args, Finding, "findings", "Kết quả kiểm tra", "ket-qua-kiem-tra", FINDING_COLUMNS
    )


def readings_export(user: User, args: Mapping[str, str]) -> Export:
    return _child_export(user, args, Reading, "readings", "Phép đo", "phep-do", READING_COLUMNS)


def lots_export(user: User, args: Mapping[str, str]) -> Export:
    return _child_export(
        user, args, PrepackagedLot, "lots", "Hàng đóng gói sẵn", "hang-dong-goi-san", LOT_COLUMNS
    )


def minutes_export(user: User, args: Mapping[str, str]) -> Export:
    listed = _checked(minutes_list_args(args))
    query = minutes_query(user, **listed.kwargs).select_from(
        Minutes.__table__.join(Unit, Unit.id == Minutes.unit_id)
        .join(Inspection, Inspection.id == Minutes.inspection_id)
        .join(Premise, Premise.id == Inspection.premise_id)
        .join(_issuer, _issuer.id == Minutes.issued_by_id)
    )
    return _export(
        "minutes", "Biên bản kiểm tra", "bien-ban-kiem-tra", MINUTES_COLUMNS, query, LATEST_FIRST.order_by()
    )


# ---- the quarterly results for the province's TĐC database -------------------------------------------------------


def _coded(header: str, labels: Mapping[str, str], width: int, what: str) -> Field:
    """A column of codes shown as their labels, described with every label."""
    return Field(header, labels=labels, width=width, note=f"{what}: " + "; ".join(labels.values()) + ".")


def _yes(column) -> ColumnElement:
    return case((column > 0, 1), else_=0)


_lot_or_reading_kinds = {
    "control": "phép đo đối chứng (TT 09/2017/TT-BKHCN) còn hiệu lực (không bị hủy)",
    "error_tests": "lần kiểm tra sai số của cân hoặc cột đo xăng dầu còn hiệu lực",
    "lots": "lô hàng đóng gói sẵn được lấy mẫu kiểm tra lượng (TT 21/2014/TT-BKHCN), còn hiệu lực",
}

QUARTERLY_COLUMNS: tuple[tuple[Field, Any], ...] = (
    (
        Field("Mã cuộc kiểm tra", "int", width=9, note="Mã của cuộc kiểm tra trong ứng dụng (duy nhất)."),
        Inspection.id,
    ),
    (
        Field("Ngày kiểm tra", "datetime", width=16, note="Thời điểm bắt đầu kiểm tra, giờ Việt Nam."),
        Inspection.started_at,
    ),
    (Field("Tỉnh", width=16, note="Tỉnh, thành phố của đơn vị kiểm tra."), Province.name),
    (
        Field("Mã đơn vị", width=10, note="Mã đơn vị hành chính (xã, phường, đặc khu) thực hiện kiểm tra."),
        Unit.code,
    ),
    (Field("Đơn vị", width=20, note="Tên đơn vị hành chính thực hiện kiểm tra."), Unit.name),
    (Field("Mã cơ sở", "int", width=9, note="Mã cơ sở kinh doanh trong ứng dụng."), Premise.id),
    (Field("Cơ sở", width=30, note="Tên cơ sở kinh doanh được kiểm tra."), Premise.name),
    (
        _coded("Loại hình", PREMISE_TYPES, 18, "Loại hình cơ sở"),
        Premise.premise_type,
    ),
    (
        Field("Số đăng ký kinh doanh", width=16, note="Số giấy chứng nhận đăng ký kinh doanh, nếu có."),
        Premise.business_reg_no,
    ),
    (Field("Địa chỉ", width=32, note="Địa chỉ cơ sở."), Premise.address),
    (
        _coded("Hình thức", INSPECTION_KINDS, 14, "Hình thức kiểm tra"),
        Inspection.kind,
    ),
    (
        Field("Số quyết định kiểm tra", width=16, note="Số Quyết định kiểm tra, nếu có."),
        Inspection.decision_number,
    ),
    (Field("Trưởng đoàn", width=22, note="Họ tên trưởng đoàn kiểm tra."), LEAD_NAME),
    (
        Field(
            "Đoàn có cán bộ Sở KH&CN",
            "bool",
            width=10,
            note="Có: đoàn có cán bộ Sở nên kết luận cả các nội dung thuộc thẩm quyền của Sở; Không: các kết quả đó chỉ là sơ bộ.",
        ),
        Inspection.province_in_team,
    ),
    *(
        item
        for group, title in GROUPS.items()
        for item in (
            (
                Field(
                    f"Kiểm tra {title.lower()}",
                    "bool",
                    width=10,
                    note=f'Có ít nhất một nội dung nhóm "{title}" được trả lời đạt hoặc không đạt.',
                ),
                _yes(getattr(InspectionTally, f"{group.lower()}_checked")),
            ),
            (
                Field(
                    f"Số nội dung vi phạm: {title.lower()}",
                    "int",
                    width=10,
                    note=f'Số nội dung nhóm "{title}" kết luận không đạt và tính là vi phạm (không gồm kết quả sơ bộ).',
                ),
                getattr(InspectionTally, f"{group.lower()}_violated"),
            ),
        )
    ),
    (
        Field("Phép đo đối chứng", "int", width=10, note="Số " + _lot_or_reading_kinds["control"] + "."),
        InspectionTally.control,
    ),
    (
        Field(
            "Phép đo đối chứng không đạt",
            "int",
            width=10,
            note="Số phép đo đối chứng thiếu quá lượng thiếu cho phép, tính là vi phạm.",
        ),
        InspectionTally.control_failed,
    ),
    (
        Field(
            "Kiểm tra sai số phương tiện đo",
            "int",
            width=10,
            note="Số " + _lot_or_reading_kinds["error_tests"] + ".",
        ),
        InspectionTally.error_tests,
    ),
    (
        Field(
            "Sai số vượt giới hạn",
            "int",
            width=10,
            note="Số lần kiểm tra sai số vượt giới hạn cho phép, tính là vi phạm (chỉ khi đoàn có cán bộ Sở).",
        ),
        InspectionTally.error_failed,
    ),
    (
        Field("Lô hàng đóng gói sẵn", "int", width=10, note="Số " + _lot_or_reading_kinds["lots"] + "."),
        InspectionTally.lots,
    ),
    (
        Field(
            "Lô hàng không đạt",
            "int",
            width=10,
            note="Số lô hàng không đạt yêu cầu về lượng, tính là vi phạm (chỉ khi đoàn có cán bộ Sở).",
        ),
        InspectionTally.lots_failed,
    ),
    (
        Field(
            "Kết quả",
            width=10,
            note="Vi phạm: có ít nhất một nội dung, phép đo hoặc lô hàng tính là vi phạm; Đạt: không có.",
        ),
        case(
            (
                InspectionTally.findings_violated
                + InspectionTally.readings_failed
                + InspectionTally.lots_failed
                > 0,
                "Vi phạm",
            ),
            else_="Đạt",
        ),
    ),
    (
        _coded("Hình thức xử lý", HANDLING, 22, "Hình thức xử lý"),
        Inspection.outcome,
    ),
    (
        Field("Hạn khắc phục", "date", width=12, note="Hạn khắc phục, khi có yêu cầu khắc phục."),
        Inspection.fix_deadline,
    ),
    (
        _coded("Chuyển cơ quan", REFERRAL_BODIES, 18, "Cơ quan nhận hồ sơ chuyển"),
        Inspection.referral_body,
    ),
    (
        Field(
            "Số biên bản",
            convert=minutes_number_or_blank,
            width=14,
            note="Số biên bản kiểm tra còn hiệu lực, nếu đã lập.",
        ),
        (Minutes.number, Minutes.number_suffix),
    ),
    (Field("Ngày lập biên bản", "date", width=12, note="Ngày lập biên bản kiểm tra."), Minutes.issued_on),
)


def quarter_period(args: Mapping[str, str], today: date) -> tuple[int, int, date, date]:
    """(year, quarter, first day, last day) from ``year`` and ``quy`` (1–4) in the query string; the last whole
    quarter before today when both are missing. Raises InvalidFilters with a Vietnamese message."""
    errors: dict[str, str] = {}
    year_text, quarter_text = (args.get("year") or "").strip(), (args.get("quy") or "").strip()
    if not year_text and not quarter_text:
        current = (today.month - 1) // 3 + 1
        year, quarter = (today.year, current - 1) if current > 1 else (today.year - 1, 4)
    else:
        year = quarter = None
        if not (year_text.isascii() and year_text.isdigit()) or not 2000 <= int(year_text) <= today.year:
            errors["year"] = f"Năm phải là số từ 2000 đến {today.year}."
        else:
            year = int(year_text)
        if quarter_text not in ("1", "2", "3", "4"):
            errors["quy"] = "Quý phải là 1, 2, 3 hoặc 4."
        else:
            quarter = int(quarter_text)
        if errors:
            raise InvalidFilters(errors)
    first = date(year, 3 * quarter - 2, 1)
    last = (date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)) - timedelta(days=1)
    return year, quarter, first, last


def quarterly_export(user: User, args: Mapping[str, str]) -> Export:
    """One row per completed inspection of the quarter in the user's scope, with its results (from the stored
    tallies) and its handling: what NĐ 37/2026 Điều 96.4 asks each quarter for the province's database."""
    year, quarter, first, last = quarter_period(args, today_vn())
    completed = SupervisionFilters(date_from=first, date_to=last).apply_to_inspections(
        scoped(Inspection, user).where(Inspection.status.in_(("completed", "minutes_issued")))
    )
    query = completed.select_from(
        _inspection_joins()
        .join(Province, Province.id == Unit.province_id)
        .outerjoin(InspectionTally, InspectionTally.inspection_id == Inspection.id)
        .outerjoin(Minutes, and_(Minutes.inspection_id == Inspection.id, Minutes.status == "valid"))
    )
    return _export(
        "quarterly",
        f"Kết quả kiểm tra quý {quarter}-{year}",
        f"ket-qua-kiem-tra-quy-{quarter}-{year}",
        QUARTERLY_COLUMNS,
        query,
        [Inspection.started_at.asc(), Inspection.id.asc()],
    )


# Every export, by the name in its URL.
EXPORTS = {
    "premises": premises_export,
    "inspections": inspections_export,
    "findings": findings_export,
    "readings": readings_export,
    "lots": lots_export,
    "minutes": minutes_export,
    "quarterly": quarterly_export,
}


def build_export(name: str, user: User, args: Mapping[str, str]) -> Export:
    """The export called `name` of what `user` may see, filtered as the list's query string says. Raises
    InvalidFilters for a filter value that is not valid, KeyError for an unknown export."""
    return EXPORTS[name](user, args)
