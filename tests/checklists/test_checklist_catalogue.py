"""The shipped catalogue: structure, content from workflows.md, legal bases."""

import json
import tomllib
import unicodedata
from importlib import resources
from pathlib import Path

import pytest

from inspect_app.checklists import (
    CATALOGUE_DIR,
    Catalogue,
    available_versions,
    catalogue_from_dict,
    latest_version,
    load_catalogue,
)
from inspect_app.domain.vocabulary import ANSWER_KINDS, AUTO_SOURCES, FAIL_HANDLING, GROUPS, PREMISE_TYPES

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue("2026.1")


def documents(item) -> set[str]:
    return {basis.document for basis in item.legal_basis}


def test_shipped_catalogue_loads_as_latest(catalogue):
    assert "2026.1" in available_versions()
    assert latest_version() == available_versions()[-1]
    assert load_catalogue().version == latest_version()
    assert catalogue.version == "2026.1"
    assert catalogue.title and catalogue.published_on.year == 2026


def test_json_ships_as_package_data():
    path = resources.files("inspect_app.checklists") / "catalogue" / "2026.1.json"
    assert path.is_file()
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["inspect_app"]
    package_root = REPO / "inspect_app"
    included = {p.resolve() for pattern in patterns for p in package_root.glob(pattern)}
    assert (CATALOGUE_DIR / "2026.1.json").resolve() in included


def test_exactly_the_four_groups_in_order(catalogue):
    assert [(group.code, group.title) for group in catalogue.groups] == [
        ("PTD", "Phương tiện đo"),
        ("NHAN", "Ghi nhãn hàng hóa"),
        ("GIA", "Niêm yết giá"),
        ("CL", "Chất lượng"),
    ]
    assert all(group.items for group in catalogue.groups)


def test_every_item_is_complete(catalogue):
    codes = [item.code for item in catalogue.items]
    assert len(codes) == len(set(codes))
    for group in catalogue.groups:
        for item in group.items:
            assert item.code.startswith(f"{group.code}-") and item.group == group.code
            assert item.legal_basis, item.code
            for basis in item.legal_basis:
                assert basis.document.strip() and basis.article.strip(), item.code
            assert item.premise_types == ("*",) or set(item.premise_types) <= set(PREMISE_TYPES), item.code
            assert any(ord(char) > 127 for char in item.question), item.code
            assert item.question.endswith("?"), item.code
            assert unicodedata.is_normalized("NFC", item.question), item.code
            assert item.hint and item.fail_handling_note, item.code
            assert item.answer_kind in ANSWER_KINDS, item.code
            assert item.fail_handling in FAIL_HANDLING, item.code
            assert isinstance(item.provisional, bool), item.code
            assert item.auto_source is None or item.auto_source in AUTO_SOURCES, item.code


def test_each_auto_source_fills_exactly_one_item(catalogue):
    used = [item.auto_source for item in catalogue.items if item.auto_source]
    assert sorted(used) == sorted(AUTO_SOURCES)
    assert catalogue.item_for_source("dispenser_printer").code == "PTD-07"
    assert catalogue.item_for_source("prepackage_lots").group == "CL"


def test_unconfirmed_bases_make_the_item_provisional(catalogue):
    """A basis noted UNCONFIRMED, or without a confirmed article, must not be shown as settled law."""
    for item in catalogue.items:
        unconfirmed = any(
            "UNCONFIRMED" in (basis.note or "") or basis.article == "Chưa xác định điều khoản"
            for basis in item.legal_basis
        )
        if unconfirmed:
            assert item.provisional, item.code


def test_fuel_printer_only_for_fuel_stations(catalogue):
    printer = catalogue.item("PTD-07")
    assert printer.premise_types == ("fuel_station",)
    assert "Thông tư 08/2018/TT-BKHCN" in documents(printer)
    assert printer in catalogue.items_for("fuel_station")
    for premise_type in PREMISE_TYPES:
        if premise_type != "fuel_station":
            assert printer not in catalogue.items_for(premise_type)
    assert "PTD-07" not in [item.code for item in catalogue.items_for("market_stall")]


def test_items_for_keeps_group_order(catalogue):
    items = catalogue.items_for("market_stall")
    order = list(GROUPS)
    assert [order.index(item.group) for item in items] == sorted(order.index(item.group) for item in items)
    assert [item.code for item in items] == [item.code for item in catalogue.items if item in items]
    assert {item.group for item in items} == set(GROUPS)
    assert len(catalogue.items_for("fuel_station")) < len(catalogue.items)


def test_items_for_unknown_premise_type(catalogue):
    with pytest.raises(ValueError, match="unknown premise type"):
        catalogue.items_for("bank")


def test_item_lookup(catalogue):
    assert catalogue.item("PTD-02").question == (
        "Phương tiện đo có dấu/tem kiểm định và giấy chứng nhận kiểm định còn hiệu lực?"
    )
    assert "GIA-03" in catalogue and "XX-01" not in catalogue
    assert catalogue.get("XX-01") is None
    with pytest.raises(KeyError):
        catalogue.item("XX-01")
    assert catalogue.group("NHAN").title == "Ghi nhãn hàng hóa"


REQUIRED_DOCUMENTS = [
    "Thông tư 09/2017/TT-BKHCN",
    "Nghị định 37/2026/NĐ-CP",
    "Luật Giá 16/2023/QH15",
    "Nghị định 87/2024/NĐ-CP",
    "Thông tư 21/2014/TT-BKHCN",
    "Thông tư 15/2015/TT-BKHCN",
    "Thông tư 08/2018/TT-BKHCN",
    "Nghị định 98/2020/NĐ-CP",
    "Luật Chất lượng sản phẩm, hàng hóa 05/2007/QH12",
    "Thông tư 23/2013/TT-BKHCN",
]


@pytest.mark.parametrize("document", REQUIRED_DOCUMENTS)
def test_documents_from_workflows_are_cited(catalogue, document):
    assert any(document in documents(item) for item in catalogue.items)


@pytest.mark.parametrize(
    ("code", "document", "article"),
    [
        ("PTD-01", "Thông tư 23/2013/TT-BKHCN", "Danh mục phương tiện đo nhóm 2"),
        ("PTD-02", "Thông tư 09/2017/TT-BKHCN", "Điều 4"),
        ("PTD-02", "Thông tư 15/2015/TT-BKHCN", "Điều 5"),
        ("PTD-03", "Thông tư 15/2015/TT-BKHCN", "Điều 5"),
        ("PTD-04", "Thông tư 09/2017/TT-BKHCN", "Điều 4; Bảng 1"),
        ("PTD-05", "Thông tư 09/2017/TT-BKHCN", "Điều 5; Bảng 2"),
        ("PTD-06", "OIML R 76-1", "Bảng 6"),
        ("PTD-09", "Nghị định 119/2017/NĐ-CP", "Điều 14"),
        ("NHAN-01", "Nghị định 37/2026/NĐ-CP", "Điều 42"),
        ("NHAN-02", "Nghị định 37/2026/NĐ-CP", "Điều 42"),
        ("NHAN-04", "Nghị định 43/2017/NĐ-CP", "Phụ lục II"),
        ("GIA-01", "Nghị định 87/2024/NĐ-CP", "Điều 13, khoản 1"),
        ("GIA-02", "Nghị định 87/2024/NĐ-CP", "Điều 13, khoản 1"),
        ("GIA-03", "Nghị định 87/2024/NĐ-CP", "Điều 13"),
        ("CL-03", "Thông tư 21/2014/TT-BKHCN", "Phụ lục III; Phụ lục IV"),
    ],
)
def test_specific_citations(catalogue, code, document, article):
    assert (document, article) in {
        (basis.document, basis.article) for basis in catalogue.item(code).legal_basis
    }


def test_workflow_items_present(catalogue):
    """Each checklist point of workflows.md is covered by an item with the expected basis and data source."""
    item = catalogue.item
    assert item("PTD-02").auto_source == "instrument_verification"
    assert "kẹp chì" in item("PTD-03").question
    assert item("PTD-04").auto_source == "instrument_range"
    assert item("PTD-05").auto_source == "control_measurement"
    assert item("PTD-06").auto_source == "instrument_readings"
    assert "in kết quả đo" in item("PTD-07").question
    assert "tiếng Việt" in item("NHAN-01").question and "nhãn phụ" in item("NHAN-01").question
    for text in ("tên hàng hóa", "xuất xứ"):
        assert text in item("NHAN-02").question
    assert "hạn sử dụng" in item("NHAN-03").question
    assert "đơn vị đo lường hợp pháp" in item("NHAN-04").question
    assert "hạn sử dụng" in item("NHAN-05").question
    assert "Luật Giá 16/2023/QH15" in documents(item("GIA-01"))
    assert "Đồng Việt Nam" in item("GIA-02").question and "thuế" in item("GIA-02").question
    assert "cao hơn giá niêm yết" in item("GIA-03").question
    assert "dấu hợp quy" in item("CL-01").question
    assert "Luật Chất lượng sản phẩm, hàng hóa 05/2007/QH12" in documents(item("CL-01"))
    assert "78/2025/QH15" in " ".join(basis.note or "" for basis in item("CL-01").legal_basis)
    assert "Nghị định 98/2020/NĐ-CP" in documents(item("CL-02"))
    assert item("CL-03").auto_source == "prepackage_lots"


def test_provisional_flags(catalogue):
    provisional = {item.code for item in catalogue.items if item.provisional}
    # Confirmed bases stay settled ...
    assert {"PTD-02", "PTD-04", "PTD-07", "PTD-09", "NHAN-02", "GIA-03"}.isdisjoint(provisional)
    # ... and those resting on UNCONFIRMED values or article numbers are flagged.
    assert {"PTD-05", "PTD-06", "GIA-01", "CL-02", "CL-03"} <= provisional


def test_as_json_round_trips(catalogue):
    data = catalogue.as_json()
    text = json.dumps(data, ensure_ascii=False)
    assert json.loads(text)["version"] == "2026.1"
    assert data["published_on"] == catalogue.published_on.isoformat()
    assert [group["code"] for group in data["groups"]] == list(GROUPS)
    assert catalogue_from_dict(json.loads(text)) == catalogue


def test_citation_text(catalogue):
    basis = next(b for b in catalogue.item("PTD-04").legal_basis if b.document == "Thông tư 09/2017/TT-BKHCN")
    assert basis.cite() == "Thông tư 09/2017/TT-BKHCN, Điều 4; Bảng 1"


def test_catalogue_is_immutable(catalogue):
    with pytest.raises(AttributeError):
        catalogue.version = "x"
    with pytest.raises(AttributeError):
        catalogue.item("PTD-01").question = "x"
    assert isinstance(catalogue.groups, tuple) and isinstance(catalogue.item("PTD-01").legal_basis, tuple)
