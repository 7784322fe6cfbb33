"""Opening hours: when the exhibit is open, in the museum's own time zone, holidays closed.

Staff write wall-clock times per weekday ("10:00-18:00") and closed dates ("2025-12-24"). A day
ends at 24:00; a range never crosses midnight, but "22:00-24:00" on Friday and "00:00-02:00" on
Saturday are one opening, so the exhibit does not close and reopen at midnight.

Time is handled as instants (UTC) so that daylight-saving days come out right: on the day the
clocks go forward an opening of 00:00-24:00 lasts 23 hours; a wall time the clocks skip (02:30
in Berlin on that day) counts as that long after the jump (03:30); a wall time that happens
twice counts the first time. Python compares two datetimes of the same zone by their wall
times, ignoring daylight saving, so nothing here compares or subtracts local datetimes.

Reading what staff wrote (a range, a date, a zone's name) is kiosk/config/hours.py's, so that the
configuration can refuse a bad file with the key and the line without depending on this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from kiosk.config import AttractConfig
from kiosk.config.hours import WEEKDAYS, check_day, parse_range

DAY_MINUTES = 24 * 60

Period = tuple[datetime, datetime | None]  # an opening, UTC; end None: it never closes


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
