"""The handwritten digits the self-test draws: a few real pen drawings shipped with the exhibit.

``pendigits-selftest.jsonl`` (next to this module, so ``make install`` ships it) holds 30
drawings from UCI pendigits' training file, with their licence and attribution in
``pendigits-selftest.LICENSE.md``. The rule that picked them is fixed and does not look at what
the network answers: for each digit 0-9, the first three drawings in the file's order that come
from three different writers; they are written digit by digit (0, 1, … 9, then 0, 1, … again),
so that a self-test cut short has still drawn every digit. Regenerate the file with

    python -m kiosk.selftest.samples ../shared/data/pen/pendigits-train.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kiosk.strokefile import BadLine, Sample, read_stroke_file

SAMPLES_FILE = Path(__file__).resolve().parent / "pendigits-selftest.jsonl"
LICENCE_FILE = SAMPLES_FILE.with_suffix(".LICENSE.md")
PER_DIGIT = 3


class SamplesError(Exception):
    """The shipped samples are missing or unreadable (a broken install)."""


@dataclass(frozen=True)
class ShippedDigit:
    source: str  # the data set's id, e.g. "pendigits-train/7"
    label: int
    strokes: list  # [[[x, y, t_ms], ...], ...]


def load_samples(path: Path = SAMPLES_FILE) -> list[ShippedDigit]:
    """The labelled drawings of ``path``; SamplesError if it cannot be read or holds a bad line."""
    try:
        items = list(read_stroke_file(path))
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise SamplesError(f"cannot read the self-test's drawings {path}: {e}") from None
    bad = [item for item in items if isinstance(item, BadLine)]
    digits = [
        ShippedDigit(_source(lines[s.line - 1], s), s.label, s.raw_strokes)
        for s in items
        if isinstance(s, Sample) and s.label is not None
    ]
    if bad or not digits or len(digits) != len(items):
        why = f"line {bad[0].line}: {bad[0].error}" if bad else "no labelled drawings"
        raise SamplesError(f"the self-test's drawings {path} are damaged ({why}); reinstall the exhibit")
    return digits


def _source(line: str, sample: Sample) -> str:
    source = json.loads(line).get("id")
    return source if isinstance(source, str) else f"line {sample.line}"


def select(records: Iterable[dict], per_digit: int = PER_DIGIT) -> list[dict]:
    """The fixed rule: per digit, the first ``per_digit`` records from as many different writers,
    interleaved digit by digit. Records are pendigits lines: ``{"id", "label", "writer", "strokes"}``."""
    chosen: dict[int, list[dict]] = {digit: [] for digit in range(10)}
    for record in records:
        picked = chosen.get(record["label"])
        if picked is None or len(picked) >= per_digit:
            continue
        if record["writer"] not in {r["writer"] for r in picked}:
            picked.append(record)
    return [chosen[digit][i] for i in range(per_digit) for digit in range(10) if i < len(chosen[digit])]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kiosk.selftest.samples", description=__doc__.split("\n")[0]
    )
    parser.add_argument("source", type=Path, help="UCI pendigits as a stroke file (pendigits-train.jsonl)")
    parser.add_argument("--out", type=Path, default=SAMPLES_FILE, help=f"default: {SAMPLES_FILE}")
    args = parser.parse_args(argv)
    with args.source.open(encoding="utf-8") as f:
        picked = select(json.loads(line) for line in f if line.strip())
    keys = ("id", "label", "writer", "strokes")
    lines = [json.dumps({k: record[k] for k in keys}, separators=(",", ":")) for record in picked]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} drawings to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
