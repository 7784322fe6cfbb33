"""The tests' own support: the layers check (tests/support/layers.py) and the config an exhibit
process is started with (tools/exhibit_process.py)."""

from __future__ import annotations

import ctypes.util
import subprocess
import sys
from pathlib import Path

import pytest
from support import layers

from kiosk.config import load_config
from tools.exhibit_process import QUIET_PLAYLIST, ExhibitProcess


class FakeItem:
    """What ``missing_markers`` asks of a test: its markers."""

    def __init__(self, *markers: str) -> None:
        self.markers = set(markers)

    def get_closest_marker(self, name: str) -> object | None:
        return name if name in self.markers else None


CHROMIUM = "/usr/bin/chromium --headless --remote-debugging-port=9222"
DRIVER = "/venv/lib/playwright/driver/node /venv/lib/playwright/driver/package/cli.js run-driver"
KIOSK = f"{sys.executable} -m kiosk --config /tmp/kiosk.yaml"


def test_a_browser_or_playwright_needs_browser_and_anything_else_process() -> None:
    assert layers.needed_markers([]) == {}
    assert layers.needed_markers([DRIVER]) == {"browser": DRIVER}
    assert layers.needed_markers([CHROMIUM, KIOSK, "multiprocessing playground"]) == {
        "browser": CHROMIUM,
        "process": KIOSK,
    }


def test_a_test_without_the_marker_it_needs_is_told_which_line_to_add() -> None:
    assert layers.missing_markers(FakeItem(), []) is None
    assert layers.missing_markers(FakeItem("browser", "process"), [DRIVER, KIOSK]) is None
    why = layers.missing_markers(FakeItem("browser"), [DRIVER, KIOSK])
    assert why is not None and "is not marked process" in why and "-m kiosk" in why
    assert "pytestmark = [pytest.mark.process]" in why and "browser" not in why.splitlines()[-1]


@pytest.mark.process
def test_a_started_command_is_noted_while_a_test_runs(tmp_path: Path) -> None:
    saved = layers.end_test()  # this test's own record so far, put back below
    try:
        layers.begin_test()
        subprocess.run(["true"], check=True)
        noted = layers.end_test()
        subprocess.run(["true"], check=True)  # between tests: not noted
        assert noted == ["true"] and layers.end_test() == []
        layers.begin_test()
        ctypes.util.find_library("c")  # a library finding a shared library: not the test's doing
        assert layers.end_test() == []
    finally:
        layers.begin_test()
        layers._started.extend(saved)


def test_the_exhibit_processs_config_is_one_the_kiosk_reads(tmp_path: Path, export_dir: Path) -> None:
    exhibit = ExhibitProcess(
        tmp_path, export_dir, tablet={"when_busy": "take_over"}, settings=QUIET_PLAYLIST + "language: de\n"
    )
    config = load_config(exhibit.config)
    assert (config.server.host, config.server.port) == ("127.0.0.1", exhibit.port)
    assert exhibit.base == exhibit.url == f"http://127.0.0.1:{exhibit.port}"
    assert config.model.export == export_dir and config.tablet.state_dir == exhibit.state
    assert config.tablet.when_busy == "take_over" and config.language == "de"
    assert [item.scene for item in config.attract.playlist] == ["timeline"]
    exhibit.write_config(settings="language: fr\n")
    assert load_config(exhibit.config).language == "fr"
    assert exhibit.returncode is None and exhibit.tracebacks() == []  # not started: no log yet
