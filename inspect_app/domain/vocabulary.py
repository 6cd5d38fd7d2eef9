"""The app's one vocabulary: codes stored in the database and their Vietnamese labels.

Codes are stable ASCII identifiers (stored in the database, sent to the phone, used in reports); labels are what
people read. Every mapping is a plain dict in display order (JSON-serialisable); treat them as read-only.
The models build their CHECK constraints from these mappings (``one_of``), so the database and the forms accept
the same codes. Import these from here; do not copy them.
"""

from __future__ import annotations

__all__ = [
    "ALL_PREMISE_TYPES",
    "ANSWERS",
    "ANSWER_KINDS",
    "AUDIT_ACTIONS",
    "AUTO_SOURCES",
    "DIRECTIONS",
    "FAIL_HANDLING",
    "GROUPS",
    "HANDLING",
    "INSPECTION_KINDS",
    "INSPECTION_STATUSES",
    "INSTRUMENT_TYPES",
    "MINUTES_STATUSES",
    "OUTCOMES",
    "PREMISE_STATUSES",
    "PREMISE_TYPES",
    "READING_KINDS",
    "REFERRAL_BODIES",
    "ROLES",
    "SCALE_TYPES",
    "SEAL_STATES",
    "STANDARD_KINDS",
    "STANDARD_OWNERSHIP",
    "TEAM_ROLES",
    "UNIT_KINDS",
    "label",
    "one_of",
]

# Loại cơ sở được kiểm tra (premise types).
PREMISE_TYPES = {
    "market_stall": "Sạp chợ",
    "grocery": "Cửa hàng tạp hóa",
    "fuel_station": "Cửa hàng xăng dầu",
    "supermarket": "Siêu thị, cửa hàng tiện lợi",
    "producer": "Cơ sở sản xuất",
    "other": "Khác",
}

# In a checklist item's ``premise_types``: the item applies to every premise type.
ALL_PREMISE_TYPES = "*"

# The four checklist groups, in the order they appear in the checklist, the biên bản and the report.
GROUPS = {
    "PTD": "Phương tiện đo",
    "NHAN": "Ghi nhãn hàng hóa",
    "GIA": "Niêm yết giá",
    "CL": "Chất lượng",
}

# Kết quả của một nội dung kiểm tra (finding answers).
ANSWERS = {
    "pass": "Đạt",
    "fail": "Không đạt",
    "na": "Không áp dụng",
}

# How a checklist item is answered.
ANSWER_KINDS = {
    "pass_fail": "Đạt / Không đạt / Không áp dụng",
    "pass_fail_count": "Đạt / Không đạt / Không áp dụng, kèm số lượng hàng hóa hoặc phương tiện đo liên quan",
}

# Hình thức xử lý (outcome / handling of an inspection or a finding). "pass" = no handling needed.
HANDLING = {
    "pass": "Đạt",
    "reminder": "Nhắc nhở",
    "fix_request": "Yêu cầu khắc phục",
    "violation_record": "Lập biên bản vi phạm hành chính",
    "referral": "Chuyển cơ quan có thẩm quyền",
}

# The handling codes a checklist item may suggest when it fails (every HANDLING code except "pass").
FAIL_HANDLING = {code: text for code, text in HANDLING.items() if code != "pass"}

# Bodies a case may be referred to (chuyển cơ quan có thẩm quyền).
REFERRAL_BODIES = {
    "skhcn": "Sở Khoa học và Công nghệ",
    "qltt": "Quản lý thị trường",
    "cong_an": "Công an",
}

# Hình thức kiểm tra (inspection kinds).
INSPECTION_KINDS = {
    "planned": "Theo kế hoạch",
    "themed": "Chuyên đề",
    "unannounced": "Đột xuất",
    "complaint": "Theo phản ánh",
}

# Data the app fills a checklist item from (the metrology part sets these answers automatically).
AUTO_SOURCES = {
    "instrument_verification": "Tem, dấu và giấy chứng nhận kiểm định của phương tiện đo",
    "instrument_range": "Phạm vi đo và giá trị độ chia của phương tiện đo so với lượng hàng",
    "instrument_readings": "Kết quả đo kiểm sai số phương tiện đo",
    "control_measurement": "Phép đo đối chứng bằng quả cân chuẩn",
    "prepackage_lots": "Kết quả kiểm tra lô hàng đóng gói sẵn",
    "dispenser_printer": "Thiết bị ghi, in kết quả đo của cột đo xăng dầu",
}


# ---- accounts and administrative units ----------------------------------------------------------------------

# Vai trò (account roles).
ROLES = {
    "inspector": "Cán bộ kiểm tra",
    "staff": "Cán bộ văn phòng",
    "supervisor": "Lãnh đạo / giám sát",
    "admin": "Quản trị hệ thống",
}

# Cấp đơn vị hành chính dưới tỉnh (commune-level unit kinds since 1/7/2025).
UNIT_KINDS = {"xa": "Xã", "phuong": "Phường", "dac_khu": "Đặc khu"}

# ---- premises, inspections, minutes -------------------------------------------------------------------------

# Trạng thái cơ sở (premise status).
PREMISE_STATUSES = {"active": "Đang hoạt động", "closed": "Ngừng hoạt động"}

# Trạng thái cuộc kiểm tra (inspection status).
INSPECTION_STATUSES = {
    "draft": "Đang kiểm tra",
    "completed": "Đã hoàn thành",
    "minutes_issued": "Đã lập biên bản",
}

# Vai trò trong đoàn kiểm tra (team roles).
TEAM_ROLES = {"lead": "Trưởng đoàn", "member": "Thành viên"}

# Trạng thái biên bản (minutes status).
MINUTES_STATUSES = {"valid": "Có hiệu lực", "superseded": "Đã được thay thế", "revoked": "Đã hủy"}

# ---- metrology ----------------------------------------------------------------------------------------------

# Chuẩn đo lường của đơn vị (reference standards).
STANDARD_KINDS = {"weight": "Quả cân chuẩn", "volume_measure": "Bình chuẩn dung tích"}
STANDARD_OWNERSHIP = {"own": "Của đơn vị", "borrowed": "Mượn"}

# Phương tiện đo tại cơ sở (instrument types).
INSTRUMENT_TYPES = {
    "spring_scale": "Cân đồng hồ lò xo",
    "pan_scale": "Cân đĩa",
    "platform_scale": "Cân bàn",
    "electronic_scale": "Cân điện tử",
    "fuel_dispenser": "Cột đo xăng dầu",
    "water_meter": "Đồng hồ nước",
    "electricity_meter": "Công tơ điện",
    "other": "Phương tiện đo khác",
}
# The instrument types that are scales (weighing readings and control measurements apply to them).
SCALE_TYPES = ("spring_scale", "pan_scale", "platform_scale", "electronic_scale")

# Tình trạng niêm phong (seal state).
SEAL_STATES = {"intact": "Còn nguyên vẹn", "broken": "Bị hỏng / không còn", "none": "Không có niêm phong"}

# Loại phép đo (reading kinds).
READING_KINDS = {
    "weighing": "Kiểm tra sai số cân",
    "dispenser": "Kiểm tra sai số cột đo xăng dầu",
    "control": "Phép đo đối chứng (TT 09/2017)",
}

# Chiều mua bán của phép đo đối chứng (control measurement direction).
DIRECTIONS = {"sell": "Bán hàng", "buy": "Mua hàng"}

# Kết luận của một phép đo hoặc một lô hàng (a judged verdict).
OUTCOMES = {"pass": "Đạt", "fail": "Không đạt", "inconclusive": "Không đủ cơ sở kết luận"}


# ---- the audit log ------------------------------------------------------------------------------------------

# Thao tác được ghi nhật ký (audited actions).
AUDIT_ACTIONS = {
    "create": "Tạo mới",
    "edit": "Sửa",
    "issue": "Lập biên bản",
    "supersede": "Thay thế biên bản",
    "reopen": "Mở lại để đính chính",
    "revoke": "Hủy",
    "void": "Hủy kết quả đo",
    "print": "In",
    "login": "Đăng nhập",
    "login_failed": "Đăng nhập không thành công",
    "logout": "Đăng xuất",
}


def one_of(column: str, codes, *, nullable: bool = False) -> str:
    """The SQL of a CHECK constraint that admits exactly ``codes`` (a mapping's keys or a tuple)."""
    listed = ", ".join(f"'{code}'" for code in codes)
    check = f"{column} IN ({listed})"
    return f"{column} IS NULL OR {check}" if nullable else check


def label(vocabulary, code: str | None, default: str = "") -> str:
    """The Vietnamese label of ``code`` in ``vocabulary`` (one of the mappings above); ``default`` if unknown."""
    if code is None:
        return default
    return vocabulary.get(code, default)
