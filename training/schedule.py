"""When to take a snapshot: densely at the start, where the network changes most, then per epoch."""

from __future__ import annotations

# Images seen before the first full pass: each step here is visibly different on the screen.
EARLY = (50, 120, 250, 500, 1_000, 2_000, 3_500, 5_800, 8_700, 13_000, 19_500, 28_500, 40_000)
# Passes over the data set after which a snapshot is kept.
EPOCHS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 16, 18, 20, 25, 30, 35, 40, 45, 50)


def snapshot_points(dataset_size: int, epochs: int) -> list[int]:
    """Images-seen counts at which to snapshot, for a run of ``epochs`` ≥ 1 passes; 0 is the start."""
    if epochs < 1 or dataset_size < 1:
        raise ValueError("a timeline needs at least one pass over a non-empty data set")
    later = [e * dataset_size for e in EPOCHS if e <= epochs]
    if not later or later[-1] != epochs * dataset_size:
        later.append(epochs * dataset_size)
    early = [n for n in EARLY if n < later[0]]
    return [0, *early, *later]


def label_for(images_seen: int, dataset_size: int) -> str:
    """A caption for visitors: '5,800 images' early on, '12× the data set' later."""
    if images_seen == 0:
        return "random weights"
    if images_seen % dataset_size == 0:
        return f"{images_seen // dataset_size}× the data set"
    return f"{images_seen:,} images"
