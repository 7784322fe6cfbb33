"""The playground session against a real training process: commands in, frames out through a real hub.

Everything here runs on one asyncio loop per module (the session reads the worker's pipe with
``add_reader``), and the two sessions' training processes are started once and side by side: each
takes seconds to load PyTorch. The networks are tiny (100 points, one hidden layer of 4) and paced
at 20 frames and 30 steps a second, so a test sees every frame and can count them. The pacing
itself is checked on a worker with a fake clock.
"""

from __future__ import annotations

import asyncio
import json
import time
from types import SimpleNamespace

import pytest
import pytest_asyncio
from support import layers

import kiosk.playground.session as session_module
from kiosk.hub import EventHub, SubscriberDropped
from kiosk.playground.frames import decode_grid
from kiosk.playground.session import PlaygroundSession
from kiosk.playground.spec import PlaygroundSpec
from kiosk.playground.worker import Worker

# The tests against the real training process share one loop (and the process): the process layer.
module_loop = layers.marks(pytest.mark.asyncio(loop_scope="module"), pytest.mark.process)

FPS = 20
FRAME_S = 1 / FPS
GRID, NEURON_GRID = 16, 8
SPEC = PlaygroundSpec(points=100, hidden=[4])
LOAD_S = 40  # a training process loading PyTorch, two side by side on a busy two-core machine
METRIC_KEYS = {"step", "epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy"}
HISTORY_KEYS = ("step", "train_loss", "test_loss", "train_accuracy", "test_accuracy")


class Recorder:
    """One hub subscriber drained by a background task: every event in order, decoded."""

    def __init__(self, hub: EventHub) -> None:
        self.hub = hub
        self.subscriber = hub.subscribe()
        self.events: list[tuple[str, dict]] = []
        self._new = asyncio.Event()
        self._task = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        try:
            while True:
                for event in await self.subscriber.next_batch():
                    self.events.append((event.kind, json.loads(event.data)))
                self._new.set()
        except SubscriberDropped:
            pass

    def mark(self) -> int:
        """Where the next event will be: ``since`` for the methods below."""
        return len(self.events)

    def of(self, kind: str, since: int = 0, run: int | None = None) -> list[dict]:
        return [data for k, data in self.events[since:] if k == kind and run in (None, data.get("run"))]

    async def until(self, kind: str, condition=lambda data: True, *, since: int = 0, timeout: float = 5.0):
        """(index, data) of the first ``kind`` event from ``since`` on that meets ``condition``."""
        i = since
        async with asyncio.timeout(timeout):
            while True:
                while i < len(self.events):
                    if self.events[i][0] == kind and condition(self.events[i][1]):
                        return i, self.events[i][1]
                    i += 1
                self._new.clear()
                await self._new.wait()

    async def metrics(self, run: int, count: int, *, since: int = 0, timeout: float = 5.0) -> list[dict]:
        """Wait until ``count`` metrics events of ``run`` have come since ``since``; returns them all."""
        await self.until(
            "metrics", lambda d: len(self.of("metrics", since, run)) >= count, since=since, timeout=timeout
        )
        return self.of("metrics", since, run)

    async def close(self) -> None:
        self._task.cancel()
        self.hub.unsubscribe(self.subscriber)


def make_session(*, steps_per_second: int, max_seconds: float) -> PlaygroundSession:
    return PlaygroundSession(
        EventHub(),
        grid=GRID,
        neuron_grid=NEURON_GRID,
        frame_rate=FPS,
        max_seconds=max_seconds,
        steps_per_second=steps_per_second,
    )


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def sessions():
    """``paced``: trains for ever, slowly; ``short``: at full speed for a fifth of a second."""
    both = SimpleNamespace(
        paced=make_session(steps_per_second=30, max_seconds=600),
        short=make_session(steps_per_second=5000, max_seconds=0.2),
    )
    both.paced.prepare()
    both.short.prepare()
    yield both
    for session in (both.paced, both.short):
        await session.close()


@pytest.fixture
def session(sessions) -> PlaygroundSession:
    return sessions.paced


@pytest_asyncio.fixture(loop_scope="module")
async def recorder(session: PlaygroundSession):
    recorder = Recorder(session.hub)
    yield recorder
    await recorder.close()


async def start_running(session: PlaygroundSession, recorder: Recorder, frames: int = 2) -> tuple[int, int]:
    """Start a run and wait for ``frames`` of its frames; returns (run, where its events begin)."""
    since = recorder.mark()
    run = session.start(SPEC)
    await recorder.metrics(run, frames, since=since, timeout=LOAD_S)
    return run, since


async def pause(session: PlaygroundSession, recorder: Recorder) -> dict:
    """Pause and wait until the worker says so; returns that status."""
    since = recorder.mark()
    session.pause()
    _, status = await recorder.until("status", lambda d: d["state"] == "paused", since=since)
    await asyncio.sleep(FRAME_S)  # the rest of that frame (metrics, maps) is published with it
    return status


# --- a session before any run -------------------------------------------------------------------


def test_a_new_session_is_idle_and_has_no_training_process() -> None:
    session = make_session(steps_per_second=30, max_seconds=600)
    assert session.health() == {"state": "idle", "run": 0, "worker": "stopped", "frames": 0}
    assert session._process is None
    initial = session.initial_events()
    assert [event.kind for event in initial] == ["status", "history"]
    assert json.loads(initial[0].data) == {"run": 0, "state": "idle", "step": 0, "epoch": 0}
    assert json.loads(initial[1].data) == {"run": 0} | {key: [] for key in HISTORY_KEYS}


# --- a run's frames -----------------------------------------------------------------------------


@module_loop
async def test_a_run_starts_with_its_config_then_its_points_then_frames(session, recorder) -> None:
    since = recorder.mark()
    run = session.start(SPEC)
    assert run == 1 and session.run == 1
    await recorder.metrics(run, 4, since=since, timeout=LOAD_S)
    kinds = [kind for kind, _ in recorder.events[since:]]
    assert kinds[:7] == ["config", "points", "status", "metrics", "boundary", "neurons", "weights"]
    assert kinds[7:12] == ["status", "metrics", "boundary", "neurons", "weights"]  # and so on, frame by frame
    assert all(data["run"] == run for _, data in recorder.events[since:])

    config = recorder.of("config", since)[0]
    assert config == {
        "run": run,
        "spec": SPEC.to_json(),
        "steps_per_second": 30,  # the session's pace: the spec names none
        "grid": GRID,
        "neuron_grid": NEURON_GRID,
        "extent": [-6.0, 6.0, -6.0, 6.0],
    }
    points = recorder.of("points", since)[0]
    assert len(points["train"]) + len(points["test"]) == 3 * SPEC.points
    assert 0.2 * SPEC.points < len(points["test"]) / 3 < 0.4 * SPEC.points  # test_fraction 0.3
    assert set(points["train"][2::3]) | set(points["test"][2::3]) == {0, 1}

    statuses = recorder.of("status", since)
    assert all(status["state"] == "running" for status in statuses)
    metrics = recorder.of("metrics", since)
    assert all(set(m) == METRIC_KEYS | {"run"} for m in metrics)
    assert all(0 <= m["train_accuracy"] <= 1 and 0 <= m["test_accuracy"] <= 1 for m in metrics)
    assert all(m["train_loss"] > 0 and m["test_loss"] > 0 for m in metrics)
    steps = [m["step"] for m in metrics]
    assert steps[0] == 0 and steps == sorted(set(steps)), steps  # it trains between frames
    assert [s["step"] for s in statuses] == steps

    boundary = recorder.of("boundary", since)[-1]
    assert boundary["size"] == GRID and boundary["extent"] == [-6, 6, -6, 6]
    grid = decode_grid(boundary["probabilities"], GRID)
    assert grid.shape == (GRID, GRID) and 0 <= grid.min() <= grid.max() <= 1
    neurons = recorder.of("neurons", since)[-1]
    assert neurons["size"] == NEURON_GRID and len(neurons["layers"]) == 1 and len(neurons["layers"][0]) == 4
    assert all(decode_grid(m, NEURON_GRID).shape == (NEURON_GRID, NEURON_GRID) for m in neurons["layers"][0])
    weights = recorder.of("weights", since)[-1]["layers"]
    assert [(len(layer["weights"]), len(layer["weights"][0]), len(layer["biases"])) for layer in weights] == [
        (4, 2, 4),
        (1, 4, 1),
    ]
    assert session.state == "running"
    health = session.health()
    assert health["state"] == "running" and health["run"] == run and health["worker"] == "ready"
    assert health["frames"] >= 4


@module_loop
async def test_a_runs_pace_is_its_own_else_the_starters_else_the_sessions(session, recorder) -> None:
    def pace() -> float:  # as a late joiner's config says it
        config = next(event for event in session.initial_events() if event.kind == "config")
        return json.loads(config.data)["steps_per_second"]

    since = recorder.mark()
    session.start(SPEC.model_copy(update={"steps_per_second": 2.5}), 9)
    assert pace() == 2.5
    session.start(SPEC, 9)
    assert pace() == 9
    run = session.start(SPEC)
    assert pace() == 30
    await recorder.metrics(run, 2, since=since, timeout=LOAD_S)  # and it runs


@module_loop
async def test_every_start_is_a_new_run_and_the_old_runs_frames_stop(session, recorder) -> None:
    old, _ = await start_running(session, recorder)
    time.sleep(4 * FRAME_S)  # the loop is busy: frames of the old run wait in the pipe
    since = recorder.mark()
    new = session.start(SPEC)
    assert new == old + 1
    metrics = await recorder.metrics(new, 3, since=since)
    await asyncio.sleep(3 * FRAME_S)
    events = recorder.events[since:]
    assert events[0][0] == "config"
    assert {data["run"] for _, data in events} == {new}, "a frame of the replaced run was published"
    assert metrics[0]["step"] == 0  # trained from scratch
    history = json.loads(next(e for e in session.initial_events() if e.kind == "history").data)
    assert history["run"] == new and history["step"][0] == 0


# --- pause, step, resume, reset -----------------------------------------------------------------


@module_loop
async def test_pause_step_and_resume(session, recorder) -> None:
    run, _ = await start_running(session, recorder, frames=3)
    status = await pause(session, recorder)
    paused_at = status["step"]
    assert status["run"] == run and session.state == "paused"
    assert session.health()["state"] == "paused"
    assert recorder.of("metrics")[-1]["step"] == paused_at

    quiet = recorder.mark()
    await asyncio.sleep(5 * FRAME_S)
    assert recorder.of("metrics", quiet) == [], "metrics kept coming while paused"
    assert recorder.of("status", quiet) == []

    since = recorder.mark()
    session.step(7)
    _, metrics = await recorder.until("metrics", since=since)
    assert metrics["step"] == paused_at + 7
    status = recorder.of("status", since)[-1]
    assert (status["run"], status["state"], status["step"]) == (run, "paused", paused_at + 7)
    since = recorder.mark()
    session.step(1)
    _, metrics = await recorder.until("metrics", since=since)
    assert metrics["step"] == paused_at + 8
    await asyncio.sleep(3 * FRAME_S)
    assert len(recorder.of("metrics", since)) == 1  # one step command, one frame
    assert session.state == "paused"

    since = recorder.mark()
    session.resume()
    _, status = await recorder.until("status", lambda d: d["state"] == "running", since=since)
    await recorder.metrics(run, 3, since=since)
    assert recorder.of("metrics", since)[-1]["step"] > paused_at + 8
    assert session.state == "running"


@module_loop
async def test_step_is_ignored_while_running(session, recorder) -> None:
    run, _ = await start_running(session, recorder, frames=2)
    since = recorder.mark()
    session.step(1000)
    metrics = await recorder.metrics(run, 4, since=since)
    steps = [m["step"] for m in metrics]
    assert max(b - a for a, b in zip(steps, steps[1:], strict=False)) <= 10, steps  # paced, no jump of 1000


@module_loop
async def test_reset_of_a_paused_run_is_idle_and_silent(session, recorder) -> None:
    run, _ = await start_running(session, recorder)
    await pause(session, recorder)
    since = recorder.mark()
    session.reset()
    assert session.state == "idle"
    await asyncio.sleep(6 * FRAME_S)
    assert recorder.of("status", since) == [{"run": run, "state": "idle", "step": 0, "epoch": 0}]
    assert recorder.of("metrics", since) == []
    assert session.state == "idle" and session.health()["state"] == "idle"
    # The worker forgot the run: nothing to step or resume.
    session.step(5)
    session.resume()
    await asyncio.sleep(4 * FRAME_S)
    assert recorder.of("metrics", since) == [] and session.state == "idle"


@module_loop
async def test_reset_of_a_running_run_stays_idle(session, recorder) -> None:
    for _ in range(3):
        await start_running(session, recorder)
        await asyncio.sleep(FRAME_S / 2)  # as a presenter would: any time between two frames
        since = recorder.mark()
        session.reset()
        await asyncio.sleep(6 * FRAME_S)
        assert session.state == "idle"
        assert recorder.of("status", since)[-1]["state"] == "idle", recorder.of("status", since)
        assert recorder.of("metrics", since) == []


# --- late joiners, history ----------------------------------------------------------------------


@module_loop
async def test_a_late_joiner_gets_the_whole_picture_in_order(session, recorder) -> None:
    run, since = await start_running(session, recorder, frames=6)
    status = await pause(session, recorder)
    initial = session.initial_events()
    kinds = [event.kind for event in initial]
    assert kinds == ["config", "status", "points", "history", "metrics", "boundary", "neurons", "weights"]
    state = {event.kind: json.loads(event.data) for event in initial}
    assert all(data["run"] == run for data in state.values())
    assert state["config"]["spec"] == SPEC.to_json()
    assert state["status"] == status and state["status"]["state"] == "paused"
    # The newest of each kind, as published.
    for kind in ("points", "metrics", "boundary", "neurons", "weights"):
        assert state[kind] == recorder.of(kind, since, run)[-1], kind
    # The history holds every metrics point of the run so far.
    published = recorder.of("metrics", since, run)
    assert len(published) >= 7
    for key in HISTORY_KEYS:
        assert state["history"][key] == [m[key] for m in published], key
    assert state["history"]["step"][-1] == state["metrics"]["step"] == status["step"]


@module_loop
async def test_the_history_is_halved_when_full(session, recorder, monkeypatch) -> None:
    monkeypatch.setattr(session_module, "HISTORY_LIMIT", 8)
    run, since = await start_running(session, recorder, frames=13)
    await pause(session, recorder)
    steps = [m["step"] for m in recorder.of("metrics", since, run)]
    expected: list[int] = []
    for step in steps:  # every other point is dropped whenever the limit is reached
        if len(expected) >= 8:
            expected = expected[::2]
        expected.append(step)
    history = json.loads(next(e for e in session.initial_events() if e.kind == "history").data)
    assert len(steps) > 8 and len(history["step"]) <= 8
    assert history["step"] == expected
    assert all(len(history[key]) == len(expected) for key in HISTORY_KEYS)
    assert history["step"][0] == 0 and history["step"][-1] == steps[-1]  # the first and newest are kept


# --- fan-out ------------------------------------------------------------------------------------


@module_loop
async def test_a_slow_subscriber_neither_slows_the_others_nor_piles_up(session, recorder) -> None:
    slow = session.hub.subscribe()  # never reads
    try:
        dropped_before = session.hub.dropped_frames
        run, _ = await start_running(session, recorder)
        frames_before, since = session.frames, recorder.mark()
        await asyncio.sleep(1.5)
        frames = session.frames - frames_before
        assert frames >= 10, f"only {frames} frames in 1.5 s"  # 30 when the machine is not busy
        # The reader got every frame, at the training's pace.
        assert len(recorder.of("boundary", since, run)) >= frames - 1
        assert len(recorder.of("metrics", since, run)) >= frames - 1
        # The slow one holds one event of each kind, the newest, and was not dropped.
        assert not slow.dropped
        batch = await asyncio.wait_for(slow.next_batch(), 1)
        kinds = [event.kind for event in batch]
        assert sorted(kinds) == sorted(
            {"config", "points", "status", "metrics", "boundary", "neurons", "weights"}
        )
        newest = {event.kind: json.loads(event.data) for event in batch}
        assert newest["metrics"]["step"] >= recorder.of("metrics", since, run)[-2]["step"]
        assert session.hub.dropped_frames - dropped_before >= 5 * (frames - 1)  # its stale frames replaced
    finally:
        session.hub.unsubscribe(slow)


# --- the training process -----------------------------------------------------------------------


@module_loop
async def test_a_killed_worker_is_noticed_and_the_next_start_replaces_it(session, recorder) -> None:
    await start_running(session, recorder)
    old = session._process
    since = recorder.mark()
    old.kill()
    await recorder.until("status", lambda d: d["state"] == "idle", since=since)
    assert session.state == "idle" and session._process is None
    assert session.health()["worker"] == "stopped" and session.health()["state"] == "idle"
    quiet = recorder.mark()
    await asyncio.sleep(4 * FRAME_S)
    assert recorder.of("metrics", quiet) == []
    session.pause()  # commands without a worker are harmless
    session.step(3)

    run, since = await start_running(session, recorder)
    assert session._process is not old and session._process.pid != old.pid and session._process.is_alive()
    assert session.health()["worker"] == "ready" and session.state == "running"
    assert recorder.of("metrics", since, run)[0]["step"] == 0


@module_loop
async def test_a_run_is_done_after_max_seconds_then_frames_stop(sessions) -> None:
    session = sessions.short
    recorder = Recorder(session.hub)
    try:
        since = recorder.mark()
        run = session.start(SPEC)
        await recorder.until("status", lambda d: d["state"] == "done", since=since, timeout=LOAD_S)
        assert session.state == "done" and session.health()["state"] == "done"
        trained = recorder.of("metrics", since, run)
        assert trained[-1]["step"] > 0  # it did train
        await asyncio.sleep(FRAME_S)
        quiet = recorder.mark()
        await asyncio.sleep(6 * FRAME_S)
        assert recorder.of("metrics", quiet) == [] and recorder.of("status", quiet) == []
        # A finished run can still be stepped by hand; it stays done.
        session.step(3)
        _, metrics = await recorder.until("metrics", since=quiet)
        assert metrics["step"] == trained[-1]["step"] + 3
        assert recorder.of("status", quiet)[-1]["state"] == "done"
    finally:
        await recorder.close()


@module_loop
async def test_close_stops_the_training_process(sessions) -> None:
    session = sessions.short
    process = session._process
    assert process is not None and process.is_alive()
    await session.close()
    assert not process.is_alive()
    assert process.exitcode == 0  # it stopped when told, it was not killed
    assert session.health()["worker"] == "stopped" and session._process is None


@module_loop
async def test_commands_while_closing_find_no_worker_and_do_nothing(sessions) -> None:
    # The attract machine may pause the playground while the server shuts it down.
    session = sessions.paced
    process = session._process
    assert process is not None and process.is_alive()

    async def keep_pausing() -> None:
        while True:
            session.pause()
            await asyncio.sleep(0.005)

    pauser = asyncio.ensure_future(keep_pausing())
    try:
        await session.close()
    finally:
        pauser.cancel()
    assert not process.is_alive() and process.exitcode == 0
    assert session.health()["worker"] == "stopped" and session._process is None


class QuietPipe:
    """No commands ever; waiting on it waits (real time, or the fake clock's when given one)."""

    def __init__(self, clock=None) -> None:
        self.sent: list[dict] = []
        self.clock = clock

    def poll(self, timeout: float = 0.0) -> bool:
        if self.clock is None:
            time.sleep(timeout)
        else:
            self.clock.now += timeout
        return False

    def send(self, message: dict) -> None:
        self.sent.append(message)


class CountingTrainer:
    """Counts steps, ``seconds_per_step`` each (real time, or the fake clock's)."""

    epoch = 0.0

    def __init__(self, seconds_per_step: float, clock=None) -> None:
        self.step, self.seconds_per_step, self.clock = 0, seconds_per_step, clock

    def train_steps(self, n: int) -> None:
        if self.clock is None:
            time.sleep(self.seconds_per_step * n)
        else:
            self.clock.now += self.seconds_per_step * n
        self.step += n

    def report(self) -> dict:
        return {}

    metrics = boundary = neurons = weights = report


def paced_worker(steps_per_second: float, *, max_seconds: float = 600, clock=None, seconds_per_step=0.001):
    """A worker running a counting trainer at ``steps_per_second``, its pipe and its trainer."""
    pipe = QuietPipe(clock)
    kwargs = {"clock": clock} if clock is not None else {}
    worker = Worker(pipe, grid=2, neuron_grid=2, frame_s=FRAME_S, max_seconds=max_seconds, **kwargs)
    trainer = CountingTrainer(seconds_per_step, clock)
    worker.trainer, worker.state = trainer, "running"
    worker.steps_per_frame = steps_per_second * FRAME_S
    return worker, pipe, trainer


def test_a_paced_run_is_done_after_max_seconds_of_training(clock) -> None:
    worker, pipe, _ = paced_worker(30, max_seconds=0.5, clock=clock)
    started = clock.now
    while worker.state == "running" and clock.now - started < 1.5:
        worker.train_one_frame()
    assert len(pipe.sent) >= 10  # it did run, frame after frame
    assert worker.state == "done", f"still running after {clock.now - started:.1f} s (max_seconds 0.5)"


@pytest.mark.parametrize("steps_per_second", [0.5, 1.5, 4, 30, 200])
def test_the_pace_holds_over_a_minute_also_below_one_step_a_frame(clock, steps_per_second: float) -> None:
    worker, pipe, trainer = paced_worker(steps_per_second, clock=clock)
    start = clock.now
    while clock.now - start < 60:
        worker.train_one_frame()
    assert abs(trainer.step - 60 * steps_per_second) <= 2 + 60 * steps_per_second * 0.01, trainer.step
    # A frame only when something changed: one per frame at most, none between two slow steps.
    frames = min(60 * steps_per_second, 60 / FRAME_S)
    assert abs(len(pipe.sent) - frames) <= 2 + frames * 0.01, len(pipe.sent)
    assert all(m["kind"] == "frame" for m in pipe.sent)


def test_a_machine_too_slow_for_the_pace_trains_slower_without_bursts(clock) -> None:
    # 200 steps a second asked for, 20 ms a step possible: about 50 a second, never more per frame.
    worker, pipe, trainer = paced_worker(200, clock=clock, seconds_per_step=0.02)
    steps_per_frame = []
    start = clock.now
    while clock.now - start < 10:
        before = trainer.step
        worker.train_one_frame()
        steps_per_frame.append(trainer.step - before)
    assert max(steps_per_frame) <= 200 * FRAME_S + 1
    assert 400 <= trainer.step <= 600, trainer.step


def test_a_run_takes_the_pace_given_with_its_start() -> None:
    pipe = QuietPipe()
    worker = Worker(pipe, grid=2, neuron_grid=2, frame_s=0.1, max_seconds=600)
    worker.start(1, SPEC.to_json(), 4)
    assert worker.state == "running" and pipe.sent[0]["kind"] == "started"
    assert worker.steps_per_frame == pytest.approx(0.4)
