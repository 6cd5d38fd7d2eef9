"""GPS: distances with geopy, the quality of a fix, and premises ordered by distance."""

from __future__ import annotations

from dataclasses import dataclass

from geopy.distance import geodesic

FLAG_LABELS = {
    "no_fix": "Không có vị trí GPS",
    "poor_accuracy": "Vị trí GPS kém chính xác",
    "far_from_premise": "Vị trí kiểm tra xa vị trí đã đăng ký của cơ sở",
    "premise_without_location": "Cơ sở chưa có vị trí đăng ký",
}


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Geodesic distance on the WGS-84 ellipsoid, in metres."""
    return float(geodesic((lat1, lon1), (lat2, lon2)).meters)


@dataclass(frozen=True)
class FixAssessment:
    distance_m: float | None
    flags: tuple[str, ...]

    @property
    def messages(self) -> list[str]:
        return [FLAG_LABELS[flag] for flag in self.flags]


def assess_fix(
    latitude: float | None,
    longitude: float | None,
    accuracy_m: float | None,
    premise_latitude: float | None,
    premise_longitude: float | None,
    *,
    max_accuracy_m: float,
    max_distance_m: float,
) -> FixAssessment:
    """Flag a fix that is missing, too coarse, or farther from the premise than the setting plus its own accuracy."""
    if latitude is None or longitude is None:
        return FixAssessment(None, ("no_fix",))
    flags = []
    if accuracy_m is None or accuracy_m > max_accuracy_m:
        flags.append("poor_accuracy")
    if premise_latitude is None or premise_longitude is None:
        flags.append("premise_without_location")
        return FixAssessment(None, tuple(flags))
    distance = distance_m(latitude, longitude, premise_latitude, premise_longitude)
    if distance > max_distance_m + (accuracy_m or 0):
        flags.append("far_from_premise")
    return FixAssessment(round(distance, 1), tuple(flags))


def parse_point(text: str | None) -> tuple[float, float] | None:
    """ "14.81,108.95" → (14.81, 108.95); None when absent. Raises ValueError with a Vietnamese message."""
    if not text:
        return None
    parts = text.split(",")
    if len(parts) != 2:
        raise ValueError("Tham số near phải có dạng vĩ_độ,kinh_độ (ví dụ 14.81,108.95).")
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        raise ValueError("Tham số near phải là hai số thập phân.") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError("Tọa độ near nằm ngoài phạm vi (vĩ độ −90…90, kinh độ −180…180).")
    return lat, lon


def order_by_distance(items, point: tuple[float, float], position) -> list[tuple[object, float | None]]:
    """Items with a position first, nearest first; then those without, in their given order."""
    located, unlocated = [], []
    for item in items:
        where = position(item)
        if where is None or where[0] is None or where[1] is None:
            unlocated.append((item, None))
        else:
            located.append((item, distance_m(point[0], point[1], where[0], where[1])))
    located.sort(key=lambda pair: pair[1])
    return located + unlocated
