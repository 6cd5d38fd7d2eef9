"""The map's view and how premises are grouped on it: the bounding box, the grid cell per zoom, and which grouping
a view gets. Pure: the SQL that counts per group is in ``supervision.queries``.

A view shows either the premises themselves (when it holds few enough) or counts by state per group:

- ``provinces`` when the scope spans several provinces and the map is zoomed out to a country (zoom ≤ 7);
- ``units`` (communes, wards) when it spans several units and is zoomed out to a province (zoom ≤ 10): the
  supervisor's "totals by commune", labelled with the unit's name, useful with no basemap at all;
- ``cells`` otherwise: a square grid of CELL_PX screen pixels at the view's zoom (Web Mercator: 256 px per
  360° of longitude at zoom 0), so a zoom step halves the cell and a pan keeps cells where they were.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "CELL_PX",
    "MAX_ZOOM",
    "MODES",
    "PROVINCE_MAX_ZOOM",
    "UNIT_MAX_ZOOM",
    "BBox",
    "cell_degrees",
    "grouping",
    "parse_bbox",
]

CELL_PX = 60
MAX_ZOOM = 22
PROVINCE_MAX_ZOOM = 7
UNIT_MAX_ZOOM = 10
MODES = ("provinces", "units", "cells", "points")


@dataclass(frozen=True)
class BBox:
    """A map view's bounds in degrees: west, south, east, north (the order of GeoJSON and Leaflet's toBBoxString)."""

    west: float
    south: float
    east: float
    north: float


def parse_bbox(text: str | None) -> BBox | None:
    """ "108.3,14.5,109.1,15.4" → BBox; None when absent. Leaflet's bounds past ±180° (a map panned round the
    world) are clamped. Raises ValueError with a Vietnamese message."""
    if text is None or not text.strip():
        return None
    parts = text.split(",")
    if len(parts) != 4:
        raise ValueError("bbox phải có 4 số: tây,nam,đông,bắc (kinh độ, vĩ độ).")
    try:
        west, south, east, north = (float(part) for part in parts)
    except ValueError:
        raise ValueError("bbox phải là 4 số thập phân, cách nhau bằng dấu phẩy.") from None
    if not all(math.isfinite(value) for value in (west, south, east, north)):
        raise ValueError("bbox phải là 4 số hữu hạn.")
    west, east = max(-180.0, west), min(180.0, east)
    south, north = max(-90.0, south), min(90.0, north)
    if west > east or south > north:
        raise ValueError("bbox không hợp lệ: tây phải nhỏ hơn đông và nam nhỏ hơn bắc.")
    return BBox(west, south, east, north)


def cell_degrees(zoom: int) -> float:
    """The side of a grid cell at this zoom, in degrees (CELL_PX screen pixels)."""
    return 360.0 / (256 * 2**zoom) * CELL_PX


def grouping(zoom: int, *, provinces: int, units: int) -> str:
    """How a view at this zoom groups premises when it holds too many to show one by one: ``provinces``,
    ``units`` or ``cells``. ``provinces`` and ``units`` are how many the scope (after the filters) spans; 2 stands
    for "several", e.g. an administrator's whole country."""
    if provinces > 1 and zoom <= PROVINCE_MAX_ZOOM:
        return "provinces"
    if units > 1 and zoom <= UNIT_MAX_ZOOM:
        return "units"
    return "cells"
