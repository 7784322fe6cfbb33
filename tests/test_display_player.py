"""The timeline player: commands, their validation, and the run loop that steps through snapshots."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable

import pytest

import kiosk.display.player as player_module
from kiosk.display.player import SPEEDS, TimelinePlayer


class Recorder:
    """on_change / on_end callbacks that note the player's position and the loop time of each call."""

    def __init__(self) -> None:
        self.player: TimelinePlayer | None = None
        self.changes: list[tuple[int, bool, float]] = []  # (index, playing, speed)
        self.change_times: list[float] = []
        self.ends: list[float] = []
        self.on_end_action: Callable[[TimelinePlayer], None] = lambda player: player.pause()

    def on_change(self) -> None:
        assert self.player is not None
        self.changes.append((self.player.index, self.player.playing, self.player.speed))
        self.change_times.append(time.monotonic())

    def on_end(self) -> None:
        assert self.player is not None
        self.ends.append(time.monotonic())
        self.on_end_action(self.player)


def make_player(count: int = 5, seconds_per_snapshot: float = 60.0) -> tuple[TimelinePlayer, Recorder]:
    recorder = Recorder()
    player = TimelinePlayer(count, seconds_per_snapshot, recorder.on_change, recorder.on_end)
    recorder.player = player
    return player, recorder


async def eventually(condition: Callable[[], bool], timeout: float = 1.5) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.002)


async def running(player: TimelinePlayer):
    task = asyncio.ensure_future(player.run())
    await asyncio.sleep(0)  # let it reach its first wait
    return task


async def stop(task: asyncio.Task) -> None:
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


# --- commands ----------------------------------------------------------------------------------


def test_a_new_player_is_paused_at_the_first_snapshot() -> None:
    player, recorder = make_player(count=7)
    assert player.state() == {"index": 0, "count": 7, "playing": False, "speed": 1.0}
    assert recorder.changes == []


def test_on_change_is_called_only_when_something_really_changes() -> None:
    player, recorder = make_player(count=4)
    player.pause()  # already paused
    player.seek(0)  # already there
    player.set_speed(1.0)  # already so
    player.set_speed(1)  # the same, as an int
    assert recorder.changes == []
    player.play()
    player.play()
    player.seek(3)
    player.seek(3)
    player.set_speed(2.5)
    player.set_speed(2.5)
    player.pause()
    player.pause()
    assert recorder.changes == [(0, True, 1.0), (3, True, 1.0), (3, True, 2.5), (3, False, 2.5)]
    assert player.state() == {"index": 3, "count": 4, "playing": False, "speed": 2.5}


@pytest.mark.parametrize("count", [1, 3, 10])
def test_seek_accepts_every_index_of_the_timeline_and_nothing_else(count: int) -> None:
    player, recorder = make_player(count=count)
    for index in range(count):
        player.seek(index)
        assert player.index == index
    assert [index for index, _, _ in recorder.changes] == list(range(1, count))  # seek(0) from 0: no change
    player.seek(0)
    for bad in (-1, count, count + 5):
        with pytest.raises(ValueError, match=rf"^snapshot index must be 0 to {count - 1}, not {bad}$"):
            player.seek(bad)
    assert player.index == 0


@pytest.mark.parametrize("speed", [SPEEDS[0], 0.5, 1, 3, SPEEDS[1]])
def test_speeds_in_range_are_kept_as_floats(speed: float) -> None:
    player, _ = make_player()
    player.set_speed(speed)
    assert player.speed == float(speed) and isinstance(player.speed, float)


@pytest.mark.parametrize(
    "speed", [0, 0.24, SPEEDS[1] + 0.01, -1, math.nan, math.inf, -math.inf, "2", None, [1], 1e9]
)
def test_other_speeds_are_refused_with_the_allowed_range(speed: object) -> None:
    player, recorder = make_player()
    with pytest.raises(ValueError) as caught:
        player.set_speed(speed)  # type: ignore[arg-type]
    assert str(caught.value) == f"speed must be a number from {SPEEDS[0]} to {SPEEDS[1]}, not {speed!r}"
    assert player.speed == 1.0 and recorder.changes == []


def test_restart_plays_from_the_first_snapshot_without_on_change() -> None:
    player, recorder = make_player(count=5)
    player.seek(4)
    player.set_speed(4)
    recorder.changes.clear()
    player.restart()
    assert player.state() == {"index": 0, "count": 5, "playing": True, "speed": 4.0}
    assert recorder.changes == []


# --- run ---------------------------------------------------------------------------------------


async def test_run_steps_through_the_snapshots_while_playing(monkeypatch) -> None:
    monkeypatch.setattr(player_module, "END_HOLD_S", 60.0)
    player, recorder = make_player(count=5, seconds_per_snapshot=0.01)
    task = await running(player)
    await asyncio.sleep(0.05)
    assert player.index == 0 and recorder.changes == []  # paused: nothing moves
    player.play()
    await eventually(lambda: player.index == 4)
    await asyncio.sleep(0.03)  # the end is held, not passed
    await stop(task)
    assert [index for index, _, _ in recorder.changes] == [0, 1, 2, 3, 4]  # 0: the play command itself
    assert player.index == 4 and recorder.ends == []


async def test_pause_stops_the_steps(monkeypatch) -> None:
    player, recorder = make_player(count=50, seconds_per_snapshot=0.01)
    task = await running(player)
    player.play()
    await eventually(lambda: player.index >= 2)
    player.pause()
    paused_at = player.index
    await asyncio.sleep(0.08)
    assert player.index == paused_at and not player.playing
    player.play()
    await eventually(lambda: player.index > paused_at)
    await stop(task)
    indices = [index for index, playing, _ in recorder.changes if playing]
    assert indices == sorted(indices) and indices[-1] == player.index


async def test_speed_divides_the_time_per_snapshot() -> None:
    player, recorder = make_player(count=4, seconds_per_snapshot=0.4)
    player.set_speed(SPEEDS[1])  # 0.05 s a step
    task = await running(player)
    started = time.monotonic()
    player.play()
    await eventually(lambda: player.index == 3, timeout=1.0)
    elapsed = time.monotonic() - started
    await stop(task)
    assert elapsed >= 3 * 0.4 / SPEEDS[1] - 0.01  # never faster than asked
    assert elapsed < 3 * 0.4  # far faster than at speed 1


async def test_the_last_snapshot_is_held_then_on_end(monkeypatch) -> None:
    monkeypatch.setattr(player_module, "END_HOLD_S", 0.1)
    player, recorder = make_player(count=3, seconds_per_snapshot=0.01)
    task = await running(player)
    player.play()
    await eventually(lambda: len(recorder.ends) == 1)
    await stop(task)
    reached_end = recorder.change_times[[index for index, _, _ in recorder.changes].index(2)]
    assert recorder.ends[0] - reached_end >= 0.1 - 0.01
    assert player.index == 2 and not player.playing  # the test's on_end paused it


async def test_the_end_hold_is_shortened_by_speed(monkeypatch) -> None:
    monkeypatch.setattr(player_module, "END_HOLD_S", 0.4)
    player, recorder = make_player(count=2, seconds_per_snapshot=0.01)
    player.seek(1)
    player.set_speed(8)
    task = await running(player)
    started = time.monotonic()
    player.play()
    await eventually(lambda: len(recorder.ends) == 1, timeout=1.0)
    await stop(task)
    assert 0.4 / 8 - 0.01 <= recorder.ends[0] - started < 0.4


async def test_on_end_may_restart_and_play_goes_on(monkeypatch) -> None:
    monkeypatch.setattr(player_module, "END_HOLD_S", 0.02)
    player, recorder = make_player(count=3, seconds_per_snapshot=0.01)

    def restart_once(player: TimelinePlayer) -> None:
        if len(recorder.ends) == 1:
            player.restart()
        else:
            player.pause()

    recorder.on_end_action = restart_once
    task = await running(player)
    player.play()
    await eventually(lambda: len(recorder.ends) == 2)
    await stop(task)
    # Round one, then (restart is silent) round two from 1, then the second on_end's pause.
    assert [(index, playing) for index, playing, _ in recorder.changes] == [
        *[(0, True), (1, True), (2, True)],
        *[(1, True), (2, True), (2, False)],
    ]


async def test_a_command_during_a_wait_starts_the_wait_again() -> None:
    step = 0.3
    player, recorder = make_player(count=5, seconds_per_snapshot=step)
    task = await running(player)
    started = time.monotonic()
    player.play()
    await asyncio.sleep(step / 2)
    commanded = time.monotonic()
    assert commanded - started < step  # still within the first wait
    player.play()  # changes nothing, but is a command: the wait starts over
    await eventually(lambda: player.index == 1, timeout=2 * step)
    await stop(task)
    first_step = recorder.change_times[1]
    assert first_step - commanded >= step - 0.01
    assert first_step - started >= step * 1.5 - 0.01


async def test_seek_while_playing_moves_at_once_and_plays_on_from_there() -> None:
    player, recorder = make_player(count=10, seconds_per_snapshot=0.05)
    task = await running(player)
    player.play()
    player.seek(7)
    assert player.index == 7 and recorder.changes[-1] == (7, True, 1.0)
    await eventually(lambda: player.index == 8)
    await stop(task)
    assert [index for index, _, _ in recorder.changes] == [0, 7, 8]
