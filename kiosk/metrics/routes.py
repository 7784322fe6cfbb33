"""The metrics' two routes, and the app's own registry of them (wired in kiosk/exhibit.py).

- ``GET /metrics`` → every metric in Prometheus' text format (OpenMetrics when the scraper asks
  for it), written by the official client library (prometheus_client) from the app's own
  registry. Who may read it: kiosk/metrics/access.py. ``metrics.enabled: false`` → 404.
- ``POST /api/display/frame_times`` ``{"screen", "frames", "p50_ms", "p95_ms"}`` → 204: an exhibit
  screen's frame times (kiosk/metrics/frames.py). Open like the screen's own event stream, but a
  body over ``MAX_REPORT_BYTES`` (413), one that is not such a report (400) and more than
  ``REPORTS_PER_MINUTE`` reports a minute from one address (429) are refused, counted
  (``nn_kiosk_rejected_requests``) and logged in one line.
"""

from __future__ import annotations

import importlib.metadata
import math
import platform
import time

from aiohttp import web
from prometheus_client import CollectorRegistry, Info, disable_created_metrics
from prometheus_client.exposition import choose_encoder
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

from kiosk.http_errors import Rejected, read_json_object
from kiosk.keys import CONFIG, FRAMES, REGISTRY, REPORT_RATE, TOKEN_GUESSES
from kiosk.metrics.access import check_access
from kiosk.metrics.frames import MAX_REPORT_BYTES, parse_report
from kiosk.tablet.throttle import Throttle

REPORTS_PER_MINUTE = 30  # a screen reports every 5 s (12 a minute); two screens on one PC fit


def new_registry(model: str) -> CollectorRegistry:
    """The app's own registry (tests make many apps) with the process's and the build's metrics;
    ``model``: the export's name, for ``nn_kiosk_build_info``."""
    disable_created_metrics()  # no *_created series beside every counter: /metrics stays readable
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)  # process_start_time_seconds, memory, CPU, open files
    PlatformCollector(registry=registry)  # python_info
    Info(
        "nn_kiosk_build",
        "The exhibit's version, its Python and the trained network it shows.",
        registry=registry,
    ).info({"version": _version(), "python": platform.python_version(), "model": model})
    return registry


def report_rate() -> Throttle:
    """Every frame-time report counts towards the limit (a Throttle counts "failures"; here each
    report is one)."""
    return Throttle(time.monotonic, per_key=REPORTS_PER_MINUTE, global_=20 * REPORTS_PER_MINUTE, window_s=60)


def token_guesses() -> Throttle:
    """Wrong /metrics tokens, per address and overall."""
    return Throttle(time.monotonic, per_key=10, global_=200, window_s=60)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/metrics", metrics)
    app.router.add_post("/api/display/frame_times", frame_times)


async def metrics(request: web.Request) -> web.Response:
    options = request.app[CONFIG].current.metrics
    if not options.enabled:
        raise web.HTTPNotFound(
            text="metrics are switched off on this exhibit (metrics.enabled in its config)"
        )
    check_access(request, options, request.app[TOKEN_GUESSES])
    encoder, content_type = choose_encoder(request.headers.get("Accept", ""))
    body = encoder(request.app[REGISTRY])
    return web.Response(body=body, headers={"Content-Type": content_type})


async def frame_times(request: web.Request) -> web.Response:
    rate = request.app[REPORT_RATE]
    wait = rate.retry_after(request.remote)
    if wait > 0:
        raise Rejected(
            "throttled",
            f"too many frame-time reports from this address (at most {REPORTS_PER_MINUTE} a minute)",
            status=429,
            headers={"Retry-After": str(math.ceil(wait))},
        )
    rate.failure(request.remote)
    if request.content_length is None or request.content_length > MAX_REPORT_BYTES:
        raise Rejected(
            "too_large",
            f"a frame-time report has a Content-Length of at most {MAX_REPORT_BYTES} bytes",
            status=413,
        )
    try:
        report = parse_report(await read_json_object(request))
    except ValueError as exc:
        raise Rejected("bad_request", f"not a frame-time report: {exc}") from None
    request.app[FRAMES].add(report)
    return web.Response(status=204)


def _version() -> str:
    try:
        return importlib.metadata.version("nn-kiosk")
    except importlib.metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"
