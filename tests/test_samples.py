"""MNIST samples shipped with an export: which are chosen, how they are written, and every way a
broken samples entry is refused by name."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from support import SHIPPED_EXPORT
from support.exports import rewrite_manifest

import training.samples
from kiosk.model.engine import Engine
from kiosk.model.export import ExportError, load_timeline
from training.samples import add_samples, select_samples, write_samples


def random_digits(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n random uint8 28×28 images and labels that cover every digit."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    return images, np.arange(n) % 10


def refusal(folder: Path) -> str:
    with pytest.raises(ExportError) as info:
        load_timeline(folder)
    return str(info.value)


@pytest.fixture
def with_samples(tiny_export: Path) -> Path:
    """The tiny export with 20 samples written by write_samples."""
    write_samples(tiny_export, *random_digits(20))
    return tiny_export


# --- choosing ---------------------------------------------------------------------------------------


def expected_selection(labels: list[int], predicted: list[int], per_digit: int, max_wrong: int) -> list[int]:
    """The rule spelled out: walk the test set in order, keep a wrong one while fewer than max_wrong are
    kept, a right one while fewer than per_digit of its digit are kept."""
    kept, wrong, right = [], 0, [0] * 10
    for i, (label, guess) in enumerate(zip(labels, predicted, strict=True)):
        if label != guess and wrong < max_wrong:
            kept.append(i)
            wrong += 1
        elif label == guess and right[label] < per_digit:
            kept.append(i)
            right[label] += 1
    return kept


def test_selection_keeps_every_wrong_one_and_the_first_correct_ones_of_each_digit_in_order() -> None:
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 10, size=2000)
    predicted = np.where(rng.random(2000) < 0.05, rng.integers(0, 10, size=2000), labels)
    wrong = np.flatnonzero(predicted != labels)
    assert 50 < len(wrong) < 200

    chosen = select_samples(labels, predicted, per_digit=7)

    assert chosen.tolist() == expected_selection(labels.tolist(), predicted.tolist(), 7, len(labels))
    assert set(wrong) <= set(chosen.tolist())
    assert np.all(np.diff(chosen) > 0)  # test-set order, no repeats
    right = chosen[predicted[chosen] == labels[chosen]]
    assert np.bincount(labels[right], minlength=10).tolist() == [7] * 10


def test_selection_keeps_only_the_first_wrong_ones_of_a_weak_network() -> None:
    rng = np.random.default_rng(4)
    labels = rng.integers(0, 10, size=3000)
    predicted = rng.integers(0, 10, size=3000)  # a random network: 90 % wrong
    chosen = select_samples(labels, predicted, per_digit=5, max_wrong=40)
    assert chosen.tolist() == expected_selection(labels.tolist(), predicted.tolist(), 5, 40)
    assert len(chosen) == 40 + 5 * 10


def test_selection_of_a_digit_with_few_correct_ones_keeps_what_there_is() -> None:
    labels = np.array([3, 3, 3, 5, 5, 5])
    predicted = np.array([3, 8, 3, 5, 5, 5])
    assert select_samples(labels, predicted, per_digit=2).tolist() == [0, 1, 2, 3, 4]


def test_selection_refuses_mismatched_arrays() -> None:
    with pytest.raises(ValueError):
        select_samples(np.arange(5), np.arange(4))


# --- writing and loading ----------------------------------------------------------------------------


def test_written_samples_load_back_as_pixels_in_0_1_with_their_labels(tiny_export: Path) -> None:
    images, labels = random_digits(23)
    before = json.loads((tiny_export / "manifest.json").read_text())

    entry = write_samples(tiny_export, images, labels)

    assert entry == {"file": "samples.u8", "count": 23, "labels": labels.tolist()}
    assert (tiny_export / "samples.u8").read_bytes() == images.tobytes()  # N × 784 raw, row-major
    manifest = json.loads((tiny_export / "manifest.json").read_text())
    assert manifest == {**before, "samples": entry}  # everything else kept
    samples = load_timeline(tiny_export).samples
    assert len(samples) == 23
    assert samples.images.dtype == np.float32 and samples.images.shape == (23, 28, 28)
    np.testing.assert_array_equal(samples.images, images / np.float32(255))
    assert samples.labels.tolist() == labels.tolist()
    assert samples.indices_of_digit(4).tolist() == [4, 14]
    assert samples.indices_of_digit(7).tolist() == [7, 17]
    assert sorted(os.listdir(tiny_export)) == ["manifest.json", "samples.u8", "snapshots"]  # no temp files


def test_flat_images_are_written_the_same(tiny_export: Path) -> None:
    images, labels = random_digits(5)
    write_samples(tiny_export, images.reshape(5, 784), labels)
    np.testing.assert_array_equal(load_timeline(tiny_export).samples.images, images / np.float32(255))


def test_rewriting_samples_replaces_them(with_samples: Path) -> None:
    images, labels = random_digits(7, seed=1)
    write_samples(with_samples, images, labels)
    samples = load_timeline(with_samples).samples
    assert len(samples) == 7
    np.testing.assert_array_equal(samples.images, images / np.float32(255))


def test_loaded_samples_cannot_be_drawn_on(with_samples: Path) -> None:
    samples = load_timeline(with_samples).samples
    with pytest.raises(ValueError):
        samples.images[0, 0, 0] = 1


def test_export_without_samples_loads_with_none(tiny_export: Path) -> None:
    assert load_timeline(tiny_export).samples is None


@pytest.mark.parametrize(
    ("images", "labels"),
    [
        (np.zeros((3, 28, 28), np.float32), [1, 2, 3]),  # not uint8
        (np.zeros((3, 28, 27), np.uint8), [1, 2, 3]),  # not 784 pixels
        (np.zeros((3, 28, 28), np.uint8), [1, 2]),  # one label short
        (np.zeros((2, 28, 28), np.uint8), [1, 10]),  # not a digit
        (np.zeros((0, 28, 28), np.uint8), []),  # none
    ],
)
def test_write_refuses_what_the_format_does_not_allow(tiny_export: Path, images, labels) -> None:
    with pytest.raises(ValueError):
        write_samples(tiny_export, images, labels)
    assert load_timeline(tiny_export).samples is None


def test_crash_while_replacing_samples_leaves_a_loadable_export(
    with_samples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = training.samples._write_atomically

    def crash_on_pixels(path: Path, data: bytes) -> None:
        if path.name == "samples.u8":
            raise OSError("disk full")
        real(path, data)

    monkeypatch.setattr(training.samples, "_write_atomically", crash_on_pixels)
    with pytest.raises(OSError):
        write_samples(with_samples, *random_digits(9, seed=2))
    monkeypatch.undo()
    assert load_timeline(with_samples).samples is None  # the old entry went first: valid, without samples


# --- refusing broken samples ------------------------------------------------------------------------


def change_samples(**fields: object):
    return lambda manifest: manifest["samples"].update(fields)


def set_label(i: int, value: object):
    return lambda manifest: manifest["samples"]["labels"].__setitem__(i, value)


DIGITS = "samples.labels must be digits 0..9"


BROKEN = {
    "not an object": (lambda m: m.update(samples=[1, 2]), "samples must be an object"),
    "null": (lambda m: m.update(samples=None), "samples must be an object"),
    "no file": (lambda m: m["samples"].pop("file"), "samples.file must be a plain file name"),
    "empty file": (change_samples(file=""), "samples.file must be a plain file name"),
    "parent folder": (change_samples(file="../samples.u8"), "samples.file must be a plain file name"),
    "dot-dot": (change_samples(file=".."), "samples.file must be a plain file name"),
    "subfolder": (change_samples(file="snapshots/000.f16"), "samples.file must be a plain file name"),
    "absolute": (change_samples(file="/etc/passwd"), "samples.file must be a plain file name"),
    "backslash": (change_samples(file="sub\\samples.u8"), "samples.file must be a plain file name"),
    "count 0": (change_samples(count=0, labels=[]), "samples.count must be a whole number in 1..10000"),
    "count too big": (change_samples(count=10_001), "samples.count must be a whole number in 1..10000"),
    "count text": (change_samples(count="20"), "samples.count must be a whole number in 1..10000"),
    "count float": (change_samples(count=20.0), "samples.count must be a whole number in 1..10000"),
    "count bool": (change_samples(count=True), "samples.count must be a whole number in 1..10000"),
    "no count": (lambda m: m["samples"].pop("count"), "samples.count must be a whole number"),
    "label too big": (set_label(3, 10), DIGITS),
    "label negative": (set_label(0, -1), DIGITS),
    "label float": (set_label(5, 5.0), DIGITS),
    "label text": (set_label(5, "5"), DIGITS),
    "labels short": (
        lambda m: m["samples"]["labels"].pop(),
        "samples.labels must list one label per sample (20), found 19",
    ),
    "labels long": (
        lambda m: m["samples"]["labels"].append(1),
        "samples.labels must list one label per sample (20), found 21",
    ),
    "labels missing": (lambda m: m["samples"].pop("labels"), "samples.labels must list one label per sample"),
}


@pytest.mark.parametrize("case", BROKEN)
def test_broken_samples_entry_is_refused_naming_the_manifest_and_the_problem(
    with_samples: Path, case: str
) -> None:
    change, problem = BROKEN[case]
    rewrite_manifest(with_samples, change)
    message = refusal(with_samples)
    assert message.startswith(f"{with_samples / 'manifest.json'}: {problem}")


@pytest.mark.parametrize("count", [19, 21])
def test_count_that_does_not_match_the_file_size_is_refused_naming_the_file(
    with_samples: Path, count
) -> None:
    rewrite_manifest(with_samples, change_samples(count=count, labels=[0] * count))
    assert refusal(with_samples) == (
        f"{with_samples / 'samples.u8'}: holds 15680 bytes; {count} samples need {784 * count} "
        f"({count} × 784 pixels)"
    )


@pytest.mark.parametrize("cut", [1, 784, -1])
def test_truncated_or_padded_samples_file_is_refused_naming_it(with_samples: Path, cut: int) -> None:
    path = with_samples / "samples.u8"
    data = path.read_bytes()
    path.write_bytes(data[:-cut] if cut > 0 else data + b"\0")
    assert refusal(with_samples).startswith(f"{path}: holds {len(data) - cut} bytes; 20 samples need 15680")


def test_missing_samples_file_is_refused_naming_it(with_samples: Path) -> None:
    (with_samples / "samples.u8").unlink()
    message = refusal(with_samples)
    assert message.startswith(f"{with_samples / 'samples.u8'}: cannot be read: ")
    assert "No such file" in message


def test_samples_file_that_is_a_folder_is_refused(with_samples: Path) -> None:
    (with_samples / "samples.u8").unlink()
    (with_samples / "samples.u8").mkdir()
    assert refusal(with_samples).startswith(f"{with_samples / 'samples.u8'}: ")


def test_other_keys_in_the_samples_entry_are_ignored(with_samples: Path) -> None:
    rewrite_manifest(with_samples, change_samples(source="MNIST test set"))
    assert len(load_timeline(with_samples).samples) == 20


# --- choosing with a real network -------------------------------------------------------------------


def test_add_samples_keeps_exactly_what_the_final_snapshot_gets_wrong(tiny_export: Path) -> None:
    images, _ = random_digits(600, seed=5)
    engine = Engine(load_timeline(tiny_export))
    guesses = engine.forward(images.reshape(600, 784) / np.float32(255), "end")[-1].argmax(1)
    labels = np.where(np.arange(600) % 4 == 0, (guesses + 1) % 10, guesses)  # a quarter read wrongly

    result = add_samples(tiny_export, images, labels, per_digit=2, max_wrong=1000)

    chosen = select_samples(labels, guesses, per_digit=2, max_wrong=1000)
    samples = load_timeline(tiny_export).samples
    assert result == {"count": len(chosen), "wrong": 150, "test_errors": 150}
    np.testing.assert_array_equal(samples.images, images[chosen] / np.float32(255))
    assert samples.labels.tolist() == labels[chosen].tolist()


def test_add_samples_replaces_a_broken_samples_entry(with_samples: Path) -> None:
    (with_samples / "samples.u8").write_bytes(b"truncated")
    images, labels = random_digits(30, seed=6)
    result = add_samples(with_samples, images, labels, per_digit=30)
    assert result["count"] == 30
    assert len(load_timeline(with_samples).samples) == 30


# --- the shipped export -----------------------------------------------------------------------------


def test_shipped_export_has_samples_of_every_digit_and_all_the_final_networks_mistakes() -> None:
    timeline = load_timeline(SHIPPED_EXPORT)
    samples = timeline.samples
    assert samples is not None, "run: python -m training.samples --export exports/mnist-mlp"
    assert sorted(set(samples.labels.tolist())) == list(range(10))
    assert all(len(samples.indices_of_digit(d)) > 0 for d in range(10))

    guesses = Engine(timeline).forward(samples.images.reshape(len(samples), 784), timeline.final_id)[-1]
    wrong = guesses.argmax(1) != samples.labels
    # every test image the final network gets wrong is in: as many as its test accuracy says
    # (a few may differ: the accuracy was measured before the weights were rounded to float16)
    test_errors = round((1 - timeline.snapshots[-1].test_accuracy) * 10_000)
    assert wrong.sum() > 0 and abs(int(wrong.sum()) - test_errors) <= 3
    # and as many correctly read ones of each digit
    right = np.bincount(samples.labels[~wrong], minlength=10)
    assert right.min() == right.max() > 0
