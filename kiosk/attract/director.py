"""The attract machine wired to the exhibit: its decisions become scenes, training and tablet notices.

``ExhibitMachine`` (machine.py) decides who has the screen and what the playlist shows; this
module carries that out on the screen (kiosk/display/screen.py), the playground's training
process and the tablets, and feeds the machine its inputs: the clock (``tick``, every TICK_S or
when ``seconds_to_next_event`` says something falls due; kiosk/exhibit.py runs it), the tablet's
pen (``stroke``), its "How does it work?" button (``explain``), the visitor's language
(``language``; it lasts for the visitor's turn, then the staff's ``language`` is back) and
presenters (``take``, ``release``, ``presenter_activity``) and the visitor's verdict on an answer
(``verdict``: counted; a wrong one starts a lesson, kiosk/teach/teacher.py). A taught copy of the
network lasts for the visitor's turn: when the playlist or closing time comes back, the exhibit
forgets it and the shipped network reads again.

The director owns what the exhibit does: the machine is its pure state logic, the screen shows
what it is told, and the running config (kiosk/settings.py) holds the settings.

A stroke is handled in the same loop turn as the data-channel message that carried it, so a
visitor's first touch switches the screen to the live network at once.

The log has one line per change of the exhibit's state, with what led to it: "opened by the
schedule; playlist item 1 of 6: timeline", "a visitor is drawing", "the visitor's turn is over;
playlist item 3 of 6: samples", "presenter 'Anna' holds the exhibit", "closed by the schedule;
opens Tue 2026-12-08 10:00". Never a line per stroke or tick.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from kiosk.attract.machine import ExhibitMachine
from kiosk.config import Config
from kiosk.config.playlist import PlaylistItem
from kiosk.display.screen import ExhibitScreen
from kiosk.playground.session import PlaygroundSession
from kiosk.tablet import protocol
from kiosk.tablet.session import VerdictNews
from kiosk.teach.teacher import LessonRefused, Teacher
from kiosk.teach.verdicts import VerdictCounts

T = TypeVar("T")
log = logging.getLogger(__name__)

TICK_S = 0.25  # the longest the machine waits between looks at the clock


def wall_clock() -> datetime:
    return datetime.now(UTC)


class ExhibitDirector:
    def __init__(
        self,
        config: Config,
        screen: ExhibitScreen,
        playground: PlaygroundSession,
        teacher: Teacher,
        verdicts: VerdictCounts,
        *,
        tell_tablets: Callable[[str], None] = lambda message: None,
        clock: Callable[[], datetime] = wall_clock,
    ) -> None:
        self.screen, self.playground, self.tell_tablets = screen, playground, tell_tablets
        self.teacher, self.verdicts = teacher, verdicts
        self._clock = clock
        # The staff's language, and a visitor's pick that lasts while their turn does.
        self._default_language: str = config.language
        self._visitor_language: str | None = None
        self._scene: tuple[str, dict] = ("attract", {})  # what the tablets were last told
        self._tablet_notice = protocol.scene("attract", language=config.language)
        self._logged: dict[str, Any] = {}  # the status the log last told of
        self.machine = ExhibitMachine(config.attract, config.display.idle_seconds, clock, self)

    # Inputs.
    def stroke(self) -> bool:
        """The tablet's pen moved. False while closed (the drawing changes nothing then).

        A visitor who draws during the tour they asked for wants to see their drawing: live again.
        """
        accepted = self.machine.stroke()
        if accepted and self.machine.state == "visitor" and self.screen.scene == "explain":
            self.screen.show_live()
            self.machine.visitor_waits(0)  # the tour is over: idle time counts from this stroke
        return accepted

    def explain(self) -> str | None:
        """The tablet asked "How does it work?": the tour on the visitor's digit (or a test sample),
        then live again. Returns why not ("closed", "presenter": a guide holds the exhibit), or None.

        It is the visitor's turn: the playlist waits until idle_seconds after the tour has ended.
        A request while their tour runs leaves it running.
        """
        state = self.machine.state
        if state in ("closed", "presenter"):
            return state
        if not (state == "visitor" and self.screen.explaining):
            self.machine.stroke()  # from attract: the visitor takes the screen, like a first touch
            seconds = self.screen.show_explain("visitor", then=self.screen.show_live)
            self.machine.visitor_waits(seconds)
        return None

    def language(self, language: str) -> str | None:
        """A visitor picked ``language`` (one the exhibit speaks) on the tablet: the screen speaks it
        until their turn ends (idle, closing time, a presenter), then the staff's language again.
        Returns why not ("closed", "presenter": a guide holds the exhibit), or None.

        Picking is a touch: from attract, the visitor takes the screen.
        """
        state = self.machine.state
        if state in ("closed", "presenter"):
            return state
        self._visitor_language = language  # first: show_visitor() tells the tablets in this language
        self.machine.stroke()  # show_visitor() now, or the visitor's idle time starts again
        self._notify_tablets(self._scene[0], **self._scene[1])
        return None

    def verdict(self, news: VerdictNews) -> str | None:
        """The visitor judged the answer to their drawing: counted, and if it was wrong a lesson
        starts on the screen. Returns why no lesson ("closed", "presenter": a guide holds the
        exhibit, "unavailable") or None; LessonRefused("busy") while one runs (nothing counted)."""
        if not news.correct and self.teacher.busy:
            raise LessonRefused("busy")
        self.verdicts.add(news.meant, news.correct)
        state = self.machine.state
        if news.correct:
            return None
        if state in ("closed", "presenter"):
            return state
        self.machine.stroke()  # a touch: from attract the visitor takes the screen; idle time restarts
        if self.screen.scene != "live":
            self.screen.show_live()  # the lesson is shown on the live network
        try:
            self.teacher.begin(news.image, news.meant, news.was, news.seq)
        except LessonRefused as e:
            return e.reason
        return None

    @property
    def current_language(self) -> str:
        """The language the screen and the tablets speak now."""
        return self._visitor_language or self._default_language

    @property
    def holder(self) -> str | None:
        """The presenter holding the exhibit, or None."""
        return self.machine.presenter

    def take(self, name: str) -> None:
        self.machine.presenter_take(name)

    def release(self) -> None:
        self.machine.presenter_release()

    def presenter_activity(self) -> None:
        self.machine.presenter_activity()

    def apply(self, config: Config) -> None:
        """A reloaded config: the playlist, hours, idle times and the staff's language."""
        self._default_language = config.language  # a visitor's pick stays until their turn ends
        self._notify_tablets(self._scene[0], **self._scene[1])  # before a new playlist's first scene
        self.machine.reload(config.attract, config.display.idle_seconds)

    def status(self) -> dict[str, Any]:
        return self.machine.status()

    def tablet_notice(self) -> str:
        """What a tablet is told when it connects: the exhibit's state (closed, or open)."""
        return self._tablet_notice

    # The clock.
    def start(self) -> None:
        """At start-up: the machine decides what the exhibit shows now."""
        self.machine.start()

    def tick(self) -> None:
        """Look at the clock: do what has fallen due (the next playlist item, idle time, hours)."""
        self.machine.tick()

    def seconds_to_next_event(self) -> float | None:
        """How long until something falls due (None: nothing scheduled)."""
        due = self.machine.next_event_at()
        return None if due is None else (due - self._clock()).total_seconds()

    # What the machine asks for (attract.machine.Actions).
    def show_scene(self, item: PlaylistItem) -> None:
        self.teacher.forget()  # the visitor's turn is over (or never was): the shipped network reads
        if item.scene != "playground":
            self.playground.pause()  # no training in the background of another scene
        if item.scene == "timeline":
            self.screen.play_timeline(_filled(item.speed), _choice(item.digit))
        elif item.scene == "playground":
            self.playground.start(_filled(item.run).spec)
            self.screen.show_playground()
        elif item.scene == "samples":
            self.screen.play_samples(_choice(item.which), _filled(item.seconds_per_sample))
        elif item.scene == "explain":
            self.screen.show_explain(_choice(item.digit), _filled(item.seconds_per_step))
        else:
            self.screen.show_call_to_action(_filled(item.text))
        self._notify_tablets("attract")

    def show_visitor(self) -> None:
        self.playground.pause()
        self.screen.show_live()
        self._notify_tablets("visitor")

    def show_closed(self, opens_at: datetime | None) -> None:
        self.playground.reset()  # closed: no training at all
        self.teacher.forget()
        at = None if opens_at is None else opens_at.isoformat()
        self.screen.show_closed(at)
        self._notify_tablets("closed", opens_at=at)

    def show_presenter(self, name: str) -> None:
        # The screen keeps what it shows until the presenter's commands change it.
        self._notify_tablets("presenter")

    def status_changed(self, status: dict[str, Any]) -> None:
        self._log_change(status)
        self.screen.show_status(status)

    def _log_change(self, status: dict[str, Any]) -> None:
        before, self._logged = self._logged, status
        if all(before.get(key) == status[key] for key in ("state", "presenter", "index")):
            return  # the same state (a reload, the visitor's idle time starting again)
        log.info("%s", change_line(before, status))

    def _notify_tablets(self, scene: str, **details: object) -> None:
        """Tell the tablets the exhibit's state and language; the screen speaks that language too.
        Only a visitor's turn keeps a visitor's language."""
        if scene != "visitor":
            self._visitor_language = None
        self.screen.set_language(self.current_language)
        self._scene = (scene, details)
        message = protocol.scene(scene, **details, language=self.current_language)
        if message != self._tablet_notice:
            self._tablet_notice = message
            self.tell_tablets(message)


def change_line(before: dict[str, Any], status: dict[str, Any]) -> str:
    """What led from ``before`` to ``status`` (``ExhibitMachine.status()``, {} at start) and the state now."""
    was, now = before.get("state"), status["state"]
    if was == "presenter" and now != "presenter":
        return f"presenter {before['presenter']!r} released the exhibit; {state_line(status)}"
    if was == "closed" and now == "attract":
        return f"opened by the schedule; {state_line(status)}"
    if was == "visitor" and now == "attract":
        return f"the visitor's turn is over; {state_line(status)}"
    return state_line(status)


def state_line(status: dict[str, Any]) -> str:
    """The exhibit's state in a few words, from ``ExhibitMachine.status()``."""
    state = status["state"]
    if state == "attract":
        return f"playlist item {status['index'] + 1} of {status['count']}: {status['item']['scene']}"
    if state == "visitor":
        return "a visitor is drawing"
    if state == "presenter":
        return f"presenter {status['presenter']!r} holds the exhibit"
    if not status["opens_at"]:
        return "closed by the schedule; no opening scheduled"
    return f"closed by the schedule; opens {datetime.fromisoformat(status['opens_at']):%a %Y-%m-%d %H:%M}"


def _filled(setting: T | None) -> T:
    """A setting of the item's own scene, which the playlist always fills (with its default if left
    out: kiosk/config/playlist.py); None here would be a bug there."""
    if setting is None:
        raise ValueError("a playlist item lacks a setting of its own scene")
    return setting


def _choice(setting: object) -> str | int:
    """A word or a digit setting (``digit: any``, ``which: 7``), filled like every other."""
    if isinstance(setting, str | int):
        return setting
    raise ValueError("a playlist item lacks a setting of its own scene")
