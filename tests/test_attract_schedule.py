"""Opening hours: weekly ranges in a time zone, holidays, midnight and daylight-saving days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kiosk.attract.schedule import OpeningHours
from kiosk.config.hours import check_day, check_timezone, normalise_range, parse_holiday, parse_range

BERLIN = ZoneInfo("Europe/Berlin")
MUSEUM_WEEK = {"mon": [], **{day: ["10:00-18:00"] for day in ("tue", "wed", "thu", "fri", "sat", "sun")}}


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def hours(
    week: dict[str, list[str]], holidays: tuple[date, ...] = (), tz: str = "Europe/Berlin"
) -> OpeningHours:
    return OpeningHours(week, tz, holidays)


# --- parsing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("10:00-18:00", (600, 1080)), ("00:00-24:00", (0, 1440)), (" 9:05 - 17:30 ", (545, 1050))],
)
def test_parse_range(text: str, minutes: tuple[int, int]) -> None:
    assert parse_range(text) == minutes


def test_normalise_range() -> None:
    assert normalise_range(" 9:05 - 17:30") == "09:05-17:30"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("25:00-26:00", "25:00 is not a time of day"),
        ("10:60-11:00", "10:60 is not a time of day"),
        ("10:00-24:01", "24:01 is not a time of day"),
        ("10:00-09:00", "must start before it ends"),
        ("10:00-10:00", "must start before it ends"),
        ("24:00-24:00", "must start before it ends"),
        ("10-18", "is not a time range"),
        ("10:00", "is not a time range"),
        ("10:00-18:00-20:00", "is not a time range"),
        ("", "is not a time range"),
    ],
)
def test_bad_range(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_range(text)


def test_overlapping_ranges_are_refused_touching_ones_are_not() -> None:
    check_day(["12:00-14:00", "10:00-12:00"])
    with pytest.raises(ValueError, match="'10:00-13:00' and '12:00-18:00' overlap"):
        check_day(["12:00-18:00", "10:00-13:00"])
    with pytest.raises(ValueError, match="overlap"):
        check_day(["08:00-20:00", "10:00-11:00"])  # one inside the other


def test_parse_holiday() -> None:
    assert parse_holiday("2025-12-24") == date(2025, 12, 24)
    for bad in ("2025-02-30", "2025-13-01"):
        with pytest.raises(ValueError, match="not a date of the calendar"):
            parse_holiday(bad)
    for bad in ("24.12.2025", "2025-1-2", 20251224, None):
        with pytest.raises(ValueError, match="not a date like"):
            parse_holiday(bad)


def test_check_timezone() -> None:
    assert check_timezone("America/New_York") == "America/New_York"
    with pytest.raises(ValueError, match="did you mean 'Europe/Berlin'"):
        check_timezone("Europe/Berln")
    for bad in ("Mars/Base", "", "../etc/passwd", "/etc/localtime", "Europe"):
        with pytest.raises(ValueError, match="unknown time zone"):
            check_timezone(bad)


# --- an ordinary week ---------------------------------------------------------------------------


def test_is_open_follows_the_weekly_hours() -> None:
    week = hours(MUSEUM_WEEK)  # 2025-06-02 is a Monday
    assert not week.is_open(berlin(2025, 6, 2, 12, 0))  # Monday: closed all day
    assert not week.is_open(berlin(2025, 6, 3, 9, 59, 59))
    assert week.is_open(berlin(2025, 6, 3, 10, 0))  # opening time is open
    assert week.is_open(berlin(2025, 6, 3, 17, 59, 59))
    assert not week.is_open(berlin(2025, 6, 3, 18, 0))  # closing time is closed
    assert week.is_open(berlin(2025, 6, 8, 12, 0))  # Sunday


def test_next_change_opens_and_closes() -> None:
    week = hours(MUSEUM_WEEK)
    assert week.next_change(berlin(2025, 6, 2, 12, 0)) == berlin(2025, 6, 3, 10, 0)  # Mon → opens Tue
    assert week.next_change(berlin(2025, 6, 3, 10, 0)) == berlin(2025, 6, 3, 18, 0)
    assert week.next_change(berlin(2025, 6, 3, 18, 0)) == berlin(2025, 6, 4, 10, 0)
    assert week.next_change(berlin(2025, 6, 8, 18, 0)) == berlin(2025, 6, 10, 10, 0)  # Sun → Tue
    assert week.next_opening(berlin(2025, 6, 3, 12, 0)) == berlin(2025, 6, 4, 10, 0)
    assert week.next_closing(berlin(2025, 6, 2, 12, 0)) == berlin(2025, 6, 3, 18, 0)


def test_answers_are_in_the_exhibits_zone_whatever_zone_is_asked() -> None:
    week = hours(MUSEUM_WEEK)
    change = week.next_change(utc(2025, 6, 2, 23, 0))  # Tuesday 01:00 in Berlin
    assert change == berlin(2025, 6, 3, 10, 0)
    assert change.tzinfo == BERLIN and change.strftime("%A %H:%M") == "Tuesday 10:00"


def test_other_time_zone() -> None:
    week = hours({"mon": ["10:00-18:00"]}, tz="America/New_York")
    assert week.next_change(utc(2025, 6, 2, 0, 0)) == utc(2025, 6, 2, 14, 0)  # EDT is UTC-4
    assert week.is_open(utc(2025, 6, 2, 21, 59)) and not week.is_open(utc(2025, 6, 2, 22, 0))


def test_two_ranges_a_day_and_touching_ranges() -> None:
    week = hours({"tue": ["13:30-18:00", "10:00-12:30"], "wed": ["10:00-12:00", "12:00-14:00"]})
    assert week.next_change(berlin(2025, 6, 3, 11, 0)) == berlin(2025, 6, 3, 12, 30)
    assert week.next_change(berlin(2025, 6, 3, 12, 30)) == berlin(2025, 6, 3, 13, 30)
    assert not week.is_open(berlin(2025, 6, 3, 13, 0))
    # Touching ranges are one opening: no close-and-reopen at noon.
    assert week.next_change(berlin(2025, 6, 4, 11, 0)) == berlin(2025, 6, 4, 14, 0)


def test_open_past_midnight_is_one_opening() -> None:
    week = hours({"fri": ["20:00-24:00"], "sat": ["00:00-02:00", "10:00-12:00"]})
    assert week.next_change(berlin(2025, 6, 6, 21, 0)) == berlin(2025, 6, 7, 2, 0)
    assert week.is_open(berlin(2025, 6, 7, 0, 0)) and week.is_open(berlin(2025, 6, 7, 1, 59))
    assert week.next_change(berlin(2025, 6, 7, 2, 0)) == berlin(2025, 6, 7, 10, 0)


def test_holidays_are_closed_all_day() -> None:
    week = hours(MUSEUM_WEEK, holidays=(date(2025, 6, 4), date(2025, 6, 5)))  # Wednesday, Thursday
    assert not week.is_open(berlin(2025, 6, 4, 12, 0))
    assert week.next_change(berlin(2025, 6, 3, 18, 0)) == berlin(2025, 6, 6, 10, 0)
    assert week.is_open(berlin(2025, 6, 11, 12, 0))  # the next Wednesday is an ordinary one


def test_always_open_never_changes_until_a_holiday() -> None:
    always = {day: ["00:00-24:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    assert hours(always).is_open(berlin(2025, 6, 2, 3, 0))
    assert hours(always).next_change(berlin(2025, 6, 2, 3, 0)) is None
    assert hours(always).next_opening(berlin(2025, 6, 2, 3, 0)) is None
    with_holiday = hours(always, holidays=(date(2026, 12, 25),))
    assert with_holiday.next_change(berlin(2025, 6, 2, 3, 0)) == berlin(2026, 12, 25, 0, 0)
    assert with_holiday.next_change(berlin(2026, 12, 25, 0, 0)) == berlin(2026, 12, 26, 0, 0)
    assert with_holiday.next_change(berlin(2026, 12, 26, 0, 0)) is None


def test_never_open() -> None:
    closed = hours({}, holidays=(date(2025, 6, 3),))
    assert not closed.is_open(berlin(2025, 6, 3, 12, 0))
    assert closed.next_change(berlin(2025, 6, 3, 12, 0)) is None
    assert closed.next_opening(berlin(2025, 6, 3, 12, 0)) is None


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        hours(MUSEUM_WEEK).is_open(datetime(2025, 6, 3, 12, 0))


def test_unknown_weekday_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown weekdays"):
        hours({"monday": ["10:00-18:00"]})


# --- daylight saving (Europe/Berlin: 2025-03-30 02:00 → 03:00, 2025-10-26 03:00 → 02:00) -------


def test_opening_follows_the_wall_clock_across_the_spring_switch() -> None:
    week = hours(MUSEUM_WEEK)
    # Saturday 10:00 is CET (UTC+1), Sunday 10:00 is CEST (UTC+2).
    assert week.next_change(berlin(2025, 3, 29, 0, 0)).astimezone(UTC) == utc(2025, 3, 29, 9, 0)
    opening = week.next_change(berlin(2025, 3, 29, 18, 0))
    assert opening.astimezone(UTC) == utc(2025, 3, 30, 8, 0)
    assert opening.strftime("%H:%M %Z") == "10:00 CEST"
    assert week.is_open(utc(2025, 3, 30, 8, 30)) and not week.is_open(utc(2025, 3, 29, 8, 30))
    assert week.next_change(opening).astimezone(UTC) == utc(2025, 3, 30, 16, 0)


def test_opening_follows_the_wall_clock_across_the_autumn_switch() -> None:
    week = hours(MUSEUM_WEEK)
    opening = week.next_change(berlin(2025, 10, 25, 18, 0))
    assert opening.astimezone(UTC) == utc(2025, 10, 26, 9, 0)  # 10:00 CET
    assert week.next_change(opening).astimezone(UTC) == utc(2025, 10, 26, 17, 0)


@pytest.mark.parametrize(("day", "length_h"), [(date(2025, 3, 30), 23), (date(2025, 10, 26), 25)])
def test_a_whole_switch_day_is_23_or_25_hours(day: date, length_h: int) -> None:
    week = hours({"sun": ["00:00-24:00"]})
    opens = week.next_change(berlin(day.year, day.month, day.day - 1, 12, 0))
    closes = week.next_change(opens)
    assert opens == berlin(day.year, day.month, day.day, 0, 0)
    assert closes.astimezone(UTC) - opens.astimezone(UTC) == timedelta(hours=length_h)


def test_a_skipped_wall_time_counts_as_after_the_jump() -> None:
    week = hours({"sun": ["02:30-04:00"]})  # 02:30 does not exist on 2025-03-30
    opens = week.next_change(berlin(2025, 3, 29, 12, 0))
    assert opens.astimezone(UTC) == utc(2025, 3, 30, 1, 30)  # = 03:30 CEST
    assert week.next_change(opens).astimezone(UTC) == utc(2025, 3, 30, 2, 0)  # 04:00 CEST


def test_a_repeated_wall_time_counts_the_first_time() -> None:
    week = hours({"sun": ["02:30-03:00"]})  # 02:00-03:00 happens twice on 2025-10-26
    opens = week.next_change(berlin(2025, 10, 25, 12, 0))
    assert opens.astimezone(UTC) == utc(2025, 10, 26, 0, 30)  # the first 02:30 (CEST)
    assert week.next_change(opens).astimezone(UTC) == utc(2025, 10, 26, 2, 0)  # 03:00 CET
    assert week.is_open(utc(2025, 10, 26, 1, 45))  # the second 02:45 is inside too


@pytest.mark.parametrize("start", [utc(2025, 3, 27, 0, 0), utc(2025, 10, 23, 0, 0)], ids=["spring", "autumn"])
def test_next_change_agrees_with_is_open_minute_by_minute(start: datetime) -> None:
    # Brute force around a switch, with midnight openings and a holiday: every flip of is_open
    # is exactly where next_change said it would be, and nowhere else.
    week = hours(
        {
            "thu": ["09:00-12:00", "12:00-13:00"],
            "fri": ["20:00-24:00"],
            "sat": ["00:00-01:30", "14:00-15:00"],
            "sun": ["00:00-24:00"],
            "mon": ["02:15-03:45"],
        },
        holidays=(date(2025, 3, 29), date(2025, 10, 25)),
    )
    at, end = start, start + timedelta(days=6)
    expected = week.next_change(at)
    state, flips = week.is_open(at), 0
    while at < end:
        at += timedelta(minutes=5)
        if week.is_open(at) != state:
            state, flips = not state, flips + 1
            assert at == expected, (at, expected)
            expected = week.next_change(at)
        else:
            assert expected is None or at < expected
    assert flips >= 6
