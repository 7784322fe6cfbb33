"""GET /metrics: the numbers change as the exhibit is used, read back the way Prometheus reads them."""

from __future__ import annotations

import asyncio
import json
import re
import time
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from kiosk.app import create_app
from kiosk.config import AttractConfig, Config, ModelConfig, OpeningHoursConfig, TabletConfig
from kiosk.keys import ADMIN, DIRECTOR, PLAYGROUND
from kiosk.metrics.counters import TABLET_REASONS, ExhibitCounters
from kiosk.model.engine import Engine
from kiosk.model.export import load_timeline
from kiosk.model.strokes import StrokeLimits
from kiosk.playground.spec import parse_spec
from kiosk.tablet.session import SessionHooks, TabletSession
from kiosk.tablet.virtual import VirtualTablet
from tools.sse_client import SseReader

REPO = Path(__file__).resolve().parent.parent
ONE = [[50, 0, 0], [50, 50, 10], [51, 100, 20]]
SEVEN = [[0, 0, 0], [60, 0, 10], [30, 100, 20]]

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def parse(text: str) -> Samples:
    """Every sample as {(name, sorted labels): value}, parsed by the client library's own parser."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def scrape(client) -> Samples:
    response = await client.get("/metrics")
    assert response.status == 200, await response.text()
    return parse(await response.text())


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples[name, tuple(sorted(labels.items()))]


def config_for(export: Path, state: Path, **sections) -> Config:
    return Config(model=ModelConfig(export=export), tablet=TabletConfig(state_dir=state), **sections)


@pytest.fixture(scope="module")
def engine(export_dir: Path) -> Engine:
    return Engine(load_timeline(export_dir))


@pytest.fixture
async def client(aiohttp_client, export_dir: Path, tmp_path: Path, engine: Engine):
    return await aiohttp_client(create_app(config_for(export_dir, tmp_path / "state"), engine))


async def until(condition, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not await condition():
        assert time.monotonic() < deadline, "the metrics did not change in time"
        await asyncio.sleep(0.05)


# --- the format -----------------------------------------------------------------------------------


EXPECTED = {
    *("nn_kiosk_drawings", "nn_kiosk_predictions", "nn_kiosk_prediction_seconds"),
    *("nn_kiosk_rejected_tablet_messages", "nn_kiosk_rejected_requests"),
    *("nn_kiosk_tablets_paired", "nn_kiosk_tablets_connected", "nn_kiosk_screens_connected"),
    *("nn_kiosk_exhibit_state", "nn_kiosk_open", "nn_kiosk_screen_scene", "nn_kiosk_playground_runs"),
    *("nn_kiosk_screens_reporting", "nn_kiosk_screen_frame_reports"),
    *("nn_kiosk_start_time_seconds", "nn_kiosk_uptime_seconds", "nn_kiosk_build_info"),
    *("nn_kiosk_visitor_verdicts", "nn_kiosk_lessons", "nn_kiosk_network_taught"),
}


async def test_metrics_are_prometheus_text_each_with_its_help(client, engine: Engine) -> None:
    response = await client.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    families = {family.name: family for family in text_string_to_metric_families(await response.text())}
    ours = {name for name in families if name.startswith("nn_kiosk_")}
    assert ours == EXPECTED  # the frame times only once a screen reports (below)
    assert all(len(families[name].documentation) > 20 for name in ours)
    assert "process_start_time_seconds" in families and "python_info" in families
    samples = parse(await response.text())
    build = next(labels for (name, labels) in samples if name == "nn_kiosk_build_info")
    assert dict(build)["model"] == engine.timeline.name and dict(build)["python"]
    assert not any(name.endswith("_created") for name, _ in samples)  # no clutter beside each counter


async def test_openmetrics_when_the_scraper_asks_for_it(client) -> None:
    response = await client.get("/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"})
    assert response.headers["Content-Type"].startswith("application/openmetrics-text")
    assert (await response.text()).endswith("# EOF\n")


async def test_fresh_exhibit_counts_nothing_yet_and_says_how_long_it_runs(client) -> None:
    samples = await scrape(client)
    assert value(samples, "nn_kiosk_drawings_total") == 0
    assert value(samples, "nn_kiosk_predictions_total") == 0
    assert value(samples, "nn_kiosk_prediction_seconds_count") == 0
    assert value(samples, "nn_kiosk_tablets_paired") == 0
    assert value(samples, "nn_kiosk_tablets_connected") == 0
    assert value(samples, "nn_kiosk_screens_connected") == 0
    assert value(samples, "nn_kiosk_playground_runs_total") == 0
    # Every reason is there from the start, zero: a steady set of series.
    for reason in TABLET_REASONS:
        assert value(samples, "nn_kiosk_rejected_tablet_messages_total", reason=reason) == 0
    assert value(samples, "nn_kiosk_rejected_requests_total", reason="bad_json") == 0
    assert abs(value(samples, "nn_kiosk_start_time_seconds") - time.time()) < 60
    assert 0 < value(samples, "nn_kiosk_uptime_seconds") < 60


# --- counted as it happens ------------------------------------------------------------------------


async def test_a_tablet_drawing_over_webrtc_is_counted_with_its_answers_and_refusals(
    aiohttp_server, aiohttp_client, export_dir: Path, tmp_path: Path, engine: Engine
) -> None:
    server = await aiohttp_server(create_app(config_for(export_dir, tmp_path / "state"), engine))
    client = await aiohttp_client(server)
    token = {"Authorization": f"Bearer {client.app[ADMIN].token}"}
    code = (await (await client.post("/api/admin/pairing", headers=token)).json())["code"]
    paired = await (await client.post("/api/tablet/pair", json={"code": code, "name": "virtual"})).json()
    assert value(await scrape(client), "nn_kiosk_tablets_paired") == 1
    tablet = VirtualTablet()
    await tablet.connect(str(server.make_url("/")), paired["credential"])
    try:
        assert value(await scrape(client), "nn_kiosk_tablets_connected") == 1
        tablet.send(type="stroke_begin", stroke=1, points=ONE)
        await tablet.next("prediction")
        tablet.send(type="stroke_begin", stroke=2, points=SEVEN)  # the same drawing, a second answer
        await tablet.next("prediction")
        tablet.send(type="clear")
        tablet.send(type="stroke_begin", stroke=3, points=ONE)  # a new drawing
        await tablet.next("prediction")
        tablet.send(type="no_such_message")
        await tablet.next("error")
        samples = await scrape(client)
        assert value(samples, "nn_kiosk_drawings_total") == 2
        assert value(samples, "nn_kiosk_predictions_total") == 3
        assert value(samples, "nn_kiosk_prediction_seconds_count") == 3
        assert 0 < value(samples, "nn_kiosk_prediction_seconds_sum") < 3 * 0.25  # ms, not seconds
        assert value(samples, "nn_kiosk_prediction_seconds_bucket", le="0.25") == 3
        assert value(samples, "nn_kiosk_rejected_tablet_messages_total", reason="unknown_type") == 1
        assert value(samples, "nn_kiosk_exhibit_state", state="visitor") == 1
        assert value(samples, "nn_kiosk_screen_scene", scene="live") == 1
    finally:
        await tablet.close()

    async def gone() -> bool:
        return value(await scrape(client), "nn_kiosk_tablets_connected") == 0

    await until(gone)
    assert value(await scrape(client), "nn_kiosk_drawings_total") == 2  # counters outlive the tablet


async def test_a_drawing_is_counted_once_and_not_again_when_resent_after_a_reconnect(engine: Engine) -> None:
    answers: list[tuple[float, bool]] = []
    limits = StrokeLimits(max_strokes=8, max_points_per_stroke=500, max_points=2000)

    def session() -> TabletSession:
        return TabletSession(
            engine,
            limits,
            lambda text: None,
            lambda why: None,
            hooks=SessionHooks(on_answer=lambda *a: answers.append(a)),
        )

    def say(s: TabletSession, **fields) -> None:
        s.receive(json.dumps({"v": 1, **fields}))

    async def answered(count: int) -> bool:
        return len(answers) == count

    first = session()
    task = asyncio.ensure_future(first.run())
    say(first, type="stroke_begin", stroke=1, points=ONE)
    await until(lambda: answered(1))
    say(first, type="points", stroke=1, points=SEVEN)
    await until(lambda: answered(2))
    task.cancel()
    second = session()  # the tablet reconnected and re-sends what it showed
    task = asyncio.ensure_future(second.run())
    say(second, type="stroke_begin", stroke=1, points=ONE + SEVEN, resent=True)
    await until(lambda: answered(3))
    task.cancel()
    assert [is_first for _, is_first in answers] == [True, False, False]
    assert all(0 < seconds < 0.25 for seconds, _ in answers)


def test_tablet_reasons_are_every_code_the_exhibit_refuses_with() -> None:
    source = "".join(
        (REPO / "kiosk" / "tablet" / f).read_text() for f in ("protocol.py", "drawing.py", "session.py")
    )
    codes = set(re.findall(r'ProtocolError\(\s*"(\w+)"', source)) | {"internal", "flood"}
    assert codes <= set(TABLET_REASONS)
    counters = ExhibitCounters(CollectorRegistry())
    counters.refused("made_up_by_a_bug")
    assert counters.rejected_messages.labels("other")._value.get() == 1  # bounded label values


async def test_a_refused_web_request_is_counted_by_reason(client) -> None:
    response = await client.post(
        "/api/infer", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status == 400
    assert value(await scrape(client), "nn_kiosk_rejected_requests_total", reason="bad_json") == 1


async def test_a_screen_counts_while_its_event_stream_is_open(client) -> None:
    response = await client.get("/api/display/events")
    await SseReader(response).next_event()
    assert value(await scrape(client), "nn_kiosk_screens_connected") == 1
    response.close()

    async def left() -> bool:
        return value(await scrape(client), "nn_kiosk_screens_connected") == 0

    await until(left)


async def test_exhibit_state_has_one_series_per_state_and_follows_a_presenter(client) -> None:
    samples = await scrape(client)
    states = {
        dict(labels)["state"]: v for (name, labels), v in samples.items() if name == "nn_kiosk_exhibit_state"
    }
    assert states == {"closed": 0, "attract": 1, "visitor": 0, "presenter": 0}
    assert value(samples, "nn_kiosk_open") == 1
    client.app[DIRECTOR].take("a guide")
    samples = await scrape(client)
    assert value(samples, "nn_kiosk_exhibit_state", state="presenter") == 1
    assert value(samples, "nn_kiosk_exhibit_state", state="attract") == 0


async def test_outside_the_opening_hours_the_exhibit_is_closed(
    aiohttp_client, export_dir: Path, tmp_path: Path, engine: Engine
) -> None:
    never = AttractConfig(opening_hours=OpeningHoursConfig())  # every day left out: closed
    client = await aiohttp_client(
        create_app(config_for(export_dir, tmp_path / "state", attract=never), engine)
    )
    samples = await scrape(client)  # the machine starts in the state the clock says
    assert value(samples, "nn_kiosk_open") == 0
    assert value(samples, "nn_kiosk_exhibit_state", state="closed") == 1


async def test_playground_runs_are_counted(client, monkeypatch) -> None:
    session = client.app[PLAYGROUND]
    monkeypatch.setattr(session, "_ensure_worker", lambda: None)  # no training process for this
    monkeypatch.setattr(session, "_send", lambda *command: None)
    session.start(parse_spec({"dataset": "moons"}))
    session.start(parse_spec({"dataset": "circles"}))
    assert value(await scrape(client), "nn_kiosk_playground_runs_total") == 2


async def test_an_unreadable_pairing_file_leaves_out_only_the_paired_count(
    client, tmp_path: Path, caplog
) -> None:
    (tmp_path / "state").mkdir(exist_ok=True)
    (tmp_path / "state" / "tablets.json").write_text("{ not json")
    samples = await scrape(client)  # still 200, no traceback
    await scrape(client)
    assert not any(name == "nn_kiosk_tablets_paired" for name, _ in samples)
    assert value(samples, "nn_kiosk_tablets_connected") == 0
    said = [r.getMessage() for r in caplog.records if "paired tablets is left out" in r.getMessage()]
    assert len(said) == 1 and "tablets.json: not valid JSON" in said[0]  # once, not at every scrape
