"""The screens' frame-time reports: checked, limited, kept while fresh, exported as the slowest screen's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from kiosk.app import create_app
from kiosk.config import Config, ModelConfig, TabletConfig
from kiosk.metrics.frames import FRESH_S, MAX_REPORT_BYTES, MAX_SCREENS, FrameReports, parse_report
from kiosk.metrics.routes import REPORTS_PER_MINUTE
from kiosk.model.engine import Engine
from kiosk.model.export import load_timeline

URL = "/api/display/frame_times"
GOOD = {"screen": "k3x9q2ab", "frames": 300, "p50_ms": 16.7, "p95_ms": 18.2}


@pytest.fixture(scope="module")
def engine(export_dir: Path) -> Engine:
    return Engine(load_timeline(export_dir))


@pytest.fixture
async def client(aiohttp_client, export_dir: Path, tmp_path: Path, engine: Engine):
    config = Config(model=ModelConfig(export=export_dir), tablet=TabletConfig(state_dir=tmp_path / "state"))
    return await aiohttp_client(create_app(config, engine))


async def scrape(client) -> dict[str, dict]:
    """{family name: {labels as a tuple: value}}."""
    text = await (await client.get("/metrics")).text()
    return {
        family.name: {tuple(sorted(s.labels.items())): s.value for s in family.samples}
        for family in text_string_to_metric_families(text)
    }


async def post_raw(client, body: bytes):
    return await client.post(URL, data=body, headers={"Content-Type": "application/json"})


async def test_a_report_becomes_the_screen_frame_time_gauge(client) -> None:
    before = await scrape(client)
    assert "nn_kiosk_screen_frame_seconds" not in before  # no screen has reported: no number at all
    response = await client.post(URL, json=GOOD)
    assert response.status == 204
    await client.post(URL, json={**GOOD, "screen": "second", "p50_ms": 33.3, "p95_ms": 50})
    metrics = await scrape(client)
    assert metrics["nn_kiosk_screen_frame_seconds"] == {
        (("quantile", "0.5"),): pytest.approx(0.0333),
        (("quantile", "0.95"),): pytest.approx(0.05),
    }  # the slower screen's
    assert metrics["nn_kiosk_screens_reporting"] == {(): 2}
    assert metrics["nn_kiosk_screen_frame_reports"] == {(): 2}


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (
            b'{"screen": "a", "frames": 10, "p50_ms": NaN, "p95_ms": 20}',
            "p50_ms: Input should be a finite number",
        ),
        (
            b'{"screen": "a", "frames": 10, "p50_ms": 1, "p95_ms": Infinity}',
            "p95_ms: Input should be a finite number",
        ),
        (
            b'{"screen": "a", "frames": 10, "p50_ms": 1, "p95_ms": 1e308}',
            "p95_ms: Input should be less than or equal",
        ),
        (
            b'{"screen": "a", "frames": 1e9, "p50_ms": 1, "p95_ms": 2}',
            "frames: Input should be a valid integer",
        ),
        (b'{"screen": "a", "frames": 10, "p50_ms": -1, "p95_ms": 2}', "p50_ms: Input should be greater than"),
        (
            b'{"screen": "a", "frames": 10, "p50_ms": "16", "p95_ms": 2}',
            "p50_ms: Input should be a valid number",
        ),
        (
            b'{"screen": "a", "frames": 10, "p50_ms": true, "p95_ms": 2}',
            "p50_ms: Input should be a valid number",
        ),
        (b'{"screen": "a b", "frames": 10, "p50_ms": 1, "p95_ms": 2}', "screen: 1 to 32 letters"),
        (
            b'{"screen": "a", "frames": 10, "p50_ms": 30, "p95_ms": 20}',
            "p50_ms must not be larger than p95_ms",
        ),
        (
            b'{"screen": "a", "frames": 10, "p50_ms": 1, "p95_ms": 2, "x": 1}',
            "x: unknown key; allowed here: screen",
        ),
        (b'{"screen": "a"}', "frames: Field required"),
        (b"[1, 2]", "body must be a JSON object"),
        (b"{not json", "body is not valid JSON"),
    ],
)
async def test_a_bad_report_gets_400_saying_why_and_is_counted(client, body: bytes, says: str) -> None:
    response = await post_raw(client, body)
    assert response.status == 400
    message = (await response.json())["error"]
    assert says in message, message
    rejected = (await scrape(client))["nn_kiosk_rejected_requests"]
    assert sum(rejected.values()) == 1
    assert "nn_kiosk_screen_frame_seconds" not in await scrape(client)


async def test_an_oversized_or_unmeasured_body_is_refused_before_it_is_read(client) -> None:
    padded = json.dumps({**GOOD, "screen": "a"}).encode() + b" " * MAX_REPORT_BYTES
    response = await post_raw(client, padded)
    assert response.status == 413
    assert f"at most {MAX_REPORT_BYTES} bytes" in (await response.json())["error"]

    async def chunks():
        yield json.dumps(GOOD).encode()

    response = await client.post(URL, data=chunks(), headers={"Content-Type": "application/json"})  # chunked
    assert response.status == 413
    assert (await scrape(client))["nn_kiosk_rejected_requests"][(("reason", "too_large"),)] == 2


async def test_more_reports_than_a_screen_sends_are_refused_with_429(client) -> None:
    statuses = [(await client.post(URL, json=GOOD)).status for _ in range(REPORTS_PER_MINUTE + 1)]
    assert statuses == [204] * REPORTS_PER_MINUTE + [429]
    response = await client.post(URL, json=GOOD)
    assert int(response.headers["Retry-After"]) > 0
    assert "at most" in (await response.json())["error"]
    assert (await scrape(client))["nn_kiosk_rejected_requests"][(("reason", "throttled"),)] == 2


def test_reports_go_stale_and_the_slowest_fresh_screen_counts(clock) -> None:
    reports = FrameReports(clock)
    reports.add(parse_report({**GOOD, "screen": "slow", "p50_ms": 40, "p95_ms": 90}))
    clock.now += FRESH_S / 2
    reports.add(parse_report({**GOOD, "screen": "fast"}))
    assert reports.slowest() == (0.04, 0.09)
    clock.now += FRESH_S / 2 + 1  # the slow one has not reported for longer than FRESH_S
    assert reports.slowest() == (pytest.approx(0.0167), pytest.approx(0.0182))
    clock.now += FRESH_S
    assert reports.slowest() is None and reports.fresh() == []
    assert reports.accepted == 2


def test_made_up_screen_names_cannot_grow_memory(clock) -> None:
    reports = FrameReports(clock)
    for i in range(10 * MAX_SCREENS):
        reports.add(parse_report({**GOOD, "screen": f"s{i}"}))
    assert [r.screen for r in reports.fresh()] == [f"s{i}" for i in range(9 * MAX_SCREENS, 10 * MAX_SCREENS)]


def test_a_screen_that_reports_again_replaces_its_old_report(clock) -> None:
    reports = FrameReports(clock)
    reports.add(parse_report({**GOOD, "p50_ms": 50, "p95_ms": 60}))
    reports.add(parse_report(GOOD))
    assert len(reports.fresh()) == 1 and reports.slowest() == (pytest.approx(0.0167), pytest.approx(0.0182))
