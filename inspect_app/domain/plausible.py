"""What a date, a moment or a piece of text must look like to be believed, wherever it enters (API or form).

Pure functions: each answers None when the value is plausible, else a Vietnamese message a person can act on.
A value outside these windows is a typo or an attack (year 9999 once made a whole list fail), never a record.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

EARLIEST_DAY = date(1950, 1, 1)  # an old stamp, a premise registered long ago
YEARS_AHEAD = 30  # a certificate's or a plan's date may lie years ahead, not centuries
PAST_YEARS_BACK = 10  # something that happened (an inspection, a reading) was recorded within ten years
CLOCK_SKEW = timedelta(days=1)  # a phone's clock may run fast

# C0 controls but tab, line feed and carriage return; DEL; lone surrogates (invalid Unicode from a JSON escape).
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def plain_text(text: str) -> bool:
    """Text a person could have typed: no NUL or other control characters, no half of a surrogate pair."""
    return _FORBIDDEN.search(text) is None


def _vn(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def latest_day(today: date | None = None) -> date:
    """The last day a date may name (a plan's, a certificate's, a fix-by deadline): ``YEARS_AHEAD`` from today."""
    return _years_after(today or date.today(), YEARS_AHEAD)


def day_problem(day: date | None, today: date | None = None) -> str | None:
    if day is None:
        return None
    latest = latest_day(today)
    if EARLIEST_DAY <= day <= latest:
        return None
    return f"Ngày {_vn(day)} nằm ngoài khoảng hợp lý (từ {_vn(EARLIEST_DAY)} đến {_vn(latest)})."


def moment_problem(moment: datetime | None, *, past: bool = False, now: datetime | None = None) -> str | None:
    if moment is None:
        return None
    now = now or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if past:
        earliest = datetime.combine(_years_after(now.date(), -PAST_YEARS_BACK), now.time(), UTC)
        if moment < earliest:
            return f"Thời điểm {_vn(moment.date())} đã quá {PAST_YEARS_BACK} năm; vui lòng kiểm tra lại ngày."
        if moment > now + CLOCK_SKEW:
            return (
                f"Thời điểm {_vn(moment.date())} ở tương lai; vui lòng kiểm tra lại ngày giờ trên điện thoại."
            )
        return None
    return day_problem(moment.date(), now.date())
