"""The export's teaching data (kiosk/teach/data.py): the manifest entry checked when the export
loads, the files when the lesson process reads them; a wrong one is a clear ExportError."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from support.exports import rewrite_manifest, write_tiny_export

from kiosk.model.errors import ExportError
from kiosk.model.export import load_timeline
from kiosk.teach.data import load_teaching_data
from training.teaching import write_teaching_data


@pytest.fixture
def export(tmp_path: Path) -> Path:
    folder = write_tiny_export(tmp_path / "tiny")
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (30, 28, 28), dtype=np.uint8)
    labels = np.arange(30) % 10
    write_teaching_data(folder, (images[:20], labels[:20]), (images[20:], labels[20:]))
    return folder


def test_written_teaching_data_reads_back_exactly(export: Path) -> None:
    timeline = load_timeline(export)
    assert timeline.teaching is not None and (timeline.teaching.test, timeline.teaching.replay) == (20, 10)
    data = load_teaching_data(timeline.teaching)
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (30, 28, 28), dtype=np.uint8).reshape(30, 784)
    assert np.array_equal(data.test_images, images[:20]) and np.array_equal(data.replay_images, images[20:])
    assert data.test_labels.tolist() == list(range(10)) * 2 and data.replay_labels.tolist() == list(range(10))


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda t: t.update(images="../teaching.u8"), "teaching.images must be a plain file name"),
        (lambda t: t.update(labels=7), "teaching.labels must be a plain file name"),
        (lambda t: t.update(test=0), "teaching.test must be a whole number in 1..10000"),
        (lambda t: t.update(test=2**70), "teaching.test must be a whole number"),
        (lambda t: t.update(replay=True), "teaching.replay must be a whole number"),
        (lambda t: t.update(replay=1.5), "teaching.replay must be a whole number"),
    ],
)
def test_a_bad_teaching_entry_is_refused_when_the_export_loads(export: Path, change, problem: str) -> None:
    rewrite_manifest(export, lambda manifest: change(manifest["teaching"]))
    with pytest.raises(ExportError, match=problem.replace(".", r"\.")):
        load_timeline(export)


def test_a_teaching_entry_that_is_not_an_object_is_refused(export: Path) -> None:
    rewrite_manifest(export, lambda manifest: manifest.update(teaching=[1, 2]))
    with pytest.raises(ExportError, match="teaching must be an object"):
        load_timeline(export)


def test_files_of_the_wrong_size_or_labels_out_of_range_are_refused(export: Path) -> None:
    entry = load_timeline(export).teaching
    assert entry is not None
    entry.labels.write_bytes(bytes([3] * 29))
    with pytest.raises(ExportError, match="holds 29 bytes; needs 30"):
        load_teaching_data(entry)
    entry.labels.write_bytes(bytes([3] * 29 + [10]))
    with pytest.raises(ExportError, match="labels must be digits 0..9"):
        load_teaching_data(entry)
    entry.images.unlink()
    with pytest.raises(ExportError, match="cannot be read"):
        load_teaching_data(entry)
