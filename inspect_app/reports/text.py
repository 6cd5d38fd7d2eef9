"""The inspection section of the yearly report (mục 2.5) written from its figures, and the figures as table rows.

No Flask and no database here: everything comes from a ``figures.ReportTable`` (built by the app, or by a test).
The text is in the register of the communes' reports (seed 000): "Trong kỳ báo cáo (…), UBND xã đã tổ chức …",
with every figure of the table woven in, in Vietnamese number format ("1.234"). A figure that is zero is left out
rather than written as "0 … trong đó 0 …": a part with nothing in it says so in words ("chưa tổ chức", "không phát
hiện vi phạm"). Paragraphs are separated by a blank line; the staff edit the text before export.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ..documents.vn_format import format_vn_decimal, vn_short_date
from ..domain.vocabulary import (
    DIRECTIONS,
    INSPECTION_KINDS,
    PREMISE_TYPES,
    REFERRAL_BODIES,
    UNIT_KINDS,
)
from ..inspections.tallies import REASONS
from ..supervision.dashboard import MEASURED_TYPES
from .document import TableRow
from .figures import REPORT_ROWS, ReportTable

__all__ = ["TOTAL_COLUMN", "VALUE_COLUMN", "document_columns", "document_rows", "section_text"]

VALUE_COLUMN = "Số lượng"  # a commune's one value column
TOTAL_COLUMN = "Tổng cộng"  # the last column of a roll-up

# How a count of each premise type reads inside a sentence ("20 sạp chợ, 3 cơ sở khác").
_PREMISE_WORDS = {code: label[0].lower() + label[1:] for code, label in PREMISE_TYPES.items()} | {
    "other": "cơ sở khác"
}
# The checklist groups as the objects of "kiểm tra việc …".
_GROUP_WORDS = (("nhan", "ghi nhãn hàng hóa"), ("gia", "niêm yết giá"), ("cl", "chất lượng hàng hóa"))


def _n(value: int) -> str:
    return format_vn_decimal(value)


def _lower(label: str) -> str:
    return label[0].lower() + label[1:]


def _counted(parts: Iterable[tuple[int, str]]) -> list[str]:
    """``(3, "sạp chợ")`` → ``"3 sạp chợ"`` for the non-zero counts, in order."""
    return [f"{_n(count)} {words}" for count, words in parts if count]


def _join(parts: Sequence[str], last: str = "và") -> str:
    """ "a", "a và b", "a, b và c"."""
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} {last} {parts[-1]}"


def _breakdown(parts: Sequence[str]) -> str:
    """`` (a, b)`` after a total, unless the breakdown says nothing more than the total (one part or none)."""
    return f" ({', '.join(parts)})" if len(parts) > 1 else ""


def _split(
    table: ReportTable, prefix: str, labels: dict[str, str], words: Callable[[str], str], suffix: str = ""
) -> tuple[str | None, list[str]]:
    """How a count divides over ``labels`` (figures ``prefix + code + suffix``): the one label when a single code
    holds it all (the caller names it), else ``(None, ["3 a", "2 b"])`` with ``words(label)`` after each count."""
    found = [label for code, label in labels.items() if table.value(f"{prefix}{code}{suffix}")]
    if len(found) == 1:
        return found[0], []
    return None, _counted(
        (table.value(f"{prefix}{code}{suffix}"), words(label)) for code, label in labels.items()
    )


def _actor(table: ReportTable, unit_name: str) -> tuple[str, str]:
    """Who acts in the text and where: ("UBND xã", "trên địa bàn xã") for a commune's report; for a roll-up of
    several communes, ("UBND 12 xã, phường, đặc khu", "trên địa bàn tỉnh Quảng Ngãi") with ``unit_name`` the
    province ("tỉnh Quảng Ngãi")."""
    if len(table.units) > 1:
        return f"UBND {_n(len(table.units))} xã, phường, đặc khu", f"trên địa bàn {unit_name}"
    for label in UNIT_KINDS.values():
        if unit_name.lower().startswith(label.lower() + " ") or unit_name.lower() == label.lower():
            kind = label.lower()
            return f"UBND {kind}", f"trên địa bàn {kind}"
    return f"UBND {unit_name}", f"trên địa bàn {unit_name}"


def section_text(table: ReportTable, unit_name: str) -> str:
    """The section's text for the table's period and units (its totals: a commune's figures, or the province's).

    ``unit_name`` is the commune's name as the app stores it ("Xã Ba Động", "Phường Đức Phổ": the text says "UBND
    xã", "trên địa bàn phường"), or, for a roll-up of several communes, the area they make up ("tỉnh Quảng Ngãi").
    """
    v = table.value
    actor, area = _actor(table, unit_name)
    period = f"từ ngày {vn_short_date(table.date_from)} đến ngày {vn_short_date(table.date_to)}"
    if not v("inspections"):
        return (
            f"Trong kỳ báo cáo ({period}), {actor} chưa tổ chức cuộc kiểm tra nào về đo lường, ghi nhãn hàng hóa, "
            "niêm yết giá và chất lượng hàng hóa; không có kết quả kiểm tra, xử lý vi phạm để báo cáo."
        )
    paragraphs = [
        _inspections(table, actor, area, period),
        " ".join(p for p in (_instruments(table), _control(table)) if p),
        _prepackaged(table),
        _groups(table),
        _handling(table),
        _standards(table),
    ]
    return "\n\n".join(p for p in paragraphs if p)


def _inspections(table: ReportTable, actor: str, area: str, period: str) -> str:
    v = table.value
    total, premises = v("inspections"), v("inspected")
    kind, kinds = _split(table, "kind_", INSPECTION_KINDS, lambda label: f"cuộc {_lower(label)}")
    # Every inspection of one kind: "42 cuộc kiểm tra theo kế hoạch".
    held = (
        f"{_n(total)} cuộc kiểm tra {_lower(kind)}"
        if kind
        else f"{_n(total)} cuộc kiểm tra{_breakdown(kinds)}"
    )
    premise_type, types = _split(table, "inspected_", _PREMISE_WORDS, str)
    if not premises:
        where = area
    elif premise_type:
        where = f"tại {_n(premises)} {premise_type} {area}"
    else:
        where = f"tại {_n(premises)} cơ sở sản xuất, kinh doanh {area}{_breakdown(types)}"
    subjects = []
    if v("instruments_checked") or v("control"):
        subjects.append("phương tiện đo, phép đo")
    if v("label_quantity_checked") or v("lots"):
        subjects.append("lượng của hàng đóng gói sẵn")
    subjects += [words for group, words in _GROUP_WORDS if v(f"group_{group}_checked")]
    text = f"Trong kỳ báo cáo ({period}), {actor} đã tổ chức {held} {where}"
    if subjects:
        text += f"; nội dung kiểm tra tập trung vào việc chấp hành quy định về {_join(subjects)}"
    return text + "."


def _instruments(table: ReportTable) -> str:
    v = table.value
    checked = v("instruments_checked")
    if not checked:
        return ""
    only, types = _split(table, "instruments_checked_", MEASURED_TYPES, _lower)
    text = f"Đã kiểm tra {_n(checked)} phương tiện đo" + (
        f" (đều là {_lower(only)})" if only else _breakdown(types)
    )
    failed, passed = v("instruments_failed"), v("instruments_passed")
    # The failing reasons come from the checklist (one per inspection and reason), the passed and failed
    # instruments from their measurements: "all passed" only when neither found anything wrong.
    reasons = [
        f"{_lower(label)} ({_n(v(f'reason_{code}'))} lượt)"
        for code, (label, _source) in REASONS.items()
        if v(f"reason_{code}")
    ]
    if not failed and not reasons:
        if passed == checked:
            return f"{text}, kết quả đo đều đạt yêu cầu."
        return f"{text}, {_n(passed)} phương tiện đo đạt yêu cầu." if passed else f"{text}."
    if failed:
        verdicts = _counted(
            ((passed, "phương tiện đo đạt yêu cầu"), (failed, "phương tiện đo không đạt yêu cầu"))
        )
        text += f"; {', '.join(verdicts)}"
    if reasons:
        text += f"; các lỗi vi phạm gồm: {'; '.join(reasons)}"
    return text + "."


def _control(table: ReportTable) -> str:
    v = table.value
    control, failed = v("control"), v("control_failed")
    if not control:
        return ""
    direction, ways = _split(table, "control_", DIRECTIONS, lambda label: f"phép đo khi {_lower(label)}")
    text = f"Thực hiện {_n(control)} phép đo đối chứng" + (
        f" khi {_lower(direction)}" if direction else _breakdown(ways)
    )
    if not failed:
        return f"{text}, tất cả đều phù hợp, không phát hiện lượng hàng thiếu vượt giới hạn cho phép."
    text += f", phát hiện {_n(failed)} phép đo không phù hợp (lượng hàng thiếu vượt giới hạn cho phép)"
    if not direction:
        failing, ways = _split(
            table, "control_", DIRECTIONS, lambda label: f"phép đo khi {_lower(label)}", "_failed"
        )
        if failing:
            text += f", đều là phép đo khi {_lower(failing)}"
        elif ways:
            text += f", trong đó {', '.join(ways)}"
    return text + "."


def _prepackaged(table: ReportTable) -> str:
    v = table.value
    parts = []
    checked, violated = v("label_quantity_checked"), v("label_quantity_violated")
    if checked:
        outcome = f"{_n(violated)} lượt không đạt" if violated else "không phát hiện vi phạm"
        parts.append(f"đã kiểm tra việc ghi lượng trên nhãn {_n(checked)} lượt, {outcome}")
    lots, failed = v("lots"), v("lots_failed")
    if lots:
        outcome = (
            f"{_n(failed)} lô không đạt yêu cầu về lượng" if failed else "tất cả đều đạt yêu cầu về lượng"
        )
        parts.append(f"lấy mẫu kiểm tra lượng của {_n(lots)} lô hàng, {outcome}")
    if not parts:
        return ""
    text = "; ".join(parts)
    return f"Đối với hàng đóng gói sẵn, {text}."


def _groups(table: ReportTable) -> str:
    v = table.value
    parts = []
    for group, words in _GROUP_WORDS:
        checked, violated = v(f"group_{group}_checked"), v(f"group_{group}_violation")
        if not checked:
            continue
        found = f"phát hiện vi phạm tại {_n(violated)} cuộc" if violated else "không phát hiện vi phạm"
        parts.append(f"{words} tại {_n(checked)} cuộc ({found})")
    if not parts:
        return ""
    return f"Đã kiểm tra việc chấp hành quy định về {'; '.join(parts)}."


def _violations(table: ReportTable) -> int:
    """Anything found wrong or handled: when nothing is, the text says "không phát hiện vi phạm"."""
    v = table.value
    return (
        v("instruments_failed")
        + sum(v(f"reason_{code}") for code in REASONS)
        + v("control_failed")
        + v("label_quantity_violated")
        + v("lots_failed")
        + v("minutes_nonconforming")
        + sum(v(f"group_{group}_violation") for group, _words in _GROUP_WORDS)
        + sum(v(f"handling_{code}") for code in ("reminder", "fix_request", "violation_record", "referral"))
    )


def _handling(table: ReportTable) -> str:
    v = table.value
    issued, nonconforming = v("minutes_issued"), v("minutes_nonconforming")
    minutes = ""
    if issued:
        minutes = f"Các đoàn kiểm tra đã lập {_n(issued)} biên bản kiểm tra"
        if nonconforming:
            minutes += f" ({_n(nonconforming)} biên bản ghi nhận vi phạm)"
    if not _violations(table):
        return (
            f"{minutes}; qua kiểm tra, không phát hiện vi phạm."
            if minutes
            else "Qua kiểm tra, không phát hiện vi phạm."
        )
    measures = []
    if v("handling_reminder"):
        measures.append(f"nhắc nhở tại chỗ {_n(v('handling_reminder'))} trường hợp")
    requests = v("handling_fix_request")
    if requests:
        text = f"yêu cầu khắc phục {_n(requests)} trường hợp"
        done, waiting, overdue = v("fix_done"), v("fix_open"), v("fix_overdue")
        states = []
        if done:
            states.append(f"{_n(done)} trường hợp đã khắc phục khi kiểm tra lại")
        if waiting:
            late = f", trong đó {_n(overdue)} trường hợp đã quá hạn" if overdue else ""
            states.append(f"{_n(waiting)} trường hợp đang chờ khắc phục{late}")
        if states:
            text += f" ({'; '.join(states)})"
        measures.append(text)
    if v("handling_violation_record"):
        measures.append(f"lập {_n(v('handling_violation_record'))} biên bản vi phạm hành chính")
    referred = v("handling_referral")
    if referred:
        body, bodies = _split(table, "referral_", REFERRAL_BODIES, lambda label: f"trường hợp đến {label}")
        if body:
            text = f"chuyển {_n(referred)} trường hợp đến {body} xử lý"
        else:
            text = f"chuyển {_n(referred)} trường hợp đến cơ quan có thẩm quyền xử lý{_breakdown(bodies)}"
        measures.append(text)
    sentences = [minutes + "."] if minutes else []
    if measures:
        sentences.append(f"Đối với các trường hợp vi phạm, đã {'; '.join(measures)}.")
    return " ".join(sentences)


def _standards(table: ReportTable) -> str:
    v = table.value
    used, expired = v("standards_used"), v("standards_used_expired")
    if not used:
        return ""
    text = f"Các đoàn kiểm tra đã sử dụng {_n(used)} chuẩn đo lường"
    if expired:
        return (
            f"{text}, trong đó {_n(expired)} chuẩn có lần được sử dụng khi đã quá hạn kiểm định, hiệu chuẩn; "
            "kết quả đo bằng chuẩn quá hạn được xem xét lại trước khi kết luận."
        )
    return f"{text}, tất cả đều còn hiệu lực kiểm định, hiệu chuẩn tại thời điểm sử dụng."


def _unit_ids(table: ReportTable, unit_ids: Sequence[int] | None) -> list[int]:
    return list(unit_ids) if unit_ids is not None else [uid for uid, _name in table.units]


def document_columns(table: ReportTable, unit_ids: Sequence[int] | None = None) -> tuple[str, ...]:
    """The value columns that go with ``document_rows``: ("Số lượng",) for one commune, the communes' names and
    "Tổng cộng" for several."""
    ids = _unit_ids(table, unit_ids)
    if len(ids) <= 1:
        return (VALUE_COLUMN,)
    names = dict(table.units)
    return (*(names[uid] for uid in ids), TOTAL_COLUMN)


def document_rows(table: ReportTable, unit_ids: Sequence[int] | None = None) -> tuple[TableRow, ...]:
    """Every row of REPORT_ROWS with its values: one column for a single commune (``unit_ids`` of one, or a table
    of one unit), else one column per commune (in ``unit_ids``'s order, or the table's) and their total last."""
    ids = _unit_ids(table, unit_ids)
    rows = []
    for row in REPORT_ROWS:
        if row.code is None:
            rows.append(TableRow(row.label, row.level, (), None))
            continue
        cells = table.cells.get(row.code, {})
        if not ids:
            values: tuple[int, ...] = (table.totals.get(row.code, 0),)
        elif len(ids) == 1:
            values = (cells.get(ids[0], 0),)
        else:
            per_unit = tuple(cells.get(uid, 0) for uid in ids)
            values = (*per_unit, sum(per_unit))
        rows.append(TableRow(row.label, row.level, values, row.code))
    return tuple(rows)


@dataclass(frozen=True)
class PlanResult:
    """The commune's yearly inspection plan beside the report's figures: its number and year, its targets by kind
    (INSPECTION_KINDS codes), its annex's size and how many of those premises were inspected in the period."""

    number: str
    year: int
    targets: dict[str, int]
    annex_size: int
    annex_inspected: int


def plan_paragraph(table: ReportTable, plan: PlanResult) -> str:
    """One paragraph comparing the plan's targets with the period's inspections, kind by kind (the kinds the plan
    set a target for, or that were held), and its annex."""
    v = table.value
    target = sum(plan.targets.values())
    named = f"Kế hoạch kiểm tra năm {plan.year}" + (f" (số {plan.number})" if plan.number else "")
    done = v("inspections")
    share = f" ({round(100 * done / target)}% kế hoạch)" if target else ""
    text = f"So với {named}: dự kiến {_n(target)} cuộc kiểm tra, đã thực hiện {_n(done)} cuộc{share}"
    parts = [
        f"{_lower(label)} {_n(v(f'kind_{code}'))}/{_n(plan.targets.get(code, 0))}"
        for code, label in INSPECTION_KINDS.items()
        if plan.targets.get(code, 0) or v(f"kind_{code}")
    ]
    if parts:
        text += " (đã thực hiện/dự kiến: " + "; ".join(parts) + ")"
    text += "."
    if plan.annex_size:
        text += (
            f" Trong {_n(plan.annex_size)} cơ sở thuộc danh sách kiểm tra của kế hoạch, "
            f"{_n(plan.annex_inspected)} cơ sở đã được kiểm tra trong kỳ."
        )
    return text
