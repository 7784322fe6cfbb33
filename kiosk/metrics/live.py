"""What the exhibit is like right now, read from the objects that own it each time /metrics is asked.

Nothing here keeps a copy that could drift: tablets from the device file and the tablets' peer
connections, screens from the event streams' seats, the exhibit's state from the attract
machine, playground runs from the playground session, refused requests from the counter the
error middleware keeps (also in /healthz), frame times from the screens' reports.

- Tablets: paired and connected count the visitors' tablets; a presenter's remote pen (a
  credential of its own, kiosk/presenter/drawing.py) is left out of both. While the device file
  cannot be read, ``nn_kiosk_tablets_paired`` is left out (logged once, with why).
- Exhibit state: one series per state of kiosk/attract/machine.py, 1 for the current one;
  ``nn_kiosk_open`` is 1 within the opening hours (a presenter may hold the exhibit outside them).
- Screen frame times: the slowest screen's p50 and p95 (kiosk/metrics/frames.py), left out while
  no screen reports.
- Teach it: the visitors' verdicts (all-time totals from the verdicts file, so they only grow,
  across restarts too), lessons started, and whether a taught copy reads drawings now.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

from aiohttp import web
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from kiosk.attract.machine import STATES
from kiosk.display.screen import SCENES
from kiosk.keys import DIRECTOR, PLAYGROUND, REJECTED, SCREEN, STARTED, STREAMS, TABLETS, TEACHER, VERDICTS
from kiosk.metrics.frames import FrameReports
from kiosk.presenter.drawing import NAME_PREFIX
from kiosk.tablet.devices import DeviceStoreError
from kiosk.teach.verdicts import DIGITS

log = logging.getLogger(__name__)


class LiveCollector(Collector):
    def __init__(self, app: web.Application, frames: FrameReports) -> None:
        self.app, self.frames = app, frames
        self._store_problem = ""  # why the device file could not be read, as last logged

    def collect(self) -> Iterator[Metric]:
        yield from self._tablets()
        yield _gauge(
            "nn_kiosk_screens_connected",
            "Exhibit screens connected to the exhibit now (their event streams).",
            self.app[STREAMS].open_count("screen"),
        )
        yield from self._exhibit()
        yield from self._frame_times()
        yield from self._teaching()
        yield CounterMetricFamily(
            "nn_kiosk_playground_runs",
            "Playground training runs started (by the attract playlist, a presenter or a tablet).",
            value=self.app[PLAYGROUND].run,
        )
        rejected = CounterMetricFamily(
            "nn_kiosk_rejected_requests",
            "Web requests the exhibit refused, by reason (as in /healthz).",
            labels=["reason"],
        )
        for reason, count in sorted(self.app[REJECTED].items()):
            rejected.add_metric([reason], count)
        yield rejected
        uptime = time.monotonic() - self.app[STARTED]  # the same start as /healthz's uptime_s
        yield _gauge(
            "nn_kiosk_start_time_seconds", "When the exhibit started, in Unix time.", time.time() - uptime
        )
        yield _gauge("nn_kiosk_uptime_seconds", "Seconds since the exhibit started.", uptime)

    def _tablets(self) -> Iterator[Metric]:
        tablets = self.app[TABLETS]
        try:
            paired = [d for d in tablets.devices.list() if not d.name.startswith(NAME_PREFIX)]
        except DeviceStoreError as exc:
            if str(exc) != self._store_problem:  # once, not at every scrape
                log.warning("metrics: the number of paired tablets is left out: %s", exc)
            self._store_problem = str(exc)
        else:
            self._store_problem = ""
            yield _gauge("nn_kiosk_tablets_paired", "Tablets paired with the exhibit.", len(paired))
        connected = tablets.peers.connected() - tablets.peers.extra_seats
        yield _gauge("nn_kiosk_tablets_connected", "Tablets connected to the exhibit now.", len(connected))

    def _exhibit(self) -> Iterator[Metric]:
        status = self.app[DIRECTOR].machine.status()
        yield _one_of(
            "nn_kiosk_exhibit_state",
            "What the exhibit is doing: closed, attract (its playlist), visitor or presenter; 1 = now.",
            "state",
            STATES,
            status["state"],
        )
        yield _gauge("nn_kiosk_open", "1 within the opening hours, 0 outside them.", int(status["open"]))
        yield _one_of(
            "nn_kiosk_screen_scene",
            "What the exhibit screen shows; 1 = now.",
            "scene",
            SCENES,
            self.app[SCREEN].scene,
        )

    def _frame_times(self) -> Iterator[Metric]:
        yield _gauge(
            "nn_kiosk_screens_reporting",
            "Exhibit screens that reported frame times in the last 30 seconds (only drawing screens do).",
            len(self.frames.fresh()),
        )
        yield CounterMetricFamily(
            "nn_kiosk_screen_frame_reports",
            "Frame-time reports accepted from exhibit screens.",
            value=self.frames.accepted,
        )
        slowest = self.frames.slowest()
        if slowest is not None:
            frame = GaugeMetricFamily(
                "nn_kiosk_screen_frame_seconds",
                "Time between the frames the slowest screen draws, in seconds, by quantile (60 fps: 0.0167).",
                labels=["quantile"],
            )
            frame.add_metric(["0.5"], slowest[0])
            frame.add_metric(["0.95"], slowest[1])
            yield frame

    def _teaching(self) -> Iterator[Metric]:
        verdicts = CounterMetricFamily(
            "nn_kiosk_visitor_verdicts",
            "Visitors' verdicts on the network's answers since the exhibit was installed, by the digit "
            "they meant and whether the answer was right (kiosk/teach/verdicts.py; kept across restarts).",
            labels=["digit", "verdict"],
        )
        totals = self.app[VERDICTS].totals
        for digit in DIGITS:
            right, wrong = totals.get(digit, [0, 0])
            verdicts.add_metric([digit, "right"], right)
            verdicts.add_metric([digit, "wrong"], wrong)
        yield verdicts
        teacher = self.app[TEACHER]
        yield CounterMetricFamily(
            "nn_kiosk_lessons",
            "Lessons started (a visitor's or a presenter's correction).",
            value=teacher.lessons,
        )
        yield _gauge(
            "nn_kiosk_network_taught",
            "1 while a taught copy of the network reads drawings, 0 while the shipped network does.",
            int(teacher.payload.get("state") == "learned"),
        )


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def _one_of(name: str, documentation: str, label: str, values: tuple[str, ...], current: str) -> Metric:
    """A gauge with one series per value of ``label``: 1 for ``current``, 0 for the others."""
    gauge = GaugeMetricFamily(name, documentation, labels=[label])
    for value in values:
        gauge.add_metric([value], int(value == current))
    return gauge
