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
