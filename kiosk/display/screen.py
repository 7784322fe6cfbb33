"""What the exhibit screen shows, owned by the server: which scene, on which digit, and its overlays.

Everything the page needs reaches it as an event on the hub; the newest event of each kind is
kept, so a screen that (re)connects gets the whole state first (``initial_events``, in the order
of ``EVENT_ORDER``) and then follows the live events. The page computes nothing heavy:
activations, predictions and the connection sets come from the server.

Scenes: ``live`` (the trained network answers the visitor's drawing), ``timeline`` (training
replayed on the visitor's last digit or an MNIST test sample), ``playground`` (a small network
learning a toy dataset, drawn from its own stream), ``samples`` (MNIST test digits passing
through, one every few seconds, or one a presenter picked), ``call_to_action`` (an invitation
to draw), ``explain`` (the guided "How does it work?" tour on the current digit) and ``closed``.
Who switches when is not decided here: the attract machine (kiosk/attract/director.py) and
presenters call the ``show_*`` methods. The screen remembers the visitor's latest drawing
across scenes, so a timeline "on the visitor's digit" finds it after other scenes; a clear or
closing time forgets it.

This module switches scenes; the rest is delegated, one module each:

- kiosk/display/player.py: the timeline's position and pace (it runs on its own timers);
- kiosk/display/sample_pool.py: which test samples exist, which the network gets wrong, and
  the order of the samples scene;
- kiosk/display/explain_scene.py: the tour's beats and what each shows;
- kiosk/display/pairing_overlay.py, neuron_view.py, caption.py: what is drawn over any scene;
- kiosk/display/payloads.py: the network, timeline and activation events.

Time comes from an injected clock. The screen has no loop of its own: whoever runs it calls
``tick()`` every fraction of a second (kiosk/display/routes.py, tests with a fake clock), which
moves the samples scene and the tour on and takes down an expired pairing window.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

import numpy as np

from kiosk.config import DisplayConfig
from kiosk.display.caption import caption_payload
from kiosk.display.events import SCREEN_EVENTS
from kiosk.display.explain_scene import INACTIVE, TourRun
from kiosk.display.neuron_view import neuron_payload
from kiosk.display.pairing_overlay import PairingOverlay
from kiosk.display.payloads import BLANK, Digit, activation_payload, network_payload, timeline_payload
from kiosk.display.player import TimelinePlayer
from kiosk.display.sample_pool import SampleCycle, SamplePool
from kiosk.display.tour import DEFAULT_SECONDS_PER_STEP
from kiosk.hub import Event, EventHub, make_event
from kiosk.model.engine import Engine, Inference
from kiosk.tablet.pairing import PairingCode

SCENES = ("live", "timeline", "playground", "samples", "call_to_action", "explain", "closed")
EVENT_ORDER = SCREEN_EVENTS  # the initial snapshot's order (kiosk/display/events.py)


class ExhibitScreen:
    def __init__(
        self,
        hub: EventHub,
        engine: Engine,
        live_snapshot: str,
        *,
        seconds_per_snapshot: float,
        connections_per_neuron: int,
        language: str,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.hub, self.engine, self.live_snapshot = hub, engine, live_snapshot
        self.timeline = engine.timeline
        self.clock, self.rng = clock, rng or random.Random()
        self.player = TimelinePlayer(
            len(self.timeline.snapshots), seconds_per_snapshot, self._timeline_moved, self._timeline_ended
        )
        self.sample_pool = SamplePool(engine, live_snapshot)
        self.scene = "timeline"
        self.digit = BLANK  # what the network looks at now
        self.visitor = BLANK  # the visitor's latest drawing (BLANK: none, or cleared)
        self._latest: dict[str, Event] = {}
        self._seq = 0  # the last activation frame's number
        self._settings: dict[str, object] = {}  # the scene's settings, to come back to after a tour
        self._cycle = SampleCycle()  # the samples scene's order
        self._tour: TourRun | None = None  # the explain scene's tour while it runs
        self._learning = False  # a lesson runs: the network shows its drawing (show_lesson)
        self._pairing = PairingOverlay(clock)
        self._per_neuron, self._language = connections_per_neuron, language
        self._publish("network", self._network())
        self._publish("pairing", self._pairing.payload())
        self._publish("neuron", neuron_payload(self.timeline, live_snapshot, None))
        self._publish("caption", caption_payload(None))
        self._publish("explain", INACTIVE)
        self._publish("lesson", {"state": "idle"})
        self.play_timeline()

    # What a (re)connecting screen gets first.
    def initial_events(self) -> list[Event]:
        latest = dict(self._latest)
        # Countdowns start from now: the pairing window's time left, the tour step's.
        latest["pairing"] = make_event("pairing", self._pairing.payload())
        step = self._tour.payload_now(self.clock()) if self.scene == "explain" and self._tour else None
        if step is not None:
            latest["explain"] = make_event("explain", step)
        return [latest[kind] for kind in EVENT_ORDER if kind in latest]

    # From the tablet.
    def show_drawing(self, result: Inference | None) -> None:
        """The tablet's newest answer (None: the visitor cleared the drawing)."""
        if result is None:
            self.visitor = BLANK
            if self.scene == "live" and not self._learning:  # a timeline's digit stays as it is
                self.digit = BLANK
                self._publish_frame(None)
            return
        self.digit = self.visitor = Digit(result.image, "visitor")
        if self.scene == "live" and not self._learning:
            self._publish_frame(result)

    # Scenes (the attract machine and presenters).
    def show_live(self) -> None:
        """The visitor's drawing (or a blank network waiting for one: never a test sample)."""
        self.digit = self.visitor
        self._enter("live")
        self._show_digit()

    def play_timeline(self, speed: float = 1.0, digit: str | int = "visitor") -> None:
        """Training replayed from the random start on ``digit``: "visitor" (their last drawing, else
        a test sample), "sample" (a test sample), or 0-9 (a test sample of that digit)."""
        self.player.speed = speed  # restart() below wakes the player at the new pace
        self._start_over(self._chosen(digit))

    def play_samples(self, which: str | int = "any", seconds_per_sample: float = 5.0) -> None:
        """Test digits one after another: "any", "wrong" (those the network gets wrong) or 0-9."""
        pool = self.sample_pool.indices(which)
        self._enter("samples", which=which)
        self._cycle = SampleCycle(pool, seconds_per_sample, self.rng)
        self._next_sample()

    def show_sample(self, index: object) -> None:
        """One test sample a presenter picked, held until the next command (ValueError: no such sample)."""
        count = len(self.sample_pool)
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < count:
            raise ValueError(f"sample must be 0 to {count - 1}, not {index!r}")
        chosen = self.sample_pool.digit(index)
        self._enter("samples", which=chosen.label)
        self._cycle = SampleCycle()
        self.digit = chosen
        self._show_digit()

    def show_call_to_action(self, text: str = "") -> None:
        """ "Draw a digit on the tablet" ("" = in the exhibit's language) over the drifting network."""
        self._enter("call_to_action", text=text)
        self._show_digit()

    def show_closed(self, opens_at: str | None) -> None:
        """A calm screen until ``opens_at`` (ISO 8601 in the exhibit's zone, or None)."""
        self._enter("closed", opens_at=opens_at)
        self.digit = self.visitor = BLANK  # the next day starts afresh
        self._publish_frame(None)

    def show_playground(self) -> None:
        self._enter("playground")

    def show_explain(
        self,
        digit: str | int = "visitor",
        seconds_per_step: float = DEFAULT_SECONDS_PER_STEP,
        *,
        then: Callable[[], None] | None = None,
    ) -> float:
        """The "How does it work?" tour on ``digit`` ("visitor": their drawing, else a test sample;
        "sample"; or 0-9), step by step at ``seconds_per_step``. Afterwards ``then`` (e.g. the scene
        to go back to); None holds the last step (a playlist item ends it). Returns its seconds."""
        return self._explain(self._chosen(digit), seconds_per_step, then, digit=digit)

    def explain_then_return(self) -> float:
        """The tour on the current digit (the visitor's drawing if there is one, else the test
        sample on screen, else another), then back to the scene on screen now (presenters)."""
        # Asked again during a tour: it starts over and still goes back to where it came from.
        back = self._scene_again() if self.scene != "explain" else self._tour.then if self._tour else None
        if self.visitor.source == "visitor":
            chosen = self.visitor
        else:
            chosen = self.digit if self.digit.source == "sample" else self.sample_pool.random_digit(self.rng)
        return self._explain(chosen, DEFAULT_SECONDS_PER_STEP, back, digit=chosen.source)

    @property
    def explaining(self) -> bool:
        """True while a tour runs (not once it holds its last step)."""
        return self.scene == "explain" and self._tour is not None

    def set_scene(self, scene: str) -> None:
        """Switch to ``scene`` with its default settings (presenters' and scripts' scene button)."""
        show = {
            "live": self.show_live,
            "timeline": self._resume_timeline,
            "playground": self.show_playground,
            "samples": self.play_samples,
            "call_to_action": self.show_call_to_action,
            "explain": self.explain_then_return,
            "closed": lambda: self.show_closed(None),
        }
        if scene not in show:
            raise ValueError(f"scene must be one of {', '.join(SCENES)}, not {scene!r}")
        show[scene]()

    # Over any scene.
    def show_caption(self, text: str | None) -> None:
        """A short line on the screen from a presenter; None or "" takes it down (caption.py)."""
        self._publish("caption", caption_payload(text))

    def show_lesson(self, payload: dict, result: Inference | None = None) -> None:
        """A lesson's progress (kiosk/teach/teacher.py): learning, learned, failed, or idle (the
        shipped network reads again), with the lesson's drawing as the copy reads it now.

        While it learns, the network shows the lesson's drawing: a visitor's new strokes are kept
        (``visitor``) but shown only once it has learned.
        """
        self._learning = payload.get("state") == "learning"
        self._publish("lesson", payload)
        if result is not None:
            same = np.array_equal(self.digit.image, result.image)
            self._publish_frame(result, self.digit if same else Digit(result.image, "visitor"))

    def show_status(self, status: dict) -> None:
        """The attract machine's status (who holds the exhibit, what plays), for screens and presenters."""
        self._publish("exhibit", status)

    def set_language(self, language: str) -> None:
        if language != self._language:
            self._language = language
            self._publish("network", self._network())

    def sample_catalogue(self, digit: int | None = None, wrong: bool = False) -> list[dict]:
        """The shipped test samples (of one digit, or the ones the network gets wrong) for presenters."""
        return self.sample_pool.catalogue(digit, wrong)

    def select_neuron(self, index: int | None) -> None:
        """Show what a first-layer neuron looks for, in the snapshot on screen (None: hide it)."""
        self._publish("neuron", neuron_payload(self.timeline, self._shown_snapshot(), index))

    def show_pairing(self, window: PairingCode | None, url: str, *, paired: bool = False) -> None:
        """Show the pairing QR code and code, or take them down (``paired``: a tablet just paired)."""
        if window is None:
            self._pairing.close()
            # "Tablet paired" is news for the screens watching now; one that connects later sees
            # no window (initial_events).
            self._publish("pairing", {"open": False, "paired": paired})
        else:
            self._pairing.open(window, url)
            self._publish("pairing", self._pairing.payload())

    def tick(self) -> None:
        """Do what is due by the clock: the next sample, the tour's next beat, a window's expiry."""
        if self.scene == "samples" and self._cycle.due(self.clock()):
            self._next_sample()
        if self.scene == "explain" and self._tour is not None:
            self._step_tour()
        if self._pairing.expired():
            self.show_pairing(None, "")

    def apply(self, options: DisplayConfig) -> None:
        """A reloaded config: the timeline's pace (connections_per_neuron waits for a restart)."""
        self.player.seconds_per_snapshot = options.seconds_per_snapshot

    # Internals.
    def _enter(self, scene: str, **settings: object) -> None:
        if scene != "timeline":
            self.player.pause()  # its position stays for a presenter's "timeline" button
        if self.scene == "explain" and scene != "explain":
            self._tour = None
            self._publish("explain", INACTIVE)
        self.scene, self._settings = scene, settings
        self._publish("scene", {"scene": scene, **settings})

    def _chosen(self, digit: str | int) -> Digit:
        """The digit a scene asks for: "visitor" (their drawing, else a sample), "sample" or 0-9."""
        if digit == "visitor" and self.visitor.source == "visitor":
            return self.visitor
        return self.sample_pool.random_digit(self.rng, None if isinstance(digit, str) else digit)

    def _explain(
        self, chosen: Digit, seconds_per_step: float, then: Callable[[], None] | None, **settings: object
    ) -> float:
        tour = TourRun(
            self.engine,
            chosen,
            self.live_snapshot,
            started=self.clock(),
            seconds_per_step=seconds_per_step,  # checked here, before anything changes
            then=then,
        )
        self._enter("explain", **settings, seconds_per_step=tour.tour.seconds_per_step)
        self.digit, self._tour = chosen, tour  # a drawing made meanwhile does not change the tour's
        self._step_tour()
        return tour.tour.seconds

    def _step_tour(self) -> None:
        """Publish the beat that is on now; at the end go on to what comes after (or hold)."""
        tour, now = self._tour, self.clock()
        assert tour is not None
        if tour.over(now):
            self._tour = None
            if tour.then is not None:
                tour.then()
            return
        step = tour.step(now)
        if step is None:
            return
        if step.snapshot is not None:  # the tour's digit, whatever the visitor draws meanwhile
            digit = tour.digit
            result = None if digit.source == "none" else self.engine.infer(digit.image, step.snapshot)
            self._publish_frame(result, digit)
        self._publish("explain", step.payload)

    def _scene_again(self) -> Callable[[], None]:
        """A way back to the scene on screen now, with its settings and digit (after a tour)."""
        scene, settings, digit = self.scene, dict(self._settings), self.digit
        if scene == "live":
            return self.show_live
        if scene == "playground":
            return self.show_playground
        if scene == "closed":
            opens_at = settings.get("opens_at")
            return lambda: self.show_closed(opens_at if isinstance(opens_at, str) else None)

        def back() -> None:
            self.digit = digit
            self._enter(scene, **settings)
            if scene == "timeline":
                self.player.play()
            self._show_digit()

        return back

    def _resume_timeline(self) -> None:
        """The timeline where it stopped, on the digit on screen; with none (a visitor cleared, or
        never drew) on a test sample, never on a blank input labelled as the visitor's."""
        if self.digit.source == "none":
            self.digit = self.sample_pool.random_digit(self.rng)
        self.player.play()
        self._enter("timeline")
        self._show_digit()

    def _start_over(self, digit: Digit) -> None:
        """The timeline from the random start, on ``digit``."""
        self.digit = digit
        self._enter("timeline")
        self.player.restart()
        self._timeline_moved()

    def _timeline_ended(self) -> None:
        self._start_over(self.sample_pool.random_digit(self.rng))  # the next round shows another digit

    def _timeline_moved(self) -> None:
        snapshot = self.timeline.snapshots[self.player.index]
        self._publish("timeline", timeline_payload(self.player.state(), snapshot))
        if self.scene == "timeline":
            self._show_digit()

    def _next_sample(self) -> None:
        index = self._cycle.next(self.clock())
        self.digit = BLANK if index is None else self.sample_pool.digit(index)
        self._show_digit()

    def _shown_snapshot(self) -> str:
        if self.scene == "timeline":
            return self.timeline.snapshots[self.player.index].id
        return self.live_snapshot

    def _show_digit(self) -> None:
        """The network's answer to the digit on screen, in the snapshot on screen."""
        if self.digit.source == "none":
            self._publish_frame(None)
        else:
            self._publish_frame(self.engine.infer(self.digit.image, self._shown_snapshot()))

    def _publish_frame(self, result: Inference | None, digit: Digit | None = None) -> None:
        """One activation frame, numbered; ``digit`` (default: the one on screen) labels it."""
        self._seq += 1
        payload = activation_payload(result, digit or self.digit, self._seq, self.live_snapshot)
        self._publish("activation", payload)

    def _publish(self, kind: str, payload: dict) -> None:
        self._latest[kind] = self.hub.publish(kind, payload)

    def _network(self) -> dict:
        return network_payload(
            self.timeline, self.live_snapshot, per_neuron=self._per_neuron, language=self._language
        )
