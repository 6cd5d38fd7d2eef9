"""The checklist catalogue (danh mục nội dung kiểm tra) as versioned data, its items citing their legal basis.

Pure Python (no Flask or SQLAlchemy)::

    from inspect_app.checklists import load_catalogue
    from inspect_app.domain.vocabulary import PREMISE_TYPES, HANDLING

    catalogue = load_catalogue()              # latest version; load_catalogue("2026.1") for a given one
    for item in catalogue.items_for("market_stall"):
        print(item.code, item.question, [basis.cite() for basis in item.legal_basis])
"""

from .loader import (
    CATALOGUE_DIR,
    Catalogue,
    CatalogueError,
    Group,
    Item,
    LegalBasis,
    available_versions,
    catalogue_from_dict,
    clear_cache,
    default_decision_scope,
    latest_version,
    load_catalogue,
    load_catalogue_file,
    version_key,
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
