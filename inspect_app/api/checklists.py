"""The checklist catalogue (danh mục nội dung kiểm tra), latest or by version, with the versions there are."""

from __future__ import annotations

from marshmallow import Schema

from ..checklists import CatalogueError, available_versions, load_catalogue
from ..web.caching import revalidated
from .core import ApiError, bp
from .fields import Json, List, Str


class ChecklistSchema(Schema):
    """One version of the catalogue, in its file format (groups of items), and every version available."""

    version = Str(dump_only=True)
    title = Str(dump_only=True)
    published_on = Str(dump_only=True, metadata={"format": "date"})
    notes = Str(dump_only=True)
    groups = List(Json(metadata={"type": "object"}), dump_only=True)
    versions = List(Str(), dump_only=True)


def catalogue_json(version: str | None) -> dict:
    try:
        catalogue = load_catalogue(version)
    except (CatalogueError, FileNotFoundError, KeyError, ValueError):
        raise ApiError(
            404, f"Không có danh mục kiểm tra phiên bản “{version}”.", versions=available_versions()
        ) from None
    return {**catalogue.as_json(), "versions": available_versions()}


@bp.get("/checklists")
@revalidated
@bp.response(200, ChecklistSchema)
@bp.alt_response(304, description="Không đổi so với bản máy đã có (If-None-Match)")
def latest_checklist():
    """Danh mục kiểm tra mới nhất"""
    return catalogue_json(None)


@bp.get("/checklists/<version>", errors=(404,))
@revalidated
@bp.response(200, ChecklistSchema)
@bp.alt_response(304, description="Không đổi so với bản máy đã có (If-None-Match)")
def checklist(version: str):
    """Danh mục kiểm tra theo phiên bản"""
    return catalogue_json(version)
