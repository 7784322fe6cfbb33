"""The test suite's layers, and the check that keeps every test in its layer.

    make test-fast     pytest -m "not browser and not process and not slow"   (unit tests, under a minute)
    make test          everything

- ``browser``: the test drives a real browser (Chromium through Playwright, Firefox through
  Marionette, either of them in a network namespace).
- ``process``: the test starts another process: the exhibit (``tools/exhibit_process.py``), a
  command line (``python -m kiosk pair``), the playground's training process, a network namespace,
  Prometheus, a booted container. A browser test that also starts the exhibit is marked both.
- ``slow``: takes seconds by itself, with no process of its own: a real training run, Hypothesis
  fuzzing hundreds of inputs, a real network timeout running out.

A test file says its layer in one line: ``pytestmark = [pytest.mark.browser, pytest.mark.process]``.

The check: while a test runs (its set-up, call and tear-down), every process started from this
one is noted: ``subprocess`` (and asyncio's subprocesses, Playwright's driver among them), ``os.system``,
``os.fork`` and ``os.posix_spawn`` through Python's audit hooks, and ``multiprocessing`` processes.
A command that names chromium, firefox or playwright needs ``browser``; any other needs
``process``. A test without the marker it needs fails at tear-down, naming the command and the
line to add, so the fast layer stays free of processes as tests are added. (A module-scoped
fixture starts its process in its module's first test: the module's ``pytestmark`` covers them all.
``ldconfig`` and ``uname``, which libraries run once to find a shared library or the machine's
type, are not counted: they come in whichever test first needs that library.)
"""

from __future__ import annotations

import multiprocessing.process
import sys
from collections.abc import Iterable

import pytest

BROWSER_WORDS = ("chromium", "firefox", "playwright")
AUDITED = {"subprocess.Popen", "os.system", "os.fork", "os.forkpty", "os.posix_spawn"}
# Looked up once by a library on its first use, by whichever test comes first: not the test's doing.
LIBRARY_LOOKUPS = ("/sbin/ldconfig", "ldconfig", "uname")  # ctypes.util.find_library, platform

_started: list[str] | None = None  # commands started while a test runs; None between tests


def _audit(event: str, args: tuple) -> None:
    if _started is not None and event in AUDITED:
        command = _describe(event, args)
        if not command.startswith(LIBRARY_LOOKUPS):
            _started.append(command)


def _describe(event: str, args: tuple) -> str:
    if event == "subprocess.Popen":  # (executable, args, cwd, env)
        argv = args[1]
        return argv if isinstance(argv, str | bytes) else " ".join(map(str, argv))
    if event == "os.posix_spawn":  # (path, argv, env)
        return " ".join(map(str, args[1]))
    return f"{event}{args if args else ''}"


_original_start = multiprocessing.process.BaseProcess.start


def _start_noted(self: multiprocessing.process.BaseProcess) -> None:
    if _started is not None:
        _started.append(f"multiprocessing {self.name}")
    _original_start(self)


def install() -> None:
    """Start noting processes (once per pytest run; the markers are registered in pyproject.toml)."""
    sys.addaudithook(_audit)  # cannot be removed again: it only notes while a test runs
    multiprocessing.process.BaseProcess.start = _start_noted


def begin_test() -> None:
    global _started
    _started = []


def end_test() -> list[str]:
    """The commands started since ``begin_test``."""
    global _started
    started, _started = _started or [], None
    return started


def needed_markers(started: Iterable[str]) -> dict[str, str]:
    """The markers these commands call for, each with the first command that calls for it."""
    needed: dict[str, str] = {}
    for command in started:
        marker = "browser" if any(word in command.lower() for word in BROWSER_WORDS) else "process"
        needed.setdefault(marker, command)
    return needed


def missing_markers(item: pytest.Item, started: Iterable[str]) -> str | None:
    """Why ``item`` is in the wrong layer, or None."""
    missing = {
        marker: command
        for marker, command in needed_markers(started).items()
        if item.get_closest_marker(marker) is None
    }
    if not missing:
        return None
    lines = [
        f"this test started {command[:200]!r} but is not marked {marker}"
        for marker, command in missing.items()
    ]
    markers = ", ".join(f"pytest.mark.{marker}" for marker in missing)
    lines.append(f"add to its file: pytestmark = [{markers}] (tests/support/layers.py says why)")
    return "\n".join(lines)


def marks(*decorators: pytest.MarkDecorator):
    """Several marks as one decorator, for a file whose tests are not all in one layer:

    in_chromium = marks(pytest.mark.browser, pytest.mark.process, pytest.mark.skipif(...))
    """

    def apply(test):
        for decorator in decorators:
            test = decorator(test)
        return test

    return apply
