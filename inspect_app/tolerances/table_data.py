"""Load, validate and serve the metrology tables kept as versioned JSON data files in ``tables/``."""

from __future__ import annotations

import copy
import datetime
import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import MappingProxyType
from typing import Any

TABLES_DIR = Path(__file__).with_name("tables")

FORMAT_VERSION = 1

# Column types: "decimal", "decimal?" (or null), "bool", "str", "str?", "decimal-map?" (str -> decimal or null).
_BAND = {"lower": "decimal", "lower_inclusive": "bool", "upper": "decimal?", "upper_inclusive": "bool"}

SCHEMAS: dict[str, dict[str, Any]] = {
    "oiml_r111_weight_mpe": {
        "columns": {"nominal_g": "decimal", "nominal_label": "str", "mpe_mg": "decimal-map?"},
    },
    "oiml_r76_accuracy_classes": {
        "columns": {
            "class": "str",
            "e_min_g": "decimal",
            "e_max_g": "decimal?",
            "n_min": "decimal",
            "n_max": "decimal?",
            "min_capacity_e": "decimal",
        },
    },
    "oiml_r76_mpe": {
        "columns": {**_BAND, "class": "str", "mpe_e": "decimal"},
        "bands_by": "class",
        "parameters": ["in_service_factor"],
    },
    "oiml_r76_test_weights": {"columns": {"mpe_divisor": "decimal"}},
    "implausible_reading": {"columns": {"mpe_multiple": "decimal", "load_fraction": "decimal"}},
    "oiml_r117_mpe": {"columns": {"class": "str", "system_percent": "decimal", "meter_percent": "decimal"}},
    "oiml_r117_small_volumes": {
        "columns": {**_BAND, "factor": "decimal", "applied_to_l": "decimal?"},
        "bands_by": "",
    },
    "tt21_2014_tolerable_deficiency": {
        "columns": {**_BAND, "percent": "decimal?", "absolute": "decimal?"},
        "bands_by": "",
    },
    "tt21_2014_sample_k": {
        "columns": {
            "sample_size": "decimal",
            "k": "decimal",
            "plan": "str",
            "lot_from": "decimal?",
            "lot_to": "decimal?",
        },
        "parameters": ["whole_lot_below"],
    },
    "tt09_2017_max_division": {
        "columns": {**_BAND, "max_division_g": "decimal", "example_spring_scales": "str"},
        "bands_by": "",
    },
    # Superseded (a guess = the d column of Bảng 1); kept so readings judged with it are recognised.
    "tt09_2017_permitted_shortfall": {
        "columns": {**_BAND, "permitted_shortfall_g": "decimal"},
        "bands_by": "",
    },
    "tt09_2017_spring_shortfall": {
        "columns": {
            **_BAND,
            "scale": "str",
            "max_capacity_g": "decimal",
            "division_g": "decimal",
            "permitted_d": "decimal",
        },
        "bands_by": "scale",
        "parameters": ["lowest_check_d", "initial_mpe_factor"],
    },
    "tt23_2013_verification_cycles": {
        "columns": {"key": "str", "instrument": "str", "months": "decimal", "source": "str"},
    },
    "tt04_2026_verification_cycles": {
        "columns": {"key": "str", "instrument": "str", "months": "decimal", "source": "str"},
    },
}

_TOP_LEVEL = {
    "id": str,
    "version": str,
    "title": str,
    "cited_as": str,
    "source": dict,
    "applies_from": str,
    "provisional": bool,
    "notes": list,
    "rows": list,
}
_OPTIONAL_TOP_LEVEL = {"parameters": dict}


# The number of the document a table comes from, as written in its source ("09/2017/TT-BKHCN", "OIML R 76-1").
_DOCUMENT_NUMBER = re.compile(r"\d{2}/\d{4}/TT-BKHCN|OIML R \d+(?:-\d+)?")
_CITED_AS_MAX = 120


class TableError(ValueError):
    """A table data file is malformed."""


@dataclass(frozen=True)
class TableRef:
    """Which table (id and version) a figure or verdict was taken from, and whether it is provisional."""

    id: str
    version: str
    provisional: bool

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "version": self.version, "provisional": self.provisional}


@dataclass(frozen=True)
class Table:
    """One validated table: metadata plus rows whose numbers are Decimals."""

    id: str
    version: str
    title: str
    cited_as: str  # how a person names it: which table of which document ("Bảng 2, Điều 5 Thông tư 09/2017/TT-BKHCN")
    source: Mapping[str, Any]
    applies_from: datetime.date
    provisional: bool
    notes: tuple[str, ...]
    rows: tuple[Mapping[str, Any], ...]
    parameters: Mapping[str, Decimal]
    raw: Mapping[str, Any]

    @property
    def ref(self) -> TableRef:
        return TableRef(self.id, self.version, self.provisional)


def _reject_json_number(text: str) -> Any:
    raise TableError(f"numbers must be written as strings in table files, found bare number {text}")


def _decimal(value: Any, where: str) -> Decimal:
    if not isinstance(value, str):
        raise TableError(f"{where}: expected a number written as a string, got {value!r}")
    try:
        result = Decimal(value)
    except InvalidOperation:
        raise TableError(f"{where}: not a number: {value!r}") from None
    if not result.is_finite():
        raise TableError(f"{where}: not a finite number: {value!r}")
    return result


def _convert(kind: str, value: Any, where: str) -> Any:
    if kind.endswith("?") and value is None:
        return None
    base = kind.rstrip("?")
    if base == "decimal":
        return _decimal(value, where)
    if base == "bool":
        if not isinstance(value, bool):
            raise TableError(f"{where}: expected true or false, got {value!r}")
        return value
    if base == "str":
        if not isinstance(value, str) or not value:
            raise TableError(f"{where}: expected a non-empty string, got {value!r}")
        return value
    if base == "decimal-map":
        if not isinstance(value, dict) or not value:
            raise TableError(f"{where}: expected an object of numbers, got {value!r}")
        return MappingProxyType(
            {key: None if item is None else _decimal(item, f"{where}.{key}") for key, item in value.items()}
        )
    raise TableError(f"{where}: unknown column type {kind}")  # pragma: no cover - schema error


def _check_bands(table_id: str, rows: tuple[Mapping[str, Any], ...], group_key: str) -> None:
    """Bands of a group must be in ascending order, contiguous and non-overlapping; only the last may be open."""
    groups: dict[Any, list[Mapping[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row[group_key] if group_key else None, []).append(row)
    for group, bands in groups.items():
        label = f"{table_id}{'' if group is None else f' [{group}]'}"
        for index, band in enumerate(bands):
            upper = band["upper"]
            if upper is None:
                if index != len(bands) - 1:
                    raise TableError(f"{label}: only the last band may have no upper bound")
                if band["upper_inclusive"]:
                    raise TableError(f"{label}: an open band cannot have an inclusive upper bound")
            elif upper <= band["lower"]:
                raise TableError(f"{label}: band {index + 1} has upper <= lower")
            if index:
                previous = bands[index - 1]
                if previous["upper"] != band["lower"]:
                    raise TableError(f"{label}: band {index + 1} does not start where band {index} ends")
                if previous["upper_inclusive"] == band["lower_inclusive"]:
                    raise TableError(
                        f"{label}: the edge {band['lower']} between bands {index} and {index + 1} "
                        "must belong to exactly one of them"
                    )


def _check_cited_as(table_id: str, version: str, cited_as: str, document: str) -> None:
    """The name a person reads: short, in words (no id, no version), naming the document of the table's source."""
    if not cited_as.strip() or len(cited_as) > _CITED_AS_MAX:
        raise TableError(
            f"{table_id}: cited_as must be a non-empty text of at most {_CITED_AS_MAX} characters"
        )
    if "_" in cited_as or table_id in cited_as or version in cited_as:
        raise TableError(f"{table_id}: cited_as names the table in words, never by its id or version")
    number = _DOCUMENT_NUMBER.search(document)
    if number and number.group() not in cited_as:
        raise TableError(f"{table_id}: cited_as must name the document of its source ({number.group()})")


def parse_table(data: Mapping[str, Any]) -> Table:
    """Validate one table (as parsed from JSON, numbers as strings) and return it with Decimal values."""
    if not isinstance(data, Mapping):
        raise TableError("a table must be a JSON object")
    for key, kind in _TOP_LEVEL.items():
        if key not in data:
            raise TableError(f"table is missing {key!r}")
        if not isinstance(data[key], kind):
            raise TableError(f"table field {key!r} must be a {kind.__name__}")
    unknown = set(data) - set(_TOP_LEVEL) - set(_OPTIONAL_TOP_LEVEL)
    if unknown:
        raise TableError(f"table has unknown fields: {sorted(unknown)}")
    table_id = data["id"]
    schema = SCHEMAS.get(table_id)
    if schema is None:
        raise TableError(f"unknown table id {table_id!r}")
    if not data["version"].strip():
        raise TableError(f"{table_id}: empty version")
    source = data["source"]
    for key in ("document", "article"):
        if not isinstance(source.get(key), str) or not source[key].strip():
            raise TableError(f"{table_id}: source.{key} must be a non-empty string")
    if "url" not in source or not (source["url"] is None or isinstance(source["url"], str)):
        raise TableError(f"{table_id}: source.url must be a string or null")
    _check_cited_as(table_id, data["version"], data["cited_as"], source["document"])
    try:
        applies_from = datetime.date.fromisoformat(data["applies_from"])
    except ValueError:
        raise TableError(f"{table_id}: applies_from must be an ISO date (YYYY-MM-DD)") from None
    if not all(isinstance(note, str) for note in data["notes"]):
        raise TableError(f"{table_id}: notes must be strings")
    if data["provisional"] and not data["notes"]:
        raise TableError(f"{table_id}: a provisional table must say why in its notes")

    columns: dict[str, str] = schema["columns"]
    if not data["rows"]:
        raise TableError(f"{table_id}: no rows")
    rows = []
    for number, row in enumerate(data["rows"], start=1):
        where = f"{table_id} row {number}"
        if not isinstance(row, dict):
            raise TableError(f"{where}: a row must be an object")
        if set(row) != set(columns):
            missing = sorted(set(columns) - set(row))
            extra = sorted(set(row) - set(columns))
            raise TableError(
                f"{where}: columns differ from the schema (missing {missing}, unexpected {extra})"
            )
        rows.append(
            MappingProxyType(
                {key: _convert(kind, row[key], f"{where}.{key}") for key, kind in columns.items()}
            )
        )
    frozen_rows = tuple(rows)

    if "bands_by" in schema:
        _check_bands(table_id, frozen_rows, schema["bands_by"])

    parameters: dict[str, Decimal] = {}
    raw_parameters = data.get("parameters", {})
    expected = set(schema.get("parameters", []))
    if set(raw_parameters) != expected:
        raise TableError(f"{table_id}: parameters must be exactly {sorted(expected)}")
    for key, value in raw_parameters.items():
        parameters[key] = _decimal(value, f"{table_id}.parameters.{key}")

    return Table(
        id=table_id,
        version=data["version"],
        title=data["title"],
        cited_as=data["cited_as"],
        source=MappingProxyType(copy.deepcopy(dict(source))),
        applies_from=applies_from,
        provisional=data["provisional"],
        notes=tuple(data["notes"]),
        rows=frozen_rows,
        parameters=MappingProxyType(parameters),
        raw=MappingProxyType(copy.deepcopy(dict(data))),
    )


def parse_table_json(text: str) -> Table:
    """Parse and validate one table from JSON text; bare JSON numbers are refused (numbers are strings)."""
    try:
        data = json.loads(
            text,
            parse_float=_reject_json_number,
            parse_int=_reject_json_number,
            parse_constant=_reject_json_number,
        )
    except json.JSONDecodeError as exc:
        raise TableError(f"invalid JSON: {exc}") from None
    return parse_table(data)


def load_table_file(path: Path) -> Table:
    """Load and validate one table file; its file name must be ``<id>.json``."""
    table = parse_table_json(path.read_text(encoding="utf-8"))
    if path.stem != table.id:
        raise TableError(f"{path.name}: file name does not match table id {table.id!r}")
    return table


_lock = threading.Lock()
_cache: dict[str, Table] | None = None


def _load_all() -> dict[str, Table]:
    global _cache
    if _cache is None:
        with _lock:
            if _cache is None:
                tables = {}
                for path in sorted(TABLES_DIR.glob("*.json")):
                    table = load_table_file(path)
                    tables[table.id] = table
                missing = sorted(set(SCHEMAS) - set(tables))
                if missing:
                    raise TableError(f"table files missing: {missing}")
                _cache = tables
    return _cache


def clear_cache() -> None:
    """Forget the loaded tables; the next call reloads them from disk."""
    global _cache
    with _lock:
        _cache = None


def get_table(table_id: str) -> Table:
    """The validated table with this id (loaded once, then cached)."""
    tables = _load_all()
    try:
        return tables[table_id]
    except KeyError:
        raise KeyError(f"unknown table id {table_id!r}") from None


def all_tables() -> dict[str, Table]:
    """Every validated table, by id."""
    return dict(_load_all())


def table_versions() -> dict[str, str]:
    """Table id -> version of every table in use."""
    return {table_id: table.version for table_id, table in sorted(_load_all().items())}


def table_names() -> dict[str, str]:
    """Table id -> how a person names it (``cited_as``), for every table."""
    return {table_id: table.cited_as for table_id, table in sorted(_load_all().items())}


def provisional_table_names(refs: Any) -> tuple[str, ...]:
    """The names of the provisional tables among stored table references ({"id", "version", "provisional"})."""
    names = table_names()
    return tuple(
        names.get(ref.get("id"), "bảng số liệu tạm thời")
        for ref in refs or ()
        if isinstance(ref, Mapping) and ref.get("provisional")
    )


def name_tables(text: str, names: Mapping[str, str]) -> str:
    """``text`` with every table id it mentions (with or without its version after it) replaced by the table's
    name from ``names`` (id -> name). Warnings stored before tables had names carry "<id> <version>" as text."""
    if not text or not names:
        return text
    pattern = "|".join(re.escape(table_id) for table_id in sorted(names, key=len, reverse=True))
    return re.sub(
        rf"\b({pattern})\b(?: \d{{4}}\.\d+\b)?",
        lambda match: names[match.group(1)],
        text,
    )


def with_table_names(text: str) -> str:
    """``text`` as a person reads it: table ids (and their versions) replaced by the tables' names."""
    return name_tables(text, table_names())


def tables_as_json() -> dict[str, Any]:
    """Every table as a JSON-serialisable dict (numbers as strings), with the versions, for the phone."""
    tables = _load_all()
    return {
        "format": FORMAT_VERSION,
        "versions": table_versions(),
        "tables": {table_id: copy.deepcopy(_thaw(tables[table_id].raw)) for table_id in sorted(tables)},
    }


def _thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _thaw(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_thaw(item) for item in value]
    return value
