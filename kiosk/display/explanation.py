"""The numbers of the "How does it work?" sequence, computed from the network's real weights.

``explain_digit(engine, image, snapshot)`` returns plain JSON for the screen, one part per step:

- ``pixels``: a ``CELLS`` × ``CELLS`` window of the 28 × 28 input (``row``, ``col`` of its top
  left, ``values`` row by row, 0.00 = no ink, 1.00 = full ink). The window chosen is the one with
  the most grey in it (the sum of p·(1 − p)), so it shows the edge of a stroke: zeros, ones and
  values in between.
- ``neuron``: one neuron of the first hidden layer, the one this digit lights up most, and its sum
  written with the pixel values 0–1 the visitor just saw. The engine first normalises the pixels,
  x = (p − mean) / std, and computes w·x + b; the same sum, exactly, is w′·p + b′ with
  w′ = w / std and b′ = b − (mean / std)·Σw. ``terms`` are the ``TERMS`` largest products
  p·w′ (by size), each with ``pixel`` (index 0–783), ``value`` (p), ``weight`` (w′) and
  ``product``; ``more`` counts the other inputs and ``rest`` is the sum of their products;
  ``bias`` is b′; ``total`` = Σ products + bias is the engine's pre-activation; ``output`` is
  what the activation function makes of it (ReLU: a negative total gives 0, the neuron stays
  dark). ``dark`` counts the first-layer neurons whose total is 0 or below for this digit.
- ``layers``: for each hidden layer, ``count`` neurons and how many are ``lit`` (above 0).
- ``answer``: the ``digit`` with the strongest output, its ``probability``, and the ``runner_up``
  with its probability.
- ``learned``: what the untrained network (the timeline's first snapshot) said for this image
  (``before``: digit and probability) and what the explained snapshot says (``after``), how many
  ``images`` it was shown while learning and how many ``rounds`` through the ``TRAINING_SET``
  that is.

Pure numpy, a few small matrix products: cheap enough to run on the event loop when a tour starts.
"""

from __future__ import annotations

import numpy as np

from kiosk.model.engine import Engine

CELLS = 4  # the pixel window is CELLS × CELLS
TERMS = 3  # products written out in the neuron's sum
TRAINING_SET = 60_000  # handwritten digits in MNIST's training set (an export does not say its size)


def explain_digit(engine: Engine, image: np.ndarray, snapshot: str) -> dict:
    """Every step's numbers for ``image`` (28 × 28 in [0, 1]) read by ``snapshot``."""
    pixels = np.asarray(image, dtype=np.float32).reshape(28, 28)
    result = engine.infer(pixels, snapshot)
    timeline = engine.timeline
    first = engine.infer(pixels, timeline.snapshots[0].id)
    info = timeline.snapshots[timeline.index_of(snapshot)]
    return {
        "snapshot": snapshot,
        "pixels": pixel_window(pixels),
        "neuron": neuron_sum(engine, pixels, snapshot),
        "layers": [
            {"count": int(layer.size), "lit": int((layer > 0).sum())} for layer in result.activations[:-1]
        ],
        "answer": _answer(result.probabilities),
        "learned": {
            "before": _guess(first.probabilities),
            "after": _guess(result.probabilities),
            "images": info.images_seen,
            "training_set": TRAINING_SET,
            "rounds": info.images_seen // TRAINING_SET,
        },
    }


def pixel_window(pixels: np.ndarray, size: int = CELLS) -> dict:
    """The ``size`` × ``size`` window of the image with the most grey (an edge of a stroke)."""
    grey = pixels * (1 - pixels)
    sums = np.lib.stride_tricks.sliding_window_view(grey, (size, size)).sum(axis=(2, 3))
    if not sums.any():  # no grey at all: the window with the most ink, else the middle
        ink = np.lib.stride_tricks.sliding_window_view(pixels, (size, size)).sum(axis=(2, 3))
        sums = ink if ink.any() else None
    row, col = (12, 12) if sums is None else np.unravel_index(int(sums.argmax()), sums.shape)
    window = pixels[row : row + size, col : col + size]
    return {"row": int(row), "col": int(col), "size": size, "values": _round(window, 2)}


def neuron_sum(engine: Engine, pixels: np.ndarray, snapshot: str, index: int | None = None) -> dict:
    """Neuron ``index`` of the first hidden layer (None: the one this image lights up most) as a sum
    of pixel value × weight, plus its bias (see the module docstring)."""
    timeline = engine.timeline
    weight, bias = timeline.layers(snapshot)[0]
    mean, std = np.float64(timeline.mean), np.float64(timeline.std)
    p = pixels.reshape(-1).astype(np.float64)
    weights = weight.astype(np.float64) / std  # (neurons, 784)
    biases = bias.astype(np.float64) - (mean / std) * weight.astype(np.float64).sum(axis=1)
    totals = weights @ p + biases
    if index is None:
        index = int(totals.argmax())
    products = weights[index] * p
    top = np.argsort(-np.abs(products), kind="stable")[:TERMS]
    total = float(totals[index])
    activation = timeline.activations[0]
    output = max(total, 0.0) if activation == "relu" else float(engine.forward(p, snapshot)[0][index])
    return {
        "index": index,
        "count": int(weights.shape[0]),
        "terms": [
            {
                "pixel": int(i),
                "value": _r(p[i], 2),
                "weight": _r(weights[index, i], 2),
                "product": _r(products[i], 3),
            }
            for i in top
        ],
        "more": int(p.size - len(top)),
        "rest": _r(products.sum() - products[top].sum(), 3),
        "bias": _r(biases[index], 3),
        "total": _r(total, 3),
        "output": _r(output, 3),
        "activation": activation,
        "dark": int((totals <= 0).sum()),
    }


def _answer(probabilities: np.ndarray) -> dict:
    order = np.argsort(-probabilities, kind="stable")
    return {
        "digit": int(order[0]),
        "probability": _r(probabilities[order[0]], 4),
        "runner_up": int(order[1]),
        "runner_up_probability": _r(probabilities[order[1]], 4),
    }


def _guess(probabilities: np.ndarray) -> dict:
    digit = int(probabilities.argmax())
    return {"digit": digit, "probability": _r(probabilities[digit], 4)}


def _r(value: float, digits: int) -> float:
    return round(float(value), digits)


def _round(values: np.ndarray, digits: int) -> list:
    return np.round(np.asarray(values, dtype=np.float64), digits).tolist()
