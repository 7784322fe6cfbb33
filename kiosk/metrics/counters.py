"""What the exhibit counts as it happens: drawings, answers, their latency, refused tablet messages.

The tablets' sessions call ``answered`` and ``refused`` (through ``TabletPeers.on_answer`` and
``on_refused``); the counts live in the app's own registry and only ever grow while it runs.

- A drawing is counted at the network's first answer to it: the first stroke after the tablet
  was empty (a new visitor, or "clear"). A drawing that a tablet re-sends after reconnecting is
  not counted again.
- Every answer sent to a tablet is a prediction (many per drawing, up to
  ``tablet.predictions_per_second`` while the pen moves); its latency is the time the network
  took to read the drawing (rasterise and infer), typically well under a millisecond.
- A refused tablet message is counted by its error code (docs/protocol.md); ``TABLET_REASONS``
  lists the codes the exhibit uses, anything else is counted as ``other`` so that the number of
  label values stays fixed.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

# Codes of kiosk/tablet/protocol.py and drawing.py, the session's "internal" and "flood".
TABLET_REASONS = (
    *("too_large", "bad_json", "bad_message", "bad_version", "unknown_type", "bad_points"),
    *("unknown_language", "too_many_strokes", "unknown_stroke", "too_many_points"),
    *("no_drawing", "stale", "already_answered", "lesson_running", "too_many_verdicts"),
    *("internal", "flood", "other"),
)
# Seconds; an answer takes ~0.2 ms on an exhibit PC, a busy or slow one a few ms.
LATENCY_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25)


class ExhibitCounters:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.drawings = Counter(
            "nn_kiosk_drawings",
            "Drawings visitors made on a tablet (each counted when the network first answers it).",
            registry=registry,
        )
        self.predictions = Counter(
            "nn_kiosk_predictions",
            "Answers the network sent to tablets (several per drawing while the pen moves).",
            registry=registry,
        )
        self.latency = Histogram(
            "nn_kiosk_prediction_seconds",
            "Time the network took to read one drawing and answer, in seconds.",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.rejected_messages = Counter(
            "nn_kiosk_rejected_tablet_messages",
            "Messages from tablets the exhibit refused, by reason (docs/protocol.md).",
            ["reason"],
            registry=registry,
        )
        for reason in TABLET_REASONS:  # every reason from the start: a steady set of series
            self.rejected_messages.labels(reason)

    def answered(self, seconds: float, first: bool) -> None:
        """A tablet got an answer that took ``seconds``; ``first``: the first one for its drawing."""
        self.predictions.inc()
        self.latency.observe(seconds)
        if first:
            self.drawings.inc()

    def refused(self, code: str) -> None:
        """A tablet's message was refused with ``code``."""
        self.rejected_messages.labels(code if code in TABLET_REASONS else "other").inc()
