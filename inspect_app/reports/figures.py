"""The figures of the yearly report's inspection section (mục 2.5 "kiểm tra"), per commune and for the province.

Every row of the table is a figure of the supervisor's dashboard (``supervision.dashboard.FIGURES``): the same
SQL counts them (``count_figures``, per unit) and the same list shows the records behind each, so every number of
the report is a link to a list as long as the number (``figure_url``). ``REPORT_ROWS`` is the table's order and
wording, in the register of the communes' reports (seed 000); rows without a code are headings.

What the rows count, for the period (Việt Nam days, both included) and the units asked:
- inspections completed in the period (started on one of its days), by kind; premises inspected, each once, by type;
- measuring instruments tested in the period (a control measurement or an error test in force), each once, by type;
  passed (no test that counts as a violation) and failed; the failing reasons are counted from the checklist, one
  per inspection and reason ("lượt");
- control measurements (TT 09/2017) when selling and buying, and the non-conforming ones; the quantity on
  pre-packaged goods' labels (item PTD-10); lots sampled (TT 21/2014) and failing;
- inspections that checked labels, price posting and quality, and those with a violation in each;
- handling: reminders, biên bản issued (and with a violation), fix-by requests (done at follow-up, still open,
  overdue: as of today), violation records, referrals by body;
- reference standards used (each once, under the unit that owns them) and those used outside their verification.
Results the team may not conclude on ("sơ bộ") are never counted as violations (``TeamConclusion``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import url_for
from sqlalchemy import select

from ..access import scope_filter, scope_for
from ..domain.time import today_vn
from ..domain.vocabulary import DIRECTIONS, INSPECTION_KINDS, PREMISE_TYPES, REFERRAL_BODIES
from ..extensions import db
from ..inspections.tallies import REASONS
from ..models import Unit, User
from ..supervision.dashboard import FIGURES, MEASURED_TYPES, Context, count_figures
from ..supervision.filters import SupervisionFilters

__all__ = ["REPORT_ROWS", "ReportRow", "ReportTable", "figure_url", "report_table"]


@dataclass(frozen=True)
class ReportRow:
    """One line of the table: a heading (``code`` None) or a figure; ``level`` 0 heading, 1 row, 2 "trong đó"."""

    label: str
    code: str | None = None
    level: int = 1


def _lower(label: str) -> str:
    return label[0].lower() + label[1:]


def _rows() -> list[ReportRow]:
    rows: list[ReportRow] = []

    def heading(label):
        rows.append(ReportRow(label, None, 0))

    def row(code, label, level=1):
        assert code in FIGURES, code
        rows.append(ReportRow(label, code, level))

    heading("1. Cuộc kiểm tra và cơ sở được kiểm tra")
    row("inspections", "Số cuộc kiểm tra đã thực hiện")
    for code, label in INSPECTION_KINDS.items():
        row(f"kind_{code}", f"Kiểm tra {_lower(label)}", 2)
    row("inspected", "Số cơ sở được kiểm tra")
    for code, label in PREMISE_TYPES.items():
        row(f"inspected_{code}", label, 2)
    heading("2. Phương tiện đo")
    row("instruments_checked", "Số phương tiện đo được kiểm tra")
    for code, label in MEASURED_TYPES.items():
        row(f"instruments_checked_{code}", label, 2)
    row("instruments_passed", "Phương tiện đo đạt yêu cầu")
    row("instruments_failed", "Phương tiện đo không đạt yêu cầu")
    # The reasons are counted from the checklist, one per inspection and reason: not a part of the instruments
    # that failed their measurements (a scale with an expired stamp may measure right).
    for reason, (label, _source) in REASONS.items():
        row(f"reason_{reason}", f"Lượt vi phạm: {_lower(label)}")
    heading("3. Phép đo đối chứng (TT 09/2017/TT-BKHCN)")
    row("control", "Số phép đo đối chứng đã thực hiện")
    row("control_failed", "Số phép đo không phù hợp (vượt lượng thiếu cho phép)")
    for code, label in DIRECTIONS.items():
        row(f"control_{code}", f"Khi {_lower(label)}: đã đo", 2)
        row(f"control_{code}_failed", f"Khi {_lower(label)}: không phù hợp", 2)
    heading("4. Hàng đóng gói sẵn (TT 21/2014/TT-BKHCN)")
    row("label_quantity_checked", "Lượt kiểm tra ghi lượng trên nhãn")
    row("label_quantity_violated", "Lượt ghi lượng trên nhãn không đạt")
    row("lots", "Số lô hàng được lấy mẫu kiểm tra lượng")
    row("lots_failed", "Số lô hàng không đạt")
    heading("5. Ghi nhãn, niêm yết giá, chất lượng")
    for group, label in (
        ("nhan", "ghi nhãn hàng hóa"),
        ("gia", "niêm yết giá"),
        ("cl", "chất lượng hàng hóa"),
    ):
        row(f"group_{group}_checked", f"Số cuộc có kiểm tra {label}")
        row(f"group_{group}_violation", f"Số cuộc phát hiện vi phạm về {label}", 2)
    heading("6. Xử lý")
    row("handling_reminder", "Nhắc nhở tại chỗ")
    row("minutes_issued", "Số biên bản kiểm tra đã lập")
    row("minutes_nonconforming", "Trong đó ghi nhận vi phạm", 2)
    row("handling_fix_request", "Yêu cầu khắc phục")
    row("fix_done", "Đã khắc phục khi kiểm tra lại", 2)
    row("fix_open", "Đang chờ khắc phục", 2)
    row("fix_overdue", "Quá hạn khắc phục", 2)
    row("handling_violation_record", "Lập biên bản vi phạm hành chính")
    row("handling_referral", "Chuyển cơ quan có thẩm quyền")
    for code, label in REFERRAL_BODIES.items():
        row(f"referral_{code}", label, 2)
    heading("7. Chuẩn đo lường")
    row("standards_used", "Số chuẩn đo lường đã sử dụng")
    row("standards_used_expired", "Trong đó có lần sử dụng khi quá hạn kiểm định/hiệu chuẩn", 2)
    heading("8. Tiếp nhận, xử lý phản ánh, kiến nghị")
    row("complaints", "Số phản ánh, kiến nghị đã tiếp nhận")
    row("complaints_inspection", "Giải quyết bằng kiểm tra theo phản ánh", 2)
    row("complaints_referral", "Chuyển cơ quan có thẩm quyền", 2)
    row("complaints_answer", "Trả lời bằng văn bản", 2)
    row("complaints_open", "Đang xử lý", 2)
    row("complaints_overdue", "Quá hạn xử lý", 2)
    return rows


REPORT_ROWS = _rows()
REPORT_CODES = tuple(r.code for r in REPORT_ROWS if r.code)


@dataclass
class ReportTable:
    """The report's figures for a period: per unit (``cells[code][unit_id]``, every unit asked, zeros included) and
    their totals (the province's, when several units are asked)."""

    date_from: date
    date_to: date
    today: date
    units: list[tuple[int, str]]
    cells: dict[str, dict[int, int]] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)

    def value(self, code: str, unit_id: int | None = None) -> int:
        return self.totals[code] if unit_id is None else self.cells[code][unit_id]


def report_table(
    user: User,
    date_from: date,
    date_to: date,
    unit_ids: list[int] | None = None,
    today: date | None = None,
) -> ReportTable:
    """Every row of REPORT_ROWS for the period, counted in SQL per unit: the units asked, those of the user's scope
    (every unit the user may see when None; a unit outside the scope is left out). One statement per kind of record
    and one for the units."""
    today = today or today_vn()
    scope = scope_for(user)
    query = select(Unit.id, Unit.name).where(scope_filter(Unit, scope=scope)).order_by(Unit.name, Unit.id)
    if unit_ids is not None:
        query = query.where(Unit.id.in_(unit_ids or [0]))
    units = [(uid, name) for uid, name in db.session.execute(query).all()]
    filters = SupervisionFilters(
        date_from=date_from, date_to=date_to, unit_id=units[0][0] if len(units) == 1 else None
    )
    counted = count_figures(Context(scope, filters, today), REPORT_CODES, months=False)
    wanted = {uid for uid, _name in units}
    cells = {
        code: {uid: counted.by_group.get(uid, {}).get(code, 0) for uid in wanted} for code in REPORT_CODES
    }
    totals = {code: sum(per_unit.values()) for code, per_unit in cells.items()}
    return ReportTable(date_from, date_to, today, units, cells, totals)


def figure_url(table: ReportTable, code: str, unit_id: int | None = None, *, external: bool = False) -> str:
    """The list of the records a cell counts (the dashboard's figure list for the period, narrowed to the unit)."""
    args = {"from": table.date_from.isoformat(), "to": table.date_to.isoformat()}
    if unit_id is not None:
        args["unit"] = str(unit_id)
    return url_for("dashboard.figure_list", figure=code, _external=external, **args)
