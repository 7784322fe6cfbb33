"""What the exhibit screen shows, owned by the server: scene, current digit, timeline, overlays.

Everything the page needs reaches it as an event on the hub; the newest event of each kind is
kept, so a screen that (re)connects gets the whole state first (``initial_events``) and then
follows the live events. The page computes nothing heavy: activations, predictions and the
connection sets come from here.

Scenes: ``live`` (the trained network answers the visitor's drawing), ``timeline`` (training
replayed on the visitor's last digit or an MNIST test sample), ``playground`` (a small network
learning a toy dataset, drawn from its own stream), ``samples`` (MNIST test digits passing
through, one every few seconds, or one a presenter picked), ``call_to_action`` (an invitation
to draw), ``explain`` (the guided "How does it work?" tour on the current digit, paced by
kiosk/display/tour.py, its numbers from kiosk/display/explanation.py) and ``closed``. Who
switches when is not decided here: the attract machine (kiosk/attract/director.py) and
presenters call the ``show_*`` methods.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import segno

from kiosk.display.events import SCREEN_EVENTS
from kiosk.display.explanation import explain_digit
from kiosk.display.player import TimelinePlayer
from kiosk.display.tour import DEFAULT_SECONDS_PER_STEP, STEPS, Tour
from kiosk.hub import Event, EventHub, make_event
from kiosk.model.engine import Engine, Inference
from kiosk.model.samples import Samples
from kiosk.tablet.pairing import PairingCode

SCENES = ("live", "timeline", "playground", "samples", "call_to_action", "explain", "closed")
EVENT_ORDER = SCREEN_EVENTS  # the initial snapshot's order (kiosk/display/events.py)
SAMPLE_CHOICES = ("any", "wrong")  # or a digit 0-9
MAX_CAPTION = 140


@dataclass(frozen=True)
class Digit:
    """The digit the network is looking at: a visitor's drawing, a test sample, or nothing."""

    image: np.ndarray  # (28, 28) in [0, 1]
    source: str  # "visitor", "sample" or "none"
    label: int | None = None  # the true digit of a test sample


BLANK = Digit(np.zeros((28, 28), np.float32), "none")


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
        self.scene = "timeline"
        self.digit = BLANK  # what the network looks at now
        self.visitor = BLANK  # the visitor's latest drawing (BLANK: none, or cleared)
        self._latest: dict[str, Event] = {}
        self._seq = 0
        self._pairing: tuple[PairingCode, str] | None = None
        self._samples = SampleCycle()
        self._wrong: np.ndarray | None = None  # which samples the live network gets wrong (lazy)
        self._per_neuron, self._language = connections_per_neuron, language
        self._settings: dict[str, object] = {}  # the scene's settings, to come back to after a tour
        self._tour: Tour | None = None  # the explain scene's tour while it runs
        self._tour_beat = -1  # the beat last published
        self._tour_after: Callable[[], None] | None = None  # what comes after it (None: hold its end)
        self._explanation: dict | None = None
        self._tour_digit = BLANK
        self._tour_payload: dict = {}  # the step on now, as published
        self._publish("network", self._network())
        self._publish("pairing", {"open": False, "paired": False})
        self._publish("neuron", {"index": None})
        self._publish("caption", {"text": None})
        self._publish("explain", {"active": False})
        self.play_timeline()

    # What a (re)connecting screen gets first.
    def initial_events(self) -> list[Event]:
        latest = dict(self._latest)
        if self._pairing:  # the countdown starts from now, not from when the window opened
            latest["pairing"] = make_event("pairing", self._pairing_payload(*self._pairing))
        beat = self._tour.beat(self.clock()) if self.scene == "explain" and self._tour else None
        if beat is not None and beat.index == self._tour_beat:  # the step's time left, from now
            fresh = self._tour_payload | {"ends_in": round(beat.ends_in, 2)}
            latest["explain"] = make_event("explain", fresh)
        return [latest[kind] for kind in EVENT_ORDER if kind in latest]

    # From the tablet.
    def show_drawing(self, result: Inference | None) -> None:
        """The tablet's newest answer (None: the visitor cleared the drawing)."""
        if result is None:
            self.visitor = BLANK
            if self.scene == "live":  # cleared on the tablet; a timeline's digit stays as it is
                self.digit = BLANK
                self._publish_activation(None)
            return
        self.digit = self.visitor = Digit(result.image, "visitor")
        if self.scene == "live":
            self._publish_activation(result)

    # Scenes (the attract machine and presenters).
    def show_live(self) -> None:
        """The visitor's drawing (or a blank network waiting for one: never a test sample)."""
        self.digit = self.visitor
        self._enter("live")
        self._show_digit()

    def play_timeline(self, speed: float = 1.0, digit: str | int = "visitor") -> None:
        """Training replayed from the random start on ``digit``: "visitor" (their last drawing, else
        a test sample), "sample" (a test sample), or 0-9 (a test sample of that digit)."""
        if digit == "visitor" and self.visitor.source == "visitor":
            chosen = self.visitor
        else:
            chosen = self._sample_digit(None if isinstance(digit, str) else digit)
        self.player.speed = speed  # restart() below wakes the player at the new pace
        self._start_over(chosen)

    def play_samples(self, which: str | int = "any", seconds_per_sample: float = 5.0) -> None:
        """Test digits one after another: "any", "wrong" (those the network gets wrong) or 0-9."""
        pool = self._sample_pool(which)
        self._enter("samples", which=which)
        self._samples = SampleCycle(pool, seconds_per_sample, self.rng)
        self._next_sample()

    def show_sample(self, index: int) -> None:
        """One test sample a presenter picked, held until the next command."""
        samples = self._samples_or_none()
        count = 0 if samples is None else len(samples)
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < count:
            raise ValueError(f"sample must be 0 to {count - 1}, not {index!r}")
        self._enter("samples", which=int(samples.labels[index]))
        self._samples = SampleCycle()
        self._show_sample_at(index)

    def show_call_to_action(self, text: str = "") -> None:
        """ "Draw a digit on the tablet" ("" = in the exhibit's language) over the drifting network."""
        self._enter("call_to_action", text=text)
        self._show_digit()

    def show_closed(self, opens_at: str | None) -> None:
        """A calm screen until ``opens_at`` (ISO 8601 in the exhibit's zone, or None)."""
        self._enter("closed", opens_at=opens_at)
        self.digit = self.visitor = BLANK  # the next day starts afresh
        self._publish_activation(None)

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
        if digit == "visitor" and self.visitor.source == "visitor":
            chosen = self.visitor
        else:
            chosen = self._sample_digit(None if isinstance(digit, str) else digit)
        return self._explain(chosen, seconds_per_step, then, digit=digit)

    def explain_then_return(self) -> float:
        """The tour on the current digit (the visitor's drawing if there is one, else the test
        sample on screen, else another), then back to the scene on screen now (presenters)."""
        # Asked again during a tour: it starts over and still goes back to where it came from.
        back = self._tour_after if self.scene == "explain" else self._scene_again()
        if self.visitor.source == "visitor":
            chosen = self.visitor
        else:
            chosen = self.digit if self.digit.source == "sample" else self._sample_digit()
        return self._explain(chosen, DEFAULT_SECONDS_PER_STEP, back, digit=chosen.source)

    @property
    def explaining(self) -> bool:
        """True while a tour runs (not once it holds its last step)."""
        return self.scene == "explain" and self._tour is not None

    def _explain(
        self, chosen: Digit, seconds_per_step: float, then: Callable[[], None] | None, **settings: object
    ) -> float:
        tour = Tour(self.clock(), seconds_per_step)
        self._enter("explain", **settings, seconds_per_step=tour.seconds_per_step)
        self.digit = self._tour_digit = chosen  # a drawing made meanwhile does not change the tour's
        self._tour, self._tour_beat, self._tour_after = tour, -1, then
        self._explanation = explain_digit(self.engine, chosen.image, self.live_snapshot)
        self._step_tour()
        return tour.seconds

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

    def show_caption(self, text: str | None) -> None:
        """A short line on the screen from a presenter; None or "" takes it down."""
        if text is not None and (not isinstance(text, str) or len(text) > MAX_CAPTION):
            raise ValueError(f"caption must be text of at most {MAX_CAPTION} characters, or null")
        self._publish("caption", {"text": text.strip() or None if text else None})

    def show_status(self, status: dict) -> None:
        """The attract machine's status (who holds the exhibit, what plays), for screens and presenters."""
        self._publish("exhibit", status)

    def set_language(self, language: str) -> None:
        if language != self._language:
            self._language = language
            self._publish("network", self._network())

    def sample_catalogue(self, digit: int | None = None, wrong: bool = False) -> list[dict]:
        """The shipped test samples (of one digit, or the ones the network gets wrong) for presenters."""
        samples = self._samples_or_none()
        if samples is None:
            return []
        predicted = self._predictions()
        keep = np.ones(len(samples), bool)
        if digit is not None:
            keep &= samples.labels == digit
        if wrong:
            keep &= predicted != samples.labels
        return [
            {"index": int(i), "label": int(samples.labels[i]), "predicted": int(predicted[i])}
            for i in np.flatnonzero(keep)
        ]

    def select_neuron(self, index: int | None) -> None:
        """Show what a first-layer neuron looks for: its incoming weights as a 28×28 image."""
        if index is None:
            self._publish("neuron", {"index": None})
            return
        weight = self.timeline.layers(self._shown_snapshot())[0][0]
        if not 0 <= index < weight.shape[0]:
            raise ValueError(f"neuron must be 0 to {weight.shape[0] - 1}, not {index}")
        row = weight[index]
        scale = float(np.abs(row).max()) or 1.0
        weights = np.round((row / scale).astype(np.float64), 3).tolist()
        self._publish("neuron", {"index": index, "weights": weights, "snapshot": self._shown_snapshot()})

    def show_pairing(self, window: PairingCode | None, url: str, *, paired: bool = False) -> None:
        """Show the pairing QR code and code, or take them down (``paired``: a tablet just paired)."""
        if window is None:
            self._pairing = None
            self._publish("pairing", {"open": False, "paired": paired})
            # "Tablet paired" is news for the screens watching now, not for one that connects later.
            self._latest["pairing"] = make_event("pairing", {"open": False, "paired": False})
            return
        self._pairing = (window, url)
        self._publish_pairing(window, url)
        asyncio.get_running_loop().call_later(max(0.0, window.expires - self.clock()), self._expire, window)

    def tick(self) -> None:
        """Move the samples scene on when its digit has been shown long enough."""
        if self.scene == "samples" and self._samples.due(self.clock()):
            self._next_sample()
        if self.scene == "explain" and self._tour is not None:
            self._step_tour()

    async def run(self) -> None:
        """Play the timeline and the samples, until cancelled."""
        player = asyncio.ensure_future(self.player.run())
        try:
            while True:
                await asyncio.sleep(0.25)
                self.tick()
        finally:
            player.cancel()

    # Internals.
    def _enter(self, scene: str, **settings: object) -> None:
        if scene != "timeline":
            self.player.pause()  # its position stays for a presenter's "timeline" button
        if self.scene == "explain" and scene != "explain":
            self._tour = self._tour_after = None
            self._publish("explain", {"active": False})
        self.scene, self._settings = scene, settings
        self._publish("scene", {"scene": scene, **settings})

    def _step_tour(self) -> None:
        """Publish the beat that is on now; at the end go on to what comes after (or hold)."""
        beat = self._tour.beat(self.clock())
        if beat is None:
            after, self._tour = self._tour_after, None
            if after is not None:
                after()
            return
        if beat.index == self._tour_beat:
            return
        self._tour_beat = beat.index
        # The learned step replays training: the untrained network first, then the trained one.
        early = STEPS[beat.step] == "learned" and beat.phase == 0
        if beat.index == 0 or STEPS[beat.step] == "learned":
            snapshot = self.timeline.snapshots[0].id if early else self.live_snapshot
            self._publish_explained(snapshot)
        self._tour_payload = {
            "active": True,
            "step": beat.step,
            "name": STEPS[beat.step],
            "phase": beat.phase,
            "total": len(STEPS),
            "seconds": round(beat.seconds, 2),
            "ends_in": round(beat.ends_in, 2),
            "source": self._tour_digit.source,
            "label": self._tour_digit.label,
            **self._explanation,
        }
        self._publish("explain", self._tour_payload)

    def _publish_explained(self, snapshot: str) -> None:
        digit = self._tour_digit
        result = None if digit.source == "none" else self.engine.infer(digit.image, snapshot)
        self._seq += 1
        self._publish("activation", activation_payload(result, digit, self._seq, self.live_snapshot))

    def _scene_again(self) -> Callable[[], None]:
        """A way back to the scene on screen now, with its settings and digit (after a tour)."""
        scene, settings, digit = self.scene, dict(self._settings), self.digit
        if scene == "live":
            return self.show_live
        if scene == "playground":
            return self.show_playground
        if scene == "closed":
            return lambda: self.show_closed(settings.get("opens_at"))

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
            self.digit = self._sample_digit()
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
        self._start_over(self._sample_digit())  # the next round shows another digit

    def _next_sample(self) -> None:
        index = self._samples.next(self.clock())
        if index is None:
            self.digit = BLANK
            self._publish_activation(None)
        else:
            self._show_sample_at(index)

    def _show_sample_at(self, index: int) -> None:
        samples = self._samples_or_none()
        self.digit = Digit(samples.images[index], "sample", int(samples.labels[index]))
        self._show_digit()

    def _sample_pool(self, which: str | int) -> np.ndarray:
        samples = self._samples_or_none()
        if samples is None:
            return np.zeros(0, np.int64)
        if which == "wrong":
            return np.flatnonzero(self._predictions() != samples.labels)
        if which == "any" or isinstance(which, bool) or not isinstance(which, int):
            return np.arange(len(samples))
        return samples.indices_of_digit(which)

    def _predictions(self) -> np.ndarray:
        """What the live network answers for each shipped sample (computed once, ~1 ms per 3 samples)."""
        if self._wrong is None:
            samples = self._samples_or_none()
            images = [] if samples is None else samples.images
            self._wrong = np.array(
                [self.engine.infer(image, self.live_snapshot).digit for image in images], np.int64
            )
        return self._wrong

    def _samples_or_none(self) -> Samples | None:
        samples = getattr(self.timeline, "samples", None)
        return samples if samples is not None and len(samples) else None

    def _timeline_moved(self) -> None:
        info = self.timeline.snapshots[self.player.index]
        self._publish(
            "timeline",
            self.player.state()
            | {
                "snapshot": info.id,
                "label": info.label,
                "images_seen": info.images_seen,
                "test_accuracy": info.test_accuracy,
            },
        )
        if self.scene == "timeline":
            self._show_digit()

    def _shown_snapshot(self) -> str:
        if self.scene == "timeline":
            return self.timeline.snapshots[self.player.index].id
        return self.live_snapshot

    def _show_digit(self) -> None:
        if self.digit.source == "none":
            self._publish_activation(None)
        else:
            self._publish_activation(self.engine.infer(self.digit.image, self._shown_snapshot()))

    def _sample_digit(self, digit: int | None = None) -> Digit:
        """A random test sample (of ``digit``, if given), or BLANK if the export ships none."""
        pool = self._sample_pool("any" if digit is None else digit)
        if len(pool) == 0:
            return BLANK
        i = int(pool[self.rng.randrange(len(pool))])
        samples = self._samples_or_none()
        return Digit(samples.images[i], "sample", int(samples.labels[i]))

    def _publish_activation(self, result: Inference | None) -> None:
        self._seq += 1
        self._publish("activation", activation_payload(result, self.digit, self._seq, self.live_snapshot))

    def _publish_pairing(self, window: PairingCode, url: str) -> None:
        self._publish("pairing", self._pairing_payload(window, url))

    def _pairing_payload(self, window: PairingCode, url: str) -> dict:
        """The QR code holds ``url`` with the code, so scanning pairs; people read the short address."""
        qr = segno.make(url, error="m")
        return {
            "open": True,
            "code": window.display(),
            "url": url.split("#")[0],
            "qr": qr.svg_data_uri(scale=10, border=2, dark="#000", light="#fff"),
            "expires_in_s": max(0, math.ceil(window.expires - self.clock())),
        }

    def _expire(self, window: PairingCode) -> None:
        if self._pairing and self._pairing[0] is window:
            self.show_pairing(None, "")

    def _publish(self, kind: str, payload: dict) -> None:
        self._latest[kind] = self.hub.publish(kind, payload)

    def _network(self) -> dict:
        return {
            "architecture": self.timeline.architecture,
            "activations": self.timeline.activations,
            "per_neuron": self._per_neuron,
            "language": self._language,
            "live_snapshot": self.live_snapshot,
            "snapshots": [
                {"id": s.id, "label": s.label, "images_seen": s.images_seen, "test_accuracy": s.test_accuracy}
                for s in self.timeline.snapshots
            ],
        }


class SampleCycle:
    """The order of the samples scene: a shuffled pool, each shown for ``seconds`` (empty: no cycle)."""

    def __init__(
        self, pool: np.ndarray | None = None, seconds: float = math.inf, rng: random.Random | None = None
    ) -> None:
        self.pool = [] if pool is None else [int(i) for i in pool]
        (rng or random.Random()).shuffle(self.pool)
        self.seconds, self._position, self._due = seconds, 0, math.inf

    def due(self, now: float) -> bool:
        return now >= self._due

    def next(self, now: float) -> int | None:
        """The next sample to show (None: the pool is empty), and when the one after is due."""
        if not self.pool:
            return None
        index = self.pool[self._position % len(self.pool)]
        self._position += 1
        self._due = now + self.seconds if len(self.pool) > 1 else math.inf
        return index


def activation_payload(result: Inference | None, digit: Digit, seq: int, fallback_snapshot: str) -> dict:
    """One frame for the screen: each layer's activations (input pixels first) and the answer.

    ``scales`` are each layer's largest value, so the page can map brightness to 0..1 while
    contributions (weight × activation) stay in the network's own units.
    """
    if result is None:
        return {"seq": seq, "source": "none", "snapshot": fallback_snapshot, "digit": None, "label": None}
    layers = [result.image.reshape(-1), *result.activations]
    return {
        "seq": seq,
        "source": digit.source,
        "label": digit.label,
        "snapshot": result.snapshot,
        "digit": result.digit,
        "probabilities": _rounded(result.probabilities, 4),
        "layers": [_rounded(layer, 3) for layer in layers],
        "scales": [round(max(float(layer.max()), 1e-6), 4) for layer in layers],
    }


def _rounded(values: np.ndarray, digits: int) -> list[float]:
    return np.round(np.asarray(values, dtype=np.float64), digits).tolist()
