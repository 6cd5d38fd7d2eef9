"""Time: instants are stored in UTC; dates people see and type are Việt Nam dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

# Việt Nam has kept UTC+7 with no daylight saving since 1975.
VN_TZ = timezone(timedelta(hours=7), "ICT")


def utcnow() -> datetime:
    return datetime.now(UTC)


def today_vn() -> date:
    """Today's date in Việt Nam (what a due date or a biên bản's date is compared with)."""
    return utcnow().astimezone(VN_TZ).date()


# The one order a date-time is written in everywhere people read one: day/month/year, then the Việt Nam time.
DATE_TIME_FORMAT = "%d/%m/%Y %H:%M"
DATE_FORMAT = "%d/%m/%Y"


def local_time(value: datetime | None) -> str:
    """An instant as Việt Nam wall-clock text, dd/mm/yyyy HH:MM; a naive value is taken as UTC."""
    return _local(value, DATE_TIME_FORMAT)


def local_date(value: datetime | None) -> str:
    """The Việt Nam day of an instant, dd/mm/yyyy; a naive value is taken as UTC."""
    return _local(value, DATE_FORMAT)


def _local(value: datetime | None, fmt: str) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(VN_TZ).strftime(fmt)
