"""The exhibit's background loops (kiosk/background.py): each step comes on time, a failing step
is logged by name and the next one still comes, ``next_in`` brings a step forward, and ``stop``
cancels every loop and waits for it. Intervals are a few milliseconds of real time: these are
event-loop tasks."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from kiosk.background import BackgroundTasks


async def until(condition, timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.005)


async def test_a_failing_step_is_logged_by_name_and_the_next_one_comes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls: list[int] = []

    def step() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("a bug in the step")

    tasks = BackgroundTasks()
    tasks.every("screen tick", step, 0.01)
    with caplog.at_level(logging.ERROR, logger="kiosk.background"):
        tasks.start()
        await until(lambda: len(calls) >= 3)
        await tasks.stop()
    assert [r.getMessage() for r in caplog.records] == ["screen tick failed"]
    assert "a bug in the step" in caplog.text  # with its traceback


async def test_stop_cancels_every_loop_and_waits_for_it() -> None:
    calls: list[str] = []
    tasks = BackgroundTasks()
    tasks.every("a", lambda: calls.append("a"), 0.01)
    tasks.every("b", lambda: calls.append("b"), 0.01)
    assert tasks.names == ["a", "b"]
    tasks.start()
    await until(lambda: {"a", "b"} <= set(calls))
    await tasks.stop()
    count = len(calls)
    await asyncio.sleep(0.05)
    assert len(calls) == count  # nothing runs after stop()


async def test_next_in_brings_a_step_forward() -> None:
    calls: list[float] = []
    tasks = BackgroundTasks()
    tasks.every("attract machine tick", lambda: calls.append(time.monotonic()), 60.0, next_in=lambda: 0.0)
    tasks.start()
    try:
        await until(lambda: len(calls) >= 2)  # long before the 60 s interval
    finally:
        await tasks.stop()


async def test_a_loop_of_its_own_that_ends_with_an_error_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    async def player() -> None:
        raise RuntimeError("the player broke")

    tasks = BackgroundTasks()
    tasks.run("timeline player", player)
    with caplog.at_level(logging.ERROR, logger="kiosk.background"):
        tasks.start()
        await until(lambda: "timeline player stopped with an error" in caplog.text)
        await tasks.stop()
    assert "the player broke" in caplog.text
