"""The log's set-up (kiosk/logs.py): the journal's format only when stderr is the journal, priorities
per line, the two levels (the exhibit's own, the libraries'), and the "ready" line's addresses."""

from __future__ import annotations

import logging
import os
import re
import warnings
from pathlib import Path

import pytest
from support import REPO

from kiosk import logs
from kiosk.config import Config, LoggingConfig
from kiosk.presenter.passphrase import hash_passphrase

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ")


@pytest.fixture(autouse=True)
def restore_logging():
    """configure() changes the process's logging: give every test the set-up it found."""
    root, own = logging.getLogger(), logging.getLogger(logs.OWN_LOGGER)
    handlers, levels = list(root.handlers), (root.level, own.level)
    yield
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
    root.setLevel(levels[0])
    own.setLevel(levels[1])
    logging.captureWarnings(False)


def journal_stream_of(path: Path) -> str:
    status = os.stat(path)
    return f"{status.st_dev}:{status.st_ino}"


def log_some_lines() -> None:
    log = logging.getLogger("kiosk.tablet.signalling")
    log.info("tablet 'by the door' (ab12) connected")
    log.warning("tablet 'by the door' (ab12) disconnected: nothing heard for 10.2 s (silence timeout)")
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        logging.getLogger("kiosk.attract.director").exception("attract machine tick failed")
    log.debug("not shown at info")


def written(tmp_path: Path, environ: dict[str, str] | None = None, journal: bool = False) -> list[str]:
    """The lines ``log_some_lines`` writes to a file, with JOURNAL_STREAM naming it if ``journal``."""
    path = tmp_path / "stderr"
    with path.open("w") as stream:
        env = {"JOURNAL_STREAM": journal_stream_of(path)} if journal else (environ or {})
        logs.configure(LoggingConfig(), stream, env)
        log_some_lines()
    return path.read_text().splitlines()


def test_under_systemd_each_line_starts_with_its_priority_and_has_no_time(tmp_path: Path) -> None:
    lines = written(tmp_path, journal=True)
    assert lines[0] == "<6>INFO kiosk.tablet.signalling: tablet 'by the door' (ab12) connected"
    assert lines[1].startswith("<4>WARNING kiosk.tablet.signalling: tablet 'by the door' (ab12) disconnected")
    assert lines[2] == "<3>ERROR kiosk.attract.director: attract machine tick failed"
    traceback = lines[3:]
    assert (
        traceback[0] == "<3>Traceback (most recent call last):" and traceback[-1] == "<3>RuntimeError: a bug"
    )
    assert all(line.startswith("<3>") for line in traceback)  # `journalctl -p err` shows all of it
    assert not any(TIMESTAMP.match(line[3:]) for line in lines)  # the journal has its own time
    assert len(lines) == 3 + len(traceback)  # nothing at debug


@pytest.mark.parametrize("variable", ["", "garbage", "12:x", "1:2"])
def test_anywhere_else_lines_are_plain_with_the_time(tmp_path: Path, variable: str) -> None:
    """No JOURNAL_STREAM, a broken one, or one naming another file (stderr redirected by hand)."""
    lines = written(tmp_path, {"JOURNAL_STREAM": variable} if variable else {})
    assert TIMESTAMP.match(lines[0]) and lines[0].endswith(
        " INFO kiosk.tablet.signalling: tablet 'by the door' (ab12) connected"
    )
    assert not any(line.startswith("<") for line in lines)


def test_journal_stream_of_another_file_is_not_the_journal(tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.write_text("")
    with (tmp_path / "stderr").open("w") as stream:
        assert not logs.writes_to_journal(stream, {"JOURNAL_STREAM": journal_stream_of(other)})
        assert logs.writes_to_journal(stream, {"JOURNAL_STREAM": journal_stream_of(tmp_path / "stderr")})


@pytest.mark.parametrize(
    ("level", "priority"),
    [(logging.CRITICAL, 2), (logging.ERROR, 3), (logging.WARNING, 4), (logging.INFO, 6), (logging.DEBUG, 7)],
)
def test_syslog_priorities(level: int, priority: int) -> None:
    assert logs.syslog_priority(level) == priority


def test_libraries_are_quiet_below_warning_unless_asked_for() -> None:
    logs.configure(LoggingConfig())
    chatter = ("aioice.ice", "aiortc.rtcdtlstransport", "aiohttp.access", "asyncio")
    assert not any(logging.getLogger(name).isEnabledFor(logging.INFO) for name in chatter)
    assert all(logging.getLogger(name).isEnabledFor(logging.WARNING) for name in chatter)
    assert logging.getLogger("kiosk.tablet.signalling").isEnabledFor(logging.INFO)
    assert not logging.getLogger("kiosk.tablet.signalling").isEnabledFor(logging.DEBUG)
    logs.apply_levels(LoggingConfig(level="warning", libraries="debug"))  # as a reload does
    assert logging.getLogger("aioice.ice").isEnabledFor(logging.DEBUG)
    assert not logging.getLogger("kiosk.tablet.signalling").isEnabledFor(logging.INFO)


def test_configuring_again_replaces_the_handler_and_warnings_become_lines(tmp_path: Path) -> None:
    with (tmp_path / "a").open("w") as first, (tmp_path / "b").open("w") as second:
        logs.configure(LoggingConfig(), first, {})
        logs.configure(LoggingConfig(), second, {})
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.warn("an old API", DeprecationWarning, stacklevel=1)
        logging.getLogger("kiosk").info("once")
    assert (tmp_path / "a").read_text() == ""
    text = (tmp_path / "b").read_text()
    assert text.count("INFO kiosk: once") == 1 and "WARNING py.warnings:" in text and "an old API" in text


def config(**server: object) -> Config:
    return Config.model_validate({"server": server}, context={"base_dir": REPO / "config"})


def test_the_ready_line_names_this_pcs_network_address_not_0000(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("kiosk.address.lan_address", lambda: "192.168.1.20")
    line = logs.ready_line(config(host="0.0.0.0", port=8080))
    assert line == (
        "ready on all addresses, port 8080: screen http://192.168.1.20:8080/ (on this PC also "
        "http://localhost:8080/), tablets http://192.168.1.20:8080/tablet, presenter log-in off "
        "(no passphrase_hash)"
    )


def test_the_ready_line_with_a_public_address_a_host_and_a_presenter(monkeypatch: pytest.MonkeyPatch) -> None:
    public = logs.ready_line(config(host="0.0.0.0", public_url="https://exhibit.museum.example"))
    assert "screen https://exhibit.museum.example/," in public and "localhost" not in public
    assert "tablets https://exhibit.museum.example/tablet" in public
    one = Config.model_validate(
        {
            "server": {"host": "10.0.0.5", "port": 9000},
            "presenter": {"passphrase_hash": hash_passphrase("a long enough one")},
        },
        context={"base_dir": REPO / "config"},
    )
    line = logs.ready_line(one)
    assert line.startswith("ready on 10.0.0.5, port 9000: screen http://10.0.0.5:9000/, tablets")
    assert line.endswith("presenter http://10.0.0.5:9000/presenter")
