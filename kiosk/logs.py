"""The exhibit's log as staff read it: one line per thing that happened, in plain words.

Levels (config ``logging:``, set at start and again on every reload):

- ``level``: the exhibit's own lines (the ``kiosk`` loggers). At ``info`` staff see the start
  and its "ready" line with the addresses, pairing, tablets and screens connecting and dropping
  (with why), reloads, the exhibit's state changes, and every problem; never a line per stroke,
  answer or frame.
- ``libraries``: everything else: aiohttp's access lines (one per request) and aiortc/aioice's
  ICE chatter ("could not be resolved", "Consent to send expired"), the normal life of a WebRTC
  connection that reads like an error. Default ``warning``: only their warnings and errors; a
  developer chasing a connection problem sets ``debug`` and reloads.

Where the lines go: stderr. A terminal or a file gets
``2026-12-05 21:20:33,627 INFO kiosk.tablet.signalling: tablet 'by the door' (77M01Ztb) connected``.
Under systemd, when stderr is the journal (``$JOURNAL_STREAM`` holds stderr's device and inode),
the time is left out (the journal keeps its own) and each line starts with its syslog priority:
``<6>`` info, ``<4>`` warning, ``<3>`` error, ``<2>`` critical, ``<7>`` debug (systemd's
SyslogLevelPrefix), so ``journalctl -u nn-kiosk -p warning`` shows the problems only. The journal
keeps one entry per line of its stream: every line of a traceback carries its record's priority,
so the whole traceback shows under ``-p err``, in order.

``ready_line``: the line logged once the port accepts connections, with the addresses staff and
visitors type (this PC's network address, see kiosk/address.py, not 0.0.0.0).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from typing import TextIO

from kiosk.address import exhibit_url
from kiosk.config import Config, LoggingConfig

PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JOURNAL_FORMAT = "%(levelname)s %(name)s: %(message)s"  # the journal adds the time and the unit
OWN_LOGGER = "kiosk"
WILDCARD_HOSTS = ("0.0.0.0", "::", "")
PRIORITIES = ((logging.CRITICAL, 2), (logging.ERROR, 3), (logging.WARNING, 4), (logging.INFO, 6))  # else 7


def configure(
    options: LoggingConfig, stream: TextIO | None = None, environ: Mapping[str, str] = os.environ
) -> None:
    """Send every log line to ``stream`` (stderr), formatted for the journal if that is where it goes."""
    stream = stream or sys.stderr
    handler = _KioskHandler(stream)
    handler.setFormatter(JournalFormatter() if writes_to_journal(stream, environ) else PlainFormatter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _KioskHandler)]:  # configured before
        root.removeHandler(old)
    root.addHandler(handler)
    logging.captureWarnings(True)  # Python's warnings become log lines (with a priority) too
    apply_levels(options)


def apply_levels(options: LoggingConfig) -> None:
    """``level`` for the exhibit's own loggers, ``libraries`` for all others (at start, on reload)."""
    logging.getLogger().setLevel(options.libraries.upper())
    logging.getLogger(OWN_LOGGER).setLevel(options.level.upper())


def writes_to_journal(stream: TextIO, environ: Mapping[str, str] = os.environ) -> bool:
    """True when ``stream`` is the journal's: systemd sets ``JOURNAL_STREAM=<device>:<inode>`` of it.

    Compared with the stream itself, so a child whose stderr was redirected (to a file, a pipe)
    writes plain lines although it inherited the variable.
    """
    device, _, inode = environ.get("JOURNAL_STREAM", "").partition(":")
    if not (device.isdigit() and inode.isdigit()):
        return False
    try:
        status = os.fstat(stream.fileno())
    except (AttributeError, OSError, ValueError):  # no file behind it (a StringIO), or closed
        return False
    return (status.st_dev, status.st_ino) == (int(device), int(inode))


def syslog_priority(levelno: int) -> int:
    """The syslog priority of a Python log level (sd-daemon(3)): 2 crit … 7 debug."""
    for level, priority in PRIORITIES:
        if levelno >= level:
            return priority
    return 7


class PlainFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(PLAIN_FORMAT)


class JournalFormatter(logging.Formatter):
    """No time; ``<priority>`` before every line of the record (a traceback's lines included)."""

    def __init__(self) -> None:
        super().__init__(JOURNAL_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        prefix = f"<{syslog_priority(record.levelno)}>"
        return "\n".join(prefix + line for line in super().format(record).splitlines() or [""])


class _KioskHandler(logging.StreamHandler):
    """The handler ``configure`` adds (and replaces when called again)."""


def ready_line(config: Config) -> str:
    """``ready on all addresses, port 8080: screen http://192.168.1.20:8080/ …`` with the addresses
    the exhibit's screen, tablets and presenters open."""
    base, server = exhibit_url(config), config.server
    where = "all addresses" if server.host in WILDCARD_HOSTS else server.host
    screen = f"{base}/"
    if server.host in WILDCARD_HOSTS and not server.public_url:
        screen += f" (on this PC also http://localhost:{server.port}/)"
    presenter = f"{base}/presenter" if config.presenter.passphrase_hash else "log-in off (no passphrase_hash)"
    return (
        f"ready on {where}, port {server.port}: screen {screen}, tablets {base}/tablet, presenter {presenter}"
    )
