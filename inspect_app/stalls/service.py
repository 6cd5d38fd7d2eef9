"""The public stall page (/s/<token>) and its QR sticker: a signed link per premise, what the page may show (no
personal data), and the sticker's content. The page exists only where the unit has turned it on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import select

from .. import writes
from ..documents import verification
from ..documents.sticker_pdf import StickerContent, render_sticker_sheet
from ..documents.tokens import new_public_id
from ..domain.time import today_vn
from ..domain.vocabulary import LATEST_RESULTS
from ..extensions import db
from ..models import Premise, User


def stall_url(premise: Premise) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/s/{verification.verification_token(premise.public_id)}"


def premise_for_token(token: str) -> Premise | None:
    """The premise a sticker names, if the token is genuine and its unit shows public pages; None otherwise."""
    public_id = verification.public_id_of(token)
    if public_id is None:
        return None
    premise = db.session.scalars(select(Premise).where(Premise.public_id == public_id)).first()
    if premise is None or not premise.unit.public_stall_page or premise.status != "active":
        return None
    return premise


def _place(premise: Premise) -> str:
    if premise.market is not None:
        return premise.market.name + (f", sạp {premise.stall_number}" if premise.stall_number else "")
    return premise.address


def sticker_pdf(premise: Premise, user: User) -> bytes:
    """The sheet of stickers; the premise gets its public id the first time (kept in the audit log as a print)."""
    if premise.public_id is None:
        premise.public_id = new_public_id()
        writes.commit("print", premise, user, {"public_id": [None, "(mới)"]})
    else:
        writes.commit("print", premise, user, {"sticker": [None, "in lại"]})
    return render_sticker_sheet(
        StickerContent(
            committee=" ".join(premise.unit.committee_lines).replace("ỦY BAN NHÂN DÂN", "UBND"),
            premise_name=premise.name,
            place=_place(premise),
            url=stall_url(premise),
        )
    )


@dataclass(frozen=True)
class StallFacts:
    """What the public page shows: the business as it trades, never its owner or anyone's contact."""

    name: str
    place: str
    unit_name: str
    last_inspected_on: date | None
    last_result: str  # Vietnamese label or ""
    stamps: str  # the scales' verification stamps, in a sentence
    stamps_valid: bool | None


def stall_facts(premise: Premise) -> StallFacts:
    expiry = premise.earliest_stamp_expiry
    if expiry is None:
        stamps, valid = "Chưa có thông tin về tem kiểm định của phương tiện đo.", None
    elif expiry >= today_vn():
        stamps, valid = f"Tem kiểm định của phương tiện đo còn hạn (sớm nhất đến {expiry:%d/%m/%Y}).", True
    else:
        stamps, valid = f"Có phương tiện đo đã hết hạn kiểm định (từ {expiry:%d/%m/%Y}).", False
    return StallFacts(
        name=premise.name,
        place=_place(premise),
        unit_name=premise.unit.name,
        last_inspected_on=premise.last_inspected_on,
        last_result=LATEST_RESULTS.get(premise.last_result or "", ""),
        stamps=stamps,
        stamps_valid=valid,
    )
