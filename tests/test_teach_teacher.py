"""The teacher (kiosk/teach/teacher.py) with its real lesson process: a lesson shown step by step,
the taught copy reading drawings, and the shipped network back, bit for bit, when it forgets."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
import time
from pathlib import Path

import numpy as np
import pytest
from support import SHIPPED_EXPORT
from support.exports import write_tiny_export

from bench.lesson import misread_sample
from kiosk.model.engine import Engine, Inference
from kiosk.model.export import load_timeline
from kiosk.teach import teacher as teacher_module
from kiosk.teach.teacher import LessonRefused, Teacher

pytestmark = [pytest.mark.process]


class Screen:
    """What the teacher shows, in order."""

    def __init__(self) -> None:
        self.shown: list[tuple[dict, Inference | None]] = []

    def __call__(self, payload: dict, result: Inference | None) -> None:
        self.shown.append((payload, result))

    def states(self) -> list[str]:
        return [payload["state"] for payload, _ in self.shown]


async def until(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the teacher did not get there in time"
        await asyncio.sleep(0.02)


@pytest.fixture
async def teacher():
    engine = Engine(load_timeline(SHIPPED_EXPORT))
    screen = Screen()
    teacher = Teacher(engine, engine.timeline.final_id, screen, step_s=0.0)
    teacher.start()
    await until(lambda: teacher.worker == "ready")
    yield teacher, screen
    await teacher.close()


async def test_a_lesson_is_shown_step_by_step_then_the_copy_reads_and_forgetting_is_exact(teacher) -> None:
    teacher, screen = teacher
    engine = teacher.engine
    image, meant, was = misread_sample(engine)
    probes = engine.timeline.samples.images[:200]
    before = engine.forward(probes.reshape(-1, 784), engine.timeline.final_id)
    number = teacher.begin(image, meant, was, seq=12)
    # At once, before the lesson process answers: the screen turns to the lesson.
    assert screen.states() == ["learning"] and screen.shown[0][0]["step"] == 0
    assert screen.shown[0][1] is not None and screen.shown[0][1].digit == was
    with pytest.raises(LessonRefused) as refused:
        teacher.begin(image, meant, was)
    assert refused.value.reason == "busy"
    await until(lambda: not teacher.busy)
    states = screen.states()
    assert states[-1] == "learned" and set(states[:-1]) == {"learning"} and len(states) >= 3
    steps = [payload["step"] for payload, _ in screen.shown[:-1]]
    assert steps == list(range(len(steps)))
    learned, result = screen.shown[-1]
    assert learned["lesson"] == number and (learned["meant"], learned["was"], learned["seq"]) == (
        meant,
        was,
        12,
    )
    assert learned["now"] == meant == result.digit and engine.infer(image).digit == meant
    # Measured on the 10,000 test digits: the shipped network's own accuracy first.
    assert learned["accuracy_before"] == pytest.approx(engine.timeline.snapshots[-1].test_accuracy, abs=0.002)
    assert 0.5 < learned["accuracy_after"] <= 1.0
    assert all(np.isfinite(learned["probabilities"])) and learned["changes"]
    # Forgetting: the shipped weights answer again, bit for bit.
    assert teacher.forget() is True
    assert screen.shown[-1] == ({"state": "idle"}, None)
    after = engine.forward(probes.reshape(-1, 784), engine.timeline.final_id)
    assert all(np.array_equal(a, b) for a, b in zip(before, after, strict=True))
    assert engine.infer(image).digit == was
    assert teacher.forget() is False  # nothing left to forget: nothing shown
    assert screen.states()[-1] == "idle" and screen.states().count("idle") == 1


async def test_forgetting_during_a_lesson_drops_the_rest_of_it(teacher) -> None:
    teacher, screen = teacher
    teacher.step_s = 0.2  # slow enough to forget in the middle
    image, meant, was = misread_sample(teacher.engine)
    teacher.begin(image, meant, was)
    await until(lambda: len(screen.shown) >= 2)
    teacher.forget()
    shown = len(screen.shown)
    await asyncio.sleep(1.0)
    assert len(screen.shown) == shown and screen.states()[-1] == "idle"  # later steps were ignored
    assert not teacher.engine.taught(teacher.snapshot) and teacher.engine.infer(image).digit == was


async def test_a_lesson_process_that_dies_fails_the_lesson_and_the_next_one_starts_it_again(
    teacher, caplog: pytest.LogCaptureFixture
) -> None:
    teacher, screen = teacher
    teacher.step_s = 0.3
    image, meant, was = misread_sample(teacher.engine)
    teacher.begin(image, meant, was)
    await until(lambda: len(screen.shown) >= 2)
    with caplog.at_level(logging.ERROR):
        os.kill(teacher._process.pid, signal.SIGKILL)
        await until(lambda: screen.states()[-1] == "failed")
    assert "lesson process stopped" in caplog.text and not teacher.busy
    assert teacher.engine.infer(image).digit == was  # nothing changed
    teacher.step_s = 0.0  # (read by the next process)
    teacher.begin(image, meant, was)  # waits for the new process, then runs
    await until(lambda: screen.states()[-1] == "learned", seconds=90)
    assert teacher.engine.infer(image).digit == meant


async def test_without_teaching_data_lessons_are_refused_as_unavailable(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = Engine(load_timeline(write_tiny_export(tmp_path / "tiny")))
    teacher = Teacher(engine, engine.timeline.final_id, Screen())
    with caplog.at_level(logging.WARNING):
        teacher.start()
        with pytest.raises(LessonRefused) as refused:
            teacher.begin(np.zeros((28, 28), np.float32), 3, 1)
    assert refused.value.reason == "unavailable" and teacher.worker == "unavailable"
    assert "carries no teaching data" in caplog.text and teacher._process is None
    await teacher.close()


async def test_broken_teaching_data_is_found_by_the_lesson_process_and_a_waiting_lesson_fails(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "export"
    shutil.copytree(SHIPPED_EXPORT, folder)
    (folder / "teaching.u8").write_bytes(b"\0" * 1000)  # cut short
    engine = Engine(load_timeline(folder))
    screen = Screen()
    teacher = Teacher(engine, engine.timeline.final_id, screen)
    with caplog.at_level(logging.WARNING):
        teacher.begin(np.zeros((28, 28), np.float32), 3, 1)  # starts the process, waits for it
        await until(lambda: teacher.worker == "unavailable")
    assert screen.states() == ["learning", "failed"]
    assert "teaching.u8: holds 1000 bytes" in caplog.text
    with pytest.raises(LessonRefused):
        teacher.begin(np.zeros((28, 28), np.float32), 3, 1)
    await teacher.close()


async def test_a_lesson_that_cannot_be_shown_fails_and_the_next_one_runs(
    teacher, caplog: pytest.LogCaptureFixture
) -> None:
    teacher, screen = teacher
    image, meant, was = misread_sample(teacher.engine)
    show = teacher.show

    def broken(payload: dict, result) -> None:
        if payload["state"] == "learned":
            raise RuntimeError("a bug in the screen")
        show(payload, result)

    teacher.show = broken
    with caplog.at_level(logging.ERROR):
        teacher.begin(image, meant, was)
        await until(lambda: not teacher.busy)
    assert "could not be shown" in caplog.text and screen.states()[-1] == "failed"
    assert not teacher.engine.taught(teacher.snapshot)  # nothing half-taught stays
    teacher.show = show
    teacher.begin(image, meant, was)
    await until(lambda: screen.states()[-1] == "learned")


async def test_a_lesson_process_that_hangs_is_stopped_and_the_lesson_fails(
    teacher, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    teacher, screen = teacher
    monkeypatch.setattr(teacher_module, "SILENCE_S", 1.0)
    teacher.step_s = 0.3
    image, meant, was = misread_sample(teacher.engine)
    teacher.begin(image, meant, was)
    await until(lambda: len(screen.shown) >= 2)
    hung = teacher._process
    os.kill(hung.pid, signal.SIGSTOP)  # alive, but silent
    with caplog.at_level(logging.ERROR):
        await until(lambda: screen.states()[-1] == "failed", seconds=10)
    assert "did not answer for 1 s" in caplog.text and not teacher.busy
    await asyncio.to_thread(hung.join, 5)
    assert not hung.is_alive()  # killed, not left behind


async def test_closing_while_the_process_still_loads_does_not_wait_for_it() -> None:
    engine = Engine(load_timeline(SHIPPED_EXPORT))
    teacher = Teacher(engine, engine.timeline.final_id, Screen())
    teacher.start()
    process = teacher._process
    assert teacher.worker == "starting"
    started = time.monotonic()
    await teacher.close()
    assert time.monotonic() - started < 2 and not process.is_alive()  # not the 5 s grace
    assert teacher.worker == "stopped"
