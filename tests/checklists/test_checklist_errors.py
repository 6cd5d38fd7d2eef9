"""Broken catalogue files raise CatalogueError naming the file and the item."""

import json

import pytest

from inspect_app.checklists import CatalogueError, catalogue_from_dict, load_catalogue, load_catalogue_file


def load_broken(write_catalogue, data) -> CatalogueError:
    path = write_catalogue(data)
    with pytest.raises(CatalogueError) as caught:
        load_catalogue_file(path)
    error = caught.value
    assert str(path) in str(error)
    assert error.path == str(path)
    return error


def test_duplicate_code(shipped_data, write_catalogue, find_item):
    find_item(shipped_data, "PTD-03")["code"] = "PTD-02"
    error = load_broken(write_catalogue, shipped_data)
    assert error.item == "PTD-02"
    assert "item PTD-02: duplicate item code" in str(error)


def test_duplicate_code_across_groups_is_caught_by_prefix(shipped_data, write_catalogue, find_item):
    find_item(shipped_data, "GIA-01")["code"] = "PTD-01"
    error = load_broken(write_catalogue, shipped_data)
    assert "item PTD-01: code must look like GIA-01" in str(error)


def test_unknown_premise_type(shipped_data, write_catalogue, find_item):
    find_item(shipped_data, "PTD-07")["premise_types"] = ["fuel_station", "petrol_pump"]
    error = load_broken(write_catalogue, shipped_data)
    assert error.item == "PTD-07"
    assert "item PTD-07: unknown premise type(s) 'petrol_pump'" in str(error)


def test_star_must_stand_alone(shipped_data, write_catalogue, find_item):
    find_item(shipped_data, "NHAN-01")["premise_types"] = ["*", "grocery"]
    assert "item NHAN-01: premise_types" in str(load_broken(write_catalogue, shipped_data))


@pytest.mark.parametrize("value", [[], None, "Thông tư 09/2017/TT-BKHCN"])
def test_missing_legal_basis(shipped_data, write_catalogue, find_item, value):
    find_item(shipped_data, "GIA-02")["legal_basis"] = value
    error = load_broken(write_catalogue, shipped_data)
    assert error.item == "GIA-02"
    assert "item GIA-02: legal_basis must be a non-empty list" in str(error)


def test_legal_basis_key_absent(shipped_data, write_catalogue, find_item):
    del find_item(shipped_data, "CL-01")["legal_basis"]
    assert "item CL-01: item is missing legal_basis" in str(load_broken(write_catalogue, shipped_data))


def test_legal_basis_without_document(shipped_data, write_catalogue, find_item):
    find_item(shipped_data, "CL-02")["legal_basis"] = [{"document": "", "article": "Điều 1"}]
    assert "item CL-02: legal_basis #1 document must not be empty" in str(
        load_broken(write_catalogue, shipped_data)
    )


def test_bad_json(write_catalogue, shipped_data):
    text = json.dumps(shipped_data, ensure_ascii=False, indent=2)
    text = text.replace('"code": "NHAN-02",', '"code": "NHAN-02"', 1)  # drop a comma
    error = load_broken(write_catalogue, text)
    assert error.item is None
    assert "invalid JSON at line" in str(error)


def test_repeated_json_key(write_catalogue):
    error = load_broken(write_catalogue, '{"version": "2026.1", "version": "2026.2"}')
    assert "repeated key 'version'" in str(error)


def test_bad_json_through_load_catalogue(tmp_path, write_catalogue):
    write_catalogue("{ not json", "2026.5")
    with pytest.raises(CatalogueError, match=r"2026\.5\.json: invalid JSON"):
        load_catalogue("2026.5", directory=tmp_path)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("answer_kind", "yes_no", "unknown answer_kind 'yes_no'"),
        ("fail_handling", "pass", "unknown fail_handling 'pass'"),
        ("fail_handling", "fine", "unknown fail_handling 'fine'"),
        ("auto_source", "gps", "unknown auto_source 'gps'"),
        ("auto_source", "instrument_range", "auto_source 'instrument_range' is already used by PTD-04"),
        ("provisional", "yes", "provisional must be true or false"),
        ("question", "Scale verified?", "question must be in Vietnamese"),
        ("question", "Cân còn tem kiểm định.", 'ending with "?"'),
        ("question", "   ", "question must not be empty"),
        ("question", "Cân còn tem kiểm đi\u0323nh?", "not in Unicode NFC form"),
        ("hint", 5, "hint must be a string"),
        ("fail_handling_note", "", "fail_handling_note must not be empty"),
        ("premise_type", ["*"], "unknown key(s) premise_type"),
    ],
)
def test_bad_item_fields(shipped_data, write_catalogue, find_item, field, value, message):
    find_item(shipped_data, "PTD-09")[field] = value
    error = load_broken(write_catalogue, shipped_data)
    assert error.item == "PTD-09"
    assert "item PTD-09: " in str(error) and message in str(error)


def test_groups_must_be_the_four_in_order(shipped_data, write_catalogue):
    shipped_data["groups"][1], shipped_data["groups"][2] = (
        shipped_data["groups"][2],
        shipped_data["groups"][1],
    )
    assert "groups must be exactly PTD, NHAN, GIA, CL in this order" in str(
        load_broken(write_catalogue, shipped_data)
    )


def test_group_title_must_match_vocab(shipped_data, write_catalogue):
    shipped_data["groups"][3]["title"] = "Chất lượng hàng hóa"
    assert "group CL title must be 'Chất lượng'" in str(load_broken(write_catalogue, shipped_data))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("version", "v1", "version must be digits separated by dots"),
        ("published_on", "21/11/2026", "published_on must be a date YYYY-MM-DD"),
        ("published_on", "2026-02-30", "published_on must be a date YYYY-MM-DD"),
        ("extra", 1, "unknown key(s) extra"),
    ],
)
def test_bad_top_level(shipped_data, write_catalogue, field, value, message):
    shipped_data[field] = value
    assert message in str(load_broken(write_catalogue, shipped_data))


def test_all_problems_are_reported(shipped_data, find_item):
    find_item(shipped_data, "PTD-01")["answer_kind"] = "x"
    find_item(shipped_data, "CL-03")["premise_types"] = ["bank"]
    with pytest.raises(CatalogueError) as caught:
        catalogue_from_dict(shipped_data, source="upload.json")
    error = caught.value
    assert [code for code, _ in error.problems] == ["PTD-01", "CL-03"]
    assert error.item == "PTD-01"
    assert str(error).splitlines()[1].startswith("upload.json: item CL-03: ")


def test_unreadable_file(tmp_path):
    with pytest.raises(CatalogueError, match="cannot read the file"):
        load_catalogue_file(tmp_path / "missing.json")
    (tmp_path / "latin1.json").write_bytes('{"title": "Cân"}'.encode("latin-1"))
    with pytest.raises(CatalogueError, match="not UTF-8"):
        load_catalogue_file(tmp_path / "latin1.json")
