"""What the exhibit screen shows, owned by the server: scene, current digit, timeline, overlays.

Everything the page needs reaches it as an event on the hub; the newest event of each kind is
kept, so a screen that (re)connects gets the whole state first (``initial_events``) and then
follows the live events. The page computes nothing heavy: activations, predictions and the
connection sets come from here.

Scenes: ``live`` while a visitor draws (the trained network answers their drawing) and
``timeline`` between visitors (training replayed on the visitor's last digit or an MNIST test
sample). The attract scheduler (issue 6) will add scenes and own the switching; until then a
visitor's first stroke switches to ``live`` and ``idle_s`` without strokes switches back.
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

from kiosk.display.player import TimelinePlayer
from kiosk.hub import Event, EventHub, make_event
from kiosk.model.engine import Engine, Inference
from kiosk.tablet.pairing import PairingCode

SCENES = ("live", "timeline", "playground")
EVENT_ORDER = ("network", "scene", "timeline", "activation", "pairing", "neuron")  # initial snapshot


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
        idle_s: float,
        connections_per_neuron: int,
        language: str,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.hub, self.engine, self.live_snapshot = hub, engine, live_snapshot
        self.timeline = engine.timeline
        self.idle_s, self.clock, self.rng = idle_s, clock, rng or random.Random()
        self.player = TimelinePlayer(
            len(self.timeline.snapshots), seconds_per_snapshot, self._timeline_moved, self._timeline_ended
        )
        self.scene = "timeline"
        self.digit = BLANK
        self.last_activity = -math.inf
        self._latest: dict[str, Event] = {}
        self._seq = 0
        self._pairing: tuple[PairingCode, str] | None = None
        self._publish("network", self._network(connections_per_neuron, language))
        self._publish("pairing", {"open": False, "paired": False})
        self._publish("neuron", {"index": None})
        self._start_over()

    # What a (re)connecting screen gets first.
    def initial_events(self) -> list[Event]:
        latest = dict(self._latest)
        if self._pairing:  # the countdown starts from now, not from when the window opened
            latest["pairing"] = make_event("pairing", self._pairing_payload(*self._pairing))
        return [latest[kind] for kind in EVENT_ORDER if kind in latest]

    # From the tablet.
    def visitor_active(self) -> None:
        """The pen moved: hand the screen to the visitor at once."""
        self.last_activity = self.clock()
        if self.scene != "live":
            self.player.pause()
            self.set_scene("live")

    def show_drawing(self, result: Inference | None) -> None:
        """The tablet's newest answer (None: the visitor cleared the drawing)."""
        self.last_activity = self.clock()
        if result is None:
            if self.scene == "live":  # cleared on the tablet; a timeline's digit stays as it is
                self.digit = BLANK
                self._publish_activation(None)
            return
        self.digit = Digit(result.image, "visitor")
        if self.scene == "live":
            self._publish_activation(result)

    # Commands (admin API now; attract scheduler and presenter later).
    def set_scene(self, scene: str) -> None:
        if scene not in SCENES:
            raise ValueError(f"scene must be one of {', '.join(SCENES)}, not {scene!r}")
        self.scene = scene
        if scene == "live":
            self.last_activity = self.clock()  # held for idle_s like a visitor's, not undone at once
        elif scene == "timeline":
            self.player.play()
        self._publish("scene", {"scene": scene})
        self._show_digit()

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

    async def run(self) -> None:
        """Play the timeline and hand the screen back to it when the visitor has gone."""
        player = asyncio.ensure_future(self.player.run())
        try:
            while True:
                await asyncio.sleep(0.25)
                if self.scene == "live" and self.clock() - self.last_activity >= self.idle_s:
                    self._start_over()
        finally:
            player.cancel()

    # Internals.
    def _start_over(self, digit: Digit | None = None) -> None:
        """Timeline from the random start, on ``digit``, or the visitor's last one, or a test sample."""
        if digit is not None:
            self.digit = digit
        elif self.digit.source != "visitor":
            self.digit = self._sample_digit()
        self.scene = "timeline"
        self._publish("scene", {"scene": "timeline"})
        self.player.restart()
        self._timeline_moved()

    def _timeline_ended(self) -> None:
        self._start_over(self._sample_digit())  # the next round shows another digit

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

    def _sample_digit(self) -> Digit:
        samples = getattr(self.timeline, "samples", None)
        if samples is None or len(samples.labels) == 0:
            return BLANK
        i = self.rng.randrange(len(samples.labels))
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

    def _network(self, per_neuron: int, language: str) -> dict:
        return {
            "architecture": self.timeline.architecture,
            "activations": self.timeline.activations,
            "per_neuron": per_neuron,
            "language": language,
            "live_snapshot": self.live_snapshot,
            "snapshots": [
                {"id": s.id, "label": s.label, "images_seen": s.images_seen, "test_accuracy": s.test_accuracy}
                for s in self.timeline.snapshots
            ],
        }


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
