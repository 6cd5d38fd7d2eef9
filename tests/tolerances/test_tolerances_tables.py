"""The metrology tables as data: metadata, provisional flags as in metrology-and-law.md, JSON export, validation."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest

from inspect_app import tolerances
from inspect_app.tolerances import (
    TableError,
    get_table,
    parse_table,
    parse_table_json,
    table_versions,
    tables_as_json,
)

TABLES_DIR = Path(tolerances.__file__).with_name("tables")
# A verbatim copy of the team's domain reference, kept in the repository (see reference/README.md).
REFERENCE = Path(__file__).with_name("reference") / "metrology-and-law.md"

# provisional = the reference (metrology-and-law.md) marks the values UNCONFIRMED.
EXPECTED_PROVISIONAL = {
    "oiml_r111_weight_mpe": False,  # §1 [C]
    "oiml_r76_accuracy_classes": False,  # §2.1 [C]
    "oiml_r76_mpe": False,  # §2.2 [C], in-service ×2 [C]
    "oiml_r76_test_weights": True,  # §2.2 "≤ 1/3 of MPE": UNCONFIRMED
    "oiml_r117_mpe": False,  # §3.1 [C]
    "oiml_r117_small_volumes": False,  # §3.1 [C]
    "tt21_2014_tolerable_deficiency": True,  # §4 VN Phụ lục IV: UNCONFIRMED but expected
    "tt21_2014_sample_k": True,  # §4 VN Phụ lục III k not read; EU e-mark factors used
    "tt09_2017_max_division": False,  # §2.3 Bảng 1 [C]
    "tt09_2017_permitted_shortfall": True,  # superseded guess (§2.4), kept so old readings are recognised
    "tt09_2017_spring_shortfall": True,  # §2.4 Bảng 2: upper bounds rebuilt, provisional until the Công báo
    "tt23_2013_verification_cycles": False,  # §5.2 [C]
    "tt04_2026_verification_cycles": True,  # §5.2 "machine-read copy … treat those as provisional"
    "implausible_reading": False,  # the app's own check of a control measurement's indication, not a legal figure
}


def _raw(table_id):
    return json.loads((TABLES_DIR / f"{table_id}.json").read_text(encoding="utf-8"))


def test_every_expected_table_file_exists():
    assert sorted(path.stem for path in TABLES_DIR.glob("*.json")) == sorted(EXPECTED_PROVISIONAL)


@pytest.mark.parametrize("table_id", sorted(EXPECTED_PROVISIONAL))
def test_table_metadata(table_id):
    raw = _raw(table_id)
    assert raw["id"] == table_id
    assert isinstance(raw["version"], str) and raw["version"]
    assert raw["title"]
    assert raw["source"]["document"] and raw["source"]["article"]
    assert "url" in raw["source"]
    datetime.date.fromisoformat(raw["applies_from"])
    assert raw["provisional"] is EXPECTED_PROVISIONAL[table_id]
    assert raw["notes"] and all(isinstance(note, str) for note in raw["notes"])
    if raw["provisional"]:
        assert any("UNCONFIRMED" in note or "rovisional" in note for note in raw["notes"])
    assert raw["rows"]


@pytest.mark.parametrize("table_id", sorted(EXPECTED_PROVISIONAL))
def test_numbers_are_strings(table_id):
    def walk(value):
        assert not isinstance(value, int | float) or isinstance(value, bool), value
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        if isinstance(value, list):
            for item in value:
                walk(item)

    walk(_raw(table_id))


def test_urls_come_from_the_reference():
    text = REFERENCE.read_text(encoding="utf-8")
    for table_id in EXPECTED_PROVISIONAL:
        source = _raw(table_id)["source"]
        for url in [source["url"], *source.get("see_also", [])]:
            if url is not None:
                assert url in text, (table_id, url)


def test_dates_of_vietnamese_texts():
    assert get_table("tt09_2017_max_division").applies_from == datetime.date(2017, 8, 15)
    assert get_table("tt09_2017_permitted_shortfall").applies_from == datetime.date(2017, 8, 15)
    assert get_table("tt09_2017_spring_shortfall").applies_from == datetime.date(2017, 8, 15)
    assert get_table("tt21_2014_tolerable_deficiency").applies_from == datetime.date(2014, 7, 15)


def test_rounding_choice_is_documented():
    notes = " ".join(_raw("tt21_2014_tolerable_deficiency")["notes"])
    assert "No rounding" in notes


def test_table_versions_and_json_export():
    versions = table_versions()
    assert set(versions) == set(EXPECTED_PROVISIONAL)
    # Bảng 2 as the law says it is a new version; every other table (the superseded guess too) keeps its own.
    assert versions.pop("tt09_2017_spring_shortfall") == "2026.2"
    assert all(version == "2026.1" for version in versions.values())
    versions = table_versions()
    exported = tables_as_json()
    text = json.dumps(exported, ensure_ascii=False)
    assert json.loads(text) == exported
    assert exported["versions"] == versions
    for table_id, table in exported["tables"].items():
        assert table["version"] == versions[table_id]
        assert table["provisional"] is EXPECTED_PROVISIONAL[table_id]
        assert table["source"]["document"]
        assert table["applies_from"]
    # the export is a copy: changing it does not touch the engine
    exported["tables"]["oiml_r76_mpe"]["rows"].clear()
    assert tables_as_json()["tables"]["oiml_r76_mpe"]["rows"]


def _valid():
    return _raw("tt09_2017_max_division")


def test_parse_table_accepts_the_shipped_file():
    table = parse_table(_valid())
    assert table.rows[0]["max_division_g"] == Decimal(2)
    assert table.ref.id == "tt09_2017_max_division"


@pytest.mark.parametrize(
    "mutate",
    [
        lambda t: t.pop("source"),
        lambda t: t.pop("applies_from"),
        lambda t: t.pop("provisional"),
        lambda t: t.update(applies_from="15/08/2017"),
        lambda t: t.update(provisional="no"),
        lambda t: t.update(id="unknown_table"),
        lambda t: t.update(extra=1),
        lambda t: t.update(rows=[]),
        lambda t: t["source"].pop("document"),
        lambda t: t["rows"][0].pop("max_division_g"),
        lambda t: t["rows"][0].update(max_division_g="two"),
        lambda t: t["rows"][0].update(max_division_g=2),
        lambda t: t["rows"][1].update(lower="150"),  # gap between bands
        lambda t: t["rows"][1].update(lower_inclusive=True),  # edge 100 g in two bands
        lambda t: t["rows"][0].update(upper=None, upper_inclusive=False),  # open band not last
        lambda t: t["rows"][0].update(upper="10"),  # upper below lower
        lambda t: t.update(provisional=True, notes=[]),
    ],
)
def test_parse_table_rejects_bad_data(mutate):
    data = _valid()
    mutate(data)
    with pytest.raises(TableError):
        parse_table(data)


def test_parse_table_json_rejects_bare_numbers():
    text = json.dumps(_valid()).replace('"max_division_g": "2"', '"max_division_g": 2')
    with pytest.raises(TableError, match="strings"):
        parse_table_json(text)
    with pytest.raises(TableError, match="invalid JSON"):
        parse_table_json("{")


def test_r76_parameters_required():
    data = _raw("oiml_r76_mpe")
    data.pop("parameters")
    with pytest.raises(TableError, match="parameters"):
        parse_table(data)


# ---- how a person names a table -------------------------------------------------------------------------------------

OLD_WARNING = (
    "Kết luận dựa trên bảng số liệu tạm thời, chưa đối chiếu văn bản chính thức: "
    "tt09_2017_permitted_shortfall 2026.1, tt21_2014_sample_k 2026.1"
)


@pytest.mark.parametrize("table_id", sorted(EXPECTED_PROVISIONAL))
def test_every_table_is_named_in_words_after_its_document(table_id):
    table = get_table(table_id)
    assert table.cited_as and "_" not in table.cited_as and table.version not in table.cited_as
    document = table.source["document"]
    named = [part for part in ("Thông tư", "OIML R", "Quy tắc") if part in table.cited_as]
    assert named, table.cited_as
    assert tables_as_json()["tables"][table_id]["cited_as"] == table.cited_as  # what the phone reads
    for number in ("09/2017/TT-BKHCN", "21/2014/TT-BKHCN", "23/2013/TT-BKHCN", "04/2026/TT-BKHCN"):
        if document.startswith(f"Thông tư {number}"):
            assert f"Thông tư {number}" in table.cited_as


def test_the_law_s_bảng_2_and_the_superseded_guess_are_told_apart():
    assert get_table("tt09_2017_spring_shortfall").cited_as == "Bảng 2, Điều 5 Thông tư 09/2017/TT-BKHCN"
    old = get_table("tt09_2017_permitted_shortfall").cited_as
    assert "Bảng 2" in old and "đã thay thế" in old


@pytest.mark.parametrize(
    "cited_as",
    [
        "",
        "   ",
        "tt09_2017_max_division",
        "Bảng 1 (2026.1), Thông tư 09/2017/TT-BKHCN",
        "Bảng 1, Thông tư 21/2014/TT-BKHCN",  # not the table's document
        "Bảng 1, Thông tư 09/2017/TT-BKHCN" + "." * 100,
    ],
)
def test_parse_table_refuses_a_name_that_is_not_words_naming_the_document(cited_as):
    data = _valid()
    data["cited_as"] = cited_as
    with pytest.raises(TableError, match="cited_as"):
        parse_table(data)


def test_a_table_without_a_name_is_refused():
    data = _valid()
    data.pop("cited_as")
    with pytest.raises(TableError, match="cited_as"):
        parse_table(data)


def test_a_provisional_verdict_names_its_table_never_its_id():
    from inspect_app.tolerances import judge_control_measurement

    verdict = judge_control_measurement("1030", "1000", "sell", max_g="15000", d_g="50")
    assert verdict.provisional
    assert verdict.warnings == (
        "Kết luận dựa trên bảng số liệu tạm thời, chưa đối chiếu văn bản chính thức: "
        "Bảng 2, Điều 5 Thông tư 09/2017/TT-BKHCN",
    )


def test_warnings_stored_with_ids_read_with_the_tables_names():
    from inspect_app.tolerances import name_tables, with_table_names

    assert with_table_names(OLD_WARNING) == (
        "Kết luận dựa trên bảng số liệu tạm thời, chưa đối chiếu văn bản chính thức: "
        f"{get_table('tt09_2017_permitted_shortfall').cited_as}, Phụ lục III, Thông tư 21/2014/TT-BKHCN (hệ số k)"
    )
    assert (
        with_table_names("tt09_2017_permitted_shortfall 2026.1")
        == get_table("tt09_2017_permitted_shortfall").cited_as
    )
    # A bare id, an unknown id and text without any id are handled; the mapping is all the function knows.
    assert (
        name_tables("theo oiml_r76_mpe.", {"oiml_r76_mpe": "Bảng 6, OIML R 76-1"})
        == "theo Bảng 6, OIML R 76-1."
    )
    assert name_tables("theo other_table 2026.1", {"oiml_r76_mpe": "Bảng 6"}) == "theo other_table 2026.1"
    assert with_table_names("Không có hệ số k cho cỡ mẫu n = 7") == "Không có hệ số k cho cỡ mẫu n = 7"
    assert with_table_names("") == ""
