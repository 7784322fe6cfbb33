"""Shared fixtures and the layers check; the helpers themselves live in tests/support/ and, for the
exhibit as a real process, in tools/exhibit_process.py.

Layers (tests/support/layers.py): a test marked ``browser`` drives a real browser, one marked
``process`` starts another process (the exhibit, a command, a namespace ...), ``slow`` ones take
seconds by themselves; the rest are unit tests (``make test-fast``). A test that starts a process
without its marker fails.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from support import SHIPPED_EXPORT, layers
from support.browsers import BROWSER_ARGS, CHROMIUM
from support.clock import FakeClock
from support.exports import write_tiny_export

from tools.exhibit_process import ExhibitProcess, unused_port

# The fuzz tests (test_fuzz_*.py) explore new examples on a developer's runs; CI replays the same
# ones every run, so that a landing is not decided by which random inputs it happened to draw.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI") == "true":
    hypothesis_settings.load_profile("ci")


# ---- layers ----------------------------------------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    layers.install()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    layers.begin_test()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    if call.when == "teardown":
        report = outcome.get_result()
        wrong_layer = layers.missing_markers(item, layers.end_test())
        if wrong_layer and report.passed:
            report.outcome, report.longrepr = "failed", wrong_layer


# ---- fixtures --------------------------------------------------------------------------------


@pytest.fixture
def tiny_export(tmp_path: Path) -> Path:
    """Folder of a small valid export (architecture [784, 16, 10], snapshots start/mid/end)."""
    return write_tiny_export(tmp_path / "tiny-export")


@pytest.fixture(scope="session")
def export_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped export when it exists, else a tiny one: tests must hold for any valid export."""
    if (SHIPPED_EXPORT / "manifest.json").exists():
        return SHIPPED_EXPORT
    return write_tiny_export(tmp_path_factory.mktemp("export") / "tiny-export")


@pytest.fixture
def free_port() -> int:
    return unused_port()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def exhibit_process(tmp_path: Path, export_dir: Path):
    """A real server process on loopback (tools/exhibit_process.py), its config, state and log in
    ``tmp_path``. Stopped with SIGTERM afterwards, and it must not have logged a traceback."""
    with ExhibitProcess(tmp_path, export_dir) as exhibit:
        yield exhibit
    assert exhibit.tracebacks() == []


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright, one per test module (pages are opened per test)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        yield browser
        browser.close()
