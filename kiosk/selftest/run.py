"""``python -m kiosk self-test [--config FILE]``: the whole exhibit checked end to end, for staff.

Run on the exhibit PC, as the exhibit's user (it reads the admin token in the state folder):

    sudo -u nn-kiosk /opt/nn-kiosk/.venv/bin/python -m kiosk self-test

In order; a step that fails ends the test with one line saying what failed and one saying what
to do:
1. the exhibit answers ``/healthz`` at the config's address (else: not running);
2. the admin token in ``tablet.state_dir`` can be read and is the running exhibit's (else: another
   config file, or another user than ``nn-kiosk``);
3. the screen's event stream opens and says the exhibit is open, that no presenter holds it and
   that no pairing window is open (someone pairing a tablet would lose their code);
4. a drawing seat is free and no visitor is drawing: the self-test never pushes a visitor's tablet
   off. A self-test tablet left over by an interrupted run is removed here;
5. it pairs a virtual tablet named "self-test" through the admin token, as ``pair`` and a tablet
   page do, and connects it over a real WebRTC data channel (kiosk/tablet/virtual.py);
6. it draws the 30 shipped pen-drawn digits (samples.py) at ``DRAW_SPEED`` times the pen's pace;
   for each it takes the network's answer, then waits until the screen's stream shows that answer
   (screen_watch.py) before clearing the drawing. Three drawings in a row the screen did not show
   end the drawing early;
7. verdict.py judges accuracy, answer time and the screen: "PASS — …" exits 0, "FAIL — …" 1.

The tablet is removed again (revoked, its connection hung up) whatever happens: a failure, Ctrl+C,
SIGTERM, or ``TIME_LIMIT_S`` running out. What a visitor may notice: the screen's "Tablet paired"
note, and the self-test's drawings on the screen for about ten seconds, then for
``display.idle_seconds``, as after any visitor.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TextIO, TypeVar

import aiohttp

from kiosk.address import lan_address
from kiosk.config import Config
from kiosk.presenter.drawing import NAME_PREFIX as PRESENTER_PREFIX
from kiosk.selftest.exhibit import ExhibitClient, Refused
from kiosk.selftest.samples import SamplesError, ShippedDigit, load_samples
from kiosk.selftest.screen_watch import ScreenWatch, ScreenWatchError
from kiosk.selftest.verdict import Drawing, Verdict, judge
from kiosk.tablet.cli import access_hint, local_url, read_admin_token
from kiosk.tablet.devices import DeviceStore, DeviceStoreError
from kiosk.tablet.tablets import DEVICES_FILE
from kiosk.tablet.virtual import VirtualTablet, VirtualTabletError

NAME = "self-test"  # the virtual tablet's name in `tablets list` and the presenter's status
TIME_LIMIT_S = 60.0  # from the screen's stream to the last drawing; removing the tablet comes after
DRAW_SPEED = 4.0  # times the pen's own pace: about a quarter of a second a digit
CONNECT_S = 15.0  # offer → open data channel
GREETING_S = 5.0  # open data channel → the exhibit's first "scene" message
SCREEN_WAIT_S = 2.0  # an answer → the screen's stream showing it (it takes milliseconds)
MISSES_IN_A_ROW = 3  # drawings the screen did not show before the test stops drawing
REMOVE_S = 5.0
HTTP = aiohttp.ClientTimeout(total=10)

EXIT_PASSED, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 130
T = TypeVar("T")
RESTART = "Restart the exhibit (sudo systemctl restart nn-kiosk) and keep its log: journalctl -u nn-kiosk -b."


class Failed(Exception):
    """A step failed: ``what`` failed, and ``todo`` what staff can do about it."""

    def __init__(self, what: str, todo: str) -> None:
        super().__init__(what)
        self.what, self.todo = what, todo


def self_test(config: Config, config_path: Path, out: TextIO | None = None) -> int:
    """Run the self-test against the exhibit ``config`` describes; print its steps and verdict."""
    out = out or sys.stdout

    def say(line: str) -> None:
        print(line, file=out, flush=True)

    try:
        samples = load_samples()
        verdict = asyncio.run(_run(config, config_path, samples, say))
    except Failed as e:
        say(f"FAIL — {e.what}\nWhat to do: {e.todo}")
        return EXIT_FAILED
    except SamplesError as e:
        say(f"FAIL — {e}")
        return EXIT_FAILED
    except (KeyboardInterrupt, asyncio.CancelledError):
        say("Self-test interrupted.")
        return EXIT_INTERRUPTED
    say(verdict.summary)
    if verdict.misread:
        say(f"Misread: {', '.join(verdict.misread)}.")
    for todo in verdict.todo:
        say(f"What to do: {todo}")
    return EXIT_PASSED if verdict.passed else EXIT_FAILED


async def _run(
    config: Config, config_path: Path, samples: list[ShippedDigit], say: Callable[[str], None]
) -> Verdict:
    _cancel_on_signals()
    base = local_url(config)
    async with aiohttp.ClientSession(timeout=HTTP) as http:
        exhibit = ExhibitClient(http, base)
        health = await _health(exhibit, config_path)
        say(f"The exhibit answers at {base} (model {health.get('model')}, config {config_path}).")
        exhibit.token = _admin_token(config, config_path)
        watch = ScreenWatch(http, base)
        limit, device = asyncio.timeout(TIME_LIMIT_S), None
        try:
            async with limit:
                await _follow_screen(watch, health, say)
                await _seat_free(exhibit, config, config_path, watch, say)
                device, credential = await _pair(exhibit)
                say(f"Paired a virtual tablet '{NAME}' ({device}).")
                drawings = await _draw_all(base, credential, samples, watch, say)
        except TimeoutError:
            if limit.expired():
                raise Failed(
                    f"the self-test did not finish within {TIME_LIMIT_S:.0f} s",
                    "Is the PC very busy (top)? Run it again; if it happens again, restart the exhibit: "
                    "sudo systemctl restart nn-kiosk.",
                ) from None
            raise
        finally:
            if device is not None:
                await _remove(exhibit, config, device, say)
            await watch.close()
    return judge(drawings)


def _cancel_on_signals() -> None:
    """Ctrl+C (SIGINT) and SIGTERM (e.g. ``timeout`` or systemd) end the test, its tablet removed.

    SIGINT too, explicitly: a program that a script starts in the background inherits SIGINT
    ignored, and Python then leaves it ignored."""
    task = asyncio.current_task()
    if task is None:  # not reached: called from the test's own task
        return
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(ValueError, RuntimeError, NotImplementedError):  # not the main thread
            loop.add_signal_handler(sig, task.cancel)


async def _health(exhibit: ExhibitClient, config_path: Path) -> dict:
    try:
        return await exhibit.health()
    except (aiohttp.ClientError, OSError, TimeoutError, Refused) as e:
        raise Failed(
            f"the exhibit does not answer at {exhibit.base} ({_why(e)})",
            "Start it: sudo systemctl start nn-kiosk, and see systemctl status nn-kiosk. "
            f"If it runs with another config file than {config_path}, name it: --config FILE.",
        ) from None


def _admin_token(config: Config, config_path: Path) -> str:
    try:
        return read_admin_token(config.tablet.state_dir)
    except OSError as e:
        raise Failed(
            f"cannot read the admin token in {config.tablet.state_dir} ({e.strerror or e})",
            access_hint(config_path, "self-test"),
        ) from None


async def _follow_screen(watch: ScreenWatch, health: dict, say: Callable[[str], None]) -> None:
    """Open the screen's stream; Failed if the exhibit is closed, held by a presenter or pairing."""
    screens = health.get("streams", {}).get("open", {}).get("screen")
    try:
        await watch.open()
    except (ScreenWatchError, aiohttp.ClientError, OSError) as e:
        raise Failed(
            f"cannot follow the screen's event stream ({_why(e)})",
            "Too many screens may follow the exhibit (streams.max_per_kind in the config): close the "
            "extra ones, or restart the exhibit: sudo systemctl restart nn-kiosk.",
        ) from None
    exhibit = await watch.state("exhibit", GREETING_S) or {}
    pairing = await watch.state("pairing", GREETING_S) or {}
    _check_scene(exhibit.get("state"), exhibit.get("presenter"), exhibit.get("opens_at"))
    if pairing.get("open"):
        raise Failed(
            "a pairing window is open (someone is pairing a tablet; the self-test would end their code)",
            "Finish pairing, or wait until the code expires (tablet.pairing_minutes), then run the "
            "self-test again.",
        )
    if screens == 0:
        say(
            "Note: no screen follows the exhibit now. Is the big screen on? "
            "(systemctl status nn-kiosk-display)"
        )


def _check_scene(state: str | None, presenter: str | None = None, opens_at: str | None = None) -> None:
    if state == "closed":
        raise Failed(
            "the exhibit is closed now (its opening hours)"
            + (f"; it opens at {opens_at}" if opens_at else ""),
            "Run the self-test during the opening hours (attract.opening_hours and attract.holidays in "
            "the config).",
        )
    if state == "presenter":
        raise Failed(
            f"a presenter{f' ({presenter})' if presenter else ''} holds the exhibit; drawings do not "
            "reach the screen meanwhile",
            "Ask them to press Release on the presenter page, or wait until attract.presenter_idle_seconds "
            "have passed without their commands, then run the self-test again.",
        )


async def _seat_free(
    exhibit: ExhibitClient, config: Config, config_path: Path, watch: ScreenWatch, say: Callable[[str], None]
) -> None:
    """Failed unless a drawing seat is free and no visitor draws; removes leftover self-test tablets."""
    tablets = await _admin_call(exhibit.tablets(), config, config_path)
    ours = [t for t in tablets if t["name"] == NAME]
    if any(t["connected"] for t in ours):
        raise Failed("another self-test is running now", "Wait for it to end (a minute at most).")
    for leftover in ours:
        await _admin_call(exhibit.revoke(leftover["device"]), config, config_path)
        say(f"Removed a '{NAME}' tablet an interrupted self-test had left ({leftover['device']}).")
    seated = [t for t in tablets if t["connected"] and not t["name"].startswith(PRESENTER_PREFIX)]
    names = ", ".join(f"'{t['name']}'" for t in seated)
    if len(seated) >= config.tablet.drawers:
        raise Failed(
            f"the tablet {names} is connected and holds the drawing seat (tablet.drawers: "
            f"{config.tablet.drawers}); the self-test does not push a visitor's tablet off",
            "When nobody is drawing, lock that tablet (its power button) or close its page, wait 15 "
            "seconds, then run the self-test again.",
        )
    if seated and (watch.latest.get("exhibit") or {}).get("state") == "visitor":
        raise Failed(
            f"a visitor is drawing now (on {names})",
            "Run the self-test again when the screen is back to its playlist.",
        )


async def _admin_call(call: Awaitable[T], config: Config, config_path: Path) -> T:
    """Await an admin-token request; Failed if the exhibit refuses the token (another exhibit's)."""
    try:
        return await call
    except Refused as e:
        if e.status == 401:
            raise Failed(
                f"the exhibit refused the admin token in {config.tablet.state_dir}: it runs with "
                "another state folder",
                access_hint(config_path, "self-test"),
            ) from None
        raise Failed(
            f"the exhibit refused a staff request: {e}", "See journalctl -u nn-kiosk -n 30."
        ) from None


async def _pair(exhibit: ExhibitClient) -> tuple[str, str]:
    try:
        return await exhibit.pair(await exhibit.open_pairing(), NAME)
    except Refused as e:
        raise Failed(
            f"the virtual tablet could not be paired: {e}",
            "See journalctl -u nn-kiosk -n 30; python -m kiosk tablets list shows the paired tablets "
            "(at most 100).",
        ) from None


async def _draw_all(
    base: str, credential: str, samples: list[ShippedDigit], watch: ScreenWatch, say: Callable[[str], None]
) -> list[Drawing]:
    tablet = VirtualTablet()
    try:
        started = time.perf_counter()
        await _connect(tablet, base, credential)
        scene = await _greeting(tablet)
        _check_scene(scene.get("scene"), opens_at=scene.get("opens_at"))
        say(
            f"Connected over WebRTC in {time.perf_counter() - started:.1f} s; drawing "
            f"{len(samples)} handwritten digits…"
        )
        drawings: list[Drawing] = []
        for sample in samples:
            drawings.append(await _draw_one(tablet, sample, watch))
            if len(drawings) >= MISSES_IN_A_ROW and not any(d.on_screen for d in drawings[-MISSES_IN_A_ROW:]):
                say(f"Stopped drawing: the screen did not show the last {MISSES_IN_A_ROW} drawings.")
                break
        return drawings
    finally:
        await tablet.close()


async def _connect(tablet: VirtualTablet, base: str, credential: str) -> None:
    try:
        await tablet.connect(base, credential, timeout=CONNECT_S)
    except VirtualTabletError as e:
        if e.status == 409:
            raise Failed(
                "another tablet took the drawing seat just now",
                "Run the self-test again when nobody is drawing.",
            ) from None
        if e.status is not None:
            raise Failed(f"{e}", "See journalctl -u nn-kiosk -n 30.") from None
        raise Failed(f"no WebRTC connection: {e} within {CONNECT_S:.0f} s", _no_webrtc_todo()) from None
    except (aiohttp.ClientError, OSError) as e:
        raise Failed(
            f"the exhibit went away while the tablet connected ({_why(e)})", "Run it again."
        ) from None


def _no_webrtc_todo() -> str:
    if lan_address() is None:  # WebRTC (aioice) offers network addresses only, never loopback
        return (
            "This PC has no network address (only its loopback, lo): tablets could not connect either. "
            "Connect it to the museum's network, then run the self-test again."
        )
    return (
        "WebRTC needs UDP, here between this PC and itself: a firewall on the PC must let UDP through "
        "to its own network address. The exhibit's log says more: journalctl -u nn-kiosk -n 30."
    )


async def _greeting(tablet: VirtualTablet) -> dict:
    try:
        return await tablet.next("scene", GREETING_S)
    except TimeoutError:
        raise Failed(
            "the exhibit connected the virtual tablet but told it nothing",
            RESTART,
        ) from None


async def _draw_one(tablet: VirtualTablet, sample: ShippedDigit, watch: ScreenWatch) -> Drawing:
    """Draw one digit, take the answer for the whole drawing, see the screen show it, then clear."""
    mark = watch.mark()
    try:
        prediction, round_trips = await tablet.draw(sample.strokes, DRAW_SPEED, clear=False)
    except TimeoutError:
        raise Failed(
            "the exhibit stopped answering the virtual tablet's drawing",
            RESTART,
        ) from None
    except VirtualTabletError as e:
        raise Failed(f"{e}", "See journalctl -u nn-kiosk -n 30.") from None
    shown = await watch.shown(mark, prediction["digit"], prediction["probabilities"], SCREEN_WAIT_S)
    tablet.clear()
    return Drawing(sample.source, sample.label, prediction["digit"], round_trips[-1], shown is not None)


async def _remove(exhibit: ExhibitClient, config: Config, device: str, say: Callable[[str], None]) -> None:
    """Revoke the virtual tablet through the exhibit (which hangs it up), else in its tablets file."""
    try:
        async with asyncio.timeout(REMOVE_S):
            await exhibit.revoke(device)
        removed = True
    except Refused as e:
        removed = e.status == 404 or _revoke_in_file(config, device, say)  # 404: gone already
    except (aiohttp.ClientError, OSError, TimeoutError):  # the exhibit went away meanwhile
        removed = _revoke_in_file(config, device, say)
    if removed:
        say(f"Removed the '{NAME}' tablet again.")


def _revoke_in_file(config: Config, device: str, say: Callable[[str], None]) -> bool:
    try:
        DeviceStore(config.tablet.state_dir / DEVICES_FILE).revoke(device)
        return True
    except DeviceStoreError as e:
        say(f"Could not remove the '{NAME}' tablet ({e}): python -m kiosk tablets revoke {device}")
        return False


def _why(error: BaseException) -> str:
    if isinstance(error, aiohttp.ClientConnectorError):  # asyncio words it "Connect call failed (…)"
        code = error.os_error.errno
        return os.strerror(code).lower() if code else str(error.os_error)
    return str(error) or type(error).__name__
