"""A Debian 12 PC with the exhibit installed as staff install it, booted by a real systemd.

    with booted_debian.cache_lock():
        root = booted_debian.exhibit_root()            # built once (minutes), then reused
        with booted_debian.Machine(root, log) as pc:   # systemd-nspawn -b: a real boot, ~2 s
            pc.run("systemctl", "is-active", "nn-kiosk")
            pc.http_get("http://127.0.0.1:8080/healthz")

The PC, precisely:

- **The Debian root** (``debian-bookworm-r<RECIPE>``): ``debootstrap --variant=minbase`` of
  bookworm from ``MIRROR`` with ``PACKAGES`` (systemd as PID 1, D-Bus, ps/kill, Python 3.11 with
  venv). Made once and kept in ``CACHE`` (``/var/tmp/nn-kiosk-boot``, or $NN_KIOSK_BOOT_CACHE).
- **The wheel folder** (``wheels-py311-<key>``): made as docs/operations.md tells staff for an
  offline PC, ``pip download -d wheels setuptools <source folder>``, by a Python 3.11 (Debian 12's).
  ``<key>`` is a digest of pyproject.toml's dependencies and build requirements: a changed
  dependency makes a new folder.
- **The exhibit root** (``exhibit-r<RECIPE>-<key>``): a copy of the Debian root into which the
  exhibit is installed as ``make install`` does it: ``make install DESTDIR=<root>`` (a staged
  install), then, inside the root with no network (``systemd-nspawn`` without ``-b``,
  ``--private-network``, the wheel folder bound read-only at ``/wheels``), the commands that
  ``make install`` prints for the exhibit PC, with ``PIP_INSTALL_ARGS="--no-index --find-links
  /wheels"``: the offline install, for real. Then ``systemctl --root=<root> enable`` of both units,
  as the docs say. Later runs only copy the program again (``make install DESTDIR`` once more; the
  virtual environment is an editable install of /opt/nn-kiosk, so it runs the fresh files) and put
  the shipped kiosk.yaml back.
- Everything is built into ``<name>.partial`` and renamed when complete, so an interrupted build
  is never reused; entries of other recipes or keys are deleted once a new one is made.
  ``cache_lock()`` keeps two runs from building or booting the same root at once.
- **The boot** (``Machine``): ``systemd-nspawn -b --volatile=overlay`` (every boot starts from the
  cached root; what it writes goes to memory and is gone afterwards), ``--register=no
  --keep-unit`` (this machine's PID 1 is not systemd), pure cgroup v2 as on a Debian 12 PC
  (``SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1``), and a network of its own with only a loopback
  (``--private-network``): its port 8080 is not this machine's. Commands run inside through
  ``nsenter`` into the container's PID 1 (``machinectl`` needs a systemd on this machine).
  ``shutdown()`` powers it off and kills it if it has not stopped within ``STOP_TIMEOUT_S``.

``unavailable()`` says why none of this can run here (not root, a program missing), or None.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("NN_KIOSK_BOOT_CACHE", "/var/tmp/nn-kiosk-boot"))
# Raise RECIPE whenever what goes into a root changes (packages, install steps): a new root is made.
RECIPE = 2
SUITE, MIRROR = "bookworm", "http://deb.debian.org/debian"
PACKAGES = ("systemd", "systemd-sysv", "dbus", "procps", "python3", "python3-venv")
UNITS = ("nn-kiosk.service", "nn-kiosk-display.service")
# As docs/operations.md says. (--no-compile would save ~15 s of the first build, but every start of
# the server would then compile PyTorch's modules again: ~1.8 s to active instead of ~1.0 s.)
PIP_INSTALL_ARGS = "--no-index --find-links /wheels"
STAGED_MARKER = "On the exhibit PC, as root, first:"
NSPAWN_ENV = {**os.environ, "SYSTEMD_NSPAWN_UNIFIED_HIERARCHY": "1"}
NSPAWN_HOST = ["systemd-nspawn", "--quiet", "--register=no", "--keep-unit", "--private-network"]
BUILD_TIMEOUT_S = 900
STOP_TIMEOUT_S = 30
PROGRAMS = ("debootstrap", "systemd-nspawn", "nsenter", "systemctl", "make")


@functools.cache
def unavailable() -> str | None:
    """Why a PC cannot be built and booted here, or None when it can."""
    if os.geteuid() != 0:
        return "needs root (debootstrap, systemd-nspawn)"
    for program in PROGRAMS:
        if shutil.which(program) is None:
            return f"'{program}' is not installed (make test installs debootstrap and systemd-container)"
    if not (REPO / "display" / "node_modules" / "three").is_dir():
        return "needs display/node_modules for make install (make test installs them)"
    if python311() is None:
        return "needs a Python 3.11 with pip to download the wheels for Debian 12's Python"
    return None


def python311() -> str | None:
    """A Python 3.11 with pip on this machine: the one running the tests, or python3.11."""
    if sys.version_info[:2] == (3, 11):
        return sys.executable
    found = shutil.which("python3.11")
    if found and subprocess.run([found, "-m", "pip", "--version"], capture_output=True).returncode == 0:
        return found
    return None


def _run(argv: list[str], timeout: float = BUILD_TIMEOUT_S, **kwargs) -> str:
    """Run a build step; a failure raises with the step's own last lines of output."""
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, **kwargs)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-30:])
        raise RuntimeError(f"{' '.join(argv[:6])} … failed ({done.returncode}):\n{tail}")
    return done.stdout


# ---- the cache ---------------------------------------------------------------------------------


@contextlib.contextmanager
def cache_lock() -> Iterator[None]:
    """Hold the cache for this process: building, refreshing and booting its roots."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def dependency_key(pyproject: Path = REPO / "pyproject.toml") -> str:
    """A digest of what pip installs: the dependencies, the build requirements, the Pythons."""
    data = tomllib.loads(pyproject.read_text())
    wanted = [data["project"]["dependencies"], data["build-system"]["requires"]]
    wanted.append(data["project"]["requires-python"])
    return hashlib.sha256(json.dumps(wanted).encode()).hexdigest()[:12]


def _cached(family: str, version: str, build) -> Path:
    """``CACHE/family-version``, made by ``build(folder)`` into ``….partial`` first if it is not there.

    Once made, every other ``family-*`` (another recipe or other dependencies) is deleted.
    """
    final = CACHE / f"{family}-{version}"
    if final.is_dir():
        return final
    partial = CACHE / f"{final.name}.partial"
    _remove(partial)  # left by a run that was interrupted (we hold the lock: nobody else builds)
    partial.mkdir()
    try:
        build(partial)
    except BaseException:
        _remove(partial)
        raise
    partial.rename(final)
    for old in CACHE.glob(f"{family}-*"):
        if old != final:
            _remove(old)
    return final


def _remove(folder: Path) -> None:
    """Delete a folder that may still have file systems mounted in it (a debootstrap cut short)."""
    if not folder.exists():
        return
    mounts = [line.split()[1] for line in Path("/proc/mounts").read_text().splitlines()]
    for mount in sorted((m for m in mounts if m.startswith(f"{folder}/")), reverse=True):
        subprocess.run(["umount", "--lazy", mount], capture_output=True)
    shutil.rmtree(folder)


def debian_root() -> Path:
    """The bare Debian 12 root (debootstrap takes about a minute)."""
    return _cached(f"debian-{SUITE}", f"r{RECIPE}", _debootstrap)


def _debootstrap(folder: Path) -> None:
    _run(["debootstrap", "--variant=minbase", f"--include={','.join(PACKAGES)}", SUITE, str(folder), MIRROR])
    for deb in (folder / "var" / "cache" / "apt" / "archives").glob("*.deb"):
        deb.unlink()  # the downloaded packages: installed, not needed again


def wheel_folder() -> Path:
    """The wheels an offline exhibit PC installs from, as staff download them."""
    return _cached("wheels-py311", dependency_key(), _download_wheels)


def _download_wheels(folder: Path) -> None:
    python = python311()
    assert python is not None, unavailable()
    _run([python, "-m", "pip", "download", "--quiet", "-d", str(folder), "setuptools", str(REPO)])


def exhibit_root() -> Path:
    """The Debian root with the exhibit installed, its units enabled, this tree's program in it."""
    base, wheels = debian_root(), wheel_folder()
    root = _cached("exhibit", f"r{RECIPE}-{dependency_key()}", lambda folder: _install(base, wheels, folder))
    (root / "etc" / "nn-kiosk" / "kiosk.yaml").unlink(missing_ok=True)  # the shipped one, fresh
    stage_program(root)
    return root


def stage_program(root: Path) -> str:
    """``make install DESTDIR=root``: the program, units, users' file and config; returns its output."""
    # -o: never (re)build the screen's npm packages here; the ones in place are copied.
    return _run(
        ["make", "--no-print-directory", "-C", str(REPO), "-o", "display/node_modules/.package-lock.json"]
        + ["install", f"DESTDIR={root}", "INSTALL_PYTHON=python3", f"PIP_INSTALL_ARGS={PIP_INSTALL_ARGS}"],
        timeout=120,
    )


def commands_for_the_pc(make_output: str) -> str:
    """The shell line ``make install`` with DESTDIR prints for the exhibit PC (venv, pip, users)."""
    lines = make_output.splitlines()
    for line, following in zip(lines, lines[1:], strict=False):
        if line.endswith(STAGED_MARKER):
            return following.strip()
    raise RuntimeError(f"make install did not print {STAGED_MARKER!r}:\n{make_output}")


def _install(base: Path, wheels: Path, folder: Path) -> None:
    folder.rmdir()
    _run(["cp", "-a", "--reflink=auto", str(base), str(folder)])
    commands = commands_for_the_pc(stage_program(folder))
    _run(
        [*NSPAWN_HOST, "-D", str(folder), f"--bind-ro={wheels}:/wheels", "sh", "-c", commands], env=NSPAWN_ENV
    )
    _run(["systemctl", f"--root={folder}", "enable", *UNITS], timeout=60)


def size(folder: Path) -> str:
    """``du -sh`` of a folder, e.g. '5.8G'."""
    return _run(["du", "-sh", str(folder)], timeout=120).split()[0]


# ---- the booted PC -----------------------------------------------------------------------------


class Machine:
    """``root`` booted by systemd-nspawn; its console goes to ``log``."""

    def __init__(self, root: Path, log: Path) -> None:
        self.root, self.log = root, log
        self.nspawn: subprocess.Popen | None = None
        self.pid1 = 0  # the container's PID 1 (systemd), as this machine numbers it
        self.started = 0.0  # time.monotonic() when the boot began

    def __enter__(self) -> Machine:
        self.boot()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()

    def boot(self, timeout: float = 60) -> None:
        """Start the boot and return once systemd runs as the container's PID 1."""
        argv = [*NSPAWN_HOST, "--boot", "--volatile=overlay", "--console=read-only", "-D", str(self.root)]
        self.started = time.monotonic()
        with open(self.log, "wb") as log:
            self.nspawn = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=NSPAWN_ENV,
                start_new_session=True,
            )
        deadline = self.started + timeout
        while not self.pid1:
            if self.nspawn.poll() is not None or time.monotonic() > deadline:
                self.shutdown()
                raise RuntimeError(
                    f"the container did not start; its console:\n{self.log.read_text()[-3000:]}"
                )
            self.pid1 = _namespace_init(self.nspawn.pid) or 0
            time.sleep(0.05)

    def run(self, *argv: str, timeout: float = 30, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a command inside the container, as its root."""
        done = subprocess.run(
            ["nsenter", "-t", str(self.pid1), "-m", "-u", "-i", "-n", "-p", "--", *argv],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and done.returncode != 0:
            raise RuntimeError(
                f"in the container, {' '.join(argv)} failed ({done.returncode}): {done.stderr}"
            )
        return done

    def http_get(self, url: str, timeout: float = 5) -> tuple[int, str]:
        """(status, body) of a GET from inside the container, by its own Python; (0, why) if none."""
        script = (
            "import sys, urllib.request, urllib.error\n"
            "try:\n"
            f"    r = urllib.request.urlopen(sys.argv[1], timeout={timeout})\n"
            "    print(r.status); print(r.read().decode())\n"
            "except urllib.error.HTTPError as e:\n"
            "    print(e.code); print(e.read().decode())\n"
            "except OSError as e:\n"
            "    print(0); print(e)\n"
        )
        out = self.run("python3", "-c", script, url, timeout=timeout + 10).stdout
        status, _, body = out.partition("\n")
        return int(status), body

    def shutdown(self) -> None:
        """Power the container off; kill it if it has not stopped within STOP_TIMEOUT_S."""
        if self.nspawn is None or self.nspawn.poll() is not None:
            return
        if self.pid1:
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                self.run("systemctl", "poweroff", "--no-block", timeout=10)
        try:
            self.nspawn.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            for pid in (self.pid1, self.nspawn.pid):  # PID 1 gone: the whole namespace is killed
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            self.nspawn.wait(timeout=STOP_TIMEOUT_S)


def _namespace_init(parent: int) -> int | None:
    """The child of ``parent`` that is PID 1 of its own PID namespace, if there is one yet."""
    for status_file in Path("/proc").glob("[0-9]*/status"):
        with contextlib.suppress(OSError):
            status = status_file.read_text()
            ppid = re.search(r"^PPid:\s+(\d+)$", status, re.M)
            nspid = re.search(r"^NSpid:\s+(.*)$", status, re.M)
            if ppid and nspid and int(ppid.group(1)) == parent and nspid.group(1).split()[-1] == "1":
                return int(status_file.parent.name)
    return None
