"""Builders for test records; each returns a committed model instance."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count

from inspect_app.extensions import db
from inspect_app.models import Market, Premise, Province, Unit, User
from inspect_app.premises.service import create_premise

PASSWORD = "Test-password-123"
_seq = count(1)


def make_province(code: str | None = None, name: str | None = None) -> Province:
    n = next(_seq)
    province = Province(code=code or f"9{n:02d}", name=name or f"Tỉnh Thử {n}")
    db.session.add(province)
    db.session.commit()
    return province


def make_unit(province: Province, name: str | None = None, kind: str = "phuong") -> Unit:
    n = next(_seq)
    unit = Unit(
        code=f"8{n:04d}",
        name=name or f"Phường Thử {n}",
        kind=kind,
        province=province,
        latitude=14.8,
        longitude=108.9,
    )
    db.session.add(unit)
    db.session.commit()
    return unit


def make_user(role: str, unit: Unit | None = None, province: Province | None = None, **fields) -> User:
    n = next(_seq)
    user = User(
        username=fields.pop("username", f"{role}{n}"),
        full_name=fields.pop("full_name", f"Nguyễn Văn Thử {n}"),
        role=role,
        unit_id=unit.id if unit else None,
        province_id=province.id if province else None,
        **fields,
    )
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.commit()
    return user


def make_market(unit: Unit, name: str | None = None) -> Market:
    market = Market(
        unit_id=unit.id, name=name or f"Chợ Thử {next(_seq)}", address="", latitude=14.81, longitude=108.95
    )
    db.session.add(market)
    db.session.commit()
    return market


def make_premise(unit: Unit, **values) -> Premise:
    n = next(_seq)
    base = {
        "name": f"Sạp Thử Nghiệm {n}",
        "owner_name": f"Chủ Sạp {n}",
        "premise_type": "market_stall",
        "address": f"Số {n} đường Thử",
        "status": "active",
    }
    base.update(values)
    premise = create_premise(unit.id, base, None)
    db.session.commit()
    return premise


@dataclass
class World:
    p1: Province
    p2: Province
    unit_a: Unit
    unit_a2: Unit
    unit_b: Unit
    users: dict[str, User]  # actor name → user; actors live in A or P1
    other_users: dict[str, User]  # same roles, in unit B
    market_a: Market
    market_b: Market
    premise_a: Premise
    premise_a2: Premise
    premise_b: Premise


def build_world() -> World:
    p1 = make_province(name="Quảng Ngãi Thử")
    p2 = make_province(name="Gia Lai Thử")
    unit_a = make_unit(p1, "Phường Đức Phổ Thử")
    unit_a2 = make_unit(p1, "Xã Ba Động Thử", kind="xa")
    unit_b = make_unit(p2, "Phường Pleiku Thử")
    users = {
        "inspector": make_user("inspector", unit_a),
        "staff": make_user("staff", unit_a),
        "supervisor_unit": make_user("supervisor", unit_a),
        "supervisor_province": make_user("supervisor", province=p1),
        "admin_province": make_user("admin", province=p1),
    }
    other_users = {
        "inspector": make_user("inspector", unit_b),
        "staff": make_user("staff", unit_b),
        "supervisor_unit": make_user("supervisor", unit_b),
    }
    market_a = make_market(unit_a, "Chợ Đức Phổ Thử")
    market_b = make_market(unit_b, "Chợ Pleiku Thử")
    return World(
        p1=p1,
        p2=p2,
        unit_a=unit_a,
        unit_a2=unit_a2,
        unit_b=unit_b,
        users=users,
        other_users=other_users,
        market_a=market_a,
        market_b=market_b,
        premise_a=make_premise(
            unit_a, name="Sạp cân Nguyễn Thị Hường", market_id=market_a.id, stall_number="A01"
        ),
        premise_a2=make_premise(unit_a2, name="Tạp hóa Đinh Văn Ba"),
        premise_b=make_premise(unit_b, name="Sạp bí mật của đơn vị khác", market_id=market_b.id),
    )


def make_records(premise: Premise, user: User) -> dict:
    """An inspection of the premise with one finding and one stored photo, made through the services."""
    import uuid

    from flask import current_app

    from inspect_app.inspections import service
    from inspect_app.files.uploads import storage_for
    from tests.api_helpers import jpeg_bytes

    inspection, _ = service.create_inspection(
        {"uuid": str(uuid.uuid4()), "premise_id": premise.id, "kind": "planned", "team": []}, user
    )
    finding, _ = service.record_finding(
        inspection, {"uuid": str(uuid.uuid4()), "item_code": "GIA-01", "answer": "pass"}, user
    )
    photo, _ = service.add_photo(
        inspection,
        {"uuid": str(uuid.uuid4()), "caption": "Bảng giá"},
        jpeg_bytes(),
        user,
        storage_for(current_app),
    )
    return {"inspection": inspection, "finding": finding, "photo": photo}


def make_completed_inspection(premise: Premise, user: User):
    """A completed inspection (a failed label item, a fix-by request) ready for its biên bản."""
    import uuid
    from datetime import date

    from inspect_app.inspections import service

    inspection = make_records(premise, user)["inspection"]
    service.record_finding(
        inspection,
        {
            "uuid": str(uuid.uuid4()),
            "item_code": "NHAN-05",
            "answer": "fail",
            "note": "Bánh quy quá hạn sử dụng",
        },
        user,
    )
    mark_not_checked(inspection, user)
    data = {
        "version": inspection.version,
        "status": "completed",
        "outcome": "fix_request",
        "fix_deadline": date(2026, 12, 5),
    }
    return service.update_inspection(inspection, data, user)


def make_minutes(premise: Premise, inspector: User, clerk: User):
    from inspect_app.minutes.service import IssueRequest, issue_minutes

    inspection = make_completed_inspection(premise, inspector)
    return issue_minutes(inspection, IssueRequest("Chủ cơ sở", "Chủ hộ kinh doanh"), clerk)


def make_standard(unit: Unit, user: User, **values):
    """A reference weight of the unit (default: 2 kg, class M1, valid until the end of 2027)."""
    import uuid
    from datetime import date
    from decimal import Decimal

    from inspect_app import measurements

    data = {
        "uuid": str(uuid.uuid4()),
        "unit_id": unit.id,
        "kind": "weight",
        "nominal": Decimal("2"),
        "unit": "kg",
        "accuracy_class": "M1",
        "serial": f"QC-{next(_seq)}",
        "certificate_number": f"{next(_seq)}/HC-TĐC",
        "certificate_type": "verification",
        "calibrated_on": date(2026, 1, 5),
        "due_on": date(2027, 12, 31),
    }
    data.update(values)
    return measurements.create_standard(data, user)[0]


def make_instrument(premise: Premise, user: User, **values):
    """An instrument at the premise (default: a 15 kg spring scale, class IIII, e = 50 g, verified to 2027)."""
    import uuid
    from datetime import date
    from decimal import Decimal

    from inspect_app import measurements

    data = {
        "uuid": str(uuid.uuid4()),
        "instrument_type": "spring_scale",
        "make": "Nhơn Hòa",
        "serial": f"NH-{next(_seq)}",
        "accuracy_class": "IIII",
        "unit": "kg",
        "max_capacity": Decimal("15"),
        "e": Decimal("0.05"),
        "verification_mark": f"TEM-{next(_seq)}",
        "verified_on": date(2026, 3, 1),
        "valid_until": date(2027, 3, 1),
        "seal_state": "none",
    }
    data.update(values)
    return measurements.create_instrument(premise, data, user)[0]


def make_metrology(premise: Premise, user: User) -> dict:
    """A standard with its certificate photo and an instrument with a photo, in the premise's unit."""
    import uuid

    from flask import current_app

    from inspect_app import measurements
    from inspect_app.files.uploads import storage_for
    from tests.api_helpers import jpeg_bytes

    storage = storage_for(current_app)
    standard = make_standard(premise.unit, user)
    measurements.set_certificate_photo(standard, jpeg_bytes(), storage, user)
    instrument = make_instrument(premise, user)
    photo, _ = measurements.add_instrument_photo(
        instrument, {"uuid": str(uuid.uuid4()), "caption": "Tem kiểm định"}, jpeg_bytes(), user, storage
    )
    return {"standard": standard, "instrument": instrument, "instrument_photo": photo}


def make_control_reading(inspection, scale, weight, user, indication="1.03"):
    """A control measurement (phép đo đối chứng, selling) of the scale with the weight, recorded in the inspection."""
    import uuid
    from decimal import Decimal

    from inspect_app import measurements

    reading, _ = measurements.record_reading(
        inspection,
        {
            "uuid": str(uuid.uuid4()),
            "instrument_id": scale.id,
            "kind": "control",
            "direction": "sell",
            "standard_ids": [weight.id],
            "indication": Decimal(indication),
            "measured_at": None,
        },
        user,
    )
    return reading


def make_reading_and_lot(inspection, instrument, standard, user) -> dict:
    """A weighing of the instrument with the standard and a pre-packaged lot, recorded in the inspection."""
    import uuid
    from decimal import Decimal

    from inspect_app import measurements

    reading, _ = measurements.record_reading(
        inspection,
        {
            "uuid": str(uuid.uuid4()),
            "instrument_id": instrument.id,
            "kind": "weighing",
            "standard_ids": [standard.id],
            "indication": Decimal("2.00"),
        },
        user,
    )
    lot, _ = measurements.record_lot(
        inspection,
        {
            "uuid": str(uuid.uuid4()),
            "product": "Đường RE túi 1 kg",
            "nominal": Decimal("1"),
            "unit": "kg",
            "measured": [Decimal("0.99"), Decimal("1.00"), Decimal("1.01")],
        },
        user,
    )
    return {"reading": reading, "lot": lot}


def make_complaint(premise: Premise, user: User, **values):
    """A complaint about the premise received by hotline today, with the complainant's (private) contact."""
    from inspect_app.complaints.service import NewComplaint, create_complaint
    from inspect_app.domain.time import today_vn

    base = {
        "unit_id": premise.unit_id,
        "premise_id": premise.id,
        "address": "",
        "received_on": today_vn(),
        "channel": "hotline",
        "subject": "scale",
        "content": "Cân thiếu khi bán thịt.",
        "complainant_name": "Người Phản Ánh",
        "complainant_contact": "0905 999 000",
    }
    base.update(values)
    return create_complaint(NewComplaint(**base), user)
def decision_draft(**values):
    """A decision's draft: a planned check of a market for December 2026, a leader with a certificate."""
    from datetime import date

    from inspect_app.domain.decision_rules import DecisionDraft, MemberLine

    members = values.pop(
        "members",
        (
            MemberLine(
                "Trần Văn Trưởng",
                "Phó Chủ tịch",
                "UBND phường",
                "lead",
                False,
                "125/CC-TĐC",
                date(2024, 5, 6),
            ),
            MemberLine(
                "Lê Thị Kỹ Thuật", "Công chức", "Phòng Kinh tế", "member", True, "88/CC-TĐC", date(2023, 3, 1)
            ),
            MemberLine("Phạm Văn Công An", "Cán bộ", "Công an xã"),
            MemberLine("Võ Thị Chợ", "Trưởng ban", "Ban quản lý chợ"),
        ),
    )
    base = {
        "kind": "planned",
        "subject": "Kiểm tra nhà nước về đo lường tại chợ Đức Phổ",
        "period_from": date(2026, 1, 1),
        "period_to": date(2026, 12, 31),
        "legal_bases": "Luật Đo lường ngày 11 tháng 11 năm 2011\nThông tư số 28/2013/TT-BKHCN",
        "signer_title": "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
        "signer_name": "Nguyễn Văn Ký",
        "scope_groups": ("metrology", "label"),
        "scope_place": "các hộ kinh doanh tại chợ Đức Phổ",
        "recipients": "Như Điều 3;\nLưu: VT.",
        "members": members,
    }
    base.update(values)
    return DecisionDraft(**base)


def make_decision(unit: Unit, user: User, *, issue: bool = True, today=None, **values):
    """A decision of the unit, issued (numbered, PDF stored) unless ``issue=False``."""
    from datetime import date

    from inspect_app.decisions.service import create_draft, issue_decision

    decision, _ = create_draft(unit, decision_draft(**values), user)
    if issue:
        issue_decision(decision, user, confirmed=True, today=today or date(2026, 6, 1))
    return decision


def make_notice(minutes, user: User, kind: str = "stop"):
    from datetime import date

    from inspect_app.decisions.notices import NoticeRequest, issue_notice

    request = NoticeRequest(
        kind,
        "cân đồng hồ lò xo 30 kg",
        date(2030, 1, 1) if kind == "stop" else None,
        None,
        "",
        "CHỦ TỊCH",
        "Ngô Ký",
    )
    return issue_notice(minutes, request, user)


def mark_not_checked(
    inspection, user: User | None = None, reason: str = "Không đủ thời gian kiểm tra trong lần này"
) -> int:
    """Mark every item of the inspection's checklist still without an answer "Không kiểm tra", with a reason: what
    completion asks of an inspection whose other items were not checked. ``inspection`` is the record or its id;
    ``user`` who marks them (by default who started the inspection). Answers how many were marked."""
    import uuid

    from inspect_app.checklists import load_catalogue
    from inspect_app.models import Finding, Inspection

    if not isinstance(inspection, Inspection):
        inspection = db.session.get(Inspection, inspection)
    answered = {finding.item_code for finding in inspection.findings}
    items = load_catalogue(inspection.catalogue_version).items_for(inspection.premise.premise_type)
    blank = [item.code for item in items if item.code not in answered]
    for code in blank:
        db.session.add(
            Finding(
                uuid=str(uuid.uuid4()),
                inspection_id=inspection.id,
                item_code=code,
                answer="skip",
                note=reason,
                indicative=False,
                created_by_id=inspection.created_by_id if user is None else user.id,
            )
        )
    db.session.commit()
    db.session.expire(inspection)
    return len(blank)
