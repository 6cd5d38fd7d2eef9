"""What a biên bản kiểm tra says: plain frozen values the app fills from its records (nothing here knows about the
database or about ReportLab)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from ..vn_format import vn_place_date
from ...domain.minutes_rules import minutes_number_text

__all__ = [
    "ANSWER_NOT_APPLICABLE",
    "ANSWER_NOT_PASS",
    "ANSWER_PASS",
    "Business",
    "CheckResult",
    "MeterCheck",
    "MinutesDocument",
    "Photo",
    "PrepackagedLot",
    "Reading",
    "Representative",
    "RequestItem",
    "ResultGroup",
    "Signatory",
    "StopOrder",
    "TeamMember",
    "Violation",
    "Witness",
]


ANSWER_PASS = "Đạt"
ANSWER_NOT_PASS = "Không đạt"
ANSWER_NOT_APPLICABLE = "Không áp dụng"

# ---------------------------------------------------------------------------------------------------------------
# Content: plain frozen values. The app fills them from its records; nothing here knows about the database.
# ---------------------------------------------------------------------------------------------------------------


def _tuple(obj: object, name: str) -> None:
    value = getattr(obj, name)
    if not isinstance(value, tuple):
        object.__setattr__(obj, name, tuple(value))


@dataclass(frozen=True)
class TeamMember:
    """A member of the inspection team (thành viên đoàn kiểm tra)."""

    name: str
    position: str  # chức vụ, e.g. "Công chức Văn hóa – Xã hội"
    organisation: str  # đơn vị, e.g. "UBND phường Đức Phổ"
    role: str = ""  # vai trò trong đoàn, e.g. "Trưởng đoàn", "Thành viên"
    salutation: str = "Ông/Bà"  # "Ông" / "Bà" from the person's record; "Ông/Bà" when it does not say


@dataclass(frozen=True)
class Business:
    """The inspected business (cơ sở được kiểm tra)."""

    name: str
    owner: str
    registration_number: str = ""  # số Giấy chứng nhận đăng ký hộ kinh doanh / doanh nghiệp
    address: str = ""
    market: str = ""  # chợ
    stall: str = ""  # số sạp / ki-ốt


@dataclass(frozen=True)
class Representative:
    """The person who represented the business during the inspection (đại diện cơ sở)."""

    name: str
    position: str  # chức vụ / quan hệ với cơ sở, e.g. "Chủ hộ kinh doanh"
    id_number: str = ""  # số CCCD: printed on the PDF only, never on the public verification page
    salutation: str = "Ông/Bà"


@dataclass(frozen=True)
class Witness:
    """Người chứng kiến, e.g. a member of the market board or the village head; signs a block of their own."""

    name: str
    position: str  # chức vụ, đơn vị, e.g. "Trưởng Ban quản lý chợ Đức Phổ"
    salutation: str = "Ông/Bà"


@dataclass(frozen=True)
class StopOrder:
    """Thông báo tạm dừng: the instrument or measurement the business must stop using until fixed."""

    subject: str  # what is stopped, e.g. "Cân đồng hồ lò xo 15 kg tại sạp số 12"
    deadline: date  # the fix is due before this day


@dataclass(frozen=True)
class CheckResult:
    """One checklist item and its answer (``ANSWER_PASS`` / ``ANSWER_NOT_PASS`` / ``ANSWER_NOT_APPLICABLE``)."""

    question: str
    answer: str
    note: str = ""


@dataclass(frozen=True)
class ResultGroup:
    """A checklist group (phương tiện đo, ghi nhãn, niêm yết giá, chất lượng) with its answered items."""

    title: str
    items: tuple[CheckResult, ...]

    def __post_init__(self) -> None:
        _tuple(self, "items")


@dataclass(frozen=True)
class Reading:
    """One control measurement: reference load or volume against the instrument's indication."""

    instrument: str  # e.g. "Cân đồng hồ lò xo 15 kg, cấp 4 (IIII), e = 50 g"
    reference: Decimal  # tải / lượng chuẩn
    indication: Decimal  # số chỉ
    error: Decimal  # sai số (indication − reference, or as the rule defines it)
    permitted_error: Decimal  # giới hạn sai số cho phép (magnitude)
    unit: str  # "kg", "g", "L", "mL"
    verdict: str  # "Đạt" / "Không đạt"
    rule: str = ""  # the rule and table used, e.g. "ĐLVN 30:2019, MPE sử dụng cấp IIII"
    provisional: bool = False  # judged with a table whose official text is not confirmed
    provisional_tables: tuple[
        str, ...
    ] = ()  # those tables, by name ("Bảng 2, Điều 5 Thông tư 09/2017/TT-BKHCN")
    places: int | None = None  # decimals to print; None keeps each Decimal's own precision
    permitted_sign: str = "±"  # "±" for a symmetric MPE; "" for a one-sided permitted shortfall


@dataclass(frozen=True)
class PrepackagedLot:
    """One pre-packaged product sampled and judged with the lot rules of TT 21/2014 (mean, T, 2T)."""

    product: str
    nominal: Decimal  # lượng danh định
    unit: str
    sample_size: int  # n
    mean: Decimal  # lượng trung bình
    tolerance: Decimal  # T, lượng thiếu cho phép
    short_over_t: int  # units short by more than T
    short_over_2t: int  # units short by more than 2T
    verdict: str
    rules_broken: tuple[str, ...] = ()
    provisional: bool = False
    provisional_tables: tuple[str, ...] = ()
    places: int | None = None

    def __post_init__(self) -> None:
        _tuple(self, "rules_broken")
        _tuple(self, "provisional_tables")


@dataclass(frozen=True)
class MeterCheck:
    """An electricity or water meter (the utility's) seen at the inspection: what was recorded and where the complaint
    was referred. It carries no verdict: a commune check never says Đạt / Không đạt about a meter's error."""

    meter: (
        str  # e.g. "Đồng hồ nước, cấp B, số DHN-778 — Đồng hồ nước lạnh cơ khí — Công ty Cấp nước Quảng Ngãi"
    )
    stamp: str  # the stamp as seen and its validity on the day, e.g. "Có tem/dấu kiểm định; còn hạn đến 09/05/2027"
    seals: str  # e.g. "Bị hỏng / không còn"
    address: str = ""  # địa chỉ lắp đặt
    index_reading: str = ""  # chỉ số, already formatted ("1.234,567 m3")
    tampering: tuple[str, ...] = ()  # signs of tampering as observed (not a legal finding)
    complaint: str = ""  # who complained and what
    referral: tuple[str, ...] = ()  # "Chuyển đơn vị cấp điện/cấp nước ngày …", then the Sở
    indicative: str = ""  # an indicative water check, always labelled "sơ bộ"
    note: str = ""

    def __post_init__(self) -> None:
        _tuple(self, "tampering")
        _tuple(self, "referral")


@dataclass(frozen=True)
class Violation:
    """A violation found, with the provision it breaches."""

    text: str
    legal_basis: str = ""


@dataclass(frozen=True)
class RequestItem:
    """Something the business must do (yêu cầu khắc phục), with an optional deadline."""

    text: str
    deadline: date | None = None


@dataclass(frozen=True)
class Signatory:
    """A name under a signature block, optionally with the captured signature (PNG bytes)."""

    name: str
    signature_png: bytes | None = None


@dataclass(frozen=True)
class Photo:
    """A photo for the appendix (JPEG bytes): what it shows and when it was taken, both printed under it."""

    jpeg: bytes
    caption: str = ""  # the inspector's own words
    subject: str = (
        ""  # the checklist item or instrument it belongs to, e.g. "Cân có dấu kiểm định còn hiệu lực"
    )
    taken_at: datetime | None = None  # Vietnam time: when it was taken, or else when it was uploaded
    taken_known: bool = True  # False: taken_at is the upload time (the photo said nothing)


@dataclass(frozen=True)
class MinutesDocument:
    """Everything printed on one biên bản kiểm tra."""

    issuing_body_lines: tuple[str, ...]  # e.g. ("ỦY BAN NHÂN DÂN", "PHƯỜNG ĐỨC PHỔ"); the last line is bold
    number: int
    year: int
    place_name: str  # địa danh, e.g. "Đức Phổ"
    issued_on: date
    subtitle: str  # what was checked, e.g. "Về việc kiểm tra đo lường, ghi nhãn hàng hóa, …"
    legal_basis: tuple[str, ...]  # "Căn cứ …" lines
    started_at: datetime
    place: str  # where the inspection took place
    team: tuple[TeamMember, ...]
    business: Business
    representative: Representative
    recorder: Signatory  # NGƯỜI LẬP BIÊN BẢN
    team_leader: Signatory  # TRƯỞNG ĐOÀN KIỂM TRA
    business_signatory: Signatory | None = None  # ĐẠI DIỆN CƠ SỞ; defaults to the representative's name
    # The other members of the team, each with a place of their own to sign (role and position under the name).
    other_members: tuple[TeamMember, ...] = ()
    recorder_is_leader: bool = False  # one block for the team leader who also wrote the biên bản
    ended_at: datetime | None = None
    result_groups: tuple[ResultGroup, ...] = ()
    not_checked: tuple[str, ...] = ()  # "NHAN-02 – question: reason", an item not checked a line
    reference_standards: tuple[str, ...] = ()  # chuẩn đo lường used, with their certificate and validity
    readings: tuple[Reading, ...] = ()
    lots: tuple[PrepackagedLot, ...] = ()
    meter_checks: tuple[
        MeterCheck, ...
    ] = ()  # công tơ điện, đồng hồ nước: recorded and referred, never judged
    violations: tuple[Violation, ...] = ()
    outcome: str = ""  # kết luận chung, as a label ("Yêu cầu khắc phục"): printed only without a conclusion
    handling: str = ""  # biện pháp xử lý
    # Section V's conclusion as a sentence ("Cơ sở … chưa chấp hành đúng quy định về …; Đoàn kiểm tra yêu cầu …").
    conclusion: str = ""
    requests: tuple[RequestItem, ...] = ()
    representative_statement: str = ""  # empty: dotted lines are printed for a handwritten statement
    copies: int = 2
    photos: tuple[Photo, ...] = ()
    # A replacement note, printed in full under the title and, shortened if need be, at the foot of every page:
    # "Biên bản này thay thế Biên bản số 11/BB-KT ngày …" (or, on a reprint of a replaced one, "… đã được thay thế …").
    superseded_note: str | None = None
    number_suffix: str = "BB-KT"
    title: str = "BIÊN BẢN KIỂM TRA"
    # "Đại diện cơ sở không ký biên bản": printed with the reason in place of the representative's signature;
    # the team leader's signature keeps the biên bản valid (TT 28/2013 Điều 21.2.b).
    refused_to_sign: bool = False
    refusal_reason: str = ""
    witness: Witness | None = None
    stop_order: StopOrder | None = None
    # A preview before issuing: no number yet ("Số: …/BB-KT"), no QR code, "BẢN XEM TRƯỚC" across every page.
    preview: bool = False

    def __post_init__(self) -> None:
        for name in (
            "issuing_body_lines",
            "legal_basis",
            "team",
            "result_groups",
            "not_checked",
            "reference_standards",
            "readings",
            "lots",
            "meter_checks",
            "violations",
            "requests",
            "photos",
            "other_members",
        ):
            _tuple(self, name)
        if self.number < 1:
            raise ValueError("number must be positive")
        if self.copies < 1:
            raise ValueError("copies must be at least 1")

    @property
    def number_text(self) -> str:
        """``"12/BB-KT"``, ``"05/BB-KT"``: two digits at least (NĐ 30/2020 Điều 15.1 numbers from 01)."""
        if self.preview:
            return f"…/{self.number_suffix}"
        return minutes_number_text(self.number, self.number_suffix)

    @property
    def place_date_text(self) -> str:
        """``"Đức Phổ, ngày 21 tháng 11 năm 2026"``."""
        return vn_place_date(self.place_name, self.issued_on)
