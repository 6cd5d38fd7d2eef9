"""The ``id`` URL converter: a record id within the range of the integer columns (1 … 2³¹ − 1).

A number outside it (0, 2147483648) answers 404 before any query runs, so PostgreSQL never sees a value its
32-bit columns cannot hold; a negative one matches no route (404 too). The OpenAPI document states the range.

Out of range is a 404 raised here rather than a converter's ValidationError: with that, werkzeug goes on to the
route's other methods and answers 405 to a POST whose path has a GET twin."""

from __future__ import annotations

from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from ..access import MAX_ID


class RecordIdConverter(IntegerConverter):
    def __init__(self, map, min: int = 1, max: int = MAX_ID, **kwargs):  # noqa: A002 — werkzeug's names
        super().__init__(map, min=min, max=max, **kwargs)

    def to_python(self, value: str) -> int:
        number = int(value)
        if not self.min <= number <= self.max:
            raise NotFound()
        return number


def register_converters(app) -> None:
    app.url_map.converters["id"] = RecordIdConverter
