import copy
import json
from pathlib import Path

import pytest

from inspect_app.checklists import CATALOGUE_DIR, clear_cache

SHIPPED = CATALOGUE_DIR / "2026.1.json"


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def shipped_data() -> dict:
    """A deep copy of the shipped catalogue's JSON, to alter in a test."""
    return copy.deepcopy(json.loads(SHIPPED.read_text(encoding="utf-8")))


@pytest.fixture
def write_catalogue(tmp_path):
    """Write catalogue data as ``<name>.json`` in a temporary directory and return its path."""

    def write(data, name: str = "2026.1", directory: Path | None = None) -> Path:
        folder = directory or tmp_path
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.json"
        text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, indent=2)
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def find_item():
    """Look an item up by code in catalogue JSON data (to alter it in place)."""

    def find(data: dict, code: str) -> dict:
        for group in data["groups"]:
            for item in group["items"]:
                if item["code"] == code:
                    return item
        raise KeyError(code)

    return find
