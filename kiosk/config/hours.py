"""Opening hours as staff write them: time ranges, closed dates and the time zone's name.

``attract.opening_hours`` lists ranges like ``"10:00-18:00"`` per weekday, ``attract.holidays``
dates like ``"2025-12-24"``, ``attract.timezone`` an IANA name like ``Europe/Berlin``. Each helper
here reads one of them and raises ``ValueError`` with a message for staff, which the schema
(kiosk/config/schema.py) turns into an error at the key's line. What the hours mean over a week
(daylight saving, midnight, holidays) is kiosk/attract/schedule.py's, which reads these helpers.
"""

from __future__ import annotations

import difflib
import re
import zoneinfo
from collections.abc import Sequence
from datetime import date

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # the keys of opening_hours, Monday first
ALL_DAY = "00:00-24:00"
# Plain times like 9:00 or 09:00; spaces around the dash are forgiven.
_RANGE = re.compile(r"\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_range(text: str) -> tuple[int, int]:
    """``"10:00-18:00"`` as minutes since midnight, ``(600, 1080)``; ValueError says what is wrong."""
    match = _RANGE.fullmatch(text)
    if match is None:
        raise ValueError(f'{text!r} is not a time range like "10:00-18:00"')
    start, end = (_minute_of_day(part) for part in match.groups())
    if start >= end:
        raise ValueError(
            f"{text!r} must start before it ends; a day ends at 24:00 "
            '(to stay open past midnight, add "00:00-..." to the next day)'
        )
    return start, end


def _minute_of_day(text: str) -> int:
    hours, minutes = (int(part) for part in text.split(":"))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise ValueError(f"{text} is not a time of day (00:00 to 24:00)")
    return hours * 60 + minutes


def format_range(start: int, end: int) -> str:
    return f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"


def normalise_range(text: str) -> str:
    """``" 9:00 - 17:30"`` → ``"09:00-17:30"``; ValueError for anything that is not a range."""
    return format_range(*parse_range(text))


def check_day(ranges: Sequence[str]) -> None:
    """Refuse ranges of one day that overlap (touching, like 10:00-12:00 and 12:00-14:00, is fine)."""
    parsed = sorted((parse_range(text), text) for text in ranges)
    for ((_, end), first), ((start, _), second) in zip(parsed, parsed[1:], strict=False):
        if start < end:
            raise ValueError(f"{first!r} and {second!r} overlap")


def parse_holiday(value: object) -> date:
    """A closed day written ``"2025-12-24"``; ValueError for anything else (2025-02-30 included)."""
    if not isinstance(value, str) or not _DATE.fullmatch(value.strip()):
        raise ValueError(f'{value!r} is not a date like "2025-12-24" (year-month-day)')
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a date of the calendar") from None


def check_timezone(name: str) -> str:
    """The IANA name itself if this PC knows the zone; otherwise ValueError with a close match."""
    try:
        zoneinfo.ZoneInfo(name)
        return name
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        pass
    close = difflib.get_close_matches(name, zoneinfo.available_timezones(), n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise ValueError(f"unknown time zone {name!r}; {hint}use a name like Europe/Berlin or America/New_York")
