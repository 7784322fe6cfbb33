"""The benchmarks' own arithmetic: matching screen frames to tablet pointer events
(bench/pointer_latency.py), pooling rounds and new/old ratios (bench/display_frames.py), the
baseline checkout that is removed again, and the network's on-screen extent (tools/screenshots.py).
No browser: the measurements themselves run in make bench and make screenshots."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from bench import display_frames, pointer_latency

ONE = [0.0] * 10
TWO = [0.0, 0.0, 1.0] + [0.0] * 7


def _send(t: float, revision: int, changes: bool = True) -> dict:
    return {"t": t, "attempt": 1, "revision": revision, "changes": changes}


def test_each_answer_on_screen_is_timed_from_the_pointer_events_it_first_shows() -> None:
    watched = {
        "origin": 1000.0,  # the tablet page's timeOrigin: its performance.now() times are offsets
        "attempt": 1,
        "sends": [_send(5, 1), _send(20, 2), _send(25, 2, changes=False), _send(110, 3)],
        "pointers": [  # epoch times; "sends": how many messages had been sent before it
            {"t": 1000.0, "handled": 1002.0, "sends": 0},
            {"t": 1010.0, "handled": 1011.0, "sends": 1},
            {"t": 1100.0, "handled": 1101.0, "sends": 3},
            {"t": 1300.0, "handled": 1301.0, "sends": 4},  # after the last change: led to nothing
        ],
        "answers": [
            {"t": 40, "attempt": 1, "seq": 2, "digit": 0, "probabilities": ONE},
            {"t": 130, "attempt": 1, "seq": 3, "digit": 2, "probabilities": TWO},
        ],
    }
    shown = [
        {"arrived": 900.0, "shown": 910.0, "source": "sample", "digit": 0, "probabilities": ONE},
        {"arrived": 1041.0, "shown": 1050.0, "source": "visitor", "digit": 0, "probabilities": ONE},
        {"arrived": 1131.0, "shown": 1145.0, "source": "visitor", "digit": 2, "probabilities": TWO},
        {"arrived": 1140.0, "shown": 1150.0, "source": "visitor", "digit": 5, "probabilities": ONE},
    ]
    result = pointer_latency.match(watched, shown)
    assert result["answers_shown"] == 2
    assert result["screen_activations_unmatched"] == 1  # the 5 no tablet answer said
    oldest, newest = result["from_oldest_pointer_ms"], result["from_newest_pointer_ms"]
    assert (oldest["n"], oldest["max"], oldest["p50"]) == (2, 50.0, 47.5)  # 1050 - 1000, 1145 - 1100
    assert (newest["max"], newest["p50"]) == (45.0, 42.5)  # 1050 - 1010, 1145 - 1100
    assert result["stages_ms"]["screen_event_to_frame"]["max"] == 14.0
    assert result["met"] is True  # the p95 of 50 and 45 ms is within the goal of 50


def test_an_answer_is_not_matched_to_a_screen_event_far_from_it_in_time() -> None:
    answer = {"arrived": 1000.0, "digit": 3, "probabilities": ONE}
    assert pointer_latency._same(answer, {"arrived": 1400.0, "digit": 3, "probabilities": ONE})
    assert not pointer_latency._same(answer, {"arrived": 2500.0, "digit": 3, "probabilities": ONE})
    assert not pointer_latency._same(answer, {"arrived": 1000.0, "digit": 4, "probabilities": ONE})
    assert not pointer_latency._same(answer, {"arrived": 1000.0, "digit": 3, "probabilities": TWO})


def test_rounds_are_pooled_and_compared_new_over_old() -> None:
    def raw(intervals: list[float]) -> tuple[dict, float]:
        events = [[5.0, 1]] * 4
        return {
            "intervals": intervals,
            "events": events,
            "pixel_ratio": 1,
            "software": True,
            "lines_drawn": 9,
        }, 2

    old = display_frames.pooled([raw([20.0] * 50), raw([20.0] * 50)])
    new = display_frames.pooled([raw([10.0] * 50), raw([10.0] * 50)])
    assert (old["rounds"], old["frames"], old["activation_events"]) == (2, 100, 8)
    assert display_frames.ratios(new, old) == {
        "frame_ms_median": 0.5,
        "frame_ms_p95": 0.5,
        "event_to_frame_frames_p95": 1.0,
    }


@pytest.mark.process
def test_the_baseline_checkout_is_removed_afterwards() -> None:
    with display_frames.baseline_tree("HEAD") as tree:
        assert (tree / "kiosk" / "__init__.py").is_file()
        assert (tree / "display" / "node_modules").is_symlink()
        listed = subprocess.run(["git", "worktree", "list"], capture_output=True, text=True).stdout
        assert str(tree) in listed
    assert not tree.exists()
    listed = subprocess.run(["git", "worktree", "list"], capture_output=True, text=True).stdout
    assert str(tree) not in listed


def test_the_networks_extent_is_the_box_around_what_differs_from_the_background() -> None:
    from tools.screenshots import extent_of

    picture = np.zeros((50, 100, 3), np.uint8)
    picture[:] = (11, 16, 32)  # the screen's dark background
    picture[5:35, 10:60] = (200, 200, 220)  # the network
    picture[20, 90] = (14, 18, 36)  # too faint to count
    assert extent_of(picture) == [50.0, 60.0]
    picture[45, 95] = (255, 160, 0)  # a line reaching out
    assert extent_of(picture) == [86.0, 82.0]
    assert extent_of(np.zeros((50, 100, 3), np.uint8)) == [0.0, 0.0]
