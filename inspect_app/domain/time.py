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


def in_vn(value: datetime) -> datetime:
    """The instant in Việt Nam time (a naive value is taken as UTC). One within seven hours of the end of
    datetime's range (year 9999) has no Việt Nam date in Python: it stays in UTC, so a page shows the odd stored
    value instead of failing on it."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(VN_TZ)
    except OverflowError:
        return value.astimezone(UTC)


def local_time(value: datetime | None) -> str:
    """An instant as Việt Nam wall-clock text, dd/mm/yyyy HH:MM; a naive value is taken as UTC."""
    return _local(value, DATE_TIME_FORMAT)


def local_date(value: datetime | None) -> str:
    """The Việt Nam day of an instant, dd/mm/yyyy; a naive value is taken as UTC."""
    return _local(value, DATE_FORMAT)


def _local(value: datetime | None, fmt: str) -> str:
    if value is None:
        return ""
    local = in_vn(value)
    text = local.strftime(fmt.replace("%Y", f"{local.year:04d}"))  # the C library writes year 1 as "1"
    return text if local.tzinfo is VN_TZ else f"{text} (UTC)"
