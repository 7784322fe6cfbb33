"""Writing state files so that a power cut leaves the old file or the new one, never half of one.

A write goes to a temp file ``.<name>.<random>.tmp`` beside the file, which is renamed over it.
A write cut short by a power cut or ``kill -9`` leaves that temp file behind (it may hold
credential hashes); ``remove_stale_temp_files`` clears them when the program starts again.
"""

from __future__ import annotations

import contextlib
import glob
import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)


def write_private_file(path: Path, data: bytes) -> None:
    """Temp file in the same folder, fsync, rename over, fsync the folder; mode 0600."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), 0o600)  # credentials and their hashes are nobody else's business
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(dir_fd)  # makes the rename itself survive a power cut
    finally:
        os.close(dir_fd)


def remove_stale_temp_files(path: Path) -> int:
    """Delete what interrupted ``write_private_file(path, ...)`` calls left; returns how many.

    Call it only while nobody can be writing ``path`` (at start-up, or under the file's lock).
    """
    removed = 0
    for tmp in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        try:
            tmp.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:  # left for staff; not a reason to refuse to start
            log.warning("cannot remove stale temp file %s: %s", tmp, exc.strerror or exc)
            continue
        removed += 1
    if removed:
        log.info("removed %d stale temp file(s) of %s left by an interrupted write", removed, path)
    return removed
