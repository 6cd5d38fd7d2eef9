"""Catalogue 2026.2: who may conclude on each item (decision_scope), labels under NĐ 37/2026 with the Điều 98
transition, the quantity written on pre-packaged goods, NĐ 98/2020 items as referrals, quality under TT 01/2024;
and the default scope of 2026.1, whose published file never changes."""

import hashlib
import json

import pytest

from inspect_app.checklists import (
    CATALOGUE_DIR,
    Catalogue,
    CatalogueError,
    default_decision_scope,
    latest_version,
    load_catalogue,
    load_catalogue_file,
)
from inspect_app.domain.scope import is_indicative
from inspect_app.domain.vocabulary import (
    DECISION_SCOPES,
    LOT_DECISION_SCOPE,
    READING_KIND_SCOPES,
    READING_KINDS,
)

# The published 2026.1 file, byte for byte: a published version never changes.
PUBLISHED_2026_1_SHA256 = "f917ed9176a6c07a68a9cdc49dbc0f4f5f64972cdee4dcfc84a2b09f64619921"


@pytest.fixture(scope="module")
def new() -> Catalogue:
    return load_catalogue("2026.2")


def documents(item) -> set[str]:
    return {basis.document for basis in item.legal_basis}


def text_of(item) -> str:
    return " ".join([item.hint, *(f"{b.article} {b.note or ''}" for b in item.legal_basis)])


def test_new_inspections_get_2026_2_and_2026_1_keeps_its_content(new):
    assert latest_version() == "2026.2" and load_catalogue().version == "2026.2"
    old = load_catalogue("2026.1")
    assert "PTD-10" not in old and "CL-04" not in old
    assert old.item("CL-02").question.startswith("Không có hàng hóa không rõ nguồn gốc")
    raw = json.loads((CATALOGUE_DIR / "2026.1.json").read_text(encoding="utf-8"))
    assert all("decision_scope" not in item for group in raw["groups"] for item in group["items"])


def test_2026_1_takes_the_documented_default_scope():
    old = load_catalogue("2026.1")
    scopes = {item.code: item.decision_scope for item in old.items}
    assert {code for code, scope in scopes.items() if scope != "commune"} == {"PTD-06", "CL-03"}
    assert scopes["PTD-06"] == scopes["CL-03"] == "province"
    assert (
        default_decision_scope("instrument_readings")
        == default_decision_scope("prepackage_lots")
        == "province"
    )
    assert default_decision_scope(None) == default_decision_scope("control_measurement") == "commune"


def test_every_2026_2_item_states_its_scope(new):
    raw = json.loads((CATALOGUE_DIR / "2026.2.json").read_text(encoding="utf-8"))
    assert all(
        item["decision_scope"] in DECISION_SCOPES for group in raw["groups"] for item in group["items"]
    )
    scopes = {item.code: item.decision_scope for item in new.items}
    # TT 28/2013 Điều 19: the instrument's error and a lot's actual quantity are the Sở's.
    assert {code for code, scope in scopes.items() if scope == "province"} == {"PTD-06", "CL-03"}
    # Counterfeit goods and goods of unknown origin (NĐ 98/2020) go to Quản lý thị trường.
    assert {code for code, scope in scopes.items() if scope == "referral"} == {"CL-02", "CL-04"}
    # Verification status, control measurements, the written quantity, labels and prices are the commune's.
    for code in ("PTD-02", "PTD-03", "PTD-05", "PTD-10", "NHAN-02", "GIA-01"):
        assert scopes[code] == "commune", code
    assert new.as_json()["groups"][3]["items"][1]["decision_scope"] == "referral"


def test_reading_kinds_and_lots_have_a_scope():
    assert set(READING_KIND_SCOPES) == set(READING_KINDS)
    assert READING_KIND_SCOPES == {"weighing": "province", "dispenser": "province", "control": "commune"}
    assert LOT_DECISION_SCOPE == "province"
    assert is_indicative("province", False) and not is_indicative("province", True)
    assert not is_indicative("commune", False)
    assert is_indicative("referral", True)  # never the team's own violation
    with pytest.raises(ValueError):
        is_indicative("district", True)


def test_labels_follow_nd_37_2026_with_the_transition(new):
    for code in ("NHAN-01", "NHAN-02", "NHAN-03", "NHAN-04"):
        item = new.item(code)
        assert "Nghị định 37/2026/NĐ-CP" in documents(item), code
        assert any(b.article == "Điều 98" for b in item.legal_basis), code
        assert "23/01/2028" in item.hint and "hết hạn sử dụng" in item.hint, code
        assert "Không kết luận không đạt chỉ vì nhãn theo quy định cũ" in item.hint, code
    assert any(b.article == "Điều 42" for b in new.item("NHAN-02").legal_basis)


def test_the_quantity_written_on_prepackaged_goods_is_a_metrology_item(new):
    item = new.item("PTD-10")
    assert item.group == "PTD" and item.applies_to_all
    assert "Thông tư 21/2014/TT-BKHCN" in documents(item)
    assert item.provisional  # the article of TT 21/2014 is not confirmed
    assert item.auto_source is None and item.decision_scope == "commune"
    assert new.item("CL-03").auto_source == "prepackage_lots"


def test_stamp_and_seal_items_rest_on_tt_09_2017_article_4(new):
    for code in ("PTD-02", "PTD-03"):
        assert any(
            b.document == "Thông tư 09/2017/TT-BKHCN" and b.article == "Điều 4"
            for b in new.item(code).legal_basis
        ), code
    stamp = new.item("PTD-02")
    assert any(
        b.document == "Thông tư 23/2013/TT-BKHCN" and b.article == "Điều 20, khoản 7"
        for b in stamp.legal_basis
    )
    assert "Không có tem" in stamp.hint and "không đạt" in stamp.hint
    assert not stamp.provisional and stamp.auto_source == "instrument_verification"


def test_nd_98_2020_items_are_referrals(new):
    for code in ("CL-02", "CL-04"):
        item = new.item(code)
        assert "Nghị định 98/2020/NĐ-CP" in documents(item), code
        assert item.fail_handling == "referral" and item.decision_scope == "referral", code
        assert "Quản lý thị trường" in item.fail_handling_note and "không phải kết luận vi phạm" in item.hint
        assert item.provisional, code  # NĐ 98/2020 article numbers are UNCONFIRMED


def test_quality_under_tt_01_2024(new):
    item = new.item("CL-01")
    assert "Thông tư 01/2024/TT-BKHCN" in documents(item)
    assert "03/3/2024" in text_of(item) and "26/2012" in text_of(item) and "12/2017" in text_of(item)
    assert any(
        b.document == "Nghị định 37/2026/NĐ-CP" and b.article == "Điều 14, khoản 3" for b in item.legal_basis
    )
    assert item.provisional


def test_provisional_flags_stay_honest(new):
    for item in new.items:
        unconfirmed = "UNCONFIRMED" in text_of(item) or any(
            b.article == "Chưa xác định điều khoản" for b in item.legal_basis
        )
        if unconfirmed:
            assert item.provisional, item.code
    assert {"PTD-02", "PTD-04", "PTD-07", "PTD-09", "NHAN-02", "GIA-03"}.isdisjoint(
        {item.code for item in new.items if item.provisional}
    )


@pytest.mark.parametrize(
    "scope, handling, message",
    [
        ("district", "fix_request", "unknown decision_scope 'district'"),
        (None, "fix_request", "unknown decision_scope None"),
        ("referral", "fix_request", 'decision_scope "referral" needs fail_handling "referral"'),
    ],
)
def test_the_loader_checks_the_scope(shipped_data, write_catalogue, find_item, scope, handling, message):
    item = find_item(shipped_data, "GIA-01")
    item["decision_scope"], item["fail_handling"] = scope, handling
    path = write_catalogue(shipped_data)
    with pytest.raises(CatalogueError) as caught:
        load_catalogue_file(path)
    assert caught.value.item == "GIA-01" and message in str(caught.value)


def test_the_published_file_is_unchanged():
    assert hashlib.sha256((CATALOGUE_DIR / "2026.1.json").read_bytes()).hexdigest() == PUBLISHED_2026_1_SHA256
