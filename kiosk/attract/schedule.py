"""Opening hours: when the exhibit is open, in the museum's own time zone, holidays closed.

Staff write wall-clock times per weekday ("10:00-18:00") and closed dates ("2025-12-24"). A day
ends at 24:00; a range never crosses midnight, but "22:00-24:00" on Friday and "00:00-02:00" on
Saturday are one opening, so the exhibit does not close and reopen at midnight.

Time is handled as instants (UTC) so that daylight-saving days come out right: on the day the
clocks go forward an opening of 00:00-24:00 lasts 23 hours; a wall time the clocks skip (02:30
in Berlin on that day) counts as that long after the jump (03:30); a wall time that happens
twice counts the first time. Python compares two datetimes of the same zone by their wall
times, ignoring daylight saving, so nothing here compares or subtracts local datetimes.

The parsing helpers raise ``ValueError`` with a message for staff; ``kiosk.config`` uses them to
refuse a bad file with the key and the line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from kiosk.config import AttractConfig

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # the keys of opening_hours, Monday first
ALL_DAY = "00:00-24:00"
DAY_MINUTES = 24 * 60
# Plain times like 9:00 or 09:00; spaces around the dash are forgiven.
_RANGE = re.compile(r"\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

Period = tuple[datetime, datetime | None]  # an opening, UTC; end None: it never closes


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
    import difflib
    import zoneinfo

    try:
        ZoneInfo(name)
        return name
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        pass
    close = difflib.get_close_matches(name, zoneinfo.available_timezones(), n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise ValueError(f"unknown time zone {name!r}; {hint}use a name like Europe/Berlin or America/New_York")


class OpeningHours:
    """Weekly hours in a time zone, less holidays. Times given and returned are timezone-aware."""

    def __init__(
        self, week: Mapping[str, Sequence[str]], timezone: str, holidays: Iterable[date] = ()
    ) -> None:
        unknown = set(week) - set(WEEKDAYS)
        if unknown:
            raise ValueError(f"unknown weekdays {sorted(unknown)}; use {', '.join(WEEKDAYS)}")
        for ranges in week.values():
            check_day(ranges)
        self.tz = ZoneInfo(timezone)
        self._week = [sorted(parse_range(text) for text in week.get(day, ())) for day in WEEKDAYS]
        self._holidays = frozenset(holidays)
        self._last_holiday = max(self._holidays, default=None)

    @classmethod
    def from_config(cls, attract: AttractConfig) -> OpeningHours:
        hours = attract.opening_hours
        return cls({day: getattr(hours, day) for day in WEEKDAYS}, attract.timezone, attract.holidays)

    def is_open(self, at: datetime) -> bool:
        at = _utc(at)
        for start, end in self._periods_from(self._local_day(at) - timedelta(days=1)):
            if end is None or end > at:
                return start <= at
        return False

    def next_change(self, at: datetime) -> datetime | None:
        """When it next opens (if closed at ``at``) or closes (if open); None: it never will."""
        at = _utc(at)
        for start, end in self._periods_from(self._local_day(at) - timedelta(days=1)):
            if end is not None and end <= at:
                continue
            return self._local(start if start > at else end)
        return None

    def next_opening(self, at: datetime) -> datetime | None:
        """The next moment after ``at`` when it opens (after the coming closing, if open now)."""
        at = _utc(at)
        for start, _ in self._periods_from(self._local_day(at) - timedelta(days=1)):
            if start > at:
                return self._local(start)
        return None

    def next_closing(self, at: datetime) -> datetime | None:
        """When the opening going on at ``at`` (or else the next one) ends; None: never."""
        at = _utc(at)
        for _, end in self._periods_from(self._local_day(at) - timedelta(days=1)):
            if end is None or end > at:
                return self._local(end)
        return None

    # Internals.
    def _periods_from(self, first_day: date) -> Iterator[Period]:
        """Openings from ``first_day`` on, in order, touching ones merged (the first may be cut short)."""
        if not any(self._week):
            return  # closed every day of the week: no holiday can change that
        # From this day on there are no more holidays: every week is like the one before.
        repeats = first_day if self._last_holiday is None else max(first_day, self._last_holiday)
        repeats += timedelta(days=1)
        current: tuple[datetime, datetime] | None = None
        day = first_day
        while True:
            for start, end in self._ranges_on(day):
                if current is not None and start <= current[1]:
                    current = (current[0], max(current[1], end))
                else:
                    if current is not None:
                        yield current
                    current = (start, end)
            week_start = day - timedelta(days=6)
            if (
                current is not None
                and week_start >= repeats
                and current[0] <= self._instant(week_start, 0)
                and current[1] >= self._instant(day, DAY_MINUTES)
            ):
                yield current[0], None  # open a whole week of ordinary days: open for ever
                return
            day += timedelta(days=1)

    def _ranges_on(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        if day in self._holidays:
            return
        for start, end in self._week[day.weekday()]:
            yield self._instant(day, start), self._instant(day, end)

    def _instant(self, day: date, minute: int) -> datetime:
        if minute == DAY_MINUTES:
            day, minute = day + timedelta(days=1), 0
        # fold=0: a repeated wall time counts the first time, a skipped one as after the jump.
        local = datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=self.tz)
        return local.astimezone(UTC)

    def _local_day(self, at: datetime) -> date:
        return at.astimezone(self.tz).date()

    def _local(self, at: datetime | None) -> datetime | None:
        return None if at is None else at.astimezone(self.tz)


def _utc(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{at!r} has no time zone; the exhibit's clock must give aware datetimes")
    return at.astimezone(UTC)
