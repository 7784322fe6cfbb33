"""Paired tablets: one JSON file in the state directory, holding only hashes of their credentials.

A tablet gets its credential once, when it is paired (``add``), and presents it on every later
connection (``verify``). The file is replaced atomically and fsynced on every change, so a power
cut leaves either the old file or the new one. A file that cannot be read or does not look right
raises ``DeviceStoreError`` and is never overwritten: losing every pairing silently would be worse
than a clear error the operator can act on.

The server and ``python -m kiosk tablets revoke`` may use the file at the same time: every call
re-reads the file when it has changed on disk, and changes happen under an advisory lock, so a
revocation is seen by the running server and is not undone by its next write.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import logging
import math
import os
import re
import secrets
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from kiosk.atomic import remove_stale_temp_files, write_private_file

log = logging.getLogger(__name__)

FORMAT = "nn-kiosk-devices/1"
MAX_DEVICES = 100
MAX_NAME_CHARS = 64
MAX_CREDENTIAL_CHARS = 128  # token_urlsafe(32) is 43 chars; anything much longer is not ours
MAX_FILE_BYTES = 1024 * 1024  # 100 devices take ~25 KB
LAST_SEEN_RESOLUTION_S = 60.0  # a reconnecting tablet must not cost a disk write every time
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,32}")
DIGEST_PATTERN = re.compile(r"[0-9a-f]{64}")
FIELDS = {"id", "name", "created", "last_seen", "credential_sha256"}


class DeviceStoreError(Exception):
    """The device file cannot be read, is malformed, or cannot be written."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


@dataclass(frozen=True)
class Device:
    id: str
    name: str
    created: float  # unix time
    last_seen: float  # unix time; updated at most once a LAST_SEEN_RESOLUTION_S


@dataclass(frozen=True)
class _Record:
    device: Device
    digest: str  # SHA-256 hex of the credential


def clean_name(name: str) -> str:
    """A staff-typed label without control/format characters (no terminal escapes, no bidi tricks)."""
    if not isinstance(name, str):
        raise ValueError("a device name must be text")
    kept = "".join(c if not unicodedata.category(c).startswith("C") else " " for c in name)
    cleaned = " ".join(kept.split())
    if not cleaned:
        raise ValueError("a device name must not be empty")
    if len(cleaned) > MAX_NAME_CHARS:
        raise ValueError(f"a device name has at most {MAX_NAME_CHARS} characters")
    return cleaned


def _digest(credential: str) -> str:
    # The credential is 256 random bits, so a fast hash is enough: a slow KDF (bcrypt, scrypt)
    # only protects low-entropy secrets such as passwords against guessing.
    return hashlib.sha256(credential.encode("utf-8")).hexdigest()


def _check_time(now: float) -> float:
    if isinstance(now, bool) or not isinstance(now, int | float) or not math.isfinite(now) or now < 0:
        raise ValueError(f"not a unix time: {now!r}")
    return float(now)


class DeviceStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._records: dict[str, _Record] = {}
        self._loaded_stat: tuple[int, int, int] | None = None  # (inode, mtime_ns, size) last read

    def list(self) -> list[Device]:
        """Paired devices, oldest first. Raises DeviceStoreError if the file is unreadable."""
        self._refresh()
        return sorted((r.device for r in self._records.values()), key=lambda d: (d.created, d.id))

    def add(self, name: str, now: float) -> tuple[Device, str]:
        """Pair a new device; returns it and its credential, which is shown once and never stored."""
        name, now = clean_name(name), _check_time(now)
        with self._lock():
            self._refresh()
            if len(self._records) >= MAX_DEVICES:
                raise ValueError(f"already {MAX_DEVICES} paired devices; revoke one first")
            device = Device(self._new_id(), name, now, now)
            credential = secrets.token_urlsafe(32)
            self._save({**self._records, device.id: _Record(device, _digest(credential))})
        return device, credential

    def verify(self, credential: str, now: float) -> Device | None:
        """The device holding ``credential``, or None. Records when it was last seen."""
        now = _check_time(now)
        if not isinstance(credential, str) or not 0 < len(credential) <= MAX_CREDENTIAL_CHARS:
            return None
        self._refresh()
        record = self._match(_digest(credential))
        if record is None:
            return None
        if abs(now - record.device.last_seen) < LAST_SEEN_RESOLUTION_S:
            return record.device
        try:
            return self._touch(record.device.id, now)
        except DeviceStoreError as e:  # a full disk must not lock the tablet out
            log.warning("could not record when tablet %s was seen: %s", record.device.id, e)
            return record.device

    def revoke(self, device_id: str) -> bool:
        """Forget a device; True if it was paired."""
        with self._lock():
            self._refresh()
            if device_id not in self._records:
                return False
            self._save({k: r for k, r in self._records.items() if k != device_id})
        return True

    def remove_stale_temp_files(self) -> int:
        """Delete temp files an interrupted write left beside the file (kiosk/atomic.py); how many."""
        with self._lock():  # the CLI may be writing right now
            return remove_stale_temp_files(self.path)

    # --- matching and updating ---

    def _match(self, digest: str) -> _Record | None:
        # Compare against every record, in constant time, so timing reveals nothing about the hashes.
        found = None
        for record in self._records.values():
            if hmac.compare_digest(record.digest, digest):
                found = record
        return found

    def _touch(self, device_id: str, now: float) -> Device | None:
        with self._lock():
            self._refresh()
            record = self._records.get(device_id)
            if record is None:  # revoked while we looked
                return None
            record = replace(record, device=replace(record.device, last_seen=now))
            self._save({**self._records, device_id: record})
        return record.device

    def _new_id(self) -> str:
        while True:
            device_id = secrets.token_urlsafe(6)  # 8 characters, 48 bits
            if device_id not in self._records:
                return device_id

    # --- the file ---

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """Serialise read-modify-write with other processes (the CLI) using the same file."""
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(self.path.with_name(self.path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as e:
            raise DeviceStoreError(self.path, f"cannot lock: {e}") from e
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # also releases the lock

    def _refresh(self) -> None:
        """Re-read the file if it changed on disk since we last read or wrote it."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            self._records, self._loaded_stat = {}, None
            return
        except OSError as e:
            raise DeviceStoreError(self.path, f"cannot read: {e}") from e
        key = (st.st_ino, st.st_mtime_ns, st.st_size)
        if key != self._loaded_stat:
            self._records = self._read()
            self._loaded_stat = key

    def _read(self) -> dict[str, _Record]:
        try:
            with open(self.path, "rb") as f:
                raw = f.read(MAX_FILE_BYTES + 1)
        except OSError as e:
            raise DeviceStoreError(self.path, f"cannot read: {e}") from e
        if len(raw) > MAX_FILE_BYTES:
            raise DeviceStoreError(self.path, f"larger than {MAX_FILE_BYTES} bytes")
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise DeviceStoreError(self.path, f"not valid JSON: {e}") from e
        try:
            return _parse(data)
        except ValueError as e:
            raise DeviceStoreError(self.path, str(e)) from e

    def _save(self, records: dict[str, _Record]) -> None:
        """Write atomically and durably; memory changes only once the new file is in place."""
        text = json.dumps(_serialise(records), indent=2, allow_nan=False) + "\n"
        try:
            write_private_file(self.path, text.encode("utf-8"))
            st = os.stat(self.path)
        except OSError as e:
            raise DeviceStoreError(self.path, f"cannot write: {e}") from e
        self._records = records
        self._loaded_stat = (st.st_ino, st.st_mtime_ns, st.st_size)


def _serialise(records: dict[str, _Record]) -> dict:
    devices = [
        {
            "id": r.device.id,
            "name": r.device.name,
            "created": r.device.created,
            "last_seen": r.device.last_seen,
            "credential_sha256": r.digest,
        }
        for r in records.values()
    ]
    return {"format": FORMAT, "devices": devices}


def _parse(data: object) -> dict[str, _Record]:
    """Validate every field of a loaded file; raises ValueError saying what is wrong."""
    if not isinstance(data, dict) or set(data) != {"format", "devices"}:
        raise ValueError('expected an object with keys "format" and "devices"')
    if data["format"] != FORMAT:
        raise ValueError(f"format is {data['format']!r}, expected {FORMAT!r}")
    if not isinstance(data["devices"], list) or len(data["devices"]) > MAX_DEVICES:
        raise ValueError(f'"devices" must be a list of at most {MAX_DEVICES} entries')
    records: dict[str, _Record] = {}
    for i, entry in enumerate(data["devices"]):
        record = _parse_device(i, entry)
        if record.device.id in records:
            raise ValueError(f"device {i}: duplicate id {record.device.id!r}")
        records[record.device.id] = record
    return records


def _parse_device(i: int, entry: object) -> _Record:
    if not isinstance(entry, dict) or set(entry) != FIELDS:
        raise ValueError(f"device {i}: expected an object with keys {sorted(FIELDS)}")
    device_id, name, digest = entry["id"], entry["name"], entry["credential_sha256"]
    if not isinstance(device_id, str) or not ID_PATTERN.fullmatch(device_id):
        raise ValueError(f"device {i}: bad id {device_id!r}")
    if not isinstance(name, str) or _clean_or_none(name) != name:
        raise ValueError(f"device {i}: bad name {name!r}")
    if not isinstance(digest, str) or not DIGEST_PATTERN.fullmatch(digest):
        raise ValueError(f"device {i}: credential_sha256 is not a SHA-256 hex digest")
    try:
        created, last_seen = _check_time(entry["created"]), _check_time(entry["last_seen"])
    except ValueError as e:
        raise ValueError(f"device {i}: {e}") from None
    return _Record(Device(device_id, name, created, last_seen), digest)


def _clean_or_none(name: str) -> str | None:
    try:
        return clean_name(name)
    except ValueError:
        return None
