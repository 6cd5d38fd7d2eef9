import json

from inspect_app.domain import vocabulary as vocab


def test_premise_types_exact():
    assert vocab.PREMISE_TYPES == {
        "market_stall": "Sạp chợ",
        "grocery": "Cửa hàng tạp hóa",
        "fuel_station": "Cửa hàng xăng dầu",
        "supermarket": "Siêu thị, cửa hàng tiện lợi",
        "producer": "Cơ sở sản xuất",
        "other": "Khác",
    }
    assert vocab.ALL_PREMISE_TYPES == "*"


def test_groups_in_order():
    assert list(vocab.GROUPS.items()) == [
        ("PTD", "Phương tiện đo"),
        ("NHAN", "Ghi nhãn hàng hóa"),
        ("GIA", "Niêm yết giá"),
        ("CL", "Chất lượng"),
    ]


def test_handling_answers_and_kinds_exact():
    assert vocab.HANDLING == {
        "pass": "Đạt",
        "reminder": "Nhắc nhở",
        "fix_request": "Yêu cầu khắc phục",
        "violation_record": "Lập biên bản vi phạm hành chính",
        "referral": "Chuyển cơ quan có thẩm quyền",
    }
    assert list(vocab.FAIL_HANDLING) == ["reminder", "fix_request", "violation_record", "referral"]
    assert vocab.ANSWERS == {"pass": "Đạt", "fail": "Không đạt", "na": "Không áp dụng", "skip": "Không kiểm tra"}
    assert vocab.INSPECTION_KINDS == {
        "planned": "Theo kế hoạch",
        "themed": "Chuyên đề",
        "unannounced": "Đột xuất",
        "complaint": "Theo phản ánh",
    }
    assert set(vocab.ANSWER_KINDS) == {"pass_fail", "pass_fail_count"}
    assert set(vocab.AUTO_SOURCES) == {
        "instrument_verification",
        "instrument_range",
        "instrument_readings",
        "control_measurement",
        "prepackage_lots",
        "dispenser_printer",
    }
    assert set(vocab.REFERRAL_BODIES.values()) == {
        "Sở Khoa học và Công nghệ",
        "Quản lý thị trường",
        "Công an",
    }


def test_vocab_is_json_serialisable_and_labels_fit_db_columns():
    for name in vocab.__all__:
        value = getattr(vocab, name)
        if isinstance(value, dict):
            json.dumps(value, ensure_ascii=False)
            assert all(code.isascii() and len(code) <= 32 for code in value), name


def test_label_helper():
    assert vocab.label(vocab.HANDLING, "reminder") == "Nhắc nhở"
    assert vocab.label(vocab.HANDLING, "nope") == ""
    assert vocab.label(vocab.ANSWERS, None, "—") == "—"
