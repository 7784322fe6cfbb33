"""The self-test's parts on their own: its shipped drawings and their licence, the verdict, and how
it reads the screen's event stream."""

from __future__ import annotations

import asyncio
import json
import os
from collections import Counter
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from support import REPO

from kiosk.selftest import run
from kiosk.selftest.run import Failed, _check_scene
from kiosk.selftest.samples import LICENCE_FILE, SAMPLES_FILE, SamplesError, load_samples, select
from kiosk.selftest.samples import main as regenerate
from kiosk.selftest.screen_watch import ScreenWatch
from kiosk.selftest.verdict import Drawing, judge

PEN_FILE = Path(os.environ.get("PEN_FILE") or REPO.parent / "shared/data/pen/pendigits-train.jsonl")


# ---- the shipped drawings ----------------------------------------------------------------------


def test_the_shipped_drawings_parse_three_of_each_digit_from_three_writers() -> None:
    digits = load_samples()
    assert Counter(d.label for d in digits) == {digit: 3 for digit in range(10)}
    assert [d.label for d in digits[:10]] == list(range(10))  # digit by digit: a short run sees all
    records = [json.loads(line) for line in SAMPLES_FILE.read_text(encoding="utf-8").splitlines()]
    for digit in range(10):
        assert len({r["writer"] for r in records if r["label"] == digit}) == 3
    assert all(d.source.startswith("pendigits-train/") for d in digits)


def test_the_shipped_drawings_come_with_their_licence_and_attribution() -> None:
    licence = LICENCE_FILE.read_text(encoding="utf-8")
    assert LICENCE_FILE.parent == SAMPLES_FILE.parent  # both inside kiosk/: make install ships them
    for needed in (
        "Pen-Based Recognition of Handwritten Digits",
        "E. Alpaydin and F. Alimoglu",
        "UCI Machine Learning Repository, 1996",
        "https://doi.org/10.24432/C5MG6K",
        "CC BY 4.0",
        "https://creativecommons.org/licenses/by/4.0/",
        "python -m kiosk.selftest.samples",
    ):
        assert needed in licence


@pytest.mark.skipif(not PEN_FILE.is_file(), reason=f"{PEN_FILE} is not here")
def test_the_documented_command_regenerates_the_shipped_file_byte_for_byte(tmp_path: Path) -> None:
    assert regenerate([str(PEN_FILE), "--out", str(tmp_path / "again.jsonl")]) == 0
    assert (tmp_path / "again.jsonl").read_bytes() == SAMPLES_FILE.read_bytes()


def test_the_rule_takes_the_first_drawings_of_different_writers_in_file_order() -> None:
    records = [
        {"id": "a", "label": 1, "writer": "w1"},
        {"id": "b", "label": 1, "writer": "w1"},  # the same writer again: passed over
        {"id": "c", "label": 0, "writer": "w2"},
        {"id": "d", "label": 1, "writer": "w2"},
        {"id": "e", "label": 1, "writer": "w3"},  # a third 1 when two are wanted: passed over
    ]
    assert [r["id"] for r in select(records, per_digit=2)] == ["c", "a", "d"]


def test_a_damaged_samples_file_is_a_clear_error(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.jsonl"
    damaged.write_text('{"label": 3, "strokes": "not strokes"}\n')
    with pytest.raises(SamplesError, match="damaged .*line 1"):
        load_samples(damaged)
    with pytest.raises(SamplesError, match="cannot read"):
        load_samples(tmp_path / "missing.jsonl")


# ---- the verdict ---------------------------------------------------------------------------------


def drawings(right: int, wrong: int = 0, ms: float = 5.0, on_screen: bool = True) -> list[Drawing]:
    return [Drawing(f"s{i}", 7, 7, ms + i, on_screen) for i in range(right)] + [
        Drawing(f"w{i}", 9, 4, ms, on_screen) for i in range(wrong)
    ]


def test_a_good_run_passes_with_accuracy_and_latency_in_one_line() -> None:
    verdict = judge(drawings(28, 2, ms=10.0))
    assert verdict.passed and verdict.todo == []
    assert verdict.summary == (
        "PASS — 28 of 30 drawings read right (93 %), answer in 22 ms median / 37 ms slowest; "
        "the screen stream showed every drawing"
    )
    assert verdict.misread == ["a 9 read as 4 (w0)", "a 9 read as 4 (w1)"]


def test_too_many_wrong_answers_fail_and_name_the_model_settings() -> None:
    verdict = judge(drawings(20, 10))
    assert not verdict.passed and verdict.summary.startswith("FAIL — 20 of 30 drawings read right (67 %)")
    assert (
        len(verdict.todo) == 1 and "model.export" in verdict.todo[0] and "model.snapshot" in verdict.todo[0]
    )


def test_a_screen_that_did_not_show_the_drawings_fails() -> None:
    verdict = judge(drawings(3, on_screen=False))
    assert not verdict.passed and verdict.summary.endswith("the screen stream showed 0 of 3 drawings")
    assert "restart the exhibit" in verdict.todo[0]


def test_slow_answers_fail() -> None:
    verdict = judge(drawings(30, ms=400.0))
    assert not verdict.passed and verdict.todo[0].startswith("The answers are slow (414 ms median")


def test_closed_and_presenter_states_fail_with_what_to_do() -> None:
    with pytest.raises(Failed, match="closed now .*opens at 2026-12-07T10:00") as closed:
        _check_scene("closed", opens_at="2026-12-07T10:00:00+01:00")
    assert "opening hours" in closed.value.todo
    with pytest.raises(Failed, match=r"a presenter \(Anna\) holds the exhibit") as held:
        _check_scene("presenter", "Anna")
    assert "Release" in held.value.todo
    for open_state in ("attract", "visitor", None):
        _check_scene(open_state)


# ---- the screen's event stream -------------------------------------------------------------------

ANSWER = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.9876, 0.0123, 0.0001]


async def test_the_screen_watch_reads_state_and_finds_the_answer_whatever_the_chunks(aiohttp_server) -> None:
    events = [
        ("exhibit", {"state": "attract", "presenter": None}),
        ("pairing", {"open": False}),
        ("activation", {"source": "visitor", "digit": 7, "probabilities": [0.1] * 10}),  # an earlier stroke
        ("activation", {"source": "sample", "digit": 7, "probabilities": ANSWER}),  # not a visitor's
        ("activation", {"source": "visitor", "digit": 7, "probabilities": [p + 1e-4 for p in ANSWER]}),
    ]
    stream = b"retry: 2000\n\n: a comment\n\n" + b"".join(
        f"event: {kind}\ndata: {json.dumps(data)}\n\n".encode() for kind, data in events
    )
    go_on = asyncio.Event()

    async def events_route(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        half = len(stream) // 2 + 3  # mid-line
        await response.write(stream[:half])
        await go_on.wait()
        await response.write(stream[half:])
        await asyncio.sleep(10)
        return response

    app = web.Application()
    app.router.add_get("/api/display/events", events_route)
    server = await aiohttp_server(app)
    async with aiohttp.ClientSession() as http:
        watch = ScreenWatch(http, str(server.make_url("/")))
        await watch.open()
        assert (await watch.state("exhibit", 2))["state"] == "attract"
        mark = watch.mark()
        assert await watch.shown(mark, 7, ANSWER, timeout=0.1) is None  # not yet
        go_on.set()
        shown = await watch.shown(mark, 7, ANSWER, timeout=2)
        assert shown is not None and shown.activation["probabilities"][7] == pytest.approx(0.9877)
        assert await watch.shown(watch.mark(), 7, ANSWER, timeout=0.1) is None  # only later ones count
        assert watch.latest["pairing"] == {"open": False}
        await watch.close()


@pytest.mark.parametrize(("address", "advice"), [(None, "no network address"), ("192.168.1.20", "firewall")])
def test_no_webrtc_advice_tells_a_pc_without_network_from_a_firewall(
    monkeypatch: pytest.MonkeyPatch, address: str | None, advice: str
) -> None:
    monkeypatch.setattr(run, "lan_address", lambda: address)
    assert advice in run._no_webrtc_todo()
