"""Telling systemd how the exhibit is doing: ready, still alive, stopping (``sd_notify``, no library).

systemd (``Type=notify`` in systemd/nn-kiosk.service.in) hands the service a datagram socket in
``$NOTIFY_SOCKET`` and waits for ``READY=1`` before it counts the exhibit as started (and starts
the kiosk browser after it). Every message is a few ``KEY=value`` lines in one datagram:

- ``READY=1``     the port is listening; sent by ``python -m kiosk`` once it accepts connections
- ``STATUS=…``    one line for staff, shown by ``systemctl status nn-kiosk``
- ``WATCHDOG=1``  "the event loop is alive", every half ``WatchdogSec=`` (see ``watchdog``)
- ``STOPPING=1``  a graceful stop has begun (SIGTERM)
- ``RELOADING=1`` … ``READY=1``: a configuration reload (SIGHUP) began and ended

Outside systemd (``make run``, tests) ``$NOTIFY_SOCKET`` is unset and every call does nothing.

The watchdog pings come from a task on the server's own event loop, deliberately: if the loop
is stuck (a handler that blocks, a deadlock) the pings stop, and after ``WatchdogSec=`` systemd
kills the server with SIGABRT — ``faulthandler`` then writes every thread's Python stack to the
journal, so the log shows where it hung — and ``Restart=always`` starts it again. A thread or a
process that pinged on its own would keep a frozen exhibit "healthy" for ever.
"""

from __future__ import annotations

import asyncio
import faulthandler
import logging
import os
import socket
import time
from collections.abc import Mapping

log = logging.getLogger(__name__)

NOTIFY_SOCKET_ENV = "NOTIFY_SOCKET"


def notify(message: str, environ: Mapping[str, str] = os.environ) -> bool:
    """Send ``message`` (``"KEY=value"`` lines) to systemd. False, quietly, when not under systemd."""
    address = _socket_address(environ.get(NOTIFY_SOCKET_ENV, ""))
    if address is None:
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.sendto(message.encode("utf-8"), address)
    except OSError as exc:  # systemd gone (e.g. during shutdown) or a stale variable: not our failure
        log.debug("cannot notify systemd at %s: %s", environ.get(NOTIFY_SOCKET_ENV), exc)
        return False
    return True


def _socket_address(value: str) -> str | bytes | None:
    """A file system path, or an abstract-namespace name given as "@name"; anything else (unset,
    systemd's newer "vsock:" addresses) is not for us."""
    if value.startswith("/"):
        return value
    if value.startswith("@") and len(value) > 1:
        return b"\0" + value[1:].encode("utf-8")
    return None


def status(text: str) -> bool:
    """One line for ``systemctl status nn-kiosk``."""
    return notify(f"STATUS={_one_line(text)}")


def ready(text: str) -> bool:
    """The server accepts connections: systemd counts it as started (and starts the screen)."""
    return notify(f"READY=1\nSTATUS={_one_line(text)}")


def stopping() -> bool:
    """A graceful stop has begun; systemd expects the process to exit."""
    return notify("STOPPING=1\nSTATUS=stopping")


def reloading() -> bool:
    """A reload (SIGHUP, ``systemctl reload``) has begun; follow it with ``reloaded``.

    MONOTONIC_USEC lets systemd (``Type=notify-reload``, systemd 253+) match this message to the
    reload it asked for; older versions ignore it.
    """
    usec = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
    return notify(f"RELOADING=1\nMONOTONIC_USEC={usec}\nSTATUS=reloading the configuration")


def reloaded(text: str) -> bool:
    """The reload is over (applied or refused, the running config kept): ready again."""
    return ready(text)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def watchdog_interval(environ: Mapping[str, str] = os.environ) -> float | None:
    """Seconds within which systemd wants a ``WATCHDOG=1`` (``WatchdogSec=``), or None if it doesn't.

    ``$WATCHDOG_USEC`` holds the interval in microseconds; ``$WATCHDOG_PID``, if set, names the
    process systemd watches, and a different process (a child that inherited the variables)
    must not answer for it.
    """
    pid = environ.get("WATCHDOG_PID")
    if pid is not None and pid.strip() != str(os.getpid()):
        return None
    try:
        usec = int(environ.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    return usec / 1_000_000 if usec > 0 else None


async def watchdog(interval: float) -> None:
    """Send ``WATCHDOG=1`` every ``interval / 2`` seconds, for ever (cancel the task to stop).

    Runs on the server's event loop on purpose: see the module's description. A ping that comes
    late is logged, so a loop that was blocked for a while (without tripping the watchdog yet)
    shows up in the journal.
    """
    period = interval / 2
    loop = asyncio.get_running_loop()
    while True:
        notify("WATCHDOG=1")
        due = loop.time() + period
        await asyncio.sleep(period)
        late = loop.time() - due
        if late > period / 2:
            log.warning(
                "the event loop was blocked for about %.1f s (systemd restarts the exhibit after %.0f s)",
                late,
                interval,
            )


def start_watchdog() -> asyncio.Task | None:
    """Start pinging systemd's watchdog from the running loop if ``WatchdogSec=`` asks for it.

    Also turns on ``faulthandler``: systemd stops a silent server with SIGABRT, and the Python
    stacks it then prints are the best clue to what blocked the loop. Keep the returned task
    referenced (an unreferenced task may be garbage-collected).
    """
    interval = watchdog_interval()
    if interval is None:
        return None
    faulthandler.enable()
    log.info("systemd watchdog: pinging every %.1f s", interval / 2)
    return asyncio.get_running_loop().create_task(watchdog(interval), name="systemd-watchdog")
