"""Real browsers as the tablet across a network: Firefox ESR and Chromium side by side.

The set-up of tests/test_tablet_network.py: the exhibit (``python -m kiosk``) in one network
namespace, the browser in another, one veth cable between them, multicast DNS blocked, both
browsers with their default privacy settings (tests/support/netlab.py, firefox.py, chromium.py). Per
browser, measured on the tablet page itself (tests/support/tablet_remote.py drives it):

- ``round_trip_ms``: for each stroke of ``digits`` pen-drawn digits, from the page sending the
  stroke's last message that changes the drawing (``stroke_begin`` or ``points``) to the first
  answer whose ``seq`` covers it (``performance.now()`` both ends; the revisions are counted on
  the page as the exhibit counts them, see tests/support/tablet_remote.py), with no loss and with 5 %
  random loss each way; p50/p99/max over the strokes. ``every_message_round_trip_ms``: the same
  for every such message while the pen moves. Answers come at most ``predictions_per_second``
  (30) times a second, so up to 33 ms of either is the exhibit waiting on purpose.
  ``wrong_answers``: digits for which the answer for the whole drawing did not come within 10 s
  or was not the exhibit's answer for it (POST /api/infer).
- ``restart``: ``restarts`` times, the exhibit is killed (``kill -9``) with a digit on the page and
  started again on the same address and state; from /healthz answering again to the page's
  indicator saying "connected" (``connected_s``) and to the first answer on the new connection,
  for the drawing the page sends again (``answered_s``).
- ``link_drop``: ``drops`` times, the tablet's link goes down for ``down_s`` seconds with a digit on
  the page; from ``ip link set up`` to "connected" and to the first answer on the new connection.

Bounded: a fixed number of digits, restarts and drops, and ``budget_s`` for the whole run, after
which the remaining measurements are left out (``truncated``). Where no namespace can be made
(not root, no ``ip``/``nft``) or a browser is missing, the JSON says so (``skipped``) instead.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from tools.exhibit_process import ExhibitProcess

ROOT = Path(__file__).resolve().parent.parent
LOSS_PERCENT = 5
ANSWER_TIMEOUT_S = 10
RECONNECT_TIMEOUT_S = 30
GOAL_BACK_S = 3.0


def _stats(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    a = np.asarray(values)
    return {
        "n": len(values),
        "p50": round(float(np.percentile(a, 50)), 1),
        "p99": round(float(np.percentile(a, 99)), 1),
        "max": round(float(a.max()), 1),
    }


def round_trips(log: dict, last_of_stroke: bool) -> list[float]:
    """ms from sending a message that changes the drawing to the first answer whose ``seq`` covers it:
    every such message, or (``last_of_stroke``) only the last one of each stroke. Not the drawings a
    page sent again after reconnecting."""
    sends = [s for s in log["sends"] if s["changes"] and not s["resent"] and s["stroke"] is not None]
    if last_of_stroke:
        sends = list({(s["attempt"], s["stroke"]): s for s in sends}.values())
    trips = []
    for send in sends:
        answer = next(
            (a for a in log["answers"] if a["attempt"] == send["attempt"] and a["seq"] >= send["revision"]),
            None,
        )
        if answer is not None:
            trips.append(answer["t"] - send["t"])
    return trips


class Matrix:
    """One browser in the lab: the measurements above; see the module's description."""

    def __init__(self, lab, exhibit, browser, deadline: float) -> None:
        import tablet_remote

        self.lab, self.exhibit, self.browser, self.deadline = lab, exhibit, browser, deadline
        self.tablet = tablet_remote
        self.truncated = False

    def time_left(self) -> bool:
        if time.monotonic() > self.deadline:
            self.truncated = True
        return not self.truncated

    def draw(self, digit) -> bool:
        """Draw ``digit`` on a clear surface; True if the page then shows the answer for all of it."""
        self.tablet.clear(self.browser)
        strokes = self.tablet.draw_digit(self.browser, digit)
        try:
            self.tablet.final_answer(self.browser, self.exhibit.infer(strokes), timeout_s=ANSWER_TIMEOUT_S)
        except (TimeoutError, AssertionError):
            return False
        return True

    def round_trips(self, digits: list, loss: int) -> dict:
        self.browser.run("window.__watch.sends = []; window.__watch.answers = [];")
        self.lab.set_loss(loss)
        wrong, drawn = 0, 0
        try:
            for digit in digits:
                if not self.time_left():
                    break
                wrong += not self.draw(digit)
                drawn += 1
            lost = self.lab.loss_counters()
        finally:
            self.lab.set_loss(0)
        log = self.tablet.watched(self.browser)
        return {
            "loss_percent": loss,
            "digits": drawn,
            "round_trip_ms": _stats(round_trips(log, last_of_stroke=True)),
            "every_message_round_trip_ms": _stats(round_trips(log, last_of_stroke=False)),
            "wrong_answers": wrong,
            "frames": lost if loss else None,
            "reconnections": len({s["attempt"] for s in log["sends"]}) - 1,
        }

    def back_after(self, since_wall: float) -> dict:
        """Seconds from ``since_wall`` to "connected" and to the first answer after it (None: not within
        RECONNECT_TIMEOUT_S)."""
        script = (
            "const w = window.__watch, since = arguments[0];"
            "const back = w.states.find((s) => s.at >= since && s.state === 'connected');"
            "const answer = back && w.answers.find((a) => a.at >= back.at);"
            "return answer ? [back.at, answer.at] : null;"
        )
        try:
            back, answer = self.tablet.wait_for(self.browser, script, RECONNECT_TIMEOUT_S, since_wall * 1000)
        except TimeoutError:
            return {"connected_s": None, "answered_s": None}
        return {
            "connected_s": round(back / 1000 - since_wall, 2),
            "answered_s": round(answer / 1000 - since_wall, 2),
        }

    def restart(self, digit) -> dict:
        self.draw(digit)
        self.exhibit.kill()
        self.tablet.wait_for(
            self.browser, "return document.getElementById('connection').dataset.state !== 'connected'", 15
        )
        healthy = self.exhibit.start()
        return self.back_after(time.time() - (time.monotonic() - healthy))

    def link_drop(self, digit, down_s: float) -> dict:
        self.draw(digit)
        self.lab.link_down()
        try:
            time.sleep(down_s)
        finally:
            up = self.lab.link_up()
        return self.back_after(up)


def _measure_browser(name: str, launch, lab, exhibit, folder: Path, plan: dict, deadline: float) -> dict:
    from support import pen_digits, tablet_remote

    digits = pen_digits.load(plan["digits"])
    with launch(folder / name, namespace=lab.tablet) as browser:
        tablet_remote.pair(browser, exhibit.url, exhibit.pairing_code())
        matrix = Matrix(lab, exhibit, browser, deadline)
        result: dict = {
            "no_loss": matrix.round_trips(digits, 0),
            f"loss_{LOSS_PERCENT}_percent": matrix.round_trips(digits, LOSS_PERCENT),
        }
        restarts = [
            matrix.restart(digits[i % len(digits)]) for i in range(plan["restarts"]) if matrix.time_left()
        ]
        drops = []
        for i in range(plan["drops"]):
            if matrix.time_left():
                drops.append(matrix.link_drop(digits[i % len(digits)], plan["down_s"]))
        result["restart"] = {"runs": restarts, **_back_stats(restarts)}
        result["link_drop"] = {"down_s": plan["down_s"], "runs": drops, **_back_stats(drops)}
        errors = browser.console_errors()
        # Chromium reports the page's failed requests while the exhibit is unreachable: expected.
        result["console_errors"] = [e for e in errors if "Failed to load resource: net::ERR_" not in e]
        result["failed_requests_logged"] = len(errors) - len(result["console_errors"])
        result["truncated"] = matrix.truncated
        return result


def _back_stats(runs: list[dict]) -> dict:
    """The worst of the runs (None if a run never came back, or there was no run) and the failures."""

    def worst(key: str) -> float | None:
        values = [run[key] for run in runs]
        return None if not values or None in values else max(values)

    return {
        "worst_connected_s": worst("connected_s"),
        "worst_answered_s": worst("answered_s"),
        "never_back": sum(run["answered_s"] is None for run in runs),
    }


def bench_network_matrix(
    export: Path, digits: int, restarts: int, drops: int, down_s: float, budget_s: float
) -> dict:
    sys.path.insert(0, str(ROOT / "tests"))  # the browser and network harness lives beside its tests
    from support import netlab
    from support.chromium import Chromium, chromium_missing
    from support.firefox import Firefox, firefox_missing

    what = {
        "what": "tablet page in Firefox ESR and Chromium (default privacy) ↔ exhibit, two network namespaces "
        f"on a veth cable, mDNS blocked; stroke round trips at 0 and {LOSS_PERCENT} % loss, reconnection "
        f"after kill -9 + restart and after a {down_s:g} s link drop",
        "goal": {"restart_answered_s_at_most": GOAL_BACK_S, "link_drop_answered_s_at_most": GOAL_BACK_S},
    }
    reason = netlab.unavailable()
    if reason:
        return {**what, "skipped": f"no network lab here: {reason}", "met": None}
    plan = {"digits": digits, "restarts": restarts, "drops": drops, "down_s": down_s}
    deadline = time.monotonic() + budget_s
    browsers: dict = {}
    with tempfile.TemporaryDirectory() as tmp, netlab.NetLab() as lab:
        lab.block_mdns()
        exhibit = ExhibitProcess(
            Path(tmp) / "exhibit", export, namespace=lab.exhibit, tablet={"when_busy": "take_over"}
        )
        exhibit.start()
        try:
            for name, launch, missing in (
                ("firefox", Firefox.launch, firefox_missing),
                ("chromium", Chromium.launch, chromium_missing),
            ):
                if missing():
                    browsers[name] = {"skipped": missing()}
                elif time.monotonic() > deadline:
                    browsers[name] = {"skipped": f"out of time (budget {budget_s:g} s)"}
                else:
                    browsers[name] = _measure_browser(name, launch, lab, exhibit, Path(tmp), plan, deadline)
        finally:
            exhibit.stop()
        lab_counts = {"mdns_dropped": lab.mdns_dropped(), "sent_outside_lab_dropped": lab.guard_dropped()}
        tracebacks = exhibit.tracebacks()
    measured = [b for b in browsers.values() if "skipped" not in b]
    worst = [b[k]["worst_answered_s"] for b in measured for k in ("restart", "link_drop")]
    return {
        **what,
        "plan": plan,
        "budget_s": budget_s,
        "lab": lab_counts,
        "exhibit_tracebacks": tracebacks,
        **browsers,
        "met": bool(measured) and all(w is not None and w <= GOAL_BACK_S for w in worst),
    }
