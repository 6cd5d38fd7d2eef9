"""Load and validate the versioned checklist catalogue (danh mục nội dung kiểm tra).

Each version is one JSON file ``<version>.json`` in a catalogue directory (by default the package's ``catalogue/``);
the version id is the file stem, e.g. ``2026.1``, and versions sort numerically part by part (``2026.10`` after
``2026.9``). A published version never changes: an inspection stores the version it was done with and reloads it.

Every file is validated strictly; any problem raises :class:`CatalogueError` naming the file and the item.
Rules checked:

- top level: ``version`` (digits and dots, equal to the file stem when the stem is a version), ``title``,
  ``published_on`` (``YYYY-MM-DD``), optional ``notes``, ``groups``; no other keys, no repeated keys;
- ``groups``: exactly the groups of :data:`vocab.GROUPS`, in that order, with those titles, each with items;
- each item: ``code`` of the form ``<GROUP>-NN`` and unique in the file; ``question`` in Vietnamese (has at least one
  non-ASCII letter) ending with "?"; ``hint``; ``legal_basis``: at least one ``{document, article, note?}``;
  ``premise_types``: ``["*"]`` or known premise types without repeats; ``answer_kind`` from
  :data:`vocab.ANSWER_KINDS`; ``fail_handling`` from :data:`vocab.FAIL_HANDLING`; ``fail_handling_note``;
  ``provisional`` (true or false); optional ``auto_source`` from :data:`vocab.AUTO_SOURCES`, each used at most once;
  optional ``decision_scope`` from :data:`vocab.DECISION_SCOPES` (who may conclude on the item; see
  :func:`default_decision_scope` when absent); an item with scope ``referral`` must have ``fail_handling``
  ``referral``;
- all text non-empty where required and in Unicode NFC (precomposed Vietnamese letters).
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..domain.vocabulary import (
    ALL_PREMISE_TYPES,
    ANSWER_KINDS,
    AUTO_SOURCES,
    DECISION_SCOPES,
    FAIL_HANDLING,
    GROUPS,
    PREMISE_TYPES,
)

__all__ = [
    "CATALOGUE_DIR",
    "Catalogue",
    "CatalogueError",
    "Group",
    "Item",
    "LegalBasis",
    "available_versions",
    "catalogue_from_dict",
    "clear_cache",
    "default_decision_scope",
    "latest_version",
    "load_catalogue",
    "load_catalogue_file",
    "version_key",
]

CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogue"

_VERSION_RE = re.compile(r"^\d+(?:\.\d+)*$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TOP_REQUIRED = ("version", "title", "published_on", "groups")
_TOP_OPTIONAL = ("notes",)
_GROUP_KEYS = ("code", "title", "items")
_ITEM_REQUIRED = (
    "code",
    "question",
    "hint",
    "legal_basis",
    "premise_types",
    "answer_kind",
    "fail_handling",
    "fail_handling_note",
    "provisional",
)
_ITEM_OPTIONAL = ("auto_source", "decision_scope")

# Items filled from data that only a team with the Sở KH&CN may conclude on (TT 28/2013 Điều 19.1.d, 19.3.c, 29).
_PROVINCE_SOURCES = ("instrument_readings", "prepackage_lots")


def default_decision_scope(auto_source: str | None) -> str:
    """The decision scope of an item that does not state one.

    Published versions never change, and 2026.1 predates the key: its items take this default. An item filled from
    an instrument's error tests or from pre-packaged lots is the Sở's ("province"); every other item is the
    commune's. Versions from 2026.2 state the scope of every item.
    """
    return "province" if auto_source in _PROVINCE_SOURCES else "commune"


_BASIS_REQUIRED = ("document", "article")
_BASIS_OPTIONAL = ("note",)


# --------------------------------------------------------------------------------------------------- errors


class CatalogueError(ValueError):
    """A catalogue file (or version) is missing or invalid.

    ``path`` is the file (or directory) concerned, ``item`` the code of the first item with a problem (``None`` if
    the problem is not in an item), ``problems`` every problem found as ``(item_code_or_None, message)``.
    """

    def __init__(self, path: Path | str | None, problems: Iterable[tuple[str | None, str]]):
        self.path = str(path) if path is not None else None
        self.problems = list(problems)
        self.item = next((code for code, _ in self.problems if code), None)
        super().__init__("\n".join(self._line(code, message) for code, message in self.problems))

    def _line(self, code: str | None, message: str) -> str:
        where = self.path or "<catalogue>"
        return f"{where}: item {code}: {message}" if code else f"{where}: {message}"


# ---------------------------------------------------------------------------------------------- data model


@dataclass(frozen=True)
class LegalBasis:
    """One legal basis of an item: the document, the article (or table, annex) and an optional note."""

    document: str
    article: str
    note: str | None = None

    def cite(self) -> str:
        """Citation for print, e.g. "Thông tư 09/2017/TT-BKHCN, Điều 4; Bảng 1"."""
        return f"{self.document}, {self.article}" if self.article else self.document

    def as_json(self) -> dict[str, str]:
        data = {"document": self.document, "article": self.article}
        if self.note:
            data["note"] = self.note
        return data


@dataclass(frozen=True)
class Item:
    """One checklist item (nội dung kiểm tra)."""

    code: str
    group: str
    question: str
    hint: str
    legal_basis: tuple[LegalBasis, ...]
    premise_types: tuple[str, ...]
    answer_kind: str
    fail_handling: str
    fail_handling_note: str
    provisional: bool
    auto_source: str | None = None
    decision_scope: str = "commune"

    @property
    def applies_to_all(self) -> bool:
        return self.premise_types == (ALL_PREMISE_TYPES,)

    def applies_to(self, premise_type: str) -> bool:
        """Whether the item applies to a premise of this type."""
        return self.applies_to_all or premise_type in self.premise_types

    @property
    def takes_count(self) -> bool:
        """Whether a count of affected goods or instruments is recorded with the answer."""
        return self.answer_kind == "pass_fail_count"

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "code": self.code,
            "question": self.question,
            "hint": self.hint,
            "legal_basis": [basis.as_json() for basis in self.legal_basis],
            "premise_types": list(self.premise_types),
            "answer_kind": self.answer_kind,
            "fail_handling": self.fail_handling,
            "fail_handling_note": self.fail_handling_note,
            "provisional": self.provisional,
        }
        if self.auto_source:
            data["auto_source"] = self.auto_source
        data["decision_scope"] = self.decision_scope
        return data


@dataclass(frozen=True)
class Group:
    """A checklist group (PTD, NHAN, GIA, CL) and its items, in order."""

    code: str
    title: str
    items: tuple[Item, ...]

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "title": self.title, "items": [item.as_json() for item in self.items]}


@dataclass(frozen=True)
class Catalogue:
    """One version of the checklist catalogue."""

    version: str
    title: str
    published_on: date
    groups: tuple[Group, ...]
    notes: str = ""
    _by_code: Mapping[str, Item] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "_by_code", {item.code: item for group in self.groups for item in group.items}
        )

    @property
    def items(self) -> list[Item]:
        """All items, in group order."""
        return [item for group in self.groups for item in group.items]

    @property
    def codes(self) -> list[str]:
        return [item.code for item in self.items]

    def item(self, code: str) -> Item:
        """The item with this code; ``KeyError`` if this version has none."""
        try:
            return self._by_code[code]
        except KeyError:
            raise KeyError(f"catalogue {self.version} has no item {code!r}") from None

    def get(self, code: str) -> Item | None:
        return self._by_code.get(code)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def group(self, code: str) -> Group:
        for group in self.groups:
            if group.code == code:
                return group
        raise KeyError(f"catalogue {self.version} has no group {code!r}")

    def items_for(self, premise_type: str) -> list[Item]:
        """Items that apply to a premise of this type, in group order; ``ValueError`` for an unknown type."""
        if premise_type not in PREMISE_TYPES:
            raise ValueError(f"unknown premise type {premise_type!r}; known: {', '.join(PREMISE_TYPES)}")
        return [item for item in self.items if item.applies_to(premise_type)]

    def item_for_source(self, auto_source: str) -> Item | None:
        """The item the app fills from this data source (see ``vocab.AUTO_SOURCES``), if this version has one."""
        return next((item for item in self.items if item.auto_source == auto_source), None)

    def as_json(self) -> dict[str, Any]:
        """JSON-serialisable form (the file format), e.g. for the phone; feed it back to ``catalogue_from_dict``."""
        return {
            "version": self.version,
            "title": self.title,
            "published_on": self.published_on.isoformat(),
            "notes": self.notes,
            "groups": [group.as_json() for group in self.groups],
        }


# --------------------------------------------------------------------------------------------- validation


def version_key(version: str) -> tuple[int, ...]:
    """Sort key of a version id: ``"2026.10"`` → ``(2026, 10)``."""
    return tuple(int(part) for part in version.split("."))


class _Problems:
    def __init__(self) -> None:
        self.items: list[tuple[str | None, str]] = []

    def add(self, item: str | None, message: str) -> None:
        self.items.append((item, message))


def _text(
    problems: _Problems, where: str | None, name: str, value: Any, *, required: bool = True
) -> str | None:
    if not isinstance(value, str):
        problems.add(where, f"{name} must be a string, got {type(value).__name__}")
        return None
    if required and not value.strip():
        problems.add(where, f"{name} must not be empty")
        return None
    if unicodedata.normalize("NFC", value) != value:
        problems.add(where, f"{name} is not in Unicode NFC form (use precomposed Vietnamese letters)")
    return value


def _keys(problems: _Problems, where: str | None, what: str, data: Any, required, optional=()) -> bool:
    if not isinstance(data, dict):
        problems.add(where, f"{what} must be an object, got {type(data).__name__}")
        return False
    missing = [key for key in required if key not in data]
    unknown = sorted(key for key in data if key not in required and key not in optional)
    if missing:
        problems.add(where, f"{what} is missing {', '.join(missing)}")
    if unknown:
        problems.add(where, f"{what} has unknown key(s) {', '.join(unknown)}")
    return not missing


def _is_vietnamese(text: str) -> bool:
    return any(ord(char) > 127 and char.isalpha() for char in text)


def _legal_basis(problems: _Problems, code: str, value: Any) -> tuple[LegalBasis, ...]:
    if not isinstance(value, list) or not value:
        problems.add(code, "legal_basis must be a non-empty list (at least one legal basis)")
        return ()
    result = []
    seen = set()
    for index, entry in enumerate(value, start=1):
        what = f"legal_basis #{index}"
        if not _keys(problems, code, what, entry, _BASIS_REQUIRED, _BASIS_OPTIONAL):
            continue
        document = _text(problems, code, f"{what} document", entry["document"])
        article = _text(problems, code, f"{what} article", entry["article"])
        note = entry.get("note")
        if note is not None:
            note = _text(problems, code, f"{what} note", note)
        if document is None or article is None:
            continue
        if (document, article) in seen:
            problems.add(code, f"{what} repeats {document}, {article}")
        seen.add((document, article))
        result.append(LegalBasis(document.strip(), article.strip(), note.strip() if note else None))
    return tuple(result)


def _premise_types(problems: _Problems, code: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        problems.add(code, f'premise_types must be a non-empty list (["{ALL_PREMISE_TYPES}"] for all)')
        return ()
    if ALL_PREMISE_TYPES in value and len(value) > 1:
        problems.add(code, f'premise_types: "{ALL_PREMISE_TYPES}" must stand alone')
    unknown = [kind for kind in value if kind != ALL_PREMISE_TYPES and kind not in PREMISE_TYPES]
    if unknown:
        problems.add(
            code,
            f"unknown premise type(s) {', '.join(map(repr, unknown))}; "
            f"known: {', '.join(PREMISE_TYPES)} or {ALL_PREMISE_TYPES}",
        )
    if len(set(map(str, value))) != len(value):
        problems.add(code, "premise_types has repeats")
    return tuple(value)


def _item(
    problems: _Problems, group_code: str, index: int, data: Any, seen: dict, sources: dict
) -> Item | None:
    code = data.get("code") if isinstance(data, dict) else None
    label = code if isinstance(code, str) and code.strip() else f"{group_code} #{index}"
    if not _keys(problems, label, "item", data, _ITEM_REQUIRED, _ITEM_OPTIONAL):
        return None
    ok = True
    if not isinstance(code, str) or not re.fullmatch(rf"{re.escape(group_code)}-\d{{2,3}}", code):
        problems.add(label, f"code must look like {group_code}-01 (group {group_code})")
        ok = False
    elif code in seen:
        problems.add(code, f"duplicate item code (also in group {seen[code]})")
        ok = False
    else:
        seen[code] = group_code

    question = _text(problems, label, "question", data["question"])
    if question is not None:
        if not _is_vietnamese(question):
            problems.add(label, "question must be in Vietnamese with diacritics")
            ok = False
        if not question.rstrip().endswith("?"):
            problems.add(label, 'question must be phrased as a question ending with "?"')
            ok = False
    hint = _text(problems, label, "hint", data["hint"])
    basis = _legal_basis(problems, label, data["legal_basis"])
    premises = _premise_types(problems, label, data["premise_types"])
    answer_kind = data["answer_kind"]
    if answer_kind not in ANSWER_KINDS:
        problems.add(label, f"unknown answer_kind {answer_kind!r}; known: {', '.join(ANSWER_KINDS)}")
        ok = False
    handling = data["fail_handling"]
    if handling not in FAIL_HANDLING:
        problems.add(label, f"unknown fail_handling {handling!r}; known: {', '.join(FAIL_HANDLING)}")
        ok = False
    handling_note = _text(problems, label, "fail_handling_note", data["fail_handling_note"])
    provisional = data["provisional"]
    if not isinstance(provisional, bool):
        problems.add(label, "provisional must be true or false")
        ok = False
    auto_source = data.get("auto_source")
    if auto_source is not None:
        if auto_source not in AUTO_SOURCES:
            problems.add(label, f"unknown auto_source {auto_source!r}; known: {', '.join(AUTO_SOURCES)}")
            ok = False
        elif auto_source in sources:
            problems.add(label, f"auto_source {auto_source!r} is already used by {sources[auto_source]}")
            ok = False
        else:
            sources[auto_source] = label
    scope = data.get("decision_scope")
    if scope is None and "decision_scope" not in data:
        scope = default_decision_scope(auto_source if auto_source in AUTO_SOURCES else None)
    elif scope not in DECISION_SCOPES:
        problems.add(label, f"unknown decision_scope {scope!r}; known: {', '.join(DECISION_SCOPES)}")
        ok = False
    if scope == "referral" and handling != "referral":
        problems.add(label, 'decision_scope "referral" needs fail_handling "referral"')
        ok = False
    if not ok or None in (question, hint, handling_note) or not basis or not premises:
        return None
    return Item(
        code=code,
        group=group_code,
        question=question.strip(),
        hint=hint.strip(),
        legal_basis=basis,
        premise_types=premises,
        answer_kind=answer_kind,
        fail_handling=handling,
        fail_handling_note=handling_note.strip(),
        provisional=provisional,
        auto_source=auto_source,
        decision_scope=scope,
    )


def _build(data: Any, problems: _Problems, expected_version: str | None) -> Catalogue | None:
    if not _keys(problems, None, "catalogue", data, _TOP_REQUIRED, _TOP_OPTIONAL):
        return None
    version = data["version"]
    if not isinstance(version, str) or not _VERSION_RE.fullmatch(version):
        problems.add(None, f"version must be digits separated by dots (e.g. 2026.1), got {version!r}")
    elif expected_version is not None and version != expected_version:
        problems.add(None, f"version {version!r} does not match the file name ({expected_version}.json)")
    title = _text(problems, None, "title", data["title"])
    notes = _text(problems, None, "notes", data.get("notes", ""), required=False)
    published_on = None
    raw_date = data["published_on"]
    if isinstance(raw_date, str) and _DATE_RE.fullmatch(raw_date):
        try:
            published_on = date.fromisoformat(raw_date)
        except ValueError:
            pass
    if published_on is None:
        problems.add(None, f"published_on must be a date YYYY-MM-DD, got {raw_date!r}")

    raw_groups = data["groups"]
    groups: list[Group] = []
    if not isinstance(raw_groups, list):
        problems.add(None, "groups must be a list")
        raw_groups = []
    codes = [group.get("code") if isinstance(group, dict) else None for group in raw_groups]
    if codes != list(GROUPS):
        problems.add(None, f"groups must be exactly {', '.join(GROUPS)} in this order, got {codes}")
    seen: dict[str, str] = {}
    sources: dict[str, str] = {}
    for position, raw in enumerate(raw_groups, start=1):
        if not _keys(problems, None, f"group #{position}", raw, _GROUP_KEYS):
            continue
        code = raw["code"]
        if code not in GROUPS:
            problems.add(None, f"unknown group code {code!r}")
            continue
        if raw["title"] != GROUPS[code]:
            problems.add(None, f"group {code} title must be {GROUPS[code]!r}, got {raw['title']!r}")
        raw_items = raw["items"]
        if not isinstance(raw_items, list) or not raw_items:
            problems.add(None, f"group {code} must have a non-empty list of items")
            continue
        items = [
            _item(problems, code, index, entry, seen, sources) for index, entry in enumerate(raw_items, 1)
        ]
        groups.append(Group(code, GROUPS[code], tuple(item for item in items if item is not None)))
    if problems.items:
        return None
    return Catalogue(
        version=version,
        title=title.strip(),
        published_on=published_on,
        groups=tuple(groups),
        notes=(notes or "").strip(),
    )


def catalogue_from_dict(
    data: Any, *, source: str = "<catalogue>", expected_version: str | None = None
) -> Catalogue:
    """Validate already-parsed catalogue data (e.g. an upload); ``CatalogueError`` naming ``source`` if invalid."""
    problems = _Problems()
    catalogue = _build(data, problems, expected_version)
    if problems.items or catalogue is None:
        raise CatalogueError(source, problems.items or [(None, "invalid catalogue")])
    return catalogue


def _no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"repeated key {key!r}")
        result[key] = value
    return result


def load_catalogue_file(path: str | Path) -> Catalogue:
    """Read and validate one catalogue file (any path: e.g. a new version an administrator wants to publish).

    When the file name is a version id (``2026.2.json``), the ``version`` inside must match it.
    """
    path = Path(path)
    stem_version = path.stem if _VERSION_RE.fullmatch(path.stem) else None
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CatalogueError(path, [(None, f"cannot read the file: {exc.strerror or exc}")]) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CatalogueError(path, [(None, f"not UTF-8 text (byte {exc.start})")]) from exc
    try:
        data = json.loads(text, object_pairs_hook=_no_repeated_keys)
    except json.JSONDecodeError as exc:
        raise CatalogueError(
            path, [(None, f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")]
        ) from exc
    except ValueError as exc:
        raise CatalogueError(path, [(None, f"invalid JSON: {exc}")]) from exc
    return catalogue_from_dict(data, source=str(path), expected_version=stem_version)


# ------------------------------------------------------------------------------------------ versions, cache


def _directory(directory: str | Path | None) -> Path:
    return Path(directory) if directory is not None else CATALOGUE_DIR


def available_versions(directory: str | Path | None = None) -> list[str]:
    """Version ids of the catalogue files in ``directory`` (default: the package's), oldest first.

    Only files named ``<version>.json`` count; other files are ignored.
    """
    folder = _directory(directory)
    if not folder.is_dir():
        return []
    versions = [
        entry.stem
        for entry in folder.iterdir()
        if entry.suffix == ".json" and entry.is_file() and _VERSION_RE.fullmatch(entry.stem)
    ]
    return sorted(versions, key=version_key)


def latest_version(directory: str | Path | None = None) -> str:
    """The newest version id; ``CatalogueError`` if there is none."""
    versions = available_versions(directory)
    if not versions:
        raise CatalogueError(_directory(directory), [(None, "no catalogue versions (<version>.json) found")])
    return versions[-1]


_cache: dict[tuple[str, int, int], Catalogue] = {}
_cache_lock = threading.Lock()


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def load_catalogue(version: str | None = None, directory: str | Path | None = None) -> Catalogue:
    """The catalogue of ``version`` (default: the latest) from ``directory`` (default: the package's), cached.

    The cache is keyed by the file and its modification time and size, so a replaced file is read again.
    """
    folder = _directory(directory)
    if version is None:
        version = latest_version(folder)
    if not isinstance(version, str) or not _VERSION_RE.fullmatch(version):
        raise CatalogueError(folder, [(None, f"invalid catalogue version {version!r}")])
    path = folder / f"{version}.json"
    try:
        stat = path.stat()
    except OSError:
        known = ", ".join(available_versions(folder)) or "none"
        raise CatalogueError(
            folder, [(None, f"no catalogue version {version} (available: {known})")]
        ) from None
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached
    catalogue = load_catalogue_file(path)
    with _cache_lock:
        _cache[key] = catalogue
    return catalogue
