"""The exhibit's state machine on a fake clock: weeks of schedule, visitors and presenters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kiosk.attract.machine import CLOCK_JUMP, ExhibitMachine
from kiosk.config import AttractConfig, Config
from kiosk.config.playlist import PlaylistItem

REPO = Path(__file__).resolve().parent.parent
BERLIN = ZoneInfo("Europe/Berlin")
# Distinct durations, 155 s a round: no round fits a day exactly, so closing cuts items short.
PLAYLIST = [
    {"scene": "timeline", "seconds": 60, "speed": 2, "digit": "sample"},
    {"scene": "playground", "seconds": 45, "run": {"dataset": "moons"}},
    {"scene": "samples", "seconds": 30, "which": "wrong"},
    {"scene": "call_to_action", "seconds": 20},
]
SECONDS = [item["seconds"] for item in PLAYLIST]
MUSEUM_HOURS = {
    "mon": [],
    "tue": ["10:00-18:00"],
    "wed": ["10:00-18:00"],
    "thu": ["10:00-18:00"],
    "fri": ["10:00-12:00", "13:00-18:00"],
    "sat": ["10:00-20:00"],
    "sun": ["11:00-17:00"],
}


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def make_config(
    hours: dict[str, list[str]] | None = None,
    playlist: list[dict[str, Any]] | None = None,
    holidays: tuple[str, ...] = (),
    idle: int = 20,
    presenter_idle: int = 300,
) -> Config:
    section: dict[str, Any] = {
        "opening_hours": MUSEUM_HOURS if hours is None else hours,
        "playlist": PLAYLIST if playlist is None else playlist,
        "holidays": list(holidays),
        "presenter_idle_seconds": presenter_idle,
    }
    data = {"attract": section, "display": {"idle_seconds": idle}}
    return Config.model_validate(data, context={"base_dir": REPO / "config"})


def sections(config: Config) -> tuple[AttractConfig, int]:
    """What the machine takes of a config: its own section and how long a visitor may pause."""
    return config.attract, config.display.idle_seconds


class FakeClock:
    """Keeps UTC (adding to a local time would add wall-clock time); answers in Berlin time."""

    def __init__(self, start: datetime) -> None:
        self.now = start.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now.astimezone(BERLIN)

    def set(self, at: datetime) -> None:
        self.now = at.astimezone(UTC)

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Recorder:
    """The server's side: records each action with the (UTC) time it was asked for."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.calls: list[tuple] = []
        self.statuses: list[dict[str, Any]] = []

    def show_scene(self, item: PlaylistItem) -> None:
        self.calls.append((self.clock.now, "scene", item.scene, item.seconds))

    def show_visitor(self) -> None:
        self.calls.append((self.clock.now, "visitor"))

    def show_closed(self, opens_at: datetime | None) -> None:
        assert opens_at is None or opens_at.tzinfo == BERLIN
        self.calls.append((self.clock.now, "closed", None if opens_at is None else opens_at.astimezone(UTC)))

    def show_presenter(self, name: str) -> None:
        self.calls.append((self.clock.now, "presenter", name))

    def status_changed(self, status: dict[str, Any]) -> None:
        self.statuses.append(status)

    def since(self, at: datetime) -> list[tuple]:
        return [call for call in self.calls if call[0] >= at.astimezone(UTC)]


def machine_at(start: datetime, config: Config | None = None) -> tuple[ExhibitMachine, FakeClock, Recorder]:
    clock = FakeClock(start)
    actions = Recorder(clock)
    machine = ExhibitMachine(*sections(config or make_config()), clock, actions)
    machine.start()
    return machine, clock, actions


def run_until(machine: ExhibitMachine, clock: FakeClock, end: datetime) -> int:
    """Jump from event to event (as a server's call_at would); returns the number of ticks."""
    end, ticks = end.astimezone(UTC), 0
    while True:
        due = machine.next_event_at()
        if due is None or due.astimezone(UTC) > end:
            clock.set(end)
            machine.tick()
            return ticks + 1
        clock.set(due)
        machine.tick()
        ticks += 1


def step_until(machine: ExhibitMachine, clock: FakeClock, end: datetime, step_s: float = 1.0) -> None:
    """Tick on a fixed beat, as the server's timer does."""
    while clock.now < end.astimezone(UTC):
        clock.advance(step_s)
        machine.tick()


def expected_day(opens: datetime, closes: datetime, opens_next: datetime | None) -> list[tuple]:
    """The playlist from its top at opening, item after item, cut off by closing."""
    calls, at, index = [], opens.astimezone(UTC), 0
    while at < closes.astimezone(UTC):
        item = PLAYLIST[index % len(PLAYLIST)]
        calls.append((at, "scene", item["scene"], item["seconds"]))
        at += timedelta(seconds=item["seconds"])
        index += 1
    return [*calls, (closes.astimezone(UTC), "closed", opens_next and opens_next.astimezone(UTC))]


def expected_week(periods: list[tuple[datetime, datetime]], after: datetime) -> list[tuple]:
    calls = []
    for n, (opens, closes) in enumerate(periods):
        opens_next = periods[n + 1][0] if n + 1 < len(periods) else after
        calls += expected_day(opens, closes, opens_next)
    return calls


# --- a whole week -------------------------------------------------------------------------------


def test_a_week_follows_the_opening_hours_and_the_playlist_exactly() -> None:
    # Monday 2 June 2025; Wednesday is a holiday.
    machine, clock, actions = machine_at(berlin(2025, 6, 2, 0, 0), make_config(holidays=("2025-06-04",)))
    assert machine.state == "closed"
    ticks = run_until(machine, clock, berlin(2025, 6, 9, 23, 59))
    periods = [
        (berlin(2025, 6, 3, 10, 0), berlin(2025, 6, 3, 18, 0)),
        (berlin(2025, 6, 5, 10, 0), berlin(2025, 6, 5, 18, 0)),  # Wednesday the 4th: holiday
        (berlin(2025, 6, 6, 10, 0), berlin(2025, 6, 6, 12, 0)),
        (berlin(2025, 6, 6, 13, 0), berlin(2025, 6, 6, 18, 0)),  # Friday's lunch break
        (berlin(2025, 6, 7, 10, 0), berlin(2025, 6, 7, 20, 0)),
        (berlin(2025, 6, 8, 11, 0), berlin(2025, 6, 8, 17, 0)),
    ]
    start = [(berlin(2025, 6, 2, 0, 0).astimezone(UTC), "closed", berlin(2025, 6, 3, 10, 0).astimezone(UTC))]
    assert actions.calls == start + expected_week(periods, after=berlin(2025, 6, 10, 10, 0))
    assert not [call for call in actions.calls if call[0].astimezone(BERLIN).day == 4]
    assert ticks == len(actions.calls)  # one tick per event: nothing is polled
    assert machine.state == "closed"


def test_a_week_across_the_spring_clock_change() -> None:
    # Sunday 30 March 2025 the clocks go forward: Sunday opens 11:00 CEST = 09:00 UTC.
    machine, clock, actions = machine_at(berlin(2025, 3, 29, 19, 0))
    run_until(machine, clock, berlin(2025, 3, 31, 12, 0))
    saturday_end = berlin(2025, 3, 29, 20, 0)
    sunday = (berlin(2025, 3, 30, 11, 0), berlin(2025, 3, 30, 17, 0))
    assert sunday[0].astimezone(UTC) == datetime(2025, 3, 30, 9, 0, tzinfo=UTC)
    assert actions.since(saturday_end) == [
        (saturday_end.astimezone(UTC), "closed", sunday[0].astimezone(UTC)),
        *expected_day(*sunday, opens_next=berlin(2025, 4, 1, 10, 0)),
    ]
    # 6 hours of 155 s rounds: 139 items and a bit, then closed.
    assert len(actions.since(sunday[0])) == 6 * 3600 // 155 * 4 + 1 + 1


def test_a_day_ticked_every_second_matches_the_event_driven_run() -> None:
    config = make_config(hours={"tue": ["10:00-10:20"]})
    results = []
    for driver in ("events", "seconds"):
        machine, clock, actions = machine_at(berlin(2025, 6, 3, 9, 59), config)
        for stroke_at in (berlin(2025, 6, 3, 10, 5), berlin(2025, 6, 3, 10, 5, 7)):
            if driver == "events":
                run_until(machine, clock, stroke_at)
            else:
                step_until(machine, clock, stroke_at)
            assert machine.stroke()
        end = berlin(2025, 6, 3, 10, 21)
        run_until(machine, clock, end) if driver == "events" else step_until(machine, clock, end)
        results.append(actions.calls)
    assert results[0] == results[1]
    assert (berlin(2025, 6, 3, 10, 5).astimezone(UTC), "visitor") in results[0]
    # call_to_action was on (since 10:04:50); 20 s after the last stroke the round starts again.
    assert (berlin(2025, 6, 3, 10, 4, 50).astimezone(UTC), "scene", "call_to_action", 20) in results[0]
    assert (berlin(2025, 6, 3, 10, 5, 27).astimezone(UTC), "scene", "timeline", 60) in results[0]
    assert results[0][-1] == (
        berlin(2025, 6, 3, 10, 20).astimezone(UTC),
        "closed",
        berlin(2025, 6, 10, 10, 0).astimezone(UTC),
    )


# --- visitors -----------------------------------------------------------------------------------


def test_a_stroke_takes_the_screen_at_once_and_idle_returns_to_the_next_item() -> None:
    machine, clock, actions = machine_at(berlin(2025, 6, 3, 10, 0))
    clock.set(berlin(2025, 6, 3, 10, 1, 10))
    machine.tick()  # item 1 (playground) has been on since 10:01:00
    assert machine.status()["index"] == 1
    clock.advance(0.3)
    assert machine.stroke() is True
    assert machine.state == "visitor"  # in the same call: no tick in between
    assert actions.calls[-1] == (clock.now, "visitor")
    assert actions.statuses[-1]["state"] == "visitor"
    stroke_at = clock.now
    for seconds in (5, 7):  # more strokes: the visitor's time starts again, nothing is shown anew
        clock.advance(seconds)
        machine.stroke()
    last = clock.now
    assert actions.since(stroke_at) == [(stroke_at, "visitor")]
    clock.set(last + timedelta(seconds=19.999))
    machine.tick()
    assert machine.state == "visitor"
    run_until(machine, clock, last + timedelta(seconds=20))
    assert actions.calls[-1] == (last + timedelta(seconds=20), "scene", "samples", 30)
    assert machine.status()["seconds_left"] == 30


def test_a_visitor_interrupting_the_last_item_brings_back_the_first() -> None:
    machine, clock, actions = machine_at(berlin(2025, 6, 3, 10, 0))
    run_until(machine, clock, berlin(2025, 6, 3, 10, 2, 20))  # call_to_action since 10:02:15
    assert machine.status()["item"]["scene"] == "call_to_action"
    machine.stroke()
    run_until(machine, clock, berlin(2025, 6, 3, 10, 3))
    assert actions.calls[-1] == (berlin(2025, 6, 3, 10, 2, 40).astimezone(UTC), "scene", "timeline", 60)


def test_strokes_while_closed_do_nothing_and_say_closed() -> None:
    machine, clock, actions = machine_at(berlin(2025, 6, 2, 12, 0))  # Monday
    before = list(actions.calls)
    assert machine.accepts_visitors is False
    assert machine.stroke() is False
    assert machine.state == "closed" and actions.calls == before


def test_closing_time_ends_a_visitors_turn() -> None:
    machine, clock, actions = machine_at(berlin(2025, 6, 3, 17, 59))
    clock.set(berlin(2025, 6, 3, 17, 59, 50))
    machine.stroke()
    run_until(machine, clock, berlin(2025, 6, 3, 18, 5))
    assert actions.since(berlin(2025, 6, 3, 17, 59, 50)) == [
        (berlin(2025, 6, 3, 17, 59, 50).astimezone(UTC), "visitor"),
        (berlin(2025, 6, 3, 18, 0).astimezone(UTC), "closed", berlin(2025, 6, 4, 10, 0).astimezone(UTC)),
    ]
    assert machine.stroke() is False


def test_a_stroke_just_after_closing_finds_it_closed_even_before_the_tick() -> None:
    machine, clock, actions = machine_at(berlin(2025, 6, 3, 17, 59))
    clock.set(berlin(2025, 6, 3, 18, 0, 0, 100_000))
    assert machine.stroke() is False
    assert actions.calls[-1][1] == "closed"


# --- presenters ---------------------------------------------------------------------------------


def test_presenter_holds_against_strokes_and_is_released_after_idle() -> None:
    machine, clock, actions = machine_at(berlin(2025, 6, 3, 10, 0))
    clock.set(berlin(2025, 6, 3, 10, 0, 30))  # item 0 running
    machine.presenter_take("Ana")
    taken = clock.now
    assert machine.state == "presenter" and machine.presenter == "Ana"
    assert actions.calls[-1] == (taken, "presenter", "Ana")
    clock.advance(10)
    assert machine.stroke() is True  # the tablet works, the presenter decides what is shown
    assert machine.state == "presenter"
    clock.set(taken + timedelta(seconds=100))
    machine.presenter_activity()
    run_until(machine, clock, taken + timedelta(seconds=399))
    assert machine.state == "presenter"
    run_until(machine, clock, taken + timedelta(seconds=401))
    # Released 300 s after the last activity; the playlist goes on after the interrupted item.
    assert actions.since(taken) == [
        (taken, "presenter", "Ana"),
        (taken + timedelta(seconds=400), "scene", "playground", 45),
    ]
    assert machine.presenter is None


def test_release_hands_the_screen_to_a_visitor_who_is_drawing() -> None:
    machine, clock, actions = machine_at(berlin(2025, 6, 3, 10, 0))
    machine.presenter_take("Ana")
    clock.advance(10)
    machine.stroke()
    clock.advance(5)
    machine.presenter_release()
    assert machine.state == "visitor" and actions.calls[-1] == (clock.now, "visitor")
    run_until(machine, clock, berlin(2025, 6, 3, 10, 1))
    assert actions.calls[-1] == (berlin(2025, 6, 3, 10, 0, 30).astimezone(UTC), "scene", "playground", 45)


def test_another_presenter_takes_over_explicitly() -> None:
    machine, clock, actions = machine_at(berlin(2025, 6, 3, 10, 0))
    machine.presenter_take("Ana")
    clock.advance(200)
    machine.presenter_take("Ben")
    assert machine.presenter == "Ben" and actions.calls[-1] == (clock.now, "presenter", "Ben")
    assert machine.status()["presenter"] == "Ben"
    run_until(machine, clock, clock.now + timedelta(seconds=299))  # Ben's own idle time counts
    assert machine.state == "presenter"


def test_a_presenter_keeps_the_exhibit_past_closing_time() -> None:
    machine, clock, actions = machine_at(berlin(2025, 6, 3, 17, 58))
    machine.presenter_take("Ana")
    for minute in range(1, 10):
        clock.set(berlin(2025, 6, 3, 17, 58) + timedelta(minutes=minute))
        machine.presenter_activity()
        machine.tick()
    assert machine.state == "presenter" and machine.status()["open"] is False
    assert actions.calls[-1][1] == "presenter"
    machine.presenter_release()
    assert actions.calls[-1] == (clock.now, "closed", berlin(2025, 6, 4, 10, 0).astimezone(UTC))


def test_a_presenter_may_take_a_closed_exhibit() -> None:
    machine, clock, actions = machine_at(berlin(2025, 6, 2, 12, 0))
    machine.presenter_take("Ana")
    assert machine.state == "presenter" and machine.stroke() is True
    clock.advance(60)
    machine.presenter_release()
    assert machine.state == "closed" and actions.calls[-1][1] == "closed"
    machine.presenter_release()  # nobody holds it: nothing happens
    machine.presenter_activity()
    assert machine.state == "closed" and len([c for c in actions.calls if c[1] == "closed"]) == 2


def test_opening_while_a_presenter_holds_waits_for_the_release() -> None:
    machine, clock, actions = machine_at(berlin(2025, 6, 3, 9, 58))
    machine.presenter_take("Ana")
    clock.set(berlin(2025, 6, 3, 10, 1))
    machine.tick()
    assert machine.state == "presenter" and machine.status()["open"] is True
    machine.presenter_release()
    assert actions.calls[-1] == (clock.now, "scene", "timeline", 60)  # a fresh day starts at the top


# --- reload (SIGHUP) ----------------------------------------------------------------------------


NEW_PLAYLIST = [{"scene": "call_to_action", "seconds": 10}, {"scene": "samples", "seconds": 15, "which": 3}]


def test_reload_with_a_new_playlist_mid_item_starts_it_at_once() -> None:
    machine, clock, actions = machine_at(berlin(2025, 6, 3, 10, 0))
    clock.set(berlin(2025, 6, 3, 10, 0, 20))
    machine.reload(*sections(make_config(playlist=NEW_PLAYLIST)))
    run_until(machine, clock, berlin(2025, 6, 3, 10, 1))
    start = berlin(2025, 6, 3, 10, 0, 20).astimezone(UTC)
    assert actions.since(start) == [
        (start, "scene", "call_to_action", 10),
        (start + timedelta(seconds=10), "scene", "samples", 15),
        (start + timedelta(seconds=25), "scene", "call_to_action", 10),
        (start + timedelta(seconds=35), "scene", "samples", 15),
    ]


def test_reload_with_the_same_config_changes_nothing_on_screen() -> None:
    machine, clock, actions = machine_at(berlin(2025, 6, 3, 10, 0))
    clock.set(berlin(2025, 6, 3, 10, 0, 20))
    before = list(actions.calls)
    machine.reload(*sections(make_config()))
    assert actions.calls == before
    run_until(machine, clock, berlin(2025, 6, 3, 10, 1, 1))
    assert actions.calls[-1] == (berlin(2025, 6, 3, 10, 1).astimezone(UTC), "scene", "playground", 45)


def test_reload_keeps_the_visitor_and_applies_the_new_idle_time() -> None:
    machine, clock, actions = machine_at(berlin(2025, 6, 3, 10, 0))
    machine.stroke()
    stroke_at = clock.now
    clock.advance(10)
    machine.reload(*sections(make_config(playlist=NEW_PLAYLIST, idle=40)))
    assert machine.state == "visitor" and actions.calls[-1] == (stroke_at, "visitor")
    run_until(machine, clock, stroke_at + timedelta(seconds=39))
    assert machine.state == "visitor"
    run_until(machine, clock, stroke_at + timedelta(seconds=41))
    # The changed playlist resumes from its top.
    assert actions.calls[-1] == (stroke_at + timedelta(seconds=40), "scene", "call_to_action", 10)


def test_reload_with_new_hours_closes_and_opens() -> None:
    machine, clock, actions = machine_at(berlin(2025, 6, 3, 12, 0))
    clock.advance(5)
    machine.reload(*sections(make_config(hours={"wed": ["10:00-18:00"]})))
    assert machine.state == "closed"
    assert actions.calls[-1] == (clock.now, "closed", berlin(2025, 6, 4, 10, 0).astimezone(UTC))
    clock.advance(5)
    machine.reload(*sections(make_config()))
    assert machine.state == "attract" and actions.calls[-1] == (clock.now, "scene", "timeline", 60)


def test_reload_during_a_presenter_shows_nothing_until_release() -> None:
    machine, clock, actions = machine_at(berlin(2025, 6, 3, 10, 0))
    machine.presenter_take("Ana")
    before = list(actions.calls)
    machine.reload(*sections(make_config(playlist=NEW_PLAYLIST, presenter_idle=60)))
    assert actions.calls == before and machine.state == "presenter"
    run_until(machine, clock, clock.now + timedelta(seconds=61))
    assert actions.calls[-1] == (clock.now - timedelta(seconds=1), "scene", "call_to_action", 10)


# --- status and timing --------------------------------------------------------------------------


def test_status_for_the_presenter_panel() -> None:
    machine, clock, actions = machine_at(berlin(2025, 6, 3, 10, 0))
    clock.set(berlin(2025, 6, 3, 10, 1, 15))
    machine.tick()
    assert machine.status() == {
        "state": "attract",
        "open": True,
        "presenter": None,
        "index": 1,
        "item": {"scene": "playground", "seconds": 45, "run": machine.status()["item"]["run"]},
        "count": 4,
        "seconds_left": 30.0,
        "opens_at": "2025-06-04T10:00:00+02:00",
        "closes_at": "2025-06-03T18:00:00+02:00",
        "now": "2025-06-03T10:01:15+02:00",
    }
    assert machine.status()["item"]["run"]["dataset"] == "moons"
    assert actions.statuses[-1]["index"] == 1  # sent when the item started
    machine.stroke()
    assert actions.statuses[-1] | {"seconds_left": None} == machine.status() | {"seconds_left": None}
    assert machine.status()["item"] is None and machine.status()["seconds_left"] == 20.0


def test_status_while_closed_names_the_next_opening() -> None:
    machine, _, actions = machine_at(berlin(2025, 6, 2, 12, 0))
    status = machine.status()
    assert (status["state"], status["open"], status["seconds_left"], status["closes_at"]) == (
        "closed",
        False,
        None,
        None,
    )
    assert status["opens_at"] == "2025-06-03T10:00:00+02:00"
    assert actions.calls[-1][2] == berlin(2025, 6, 3, 10, 0).astimezone(UTC)


def test_next_event_at_is_the_earliest_deadline() -> None:
    machine, clock, _ = machine_at(berlin(2025, 6, 3, 17, 59, 30))
    assert machine.next_event_at() == berlin(2025, 6, 3, 18, 0)  # closing before the item's end
    clock.set(berlin(2025, 6, 3, 18, 0))
    machine.tick()
    assert machine.next_event_at() == berlin(2025, 6, 4, 10, 0)


def test_an_item_ending_at_closing_time_is_not_followed_by_another() -> None:
    machine, clock, actions = machine_at(
        berlin(2025, 6, 3, 9, 0), make_config(hours={"tue": ["10:00-10:01"]})
    )
    run_until(machine, clock, berlin(2025, 6, 3, 11, 0))
    assert actions.calls[1:] == [
        (berlin(2025, 6, 3, 10, 0).astimezone(UTC), "scene", "timeline", 60),
        (berlin(2025, 6, 3, 10, 1).astimezone(UTC), "closed", berlin(2025, 6, 10, 10, 0).astimezone(UTC)),
    ]


def test_never_closed_never_schedules_a_change() -> None:
    always = {day: ["00:00-24:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    machine, clock, actions = machine_at(berlin(2025, 6, 2, 3, 0), make_config(hours=always))
    assert machine.state == "attract" and machine.status()["closes_at"] is None
    assert machine.next_event_at() == berlin(2025, 6, 2, 3, 1)  # only the first item's end


def test_nothing_is_shown_before_start() -> None:
    clock = FakeClock(berlin(2025, 6, 3, 12, 0))
    actions = Recorder(clock)
    machine = ExhibitMachine(*sections(make_config()), clock, actions)
    assert actions.calls == [] and machine.state == "attract"
    machine.tick()  # the first tick starts it
    assert actions.calls == [(clock.now, "scene", "timeline", 60)]


def test_a_clock_jump_is_not_replayed() -> None:
    machine, clock, actions = machine_at(berlin(2025, 6, 3, 10, 0))
    count = len(actions.calls)
    clock.set(berlin(2025, 6, 6, 15, 0))  # three days later, open
    machine.tick()
    assert actions.calls[count:] == [(clock.now, "scene", "playground", 45)]
    clock.set(berlin(2025, 6, 6, 12, 30))  # back into Friday's lunch break
    machine.tick()
    assert actions.calls[-1] == (clock.now, "closed", berlin(2025, 6, 6, 13, 0).astimezone(UTC))
    clock.set(berlin(2025, 6, 6, 14, 0))  # an hour late for the opening: start at the top now
    machine.tick()
    assert actions.calls[-1] == (clock.now, "scene", "timeline", 60)
    assert machine.next_event_at() == berlin(2025, 6, 6, 14, 1)


def test_a_clock_jump_releases_a_presenter_whose_time_is_up() -> None:
    machine, clock, actions = machine_at(berlin(2025, 6, 3, 10, 0))
    machine.presenter_take("Ana")
    clock.set(berlin(2025, 6, 3, 12, 0))
    machine.tick()
    assert machine.state == "attract" and actions.calls[-1] == (clock.now, "scene", "playground", 45)
    machine.presenter_take("Ben")
    clock.set(berlin(2025, 6, 3, 11, 0))  # backwards: Ben keeps it, his idle time counts from now
    machine.tick()
    assert machine.presenter == "Ben"
    assert machine.next_event_at() == berlin(2025, 6, 3, 11, 5)


def test_a_late_tick_within_the_limit_keeps_the_rhythm_and_shows_only_the_current_item() -> None:
    machine, clock, actions = machine_at(berlin(2025, 6, 3, 10, 0))
    count = len(actions.calls)
    clock.set(berlin(2025, 6, 3, 10, 0) + CLOCK_JUMP - timedelta(seconds=1))
    machine.tick()
    # 599 s: three rounds of 155 s, timeline 60, playground 45, and samples since 10:09:30.
    assert actions.calls[count:] == [(clock.now, "scene", "samples", 30)]
    assert (machine.status()["index"], machine.status()["seconds_left"]) == (2, 1.0)


def test_the_clock_must_know_its_time_zone() -> None:
    with pytest.raises(ValueError, match="without a time zone"):
        ExhibitMachine(
            *sections(make_config()),
            lambda: datetime(2025, 6, 3, 12, 0),
            Recorder(FakeClock(berlin(2025, 1, 1))),
        )
