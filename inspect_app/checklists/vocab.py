"""Controlled vocabulary shared by the whole app: codes stored in the database and their Vietnamese labels.

Codes are stable ASCII identifiers (stored in the database, sent to the phone, used in reports); labels are what
people read. Every mapping is a plain dict in display order (JSON-serialisable); treat them as read-only.
Import these from here; do not copy them.
"""

from __future__ import annotations

__all__ = [
    "ALL_PREMISE_TYPES",
    "ANSWERS",
    "ANSWER_KINDS",
    "AUTO_SOURCES",
    "FAIL_HANDLING",
    "GROUPS",
    "HANDLING",
    "INSPECTION_KINDS",
    "PREMISE_TYPES",
    "REFERRAL_BODIES",
    "label",
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


def label(vocabulary, code: str | None, default: str = "") -> str:
    """The Vietnamese label of ``code`` in ``vocabulary`` (one of the mappings above); ``default`` if unknown."""
    if code is None:
        return default
    return vocabulary.get(code, default)
