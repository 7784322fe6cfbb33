"""The Makefile on other PCs: which Python it picks, and that `make run` never reinstalls.

Runs GNU make itself on the real Makefile; `-n` prints what it would do without doing it. Fake
interpreters in a folder at the front of PATH stand in for what a Debian 12/13 or Ubuntu 24.04
PC has: each answers the Makefile's version check as that Python would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import REPO

MAKE = shutil.which("make")
pytestmark = [pytest.mark.process, pytest.mark.skipif(MAKE is None, reason="GNU make is not installed")]


def _fake_python(folder: Path, name: str, version: tuple[int, int]) -> None:
    """A script that runs the Makefile's check (`-c CODE`) as a Python of this version would."""
    script = folder / name
    pretend = f"import sys; sys.version_info = {version!r}; exec(sys.argv[1])"
    script.write_text(f'#!/bin/sh\nexec {sys.executable} -c "{pretend}" "$2"\n')
    script.chmod(0o755)


def _make(args: list[str], cwd: Path, path_front: Path | None = None, **env: str) -> str:
    environ = {**os.environ, **env}
    environ.pop("PYTHON", None)
    environ.pop("MAKEFLAGS", None)
    if path_front is not None:
        environ["PATH"] = str(path_front)  # only the fake interpreters (make runs sh by its path)
    done = subprocess.run(
        [MAKE, "--no-print-directory", *args],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.stdout + done.stderr


def _picked(tmp_path: Path, pythons: dict[str, tuple[int, int]]) -> str:
    folder = tmp_path / "bin"
    folder.mkdir()
    for name, version in pythons.items():
        _fake_python(folder, name, version)
    # The quotes make make run it through sh, whose echo is built in: the PATH has only the fakes.
    probe = '--eval=print-python: ; @echo "PICKED=$(PYTHON)"'
    out = _make(["-f", str(REPO / "Makefile"), probe, "print-python"], tmp_path, folder)
    return out.split("PICKED=", 1)[1].strip()


@pytest.mark.parametrize("version", [(3, 11), (3, 12), (3, 13)])
def test_python3_is_picked_when_it_is_supported(tmp_path: Path, version: tuple[int, int]) -> None:
    # Debian 12 (3.11), Ubuntu 24.04 (3.12), Debian 13 (3.13): python3 is the one to use.
    assert _picked(tmp_path, {"python3": version, "python3.11": (3, 11)}) == "python3"


def test_an_unsupported_python3_gives_way_to_the_newest_supported(tmp_path: Path) -> None:
    picked = _picked(tmp_path, {"python3": (3, 14), "python3.12": (3, 12), "python3.11": (3, 11)})
    assert picked == "python3.12"


def test_no_supported_python_says_what_to_install(tmp_path: Path) -> None:
    assert _picked(tmp_path, {"python3": (3, 10)}) == ""
    out = _make(["-f", str(REPO / "Makefile"), "-n", ".venv/.installed"], tmp_path, tmp_path / "bin")
    assert "No Python 3.11, 3.12 or 3.13 found" in out


def test_python_named_on_the_command_line_wins(tmp_path: Path) -> None:
    out = _make(
        ["-f", str(REPO / "Makefile"), '--eval=p: ; @echo "PICKED=$(PYTHON)"', "p", "PYTHON=/opt/py"],
        tmp_path,
    )
    assert "PICKED=/opt/py" in out


@pytest.fixture
def installed_copy(tmp_path: Path) -> Path:
    """A folder that looks like a set-up checkout: Makefile, .venv stamp, display packages."""
    shutil.copy(REPO / "Makefile", tmp_path / "Makefile")
    (tmp_path / ".venv").mkdir()
    (tmp_path / "display" / "node_modules").mkdir(parents=True)
    for name in ("pyproject.toml", "display/package.json", "display/package-lock.json"):
        (tmp_path / name).write_text("{}\n")
    (tmp_path / ".venv" / ".installed").touch()
    (tmp_path / "display" / "node_modules" / ".package-lock.json").touch()
    return tmp_path


def _age(path: Path, seconds: int) -> None:
    stamp = path.stat().st_mtime - seconds
    os.utime(path, (stamp, stamp))


def test_make_run_after_an_update_installs_nothing_and_says_so(installed_copy: Path) -> None:
    # An updated source (dependency files newer than the install) on an offline exhibit PC.
    _age(installed_copy / ".venv" / ".installed", 3600)
    _age(installed_copy / "display" / "node_modules" / ".package-lock.json", 3600)
    out = _make(["-n", "run"], installed_copy)
    assert "pip install" not in out
    assert "npm ci" not in out
    assert "-m kiosk --config config/kiosk.yaml" in out
    assert "make update" in out  # the dry run lists the hint's shell loop; its text names the step


def test_make_run_on_a_fresh_checkout_installs(installed_copy: Path) -> None:
    (installed_copy / ".venv" / ".installed").unlink()
    (installed_copy / "display" / "node_modules" / ".package-lock.json").unlink()
    out = _make(["-n", "run", "PYTHON=python3"], installed_copy)
    assert "pip install --quiet -e '.[dev]'" in out
    assert "npm ci --prefix display" in out


def test_make_update_reinstalls_both(installed_copy: Path) -> None:
    out = _make(["-n", "update", "PYTHON=python3"], installed_copy)
    assert "pip install --quiet -e '.[dev]'" in out
    assert "npm ci --prefix display" in out
