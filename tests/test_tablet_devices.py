"""The paired-device store: credentials never stored, atomic durable writes, corrupt files refused."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from kiosk.tablet import devices
from kiosk.tablet.devices import (
    LAST_SEEN_RESOLUTION_S,
    MAX_DEVICES,
    MAX_NAME_CHARS,
    Device,
    DeviceStore,
    DeviceStoreError,
)

T0 = 1_700_000_000.0


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "devices.json"


@pytest.fixture
def store(path: Path) -> DeviceStore:
    return DeviceStore(path)


def temp_files(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


def count_replaces(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = os.replace

    def counting(src, dst):
        calls.append(str(dst))
        real(src, dst)

    monkeypatch.setattr(devices.os, "replace", counting)
    return calls


# --- round trip ---


def test_missing_file_means_no_devices(store: DeviceStore, path: Path) -> None:
    assert store.list() == []
    assert store.verify("anything", T0) is None
    assert not path.exists()


def test_add_then_verify_finds_the_right_device(store: DeviceStore) -> None:
    first, first_credential = store.add("Tablet A", T0)
    second, second_credential = store.add("Tablet B", T0 + 1)
    assert first.id != second.id
    assert store.verify(first_credential, T0 + 2) == first
    assert store.verify(second_credential, T0 + 2) == second
    assert first_credential != second_credential


def test_ids_and_credentials_look_right(store: DeviceStore) -> None:
    device, credential = store.add("Tablet", T0)
    assert len(device.id) == 8 and device.id.replace("-", "").replace("_", "").isalnum()
    assert len(credential) >= 43  # token_urlsafe(32): 256 bits
    assert (device.created, device.last_seen) == (T0, T0)


def test_wrong_credentials_are_refused(store: DeviceStore) -> None:
    _, credential = store.add("Tablet", T0)
    for wrong in ["", credential[:-1], credential + "x", credential.upper(), "x" * 10_000, None, 42]:
        assert store.verify(wrong, T0) is None  # type: ignore[arg-type]


def test_revoked_device_is_refused(store: DeviceStore) -> None:
    device, credential = store.add("Tablet", T0)
    assert store.revoke(device.id) is True
    assert store.verify(credential, T0) is None
    assert store.list() == []
    assert store.revoke(device.id) is False
    assert store.revoke("no-such") is False


def test_a_new_store_on_the_same_file_sees_the_devices(store: DeviceStore, path: Path) -> None:
    device, credential = store.add("Tablet", T0)
    reopened = DeviceStore(path)
    assert reopened.list() == [device]
    assert reopened.verify(credential, T0) == device


def test_revocation_by_another_process_is_seen_and_not_undone(store: DeviceStore, path: Path) -> None:
    # The server's store has the device cached; the CLI revokes it in the file.
    device, credential = store.add("Tablet", T0)
    other, other_credential = store.add("Other", T0)
    assert store.verify(credential, T0) == device
    assert DeviceStore(path).revoke(device.id)
    assert store.verify(credential, T0) is None
    # The server's next write (last_seen of another tablet) must not bring it back.
    assert store.verify(other_credential, T0 + 2 * LAST_SEEN_RESOLUTION_S) is not None
    assert [d.id for d in DeviceStore(path).list()] == [other.id]


def test_list_is_oldest_first(store: DeviceStore) -> None:
    late, _ = store.add("Late", T0 + 10)
    early, _ = store.add("Early", T0)
    assert store.list() == [early, late]


# --- what is on disk ---


def test_file_never_contains_the_credential(store: DeviceStore, path: Path) -> None:
    _, credential = store.add("Tablet", T0)
    store.verify(credential, T0 + 2 * LAST_SEEN_RESOLUTION_S)  # a second write
    text = path.read_text(encoding="utf-8")
    assert credential not in text
    assert credential[:16] not in text
    assert len(json.loads(text)["devices"][0]["credential_sha256"]) == 64


def test_file_mode_is_0600(store: DeviceStore, path: Path) -> None:
    store.add("Tablet", T0)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_failed_replace_leaves_previous_file_and_no_temp_files(
    store: DeviceStore, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    device, credential = store.add("Tablet", T0)
    before = path.read_bytes()

    def broken(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(devices.os, "replace", broken)
    with pytest.raises(DeviceStoreError, match="No space left"):
        store.add("Second", T0 + 1)
    assert path.read_bytes() == before
    assert temp_files(path.parent) == []
    assert store.list() == [device]  # memory did not run ahead of the disk
    assert store.verify(credential, T0 + 1) == device


def test_failed_write_of_last_seen_still_lets_the_tablet_in(
    store: DeviceStore, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    device, credential = store.add("Tablet", T0)
    before = path.read_bytes()
    monkeypatch.setattr(devices.os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(5, "I/O error")))
    assert store.verify(credential, T0 + 2 * LAST_SEEN_RESOLUTION_S) == device
    assert path.read_bytes() == before
    assert temp_files(path.parent) == []


def test_last_seen_is_written_at_most_once_a_minute(
    store: DeviceStore, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    device, credential = store.add("Tablet", T0)
    writes = count_replaces(monkeypatch)
    for second in range(0, 59):
        assert store.verify(credential, T0 + second) == device
    assert writes == []
    seen = store.verify(credential, T0 + 61)
    assert seen is not None and seen.last_seen == T0 + 61
    assert len(writes) == 1
    for second in range(62, 120):
        store.verify(credential, T0 + second)
    assert len(writes) == 1
    assert DeviceStore(path).list()[0].last_seen == T0 + 61


# --- corrupt files ---

GOOD_DEVICE = {
    "id": "abcd1234",
    "name": "Tablet",
    "created": T0,
    "last_seen": T0,
    "credential_sha256": "0" * 64,
}


def with_device(**changes) -> str:
    return json.dumps({"format": devices.FORMAT, "devices": [{**GOOD_DEVICE, **changes}]})


CORRUPT = {
    "empty": "",
    "truncated": with_device()[:-10],
    "not json": "devices: yes",
    "a list": "[]",
    "wrong format": json.dumps({"format": "other/1", "devices": []}),
    "extra key": json.dumps({"format": devices.FORMAT, "devices": [], "x": 1}),
    "devices not a list": json.dumps({"format": devices.FORMAT, "devices": {}}),
    "device not an object": json.dumps({"format": devices.FORMAT, "devices": ["abc"]}),
    "missing field": json.dumps(
        {"format": devices.FORMAT, "devices": [{k: v for k, v in GOOD_DEVICE.items() if k != "name"}]}
    ),
    "id a number": with_device(id=12345678),
    "id with slash": with_device(id="../etc"),
    "name not text": with_device(name=["Tablet"]),
    "name with escape": with_device(name="Tab\x1b[2Jlet"),
    "name too long": with_device(name="x" * (MAX_NAME_CHARS + 1)),
    "created a string": with_device(created="yesterday"),
    "created a bool": with_device(created=True),
    "last_seen NaN": with_device(last_seen=float("nan")),
    "last_seen negative": with_device(last_seen=-1),
    "short digest": with_device(credential_sha256="abc"),
    "digest not hex": with_device(credential_sha256="z" * 64),
    "duplicate ids": json.dumps({"format": devices.FORMAT, "devices": [GOOD_DEVICE, GOOD_DEVICE]}),
}


@pytest.mark.parametrize("content", CORRUPT.values(), ids=CORRUPT.keys())
def test_corrupt_file_raises_and_is_left_untouched(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(content, encoding="utf-8")
    store = DeviceStore(path)
    actions = [
        store.list,
        lambda: store.verify("x" * 43, T0),
        lambda: store.add("New", T0),
        lambda: store.revoke("abcd1234"),
    ]
    for action in actions:
        with pytest.raises(DeviceStoreError) as caught:
            action()
        assert caught.value.path == path
        assert str(path) in str(caught.value)
    assert path.read_text(encoding="utf-8") == content
    assert temp_files(path.parent) == []


def test_binary_garbage_and_oversized_files_raise(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(DeviceStoreError, match="JSON"):
        DeviceStore(path).list()
    path.write_bytes(b" " * (devices.MAX_FILE_BYTES + 1))
    with pytest.raises(DeviceStoreError, match="larger"):
        DeviceStore(path).list()


def test_unreadable_file_raises(path: Path) -> None:
    path.mkdir(parents=True)  # a folder where the file should be
    with pytest.raises(DeviceStoreError) as caught:
        DeviceStore(path).list()
    assert caught.value.path == path


def test_a_valid_hand_written_file_loads(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(with_device(created=1700000000), encoding="utf-8")
    assert DeviceStore(path).list() == [Device("abcd1234", "Tablet", T0, T0)]


# --- limits and names ---


def test_device_count_is_limited(store: DeviceStore) -> None:
    for i in range(MAX_DEVICES):
        store.add(f"Tablet {i}", T0)
    with pytest.raises(ValueError, match="revoke"):
        store.add("One too many", T0)
    assert len(store.list()) == MAX_DEVICES


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("  Tablet  left ", "Tablet left"),
        ("Tab\x1b[31mlet", "Tab [31mlet"),
        ("bidi\u202etrick", "bidi trick"),
        ("line\nbreak\ttab", "line break tab"),
        ("Zeichentablett Süd", "Zeichentablett Süd"),
    ],
)
def test_names_lose_control_characters(store: DeviceStore, given: str, stored: str) -> None:
    device, _ = store.add(given, T0)
    assert device.name == stored
    assert DeviceStore(store.path).list()[0].name == stored


@pytest.mark.parametrize("name", ["", "   ", "\x00\x07", "x" * (MAX_NAME_CHARS + 1)])
def test_bad_names_are_refused(store: DeviceStore, path: Path, name: str) -> None:
    with pytest.raises(ValueError):
        store.add(name, T0)
    assert not path.exists()


@pytest.mark.parametrize("now", [float("nan"), float("inf"), -1.0])
def test_bad_times_are_refused(store: DeviceStore, now: float) -> None:
    with pytest.raises(ValueError):
        store.add("Tablet", now)


# --- what interrupted writes leave behind ---


def test_stale_temp_files_of_the_store_are_removed_and_nothing_else(
    store: DeviceStore, path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store.add("door", T0)
    folder = path.parent
    stale = [f".{path.name}.k3j4h5.tmp", f".{path.name}.x.tmp"]  # what a kill -9 mid-write leaves
    for name in stale:
        (folder / name).write_text('{"format": "nn-kiosk-devices/1", "devices": []}')
    kept = [".other.json.k3j4h5.tmp", f"{path.name}.tmp", f".{path.name}.lock", "notes.txt"]
    for name in kept:
        (folder / name).write_text("keep me")
    with caplog.at_level("INFO", logger="kiosk.atomic"):
        assert store.remove_stale_temp_files() == 2
    assert sorted(p.name for p in folder.iterdir()) == sorted([path.name, f"{path.name}.lock", *kept])
    assert f"removed 2 stale temp file(s) of {path}" in caplog.text
    assert [d.name for d in store.list()] == ["door"]  # the store itself is untouched
    assert store.remove_stale_temp_files() == 0
