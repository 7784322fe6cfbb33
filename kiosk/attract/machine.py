"""The exhibit's state machine: who has the screen now, and what it shows when nobody does.

States:
- ``closed``: outside the opening hours. The screen is calm, strokes change nothing and the
  tablet should say the exhibit is closed (``accepts_visitors`` is False, ``stroke`` returns False).
- ``attract``: nobody draws; the playlist runs, each item for its ``seconds``, round and round.
  Each opening starts with the first item.
- ``visitor``: someone draws. The first stroke takes the screen from attract at once, within the
  call (the server calls ``stroke`` from the tablet's activity, in the same loop turn).
  ``display.idle_seconds`` after the last stroke (or after the end of what the visitor asked to
  see, ``visitor_waits``) the playlist resumes with the item after the one the visitor interrupted.
- ``presenter``: a guide holds the exhibit. It overrides attract and visitor: strokes do not take
  the screen (the presenter decides what it shows, the live drawing included). Another presenter
  may take over explicitly. Released by ``presenter_release`` or after
  ``attract.presenter_idle_seconds`` without ``presenter_activity``; then the exhibit goes on as
  if it had been left alone: closed outside the hours, the visitor if someone drew within
  ``idle_seconds``, else the playlist.

Closing time ends attract and a visitor's turn at once; a presenter keeps the exhibit until
released (a guide may show it after hours, or before opening), and is told nothing.

Time comes from an injected clock (timezone-aware ``datetime``); every timer runs off it, and
``tick`` (the server calls it every 0.25 s or at ``next_event_at``) processes everything due, in
order and at the exact time it was due, so a simulated week gives exact action sequences (a late
tick does not show the items that ended before it: only the one that is on now). A clock
that jumps (a PC without a battery-backed clock getting NTP time after boot, sleep, a manual
change) is not replayed: an event overdue by more than ``CLOCK_JUMP`` or time running backwards
by more than ``CLOCK_BACK`` makes the machine start over from the state the clock now says.

The machine touches no hub, screen or loop: it calls ``Actions`` the server implements.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol

from kiosk.attract.schedule import OpeningHours
from kiosk.config import AttractConfig
from kiosk.config.playlist import PlaylistItem

State = Literal["closed", "attract", "visitor", "presenter"]
STATES: tuple[str, ...] = State.__args__  # type: ignore[attr-defined]
CLOCK_JUMP = timedelta(minutes=10)
CLOCK_BACK = timedelta(minutes=1)


class Actions(Protocol):
    """What the machine asks of the server. Each call is a complete instruction for the screen."""

    def show_scene(self, item: PlaylistItem) -> None:
        """Attract: play this playlist item from its start (it lasts ``item.seconds``)."""

    def show_visitor(self) -> None:
        """Hand the screen to the visitor's drawing (the live network), now."""

    def show_closed(self, opens_at: datetime | None) -> None:
        """Closed: a calm screen, no training; tablets say closed. ``opens_at`` in the exhibit's
        time zone (e.g. for "opens Tuesday 10:00"), None if no opening is scheduled."""

    def show_presenter(self, name: str) -> None:
        """``name`` now holds the exhibit: stop the playlist and leave the screen to their commands."""

    def status_changed(self, status: dict[str, Any]) -> None:
        """Something in ``ExhibitMachine.status()`` changed (for presenter status panels)."""


class ExhibitMachine:
    def __init__(
        self, attract: AttractConfig, idle_seconds: float, clock: Callable[[], datetime], actions: Actions
    ) -> None:
        """``attract``: hours, playlist, presenter timeout; ``idle_seconds``: display.idle_seconds."""
        self._clock, self._actions = clock, actions
        self._use(attract, idle_seconds)
        self._now = self._until = now = self._now_utc()
        self._read_schedule(now)
        self._state: State = "attract" if self._open else "closed"  # shown by start()
        self._started = False
        self._index, self._resume = 0, 0
        self._item_ends = now + timedelta(seconds=self._playlist[0].seconds)
        self._last_stroke: datetime | None = None
        self._busy_until: datetime | None = None  # the end of what the visitor asked to see
        self._presenter: str | None = None
        self._presenter_seen = now

    # What it is doing.
    @property
    def state(self) -> State:
        return self._state

    @property
    def accepts_visitors(self) -> bool:
        """False while closed: the tablet should show "closed" and strokes change nothing."""
        return self._state != "closed"

    @property
    def presenter(self) -> str | None:
        return self._presenter

    @property
    def hours(self) -> OpeningHours:
        return self._hours

    def status(self) -> dict[str, Any]:
        """For presenter status panels: plain JSON values, times as ISO 8601 in the exhibit's zone.

        ``seconds_left`` is what remains of the playlist item (attract), of the visitor's idle
        time (visitor) or of the presenter's idle time (presenter); None while closed.
        """
        attract = self._state == "attract"
        deadline = self._own_deadline()
        return {
            "state": self._state,
            "open": self._open,
            "presenter": self._presenter,
            "index": self._index if attract else None,
            "item": self._playlist[self._index].to_json() if attract else None,
            "count": len(self._playlist),
            "seconds_left": None if deadline is None else max(0.0, (deadline - self._now).total_seconds()),
            "opens_at": _iso(self._opens_at),
            "closes_at": _iso(self._closes_at),
            "now": _iso(self._now.astimezone(self._hours.tz)),
        }

    def next_event_at(self) -> datetime | None:
        """When ``tick`` next has something to do (exhibit's zone); None: only inputs change it."""
        due = self._next_event()
        return None if due is None else due[0].astimezone(self._hours.tz)

    # Inputs.
    def start(self) -> None:
        """Show the state the clock says (the first ``tick`` or input does this, too)."""
        if self._started:
            return
        self._started = True
        self._now = self._until = self._now_utc()
        self._read_schedule(self._now)
        if self._open:
            self._start_item(0, self._now)
        else:
            self._enter_closed()

    def tick(self) -> None:
        """Do everything that has fallen due: items ending, idle timeouts, opening and closing."""
        self._advance()

    def stroke(self) -> bool:
        """A visitor touched the tablet. Returns False while closed (the tablet should say so)."""
        now = self._advance()
        if self._state == "closed":
            return False
        self._last_stroke = now
        if self._state == "attract":
            self._resume = self._index + 1
            self._state = "visitor"
            self._actions.show_visitor()
            self._status_changed()
        return True

    def visitor_waits(self, seconds: float) -> None:
        """The visitor asked for something that lasts ``seconds`` (the explanation tour): their turn
        does not time out before it has ended; ``idle_seconds`` count from its end (or from a later
        stroke). 0: it has ended early."""
        now = self._advance()
        if self._state == "visitor":
            self._busy_until = now + timedelta(seconds=seconds) if seconds > 0 else None
            self._status_changed()

    def presenter_take(self, name: str) -> None:
        """``name`` takes the exhibit (from attract, a visitor, closed, or another presenter)."""
        now = self._advance()
        if self._state == "attract":
            self._resume = self._index + 1
        self._state, self._presenter, self._presenter_seen = "presenter", name, now
        self._actions.show_presenter(name)
        self._status_changed()

    def presenter_activity(self) -> None:
        """The presenter did something: their idle time starts again."""
        now = self._advance()
        if self._state == "presenter":
            self._presenter_seen = now

    def presenter_release(self) -> None:
        now = self._advance()
        if self._state == "presenter":
            self._release(now)

    def reload(self, attract: AttractConfig, idle_seconds: float) -> None:
        """A new (already validated) config: schedule, playlist and timeouts apply from now.

        A visitor keeps drawing and a presenter keeps the exhibit. A changed playlist starts from
        its first item: at once while attract runs, else when the playlist resumes.
        """
        now = self._advance()
        old_playlist = self._playlist
        self._use(attract, idle_seconds)
        self._read_schedule(now)
        changed = self._playlist != old_playlist
        if changed:
            self._resume = 0
        if self._state == "presenter":
            self._status_changed()
        elif not self._open:
            self._enter_closed()  # also when closed already: the next opening may have moved
        elif self._state == "closed" or (self._state == "attract" and changed):
            self._start_item(0, now)
        else:
            self._status_changed()

    # Internals.
    def _use(self, attract: AttractConfig, idle_seconds: float) -> None:
        self._playlist: list[PlaylistItem] = list(attract.playlist)
        self._idle = timedelta(seconds=idle_seconds)
        self._presenter_idle = timedelta(seconds=attract.presenter_idle_seconds)
        self._hours = OpeningHours.from_config(attract)

    def _now_utc(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError(f"the clock gave {now!r}, without a time zone")
        return now.astimezone(UTC)

    def _advance(self) -> datetime:
        if not self._started:
            self.start()
        now = self._now_utc()
        due = self._next_event()
        if now < self._now - CLOCK_BACK or (due is not None and now - due[0] > CLOCK_JUMP):
            self._now = self._until = now
            self._resync(now)
            return now
        self._until = now
        while due is not None and due[0] <= now:
            self._now = max(self._now, due[0])
            due[1](due[0])
            due = self._next_event()
        self._now = now
        return now

    def _next_event(self) -> tuple[datetime, Callable[[datetime], None]] | None:
        # Ties: the schedule first (no item is shown at the instant the exhibit closes).
        events: list[tuple[datetime, int, Callable[[datetime], None]]] = []
        if self._change_at is not None:
            events.append((self._change_at, 0, self._schedule_changed))
        deadline = self._own_deadline()
        if deadline is not None:
            events.append((deadline, 1, self._own_timeout))
        if not events:
            return None
        at, _, handler = min(events, key=lambda event: event[:2])
        return at, handler

    def _own_deadline(self) -> datetime | None:
        if self._state == "attract":
            return self._item_ends
        seen = self._visitor_seen()
        if self._state == "visitor" and seen is not None:
            return seen + self._idle
        if self._state == "presenter":
            return self._presenter_seen + self._presenter_idle
        return None

    def _own_timeout(self, at: datetime) -> None:
        if self._state == "attract":
            self._start_item(self._index + 1, at)
        elif self._state == "visitor":
            self._start_item(self._resume, at)
        elif self._state == "presenter":
            self._release(at)

    def _schedule_changed(self, at: datetime) -> None:
        self._read_schedule(at)
        if self._state == "presenter":
            self._status_changed()
        elif self._open and self._state == "closed":
            self._start_item(0, at)
        elif not self._open and self._state != "closed":
            self._enter_closed()
        else:
            self._status_changed()

    def _read_schedule(self, at: datetime) -> None:
        self._open = self._hours.is_open(at)
        change = self._hours.next_change(at)
        self._change_at = None if change is None else change.astimezone(UTC)
        self._opens_at = self._hours.next_opening(at)
        self._closes_at = self._hours.next_closing(at) if self._open else None

    def _visitor_seen(self) -> datetime | None:
        """When the visitor was last busy: their last stroke, or the end of what they asked to see."""
        times = [t for t in (self._last_stroke, self._busy_until) if t is not None]
        return max(times) if times else None

    def _start_item(self, index: int, at: datetime) -> None:
        self._state, self._busy_until = "attract", None
        self._index = index % len(self._playlist)
        item = self._playlist[self._index]
        self._item_ends = at + timedelta(seconds=item.seconds)
        if self._item_ends > self._until:  # a late tick skips showing items already over
            self._actions.show_scene(item)
            self._status_changed()

    def _enter_closed(self) -> None:
        self._state, self._resume, self._busy_until = "closed", 0, None
        self._actions.show_closed(self._opens_at)
        self._status_changed()

    def _release(self, at: datetime) -> None:
        self._presenter = None
        if not self._open:
            self._enter_closed()
        elif (seen := self._visitor_seen()) is not None and at - seen < self._idle:
            self._state = "visitor"
            self._actions.show_visitor()
            self._status_changed()
        else:
            self._start_item(self._resume, at)

    def _resync(self, now: datetime) -> None:
        """The clock jumped: go straight to the state it says now, replaying nothing."""
        if self._last_stroke is not None:
            self._last_stroke = min(self._last_stroke, now)
        if self._busy_until is not None:
            self._busy_until = min(self._busy_until, now)
        self._presenter_seen = min(self._presenter_seen, now)
        self._read_schedule(now)
        if self._state == "presenter":
            if now - self._presenter_seen >= self._presenter_idle:
                self._release(now)
            else:
                self._status_changed()
        elif not self._open:
            self._enter_closed()
        elif self._state == "visitor" and now - (self._visitor_seen() or now - self._idle) < self._idle:
            self._status_changed()
        else:
            resume = {"closed": 0, "attract": self._index + 1, "visitor": self._resume}[self._state]
            self._start_item(resume, now)

    def _status_changed(self) -> None:
        self._actions.status_changed(self.status())


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()
