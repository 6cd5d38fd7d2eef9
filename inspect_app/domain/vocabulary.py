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
    "AUDIT_RECORD_TYPES",
    "AUTO_SOURCES",
    "CERTIFICATE_TYPES",
    "COMPLAINT_CHANNELS",
    "COMPLAINT_OPEN_STATUSES",
    "COMPLAINT_REFERRAL_BODIES",
    "COMPLAINT_RESOLUTIONS",
    "COMPLAINT_STATUSES",
    "COMPLAINT_SUBJECTS",
    "DECISION_SCOPES",
    "DIRECTIONS",
    "FAIL_HANDLING",
    "GROUPS",
    "HANDLING",
    "INSPECTION_KINDS",
    "INSPECTION_STATUSES",
    "INSTRUMENT_TYPES",
    "INSTRUMENT_VARIANTS",
    "LATEST_RESULTS",
    "METER_TYPES",
    "METER_VALIDITY",
    "METER_VARIANTS",
    "LOT_DECISION_SCOPE",
    "MINUTES_STATUSES",
    "DECISION_KINDS",
    "DECISION_SCOPE_GROUPS",
    "DECISION_STATUSES",
    "DOCUMENT_SERIES",
    "NOTICE_KINDS",
    "OUTCOMES",
    "PLAN_SOURCES",
    "PLAN_STATUSES",
    "PREMISE_STATUSES",
    "PREMISE_STATES",
    "PREMISE_TYPES",
    "READING_KINDS",
    "READING_KIND_SCOPES",
    "REFERRAL_BODIES",
    "REPORT_FORMATS",
    "REPORT_STATUSES",
    "REPORT_TASK_STATUSES",
    "ROLES",
    "SALUTATIONS",
    "SALUTATION_UNKNOWN",
    "SCALE_TYPES",
    "SEAL_STATES",
    "TALLY_NAMES",
    "STAMP_STATES",
    "STANDARD_KINDS",
    "STANDARD_OWNERSHIP",
    "TAMPERING_SIGNS",
    "TEAM_ROLES",
    "UNIT_KINDS",
    "label",
    "one_of",
    "salutation",
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

# The per-inspection counts kept on write (table inspection_tallies, one column each; inspections.tallies defines
# what each counts, in this order).
TALLY_NAMES = (
    *(f"{group.lower()}_{what}" for group in GROUPS for what in ("checked", "violated", "indicative")),
    *(
        f"reason_{reason}{suffix}"
        for reason in ("stamp", "seal", "error", "range")
        for suffix in ("", "_indicative")
    ),
    "findings_violated",
    "label_quantity_checked",
    "label_quantity_violated",
    "readings_failed",
    "control",
    "control_failed",
    "control_indicative",
    "control_inconclusive",
    "control_sell",
    "control_sell_failed",
    "control_buy",
    "control_buy_failed",
    "error_tests",
    "error_failed",
    "error_indicative",
    "lots",
    "lots_failed",
    "lots_indicative",
)

# Kết quả của một nội dung kiểm tra (finding answers).
ANSWERS = {
    "pass": "Đạt",
    "fail": "Không đạt",
    "na": "Không áp dụng",
    # Not checked this time: given with its reason (the finding's note), never left blank on a completed inspection.
    "skip": "Không kiểm tra",
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


# Who may conclude on a checklist item or a kind of measurement (TT 28/2013/TT-BKHCN Điều 18–19, as amended by
# TT 10/2022/TT-BKHCN). "commune": a commune-only team concludes (verification status, phép đo, the quantity written
# on pre-packaged goods, labels, prices). "province": only a team with someone from the Sở KH&CN (Chi cục TĐC)
# concludes (an instrument's own error, the actual net quantity of a lot, fuel-dispenser checks); without one the
# result is recorded as "sơ bộ". "referral": never the team's own finding (counterfeit goods, goods of unknown
# origin: NĐ 98/2020/NĐ-CP, for Quản lý thị trường); the team records what it saw and refers it.
DECISION_SCOPES = {
    "commune": "Đoàn cấp xã được kết luận",
    "province": "Chỉ kết luận khi đoàn có cán bộ Sở Khoa học và Công nghệ",
    "referral": "Chuyển cơ quan có thẩm quyền, không kết luận vi phạm tại chỗ",
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

# Kết quả của lần kiểm tra gần nhất đã hoàn thành, lưu trên cơ sở (the result a completed inspection gives the
# premise, see domain.premise_state): a violation is a result the team may conclude on (never a "sơ bộ" one); a fix
# request is pending until a later inspection of the premise is completed.
LATEST_RESULTS = {
    "pass": "Đạt",
    "violation": "Vi phạm",
    "pending_fix": "Yêu cầu khắc phục",
}

# Tình trạng của cơ sở trên bản đồ và bảng điều khiển (a premise's state on a given day), in the order they are
# decided: the first that applies wins (domain.premise_state.premise_state; premises.state.state_expression in SQL).
PREMISE_STATES = {
    "never_inspected": "Chưa kiểm tra",
    "fix_overdue": "Quá hạn khắc phục",
    "fix_pending": "Đang chờ khắc phục",
    "inspection_overdue": "Quá hạn kiểm tra",
    "violation": "Vi phạm",
    "pass": "Đạt",
}

# Trạng thái cuộc kiểm tra (inspection status).
INSPECTION_STATUSES = {
    "draft": "Đang kiểm tra",
    "completed": "Đã hoàn thành",
    "minutes_issued": "Đã lập biên bản",
}

# Danh xưng (salutation) printed before a person's name; unknown (NULL) prints "Ông/Bà".
SALUTATIONS = {"ong": "Ông", "ba": "Bà"}
SALUTATION_UNKNOWN = "Ông/Bà"

# Vai trò trong đoàn kiểm tra (team roles).
TEAM_ROLES = {"lead": "Trưởng đoàn", "member": "Thành viên"}

# Trạng thái biên bản (minutes status).
MINUTES_STATUSES = {"valid": "Có hiệu lực", "superseded": "Đã được thay thế", "revoked": "Đã hủy"}

# Quyết định kiểm tra (TT 28/2013 Mẫu 4): what it orders, its state, what it covers.
DECISION_KINDS = {"planned": "Theo kế hoạch", "themed": "Chuyên đề", "unannounced": "Đột xuất"}
DECISION_STATUSES = {"draft": "Dự thảo", "issued": "Đã ban hành"}
DECISION_SCOPE_GROUPS = {
    "metrology": "Đo lường",
    "label": "Ghi nhãn hàng hóa",
    "price": "Niêm yết giá",
    "quality": "Chất lượng sản phẩm, hàng hóa",
}
# Thông báo (TT 28/2013 Điều 21): Mẫu 6 tạm dừng, Mẫu 7 được tiếp tục.
NOTICE_KINDS = {"stop": "Thông báo tạm dừng", "resume": "Thông báo được tiếp tục"}
# The gap-free number series of an issuing unit (each restarts at 01 every year).
DOCUMENT_SERIES = {"minutes": "Biên bản kiểm tra", "decision": "Quyết định kiểm tra", "notice": "Thông báo"}

# ---- metrology ----------------------------------------------------------------------------------------------

# Chuẩn đo lường của đơn vị (reference standards).
STANDARD_KINDS = {"weight": "Quả cân chuẩn", "volume_measure": "Bình chuẩn dung tích"}
STANDARD_OWNERSHIP = {"own": "Của đơn vị", "borrowed": "Mượn"}
# Loại giấy chứng nhận của chuẩn. TT 09/2017 Điều 6 asks reference weights to be verified (kiểm định); a calibration
# certificate (hiệu chuẩn) is flagged. "unknown": records made before the type was asked.
CERTIFICATE_TYPES = {
    "verification": "Kiểm định",
    "calibration": "Hiệu chuẩn",
    "unknown": "Chưa ghi rõ kiểm định hay hiệu chuẩn",
}

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
# Kiểu công tơ / đồng hồ nước: the verification cycle differs by variant (TT 23/2013 Phụ lục).
INSTRUMENT_VARIANTS = {
    "water_mechanical": "Đồng hồ nước lạnh cơ khí",
    "water_electronic": "Đồng hồ nước lạnh có cơ cấu điện tử",
    "elec_1p_induction": "Công tơ điện 1 pha kiểu cảm ứng",
    "elec_1p_electronic": "Công tơ điện 1 pha kiểu điện tử",
    "elec_3p_induction": "Công tơ điện 3 pha kiểu cảm ứng",
    "elec_3p_electronic": "Công tơ điện 3 pha kiểu điện tử",
}
# Meters belong to the utility: recorded and referred, never judged pass/fail on their error by the app.
METER_TYPES = ("water_meter", "electricity_meter")
# The variants each meter type may have.
METER_VARIANTS = {
    "water_meter": ("water_mechanical", "water_electronic"),
    "electricity_meter": (
        "elec_1p_induction",
        "elec_1p_electronic",
        "elec_3p_induction",
        "elec_3p_electronic",
    ),
}
# The instrument types that are scales (weighing readings and control measurements apply to them).
SCALE_TYPES = ("spring_scale", "pan_scale", "platform_scale", "electronic_scale")

# Tình trạng niêm phong (seal state).
SEAL_STATES = {"intact": "Còn nguyên vẹn", "broken": "Bị hỏng / không còn", "none": "Không có niêm phong"}

# Hạn kiểm định của công tơ, đồng hồ nước on the day of the check (from the stamp's dates, or the cycle).
METER_VALIDITY = {"valid": "Còn hạn", "expired": "Hết hạn", "unknown": "Không xác định được hạn"}

# Tem, dấu kiểm định của công tơ, đồng hồ nước as seen at the check.
STAMP_STATES = {
    "present": "Có tem/dấu kiểm định",
    "damaged": "Tem/dấu bị rách, mờ hoặc không đọc được",
    "missing": "Không có tem/dấu kiểm định",
}

# Dấu hiệu can thiệp vào công tơ, đồng hồ nước (signs of tampering), as observed; none of them is a legal finding.
TAMPERING_SIGNS = {
    "seal_cut_or_replaced": "Niêm phong, kẹp chì bị cắt hoặc bị thay",
    "case_opened": "Vỏ bị mở, nứt hoặc khoan lỗ",
    "bypass": "Có đấu nối tắt, câu móc trước công tơ/đồng hồ",
    "foreign_object": "Có nam châm hoặc vật lạ gắn vào",
    "reversed": "Lắp ngược chiều hoặc lắp nghiêng",
    "register_damaged": "Bộ số bị hỏng, kẹt hoặc không đọc được",
}

# Loại phép đo (reading kinds).
READING_KINDS = {
    "weighing": "Kiểm tra sai số cân",
    "dispenser": "Kiểm tra sai số cột đo xăng dầu",
    "control": "Phép đo đối chứng (TT 09/2017)",
}

# Who may conclude on each kind of reading (see DECISION_SCOPES): a control measurement (TT 09/2017) is the
# commune's; the instrument's own error (scale or fuel dispenser) is the Sở's (TT 28/2013 Điều 19.1.d, Điều 29).
READING_KIND_SCOPES = {"weighing": "province", "dispenser": "province", "control": "commune"}

# The actual net quantity of a pre-packaged lot (TT 28/2013 Điều 19.3.c) is the Sở's.
LOT_DECISION_SCOPE = "province"

# Chiều mua bán của phép đo đối chứng (control measurement direction).
DIRECTIONS = {"sell": "Bán hàng", "buy": "Mua hàng"}

# Kết luận của một phép đo hoặc một lô hàng (a judged verdict).
OUTCOMES = {"pass": "Đạt", "fail": "Không đạt", "inconclusive": "Không đủ cơ sở kết luận"}


# ---- the yearly report ------------------------------------------------------------------------------------

# Trạng thái báo cáo (report status): a draft is edited; a sent report is frozen (its figures and its files).
REPORT_STATUSES = {"draft": "Đang soạn", "sent": "Đã gửi"}

# A commune's task for a request of the Sở, as its list and the Sở's overview show it (domain.report_rules.task_status).
REPORT_TASK_STATUSES = {
    "not_started": "Chưa lập",
    "draft": "Đang soạn",
    "sent": "Đã gửi",
    "overdue": "Quá hạn",
}

# The files of a report (downloads; a sent report keeps the exact bytes of each), in the order offered.
# "acsv": the appendix (the records behind each figure) as CSV; the XLSX holds it on a sheet of its own.
REPORT_FORMATS = {
    "docx": "Word (DOCX)",
    "pdf": "PDF",
    "xlsx": "Excel (XLSX)",
    "csv": "CSV",
    "acsv": "CSV phụ lục",
}


# ---- complaints (phản ánh, kiến nghị) ------------------------------------------------------------------------

# Kênh tiếp nhận (how a complaint came in); "public": the form of the stall's public page (no login).
COMPLAINT_CHANNELS = {
    "in_person": "Trực tiếp",
    "phone": "Điện thoại",
    "hotline": "Đường dây nóng",
    "zalo": "Zalo",
    "voter": "Cử tri qua HĐND",
    "public": "Qua trang công khai",
}

# Nội dung phản ánh về (what the complaint is about).
COMPLAINT_SUBJECTS = {
    "scale": "Cân",
    "electricity_meter": "Điện kế (công tơ điện)",
    "water_meter": "Đồng hồ nước",
    "fuel_dispenser": "Cột đo xăng dầu",
    "label": "Ghi nhãn hàng hóa",
    "price": "Giá",
    "quality": "Chất lượng",
    "other": "Khác",
}

# Trạng thái phản ánh, in the order a complaint moves through them; "referred": not the commune's to decide, sent
# to the body that is (domain.complaint_rules).
COMPLAINT_STATUSES = {
    "new": "Mới nhận",
    "assigned": "Đã giao",
    "in_progress": "Đang xử lý",
    "resolved": "Đã giải quyết",
    "referred": "Không thuộc thẩm quyền, đã chuyển",
}
# The statuses of a complaint still to be handled (counted as overdue past its deadline).
COMPLAINT_OPEN_STATUSES = ("new", "assigned", "in_progress")

# Cách giải quyết (how a complaint was closed).
COMPLAINT_RESOLUTIONS = {
    "inspection": "Bằng cuộc kiểm tra theo phản ánh",
    "referral": "Chuyển cơ quan có thẩm quyền",
    "answer": "Trả lời bằng văn bản",
}

# Bodies a complaint may be referred to: the utilities own the meters, then the bodies of REFERRAL_BODIES.
COMPLAINT_REFERRAL_BODIES = {
    "power_utility": "Điện lực",
    "water_utility": "Công ty cấp nước",
    "skhcn": "Sở Khoa học và Công nghệ",
    "qltt": "Quản lý thị trường",
    "cong_an": "Công an",
}


# ---- the yearly inspection plan -----------------------------------------------------------------------------

# Trạng thái kế hoạch kiểm tra năm (plan statuses), in order: a draft is approved, then optionally sent to the Sở.
PLAN_STATUSES = {
    "draft": "Dự thảo",
    "approved": "Đã phê duyệt",
    "consulted": "Đã gửi Sở xin ý kiến",
}

# Vì sao một cơ sở có trong phụ lục kế hoạch (why a premise is in the plan's annex).
PLAN_SOURCES = {
    "score": "Chọn theo điểm rủi ro",
    "random": "Chọn ngẫu nhiên",
    "manual": "Cán bộ thêm",
}


# ---- the audit log ------------------------------------------------------------------------------------------

# Thao tác được ghi nhật ký (audited actions).
AUDIT_ACTIONS = {
    "create": "Tạo mới",
    "edit": "Sửa",
    "issue": "Lập, ban hành văn bản",
    "supersede": "Thay thế biên bản",
    "reopen": "Mở lại để đính chính",
    "revoke": "Hủy",
    "rejudge": "Chấm lại theo bảng mới",
    "void": "Hủy kết quả đo",
    "print": "In",
    "download": "Tải văn bản đã lập",
    "export": "Xuất dữ liệu",
    "publish": "Gửi yêu cầu báo cáo",
    "send": "Gửi báo cáo",
    "assign": "Giao xử lý phản ánh",
    "resolve": "Giải quyết phản ánh",
    "inform": "Báo kết quả cho người phản ánh",
    "approve": "Phê duyệt kế hoạch",
    "consult": "Gửi Sở xin ý kiến",
    "plan_add": "Thêm cơ sở vào kế hoạch",
    "plan_remove": "Bỏ cơ sở khỏi kế hoạch",
    "login": "Đăng nhập",
    "login_failed": "Đăng nhập không thành công",
    "logout": "Đăng xuất",
    "denied": "Bị từ chối truy cập",
}

# The same action in the words of its kind of record, where they differ (the list's line, the CSV's column).
AUDIT_ACTIONS_BY_RECORD = {
    ("issue", "minutes"): "Lập biên bản",
    ("issue", "decisions"): "Ban hành quyết định",
    ("issue", "notices"): "Ban hành thông báo",
}


def audit_action_label(action: str, record_type: str | None = None) -> str:
    """An event's action in words, those of its kind of record where they differ ("Ban hành quyết định")."""
    return AUDIT_ACTIONS_BY_RECORD.get((action, record_type)) or AUDIT_ACTIONS.get(action, action)


# A field's label in the words of its kind of record, where the shared label (FIELD_LABELS) is that of another.
AUDIT_FIELDS_BY_RECORD = {
    ("decisions", "number"): "Số quyết định",
    ("notices", "number"): "Số thông báo",
}

# What an audit event is about (its record_type), as the log's viewer names it.
AUDIT_RECORD_TYPES = {
    "users": "Tài khoản",
    "units": "Đơn vị",
    "markets": "Chợ",
    "premises": "Cơ sở kinh doanh",
    "complaints": "Phản ánh, kiến nghị",
    "inspections": "Cuộc kiểm tra",
    "findings": "Kết quả kiểm tra",
    "photos": "Ảnh",
    "minutes": "Biên bản",
    "reference_standards": "Chuẩn đo lường",
    "instruments": "Phương tiện đo",
    "readings": "Phép đo",
    "meter_checks": "Kiểm tra công tơ, đồng hồ nước",
    "prepackaged_lots": "Lô hàng đóng gói sẵn",
    "settings": "Cài đặt",
    "plans": "Kế hoạch kiểm tra",
    "plan_premises": "Cơ sở trong kế hoạch",
    "decisions": "Quyết định kiểm tra",
    "notices": "Thông báo",
    "report_requests": "Yêu cầu báo cáo",
    "reports": "Báo cáo",
    "exports": "Danh sách xuất",
    "audit_events": "Nhật ký thao tác",
    "permissions": "Chức năng",
}


def one_of(column: str, codes, *, nullable: bool = False) -> str:
    """The SQL of a CHECK constraint that admits exactly ``codes`` (a mapping's keys or a tuple)."""
    listed = ", ".join(f"'{code}'" for code in codes)
    check = f"{column} IN ({listed})"
    return f"{column} IS NULL OR {check}" if nullable else check


def salutation(code: str | None) -> str:
    """ "Ông" / "Bà" for a known salutation; "Ông/Bà" when the person's record does not say."""
    return label(SALUTATIONS, code, SALUTATION_UNKNOWN)


def label(vocabulary, code: str | None, default: str = "") -> str:
    """The Vietnamese label of ``code`` in ``vocabulary`` (one of the mappings above); ``default`` if unknown."""
    if code is None:
        return default
    return vocabulary.get(code, default)
