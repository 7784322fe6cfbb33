"""The self-test's verdict from what each drawing got: pass or fail, in words staff can act on.

It passes when
- at least ``MIN_ACCURACY`` of the drawings were read as the digit they are (the shipped network
  reads all 30 shipped drawings right; a network that reads fewer than 80 % of real handwriting
  is the wrong model, or an early snapshot of its training);
- the exhibit answered a drawing in ``SLOW_MS`` or less, as the median (on an idle PC it is a few
  milliseconds; a visitor notices a lag from about a tenth of a second);
- the screen's event stream showed every drawing.
Each failed condition comes with what to do.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

MIN_ACCURACY = 0.8
SLOW_MS = 250.0


@dataclass(frozen=True)
class Drawing:
    """What one drawing got: the network's answer, how long it took, and whether the screen showed it."""

    source: str  # e.g. "pendigits-train/7"
    label: int
    answer: int
    answer_ms: float  # the tablet's last stroke message → the answer for the whole drawing
    on_screen: bool


@dataclass(frozen=True)
class Verdict:
    passed: bool
    summary: str  # "PASS — …" or "FAIL — …", one line
    todo: list[str]  # per failed condition: what failed, and what to do
    misread: list[str]  # "a 7 read as 1 (pendigits-train/123)"


def judge(drawings: list[Drawing], min_accuracy: float = MIN_ACCURACY, slow_ms: float = SLOW_MS) -> Verdict:
    """The verdict on the drawings of one self-test (at least one)."""
    right = sum(d.answer == d.label for d in drawings)
    shown = sum(d.on_screen for d in drawings)
    times = [d.answer_ms for d in drawings]
    median, slowest = statistics.median(times), max(times)
    accuracy = right / len(drawings)
    todo = []
    if accuracy < min_accuracy:
        todo.append(
            f"Only {right} of {len(drawings)} drawings were read right ({_percent(min_accuracy)} expected): "
            "check model.export (the shipped model is exports/mnist-mlp) and model.snapshot (final) in "
            "the config, then restart the exhibit."
        )
    if median > slow_ms:
        todo.append(
            f"The answers are slow ({median:.0f} ms median, {slow_ms:.0f} ms at most expected): is the PC "
            "busy with something else (top)? Restart the exhibit: sudo systemctl restart nn-kiosk."
        )
    if shown < len(drawings):
        todo.append(
            f"The screen's event stream showed {shown} of {len(drawings)} drawings: if a presenter took "
            "the exhibit meanwhile, run the self-test again later; else restart the exhibit "
            "(sudo systemctl restart nn-kiosk) and keep its log for the developers "
            "(journalctl -u nn-kiosk -b)."
        )
    screen = "every drawing" if shown == len(drawings) else f"{shown} of {len(drawings)} drawings"
    summary = (
        f"{'FAIL' if todo else 'PASS'} — {right} of {len(drawings)} drawings read right "
        f"({_percent(accuracy)}), answer in {median:.0f} ms median / {slowest:.0f} ms slowest; "
        f"the screen stream showed {screen}"
    )
    misread = [f"a {d.label} read as {d.answer} ({d.source})" for d in drawings if d.answer != d.label]
    return Verdict(not todo, summary, todo, misread)


def _percent(fraction: float) -> str:
    return f"{100 * fraction:.0f} %"
