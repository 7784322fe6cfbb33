"""Timeline exports: what training writes loads back exactly; anything broken is refused by name."""

from __future__ import annotations

import json
import math
import stat
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch
from support.exports import TINY_ARCHITECTURE, rewrite_manifest

import training.export
from kiosk.model.export import ExportError, SnapshotInfo, load_timeline
from training.export import snapshot_bytes, write_timeline

ARCHITECTURE = [784, 12, 7, 10]
ACTIVATIONS = ["relu", "tanh", "softmax"]


def random_layers(architecture: list[int], seed: int) -> list[torch.nn.Linear]:
    torch.manual_seed(seed)
    return [torch.nn.Linear(n_in, n_out) for n_in, n_out in zip(architecture, architecture[1:], strict=False)]


def write_export(folder: Path, name: str = "museum-model", seeds: tuple[int, ...] = (0, 1, 2)) -> dict:
    """Write an export with write_timeline, one snapshot per seed; returns {snapshot id: layers}."""
    layers = {f"s{i}": random_layers(ARCHITECTURE, seed) for i, seed in enumerate(seeds)}
    snapshots = [
        (
            SnapshotInfo(
                id=snapshot_id,
                label=f"{500 * i:,} images",
                images_seen=500 * i,
                test_accuracy=0.1 + 0.2 * i,
                train_loss=None if i == 0 else 2.0 / i,
                file=f"snapshots/{snapshot_id}.f16",
            ),
            snapshot_bytes(snapshot_layers),
        )
        for i, (snapshot_id, snapshot_layers) in enumerate(layers.items())
    ]
    write_timeline(
        folder,
        name=name,
        architecture=ARCHITECTURE,
        activations=ACTIVATIONS,
        normalization={"mean": 0.25, "std": 0.5},
        snapshots=snapshots,
        extra={"training": {"epochs": 3, "seed": 7}},
    )
    return layers


def float16_values(layer: torch.nn.Linear) -> tuple[np.ndarray, np.ndarray]:
    return (
        layer.weight.detach().to(torch.float16).float().numpy(),
        layer.bias.detach().to(torch.float16).float().numpy(),
    )


def refusal(folder: Path) -> str:
    with pytest.raises(ExportError) as info:
        load_timeline(folder)
    return str(info.value)


def values_needed(architecture: list[int]) -> int:
    """Per layer out × in weights plus out biases: the format's size rule, written out independently."""
    return sum(n_out * n_in + n_out for n_in, n_out in zip(architecture, architecture[1:], strict=False))


def snapshot_entry(index: int, **fields: object) -> Callable[[dict], object]:
    return lambda manifest: manifest["snapshots"][index].update(fields)


# --- what loads -------------------------------------------------------------------------------------


def test_written_export_loads_back_with_float16_weights_and_all_metadata(tmp_path: Path) -> None:
    folder = tmp_path / "museum-model"
    layers = write_export(folder, name="Our own MLP")
    timeline = load_timeline(folder)
    assert timeline.name == "Our own MLP"
    assert timeline.architecture == ARCHITECTURE
    assert timeline.activations == ACTIVATIONS
    assert (timeline.mean, timeline.std) == (0.25, 0.5)
    assert [s.id for s in timeline.snapshots] == list(layers)
    assert [s.images_seen for s in timeline.snapshots] == [0, 500, 1000]
    assert [s.label for s in timeline.snapshots] == ["0 images", "500 images", "1,000 images"]
    assert [s.test_accuracy for s in timeline.snapshots] == pytest.approx([0.1, 0.3, 0.5])
    assert [s.train_loss for s in timeline.snapshots] == [None, 2.0, 1.0]
    assert timeline.final_id == "s2"
    for snapshot_id, written in layers.items():
        loaded = timeline.layers(snapshot_id)
        assert len(loaded) == len(written)
        for (weight, bias), layer in zip(loaded, written, strict=True):
            expected_weight, expected_bias = float16_values(layer)
            assert weight.dtype == np.float32
            np.testing.assert_array_equal(weight, expected_weight)
            np.testing.assert_array_equal(bias, expected_bias)


def test_snapshot_files_are_little_endian_float16_weight_then_bias_per_layer(tmp_path: Path) -> None:
    layers = write_export(tmp_path / "e", seeds=(3,))["s0"]
    raw = (tmp_path / "e" / "snapshots" / "s0.f16").read_bytes()
    assert len(raw) == 2 * values_needed(ARCHITECTURE)
    values = np.frombuffer(raw, dtype="<f2")
    expected = np.concatenate([part.ravel() for layer in layers for part in float16_values(layer)])
    np.testing.assert_array_equal(values.astype(np.float32), expected)


def test_manifest_keeps_the_trainers_extra_fields(tmp_path: Path) -> None:
    write_export(tmp_path / "e")
    manifest = json.loads((tmp_path / "e" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format"] == "nn-kiosk-timeline/1"
    assert manifest["training"] == {"epochs": 3, "seed": 7}
    load_timeline(tmp_path / "e")  # unknown top-level fields are allowed


def test_name_is_optional_and_defaults_to_the_folder_name(tiny_export: Path) -> None:
    rewrite_manifest(tiny_export, lambda m: m.pop("name"))
    assert load_timeline(tiny_export).name == tiny_export.name


def test_colleagues_numpy_export_and_the_loader_agree(tiny_export: Path) -> None:
    timeline = load_timeline(tiny_export)
    assert timeline.architecture == TINY_ARCHITECTURE
    shapes = [(w.shape, b.shape) for w, b in timeline.layers("mid")]
    assert shapes == [((16, 784), (16,)), ((10, 16), (10,))]


# --- what is refused --------------------------------------------------------------------------------


def test_missing_folder_is_refused(tmp_path: Path) -> None:
    message = refusal(tmp_path / "no-such-export")
    assert str(tmp_path / "no-such-export" / "manifest.json") in message
    assert "not found" in message


def test_folder_without_manifest_is_refused(tiny_export: Path) -> None:
    (tiny_export / "manifest.json").unlink()
    message = refusal(tiny_export)
    assert str(tiny_export / "manifest.json") in message
    assert "not found" in message


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        pytest.param('{"format": "nn-kiosk-timeline/1",', "cannot be read as JSON", id="not-json"),
        pytest.param("", "cannot be read as JSON", id="empty-file"),
        pytest.param('["nn-kiosk-timeline/1"]', "must hold a JSON object", id="list"),
        pytest.param('"nn-kiosk-timeline/1"', "must hold a JSON object", id="string"),
    ],
)
def test_manifest_that_is_not_a_json_object_is_refused(tiny_export: Path, text: str, problem: str) -> None:
    (tiny_export / "manifest.json").write_text(text, encoding="utf-8")
    message = refusal(tiny_export)
    assert str(tiny_export / "manifest.json") in message
    assert problem in message


def test_manifest_that_is_not_utf8_is_refused(tiny_export: Path) -> None:
    (tiny_export / "manifest.json").write_bytes(b'{"name": "\xff"}')
    assert "cannot be read as JSON" in refusal(tiny_export)


MANIFEST_PROBLEMS = [
    pytest.param(
        lambda m: m.update(format="nn-kiosk-timeline/2"),
        "format must be 'nn-kiosk-timeline/1', found 'nn-kiosk-timeline/2'",
        id="wrong-format-tag",
    ),
    pytest.param(lambda m: m.pop("format"), "format must be", id="no-format-tag"),
    pytest.param(lambda m: m.update(architecture=[783, 16, 10]), "start with 784 inputs", id="input-not-784"),
    pytest.param(lambda m: m.update(architecture=[784, 16, 9]), "end with 10 outputs", id="output-not-10"),
    pytest.param(lambda m: m.update(architecture=[784]), "at least two layer sizes", id="one-size"),
    pytest.param(lambda m: m.update(architecture=[784, 16.5, 10]), "list of at least two", id="float-size"),
    pytest.param(lambda m: m.update(architecture=[784, 0, 10]), "layer sizes must lie in", id="zero-size"),
    pytest.param(lambda m: m.update(architecture=[784, 10**6, 10]), "must lie in 1..4096", id="huge"),
    pytest.param(lambda m: m.update(activations=["softmax"]), "one function per layer (2)", id="too-few"),
    pytest.param(
        lambda m: m.update(activations=["relu", "relu", "softmax"]), "one function per layer", id="too-many"
    ),
    pytest.param(lambda m: m.update(activations=["relu", "relu"]), "softmax last", id="no-softmax"),
    pytest.param(lambda m: m.update(activations=["softmax", "softmax"]), "softmax last", id="hidden-softmax"),
    pytest.param(lambda m: m.update(activations=["gelu", "softmax"]), "must be among", id="unknown-fn"),
    pytest.param(lambda m: m["normalization"].update(std=0), "std finite and > 0", id="std-zero"),
    pytest.param(lambda m: m["normalization"].update(std=-0.3), "std finite and > 0", id="std-negative"),
    pytest.param(lambda m: m["normalization"].update(mean=math.nan), "mean must be finite", id="mean-nan"),
    pytest.param(lambda m: m["normalization"].update(std=math.inf), "normalization", id="std-infinite"),
    pytest.param(lambda m: m["normalization"].pop("std"), "with mean and std", id="no-std"),
    pytest.param(lambda m: m.update(normalization=[0.1, 0.3]), "with mean and std", id="norm-list"),
    pytest.param(lambda m: m.update(snapshots=[]), "snapshots must be a non-empty list", id="no-snapshots"),
    pytest.param(lambda m: m.pop("snapshots"), "snapshots must be a non-empty list", id="snapshots-missing"),
    pytest.param(snapshot_entry(2, id="start"), "snapshot ids must be unique", id="duplicate-ids"),
    pytest.param(snapshot_entry(1, test_accuracy=1.5), "snapshots[1].test_accuracy must be", id="acc>1"),
    pytest.param(snapshot_entry(1, test_accuracy=-0.01), "snapshots[1].test_accuracy must be", id="acc<0"),
    pytest.param(snapshot_entry(1, test_accuracy=math.nan), "snapshots[1].test_accuracy", id="acc-nan"),
    pytest.param(snapshot_entry(2, images_seen=-1), "snapshots[2].images_seen must be a whole", id="seen<0"),
    pytest.param(snapshot_entry(2, images_seen=2.5), "snapshots[2].images_seen", id="seen-float"),
    pytest.param(snapshot_entry(1, train_loss=math.inf), "snapshots[1].train_loss", id="loss-infinite"),
    pytest.param(snapshot_entry(0, id=""), "snapshots[0].id must be a non-empty string", id="empty-id"),
    pytest.param(snapshot_entry(0, label=None), "snapshots[0].label must be", id="no-label"),
    pytest.param(lambda m: m["snapshots"].append(7), "snapshots[3] must be an object", id="entry-number"),
    pytest.param(lambda m: m.update(name=""), "name must be a non-empty string", id="empty-name"),
]


@pytest.mark.parametrize(("change", "problem"), MANIFEST_PROBLEMS)
def test_broken_manifest_is_refused_naming_the_manifest_and_the_problem(
    tiny_export: Path, change: Callable[[dict], object], problem: str
) -> None:
    rewrite_manifest(tiny_export, change)
    message = refusal(tiny_export)
    assert message.startswith(f"{tiny_export / 'manifest.json'}: ")
    assert problem in message


@pytest.mark.parametrize("outside", ["../x.f16", "snapshots/../../x.f16", "ABSOLUTE"])
def test_snapshot_file_outside_the_folder_is_refused_even_if_it_exists(
    tiny_export: Path, outside: str
) -> None:
    escaped = tiny_export.parent / "x.f16"
    escaped.write_bytes((tiny_export / "snapshots" / "001.f16").read_bytes())  # a valid file, elsewhere
    file = str(escaped) if outside == "ABSOLUTE" else outside
    rewrite_manifest(tiny_export, snapshot_entry(1, file=file))
    message = refusal(tiny_export)
    assert str(tiny_export / "manifest.json") in message
    assert "snapshots[1].file must be a path inside the export folder" in message


def test_missing_snapshot_file_is_refused_naming_it(tiny_export: Path) -> None:
    (tiny_export / "snapshots" / "001.f16").unlink()
    message = refusal(tiny_export)
    assert str(tiny_export / "snapshots" / "001.f16") in message
    assert "cannot be read" in message


@pytest.mark.parametrize("cut", [2, 3, "all"])
def test_truncated_snapshot_file_is_refused_with_expected_and_found_bytes(tiny_export: Path, cut) -> None:
    path = tiny_export / "snapshots" / "002.f16"
    raw = path.read_bytes()
    path.write_bytes(b"" if cut == "all" else raw[:-cut])
    expected = 2 * values_needed(TINY_ARCHITECTURE)
    assert len(raw) == expected  # the colleague's file was right before we cut it
    found = 0 if cut == "all" else expected - cut
    message = refusal(tiny_export)
    assert str(path) in message
    assert f"holds {found} bytes" in message
    assert f"needs {expected}" in message


def test_snapshot_file_too_long_is_refused(tiny_export: Path) -> None:
    path = tiny_export / "snapshots" / "000.f16"
    path.write_bytes(path.read_bytes() + b"\0\0")
    assert f"holds {2 * values_needed(TINY_ARCHITECTURE) + 2} bytes" in refusal(tiny_export)


@pytest.mark.parametrize(("index", "value"), [(5, np.nan), (-1, np.inf), (12_600, -np.inf)])
def test_snapshot_file_holding_nan_or_infinity_is_refused(
    tiny_export: Path, index: int, value: float
) -> None:
    path = tiny_export / "snapshots" / "001.f16"
    values = np.fromfile(path, dtype="<f2")
    values[index] = value
    values.tofile(path)
    message = refusal(tiny_export)
    assert str(path) in message
    assert "NaN or infinite" in message


# --- writing is atomic ------------------------------------------------------------------------------


def fail_on_call(n: int, original: Callable) -> Callable:
    """A wrapper around ``original`` that raises on its n-th call, as a crash or full disk would."""
    calls = 0

    def wrapper(*args, **kwargs):
        nonlocal calls
        calls += 1
        if calls == n:
            raise OSError(28, "No space left on device")
        return original(*args, **kwargs)

    return wrapper


INTERRUPTIONS = {
    "second-snapshot-file": lambda mp: mp.setattr(Path, "write_bytes", fail_on_call(2, Path.write_bytes)),
    "manifest": lambda mp: mp.setattr(Path, "write_text", fail_on_call(1, Path.write_text)),
    "fsync": lambda mp: mp.setattr(
        training.export, "_fsync_tree", fail_on_call(1, training.export._fsync_tree)
    ),
    "set-old-aside": lambda mp: mp.setattr(Path, "rename", fail_on_call(1, Path.rename)),
}


def assert_only(parent: Path, *names: str) -> None:
    assert sorted(p.name for p in parent.iterdir()) == sorted(names)  # no .model-* temp folders


@pytest.mark.parametrize("where", INTERRUPTIONS)
def test_interrupted_rewrite_keeps_the_previous_export_and_no_temp_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    folder = tmp_path / "model"
    first = write_export(folder, name="first", seeds=(10, 11))
    INTERRUPTIONS[where](monkeypatch)
    with pytest.raises(OSError, match="No space left"):
        write_export(folder, name="second", seeds=(20, 21, 22))
    monkeypatch.undo()
    timeline = load_timeline(folder)
    assert timeline.name == "first"
    assert len(timeline.snapshots) == 2
    np.testing.assert_array_equal(timeline.layers("s1")[0][0], float16_values(first["s1"][0])[0])
    assert_only(tmp_path, "model")


def test_failed_final_rename_keeps_the_previous_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "model"
    write_export(folder, name="first")
    monkeypatch.setattr(Path, "rename", fail_on_call(2, Path.rename))  # 1: folder → old, 2: tmp → folder
    with pytest.raises(OSError):
        write_export(folder, name="second")
    monkeypatch.undo()
    assert load_timeline(folder).name == "first"
    assert_only(tmp_path, "model")


@pytest.mark.parametrize("where", ["second-snapshot-file", "manifest", "fsync"])
def test_interrupted_first_write_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    INTERRUPTIONS[where](monkeypatch)
    with pytest.raises(OSError, match="No space left"):
        write_export(tmp_path / "model")
    monkeypatch.undo()
    assert_only(tmp_path)


def test_rewrite_replaces_the_export_and_cleans_up(tmp_path: Path) -> None:
    write_export(tmp_path / "model", name="first", seeds=(1, 2))
    second = write_export(tmp_path / "model", name="second", seeds=(3, 4, 5))
    timeline = load_timeline(tmp_path / "model")
    assert (timeline.name, len(timeline.snapshots)) == ("second", 3)
    np.testing.assert_array_equal(timeline.layers("s0")[1][1], float16_values(second["s0"][1])[1])
    assert_only(tmp_path, "model")


def test_export_folder_gets_the_permissions_of_any_new_folder(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    write_export(tmp_path / "model")
    mode = stat.S_IMODE((tmp_path / "model").stat().st_mode)
    assert mode == stat.S_IMODE((tmp_path / "plain").stat().st_mode)
