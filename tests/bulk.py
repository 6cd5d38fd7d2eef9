"""Many list rows quickly, written as plain rows (no PDF rendering, no image processing): premises each in its own
market, inspections with a team, findings, a photo and an issued biên bản. For the list tests, which read none of
the files."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from itertools import count

from inspect_app.domain.text import fold
from inspect_app.extensions import db
from inspect_app.models import (
    Finding,
    Inspection,
    InspectionMember,
    Market,
    Minutes,
    Photo,
    Premise,
    Unit,
    User,
)

_seq = count(1)
START = datetime(2026, 5, 4, 1, 30, tzinfo=UTC)


def add_listed_records(unit: Unit, user: User, n: int, new_units: bool = False) -> list[Inspection]:
    """n premises, each in a market of its own, each with one completed inspection (team of one, two findings, one
    photo) and its biên bản, all in `unit`, or each in a new unit of the same province; returns the inspections."""
    inspections = []
    home = unit
    for _ in range(n):
        k = next(_seq)
        if new_units:
            unit = Unit(code=f"7{k:04d}", name=f"Xã Số Đông {k}", kind="xa", province_id=home.province_id)
            db.session.add(unit)
            db.session.flush()
        market = Market(unit_id=unit.id, name=f"Chợ Số Đông {k}", latitude=14.8 + k / 1000, longitude=108.9)
        db.session.add(market)
        db.session.flush()
        name = f"Sạp đông khách {k}"
        premise = Premise(
            unit_id=unit.id,
            name=name,
            owner_name=f"Chủ {k}",
            premise_type="market_stall",
            market_id=market.id,
            stall_number=f"S{k}",
            address=f"{market.name}",
            latitude=14.8 + k / 1000,
            longitude=108.9 + k / 1000,
            status="active",
            search_text=fold(f"{name} Chủ {k} S{k}"),
        )
        db.session.add(premise)
        db.session.flush()
        started = START + timedelta(hours=k)
        inspection = Inspection(
            uuid=str(uuid.uuid4()),
            unit_id=unit.id,
            premise_id=premise.id,
            kind="planned",
            started_at=started,
            ended_at=started + timedelta(hours=1),
            status="minutes_issued",
            catalogue_version="2026.1",
            outcome="fix_request",
            fix_deadline=(started + timedelta(days=30)).date(),
            gps_flags="poor_accuracy" if k % 2 else "",
            gps_latitude=14.8 + k / 1000 + 0.0005,
            gps_longitude=108.9 + k / 1000,
            gps_accuracy_m=80.0 if k % 2 else 10.0,
            created_by_id=user.id,
            create_digest="x" * 64,
        )
        inspection.members = [InspectionMember(user_id=user.id, team_role="lead")]
        db.session.add(inspection)
        db.session.flush()
        for code, answer in (("GIA-01", "pass"), ("NHAN-05", "fail")):
            db.session.add(
                Finding(
                    uuid=str(uuid.uuid4()),
                    inspection_id=inspection.id,
                    item_code=code,
                    answer=answer,
                    created_by_id=user.id,
                    create_digest="x" * 64,
                )
            )
        db.session.add(
            Photo(
                uuid=str(uuid.uuid4()),
                inspection_id=inspection.id,
                storage_key=f"photos/{k}.jpg",
                thumbnail_key=f"photos/{k}-thumb.jpg",
                sha256="a" * 64,
                upload_sha256="b" * 64,
                width=10,
                height=10,
                size_bytes=100,
                created_by_id=user.id,
            )
        )
        db.session.add(
            Minutes(
                inspection_id=inspection.id,
                unit_id=unit.id,
                year=2026,
                number=k,
                number_text=f"{k:02d}/BB-KT",
                public_id=uuid.uuid4().hex,
                issued_on=(started + timedelta(hours=7)).date(),
                issued_by_id=user.id,
                outcome_label="Yêu cầu khắc phục",
                pdf_key=f"minutes/{k}.pdf",
                pdf_sha256="c" * 64,
                pdf_size=1000,
                business_signature=b"\x89PNG" + b"\0" * 2000,
            )
        )
        inspections.append(inspection)
    db.session.commit()
    return inspections
