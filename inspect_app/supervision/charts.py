"""Bar charts drawn on the server as SVG geometry (no JavaScript): plain values in, rectangles and labels out; the
template writes the SVG, each bar a link to the records it counts, the numbers also as text.

Sizes are in SVG user units; the SVG scales to the width of the page (viewBox), so on a tablet the labels stay
readable: 14-unit text on a chart about 640 units wide.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Bar", "Chart", "column_chart", "row_chart", "nice_max"]


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    href: str
    x: float
    y: float
    width: float
    height: float
    # Where the value's text goes.
    text_x: float
    text_y: float


@dataclass(frozen=True)
class Chart:
    width: float
    height: float
    bars: list[Bar]
    # Grid lines: (position along the value axis, its value).
    ticks: list[tuple[float, int]]
    maximum: int


def nice_max(value: int) -> int:
    """The smallest 1, 2 or 5 × 10ⁿ at or above ``value`` (at least 1): the value axis's end."""
    if value <= 1:
        return 1
    magnitude = 1
    while magnitude * 10 < value:
        magnitude *= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover


def _ticks(maximum: int) -> list[int]:
    """0 and four or five evenly spaced whole values up to ``maximum``."""
    for parts in (5, 4, 2, 1):
        if maximum % parts == 0:
            return [maximum * i // parts for i in range(parts + 1)]
    return [0, maximum]


def column_chart(
    items: list[tuple[str, int, str]], *, width: float = 640, height: float = 260, left: float = 44
) -> Chart:
    """Vertical bars, one per (label, value, href), in order (the months of a period)."""
    top, bottom = 22.0, 34.0
    plot_h = height - top - bottom
    maximum = nice_max(max((value for _, value, _ in items), default=0))
    slot = (width - left - 8) / max(len(items), 1)
    bar_w = max(2.0, slot * 0.7)
    bars = []
    for index, (label, value, href) in enumerate(items):
        h = plot_h * value / maximum
        x = left + index * slot + (slot - bar_w) / 2
        y = top + plot_h - h
        bars.append(Bar(label, value, href, x, y, bar_w, h, x + bar_w / 2, y - 5))
    ticks = [(top + plot_h - plot_h * t / maximum, t) for t in _ticks(maximum)]
    return Chart(width=width, height=height, bars=bars, ticks=ticks, maximum=maximum)


def row_chart(
    items: list[tuple[str, int, str]], *, width: float = 640, row: float = 30, left: float = 200
) -> Chart:
    """Horizontal bars, one per (label, value, href), top to bottom (the units, most first)."""
    top = 8.0
    right = 60.0
    plot_w = width - left - right
    maximum = nice_max(max((value for _, value, _ in items), default=0))
    bars = []
    for index, (label, value, href) in enumerate(items):
        w = plot_w * value / maximum
        y = top + index * row + row * 0.15
        bars.append(Bar(label, value, href, left, y, w, row * 0.7, left + w + 6, y + row * 0.5 + 5))
    height = top + len(items) * row + 24
    ticks = [(left + plot_w * t / maximum, t) for t in _ticks(maximum)]
    return Chart(width=width, height=height, bars=bars, ticks=ticks, maximum=maximum)
