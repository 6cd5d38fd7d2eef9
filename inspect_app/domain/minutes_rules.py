"""The biên bản's legal details as rules on plain values: the number's ký hiệu, the decision that formed the team,
a salutation, a refusal to sign with its witness, and an order to stop using an instrument or a measurement.

Each rule takes what a person typed and returns the clean value, or raises RuleError with a Vietnamese message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .errors import RuleError
from .text import nfc
from .vocabulary import SALUTATIONS

# NĐ 30/2020 Phụ lục III: BB is the code of a biên bản; KT (kiểm tra) is this app's default for the rest.
DEFAULT_MINUTES_SUFFIX = "BB-KT"
MINUTES_SUFFIX_MAX = 20
# Upper-case letters (Đ included: QĐ, ĐL), digits, single hyphens between parts; starts with a letter.
_SUFFIX = re.compile(r"^[A-ZĐ][A-ZĐ0-9]*(?:-[A-ZĐ0-9]+)*$")
# "12/QĐ-UBND", "125/QĐ-CT", "07/2026/QĐ-UBND": a number, then the ký hiệu parts.
_DECISION_NUMBER = re.compile(r"^[0-9]{1,6}(?:/[0-9A-ZĐ][0-9A-ZĐ-]*)+$")


def minutes_number_text(number: int, suffix: str) -> str:
    """``"05/BB-KT"``: at least two digits, as NĐ 30/2020 Điều 15.1 numbers from 01."""
    return f"{number:02d}/{suffix}"


def minutes_suffix(value: str | None) -> str:
    """The ký hiệu after the number; lower-case letters are raised to upper case."""
    cleaned = nfc(value).upper()
    if not cleaned:
        raise RuleError("Ký hiệu biên bản không được để trống (ví dụ BB-KT).")
    if not 2 <= len(cleaned) <= MINUTES_SUFFIX_MAX:
        raise RuleError(f"Ký hiệu biên bản dài từ 2 đến {MINUTES_SUFFIX_MAX} ký tự (ví dụ BB-KT).")
    if not _SUFFIX.match(cleaned):
        raise RuleError(
            "Ký hiệu biên bản chỉ gồm chữ in hoa, chữ số và dấu gạch ngang giữa các phần, "
            "bắt đầu bằng chữ (ví dụ BB-KT)."
        )
    return cleaned


def salutation_code(value: str | None) -> str | None:
    """``"ong"`` / ``"ba"``; empty means not known (printed "Ông/Bà")."""
    cleaned = (value or "").strip()
    if not cleaned:
        return None
    if cleaned not in SALUTATIONS:
        raise RuleError("Danh xưng phải là Ông hoặc Bà (hoặc để trống nếu chưa rõ).")
    return cleaned


@dataclass(frozen=True)
class Decision:
    """Quyết định kiểm tra: the decision that formed the team."""

    number: str = ""
    signed_on: date | None = None
    signer: str = ""

    @property
    def given(self) -> bool:
        return bool(self.number)

    def basis_line(self) -> str:
        """``"Căn cứ Quyết định số 12/QĐ-UBND ngày 03/11/2026 của Chủ tịch UBND phường Đức Phổ về việc …;"``."""
        return (
            f"Căn cứ Quyết định số {self.number} ngày {self.signed_on:%d/%m/%Y} của {self.signer} "
            "về việc thành lập Đoàn kiểm tra;"
        )


def decision_errors(number: str, signed_on: date | None, signer: str, inspected_on: date) -> dict[str, str]:
    """Field → message for the three parts of a decision (empty when they are all empty or all right)."""
    if not (number or signed_on or signer):
        return {}
    errors = {}
    if not number:
        errors["decision_number"] = "Cần ghi số của quyết định kiểm tra (ví dụ 12/QĐ-UBND)."
    elif len(number) > 40:
        errors["decision_number"] = "Số quyết định dài quá 40 ký tự."
    elif not _DECISION_NUMBER.match(number):
        errors["decision_number"] = "Số quyết định phải có dạng số/ký hiệu, ví dụ 12/QĐ-UBND."
    if signed_on is None:
        errors["decision_date"] = "Cần ghi ngày ký quyết định kiểm tra."
    elif signed_on > inspected_on:
        errors["decision_date"] = "Ngày ký quyết định kiểm tra không được sau ngày kiểm tra."
    if not signer:
        errors["decision_signer"] = "Cần ghi người ký quyết định (ví dụ Chủ tịch UBND phường …)."
    elif len(signer) > 200:
        errors["decision_signer"] = "Người ký quyết định dài quá 200 ký tự."
    return errors


@dataclass(frozen=True)
class LegalDetails:
    """What the issue form adds to a biên bản beyond the representative: refusal, witness, stop-use order."""

    refused_to_sign: bool = False
    refusal_reason: str = ""
    witness_name: str = ""
    witness_position: str = ""
    witness_salutation: str | None = None
    stop_order_subject: str = ""
    stop_order_deadline: date | None = None


def legal_details_errors(
    details: LegalDetails, inspected_on: date, has_business_signature: bool
) -> dict[str, str]:
    """Field → Vietnamese message; empty when the details can go on a biên bản."""
    errors = {}
    reason = nfc(details.refusal_reason)
    if details.refused_to_sign:
        if len(reason) < 3:
            errors["refusal_reason"] = "Cần ghi lý do đại diện cơ sở không ký biên bản."
        if has_business_signature:
            errors["business_signature"] = (
                "Đại diện cơ sở không ký biên bản thì không được có chữ ký của đại diện cơ sở; hãy xóa chữ ký."
            )
    elif reason:
        errors["refusal_reason"] = "Chỉ ghi lý do khi đánh dấu “Đại diện cơ sở không ký biên bản”."
    if len(reason) > 1000:
        errors["refusal_reason"] = "Lý do dài quá 1000 ký tự."
    name, position = nfc(details.witness_name), nfc(details.witness_position)
    if len(name) > 120:
        errors["witness_name"] = "Họ tên người chứng kiến dài quá 120 ký tự."
    if len(position) > 160:
        errors["witness_position"] = "Chức vụ, đơn vị của người chứng kiến dài quá 160 ký tự."
    if (position or details.witness_salutation) and not name:
        errors["witness_name"] = "Cần ghi họ tên người chứng kiến."
    if name and not position:
        errors["witness_position"] = "Cần ghi chức vụ, đơn vị của người chứng kiến (ví dụ Ban quản lý chợ)."
    subject = nfc(details.stop_order_subject)
    if len(subject) > 1000:
        errors["stop_order_subject"] = "Nội dung tạm dừng dài quá 1000 ký tự."
    if details.stop_order_deadline is not None and not subject:
        errors["stop_order_subject"] = "Cần ghi phương tiện đo hoặc phép đo phải tạm dừng sử dụng."
    if subject and details.stop_order_deadline is None:
        errors["stop_order_deadline"] = "Cần ghi thời hạn khắc phục của yêu cầu tạm dừng."
    elif details.stop_order_deadline is not None and details.stop_order_deadline < inspected_on:
        errors["stop_order_deadline"] = "Thời hạn tạm dừng không được trước ngày kiểm tra."
    return errors


def _joined(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " và " + parts[-1]


def conclusion_sentence(
    business: str,
    failed_areas: list[str],
    outcome: str | None,
    referral_body: str = "",
    deadline: date | None = None,
) -> str:
    """Section V's conclusion in one sentence: what the business did not comply with and what the team requires, e.g.
    "Cơ sở … chưa chấp hành đúng quy định về ghi nhãn hàng hóa; Đoàn kiểm tra yêu cầu cơ sở khắc phục …"."""
    areas = list(dict.fromkeys(area for area in failed_areas if area))
    if not areas:
        return f"Tại thời điểm kiểm tra, cơ sở {business} chấp hành đúng quy định về các nội dung đã kiểm tra."
    if outcome == "fix_request":
        action = "yêu cầu cơ sở khắc phục các nội dung không đạt nêu tại biên bản này"
        if deadline is not None:
            action += f" trước ngày {deadline:%d/%m/%Y}"
    elif outcome == "violation_record":
        action = "lập biên bản vi phạm hành chính và xử lý theo quy định"
    elif outcome == "referral":
        action = f"chuyển hồ sơ đến {referral_body or 'cơ quan có thẩm quyền'} để xử lý theo thẩm quyền"
    else:
        action = "nhắc nhở cơ sở chấp hành đúng quy định"
    return f"Cơ sở {business} chưa chấp hành đúng quy định về {_joined(areas)}; Đoàn kiểm tra {action}."
