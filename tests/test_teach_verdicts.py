"""Visitors' verdicts (kiosk/teach/verdicts.py): counted per day and digit, kept across restarts,
and a file that cannot be used never stops the exhibit."""

from __future__ import annotations

import json
import logging
from datetime import date, timedelta
from pathlib import Path

import pytest

from kiosk.teach.verdicts import FILE, FORMAT, KEEP_DAYS, VerdictCounts


class Day:
    def __init__(self) -> None:
        self.today = date(2026, 12, 6)

    def __call__(self) -> date:
        return self.today


def test_verdicts_are_counted_per_day_and_digit(tmp_path: Path) -> None:
    day = Day()
    counts = VerdictCounts(tmp_path / FILE, day)
    for digit, correct in [(7, True), (7, False), (1, False), (7, True)]:
        counts.add(digit, correct)
    summary = counts.summary()
    assert summary["today"]["date"] == "2026-12-06"
    assert (summary["today"]["right"], summary["today"]["wrong"]) == (2, 2)
    assert summary["today"]["digits"]["7"] == {"right": 2, "wrong": 1}
    assert summary["today"]["digits"]["1"] == {"right": 0, "wrong": 1}
    assert (
        summary["today"]["digits"]["0"] == {"right": 0, "wrong": 0} and len(summary["today"]["digits"]) == 10
    )
    day.today += timedelta(days=1)
    counts.add(3, True)
    summary = counts.summary()
    assert summary["today"]["digits"]["7"] == {"right": 0, "wrong": 0}  # a new day starts at nought
    assert summary["days"] == [
        {"date": "2026-12-07", "right": 1, "wrong": 0},
        {"date": "2026-12-06", "right": 2, "wrong": 2},
    ]
    assert counts.totals == {"7": [2, 1], "1": [0, 1], "3": [1, 0]}


def test_counts_survive_a_restart_and_the_file_holds_no_drawing(tmp_path: Path) -> None:
    counts = VerdictCounts(tmp_path / FILE, Day())
    counts.add(9, False)
    counts.add(9, True)
    again = VerdictCounts(tmp_path / FILE, Day())
    assert again.summary() == counts.summary() and again.totals == {"9": [1, 1]}
    stored = json.loads((tmp_path / FILE).read_text())
    assert set(stored) == {"format", "totals", "days"} and stored["format"] == FORMAT
    assert [p.name for p in tmp_path.iterdir()] == [FILE]  # written atomically: no temp file left


def test_old_days_are_dropped_but_the_totals_stay(tmp_path: Path) -> None:
    day = Day()
    counts = VerdictCounts(tmp_path / FILE, day)
    for _ in range(KEEP_DAYS + 3):
        counts.add(4, True)
        day.today += timedelta(days=1)
    assert len(counts.days) == KEEP_DAYS and counts.totals == {"4": [KEEP_DAYS + 3, 0]}
    assert len(counts.summary(days=14)["days"]) == 14


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"\xff\xfe",
        json.dumps({"format": "other", "totals": {}, "days": {}}).encode(),
        json.dumps({"format": FORMAT, "totals": {"7": [1]}, "days": {}}).encode(),
        json.dumps({"format": FORMAT, "totals": {"x": [1, 1]}, "days": {}}).encode(),
        json.dumps({"format": FORMAT, "totals": {"7": [-1, 0]}, "days": {}}).encode(),
        json.dumps({"format": FORMAT, "totals": {"7": [True, 0]}, "days": {}}).encode(),
        json.dumps({"format": FORMAT, "totals": {}, "days": {"yesterday": {}}}).encode(),
        b'{"format": "nn-kiosk-verdicts/1", "totals": {"7": [NaN, 0]}, "days": {}}',
        f'{{"format": "{FORMAT}", "totals": {{"7": [{2**70}, 0]}}, "days": {{}}}}'.encode(),
        f'{{"format": "{FORMAT}", "totals": {{"7": [{"9" * 5000}, 0]}}, "days": {{}}}}'.encode(),
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=[
        "bad-json",
        "bad-utf8",
        "format",
        "pair",
        "digit",
        "negative",
        "bool",
        "date",
        "nan",
        "huge",
        "digits",
        "deep",
    ],
)
def test_a_file_that_cannot_be_used_is_set_aside_and_counting_starts_again(
    tmp_path: Path, content: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / FILE).write_bytes(content)
    with caplog.at_level(logging.WARNING):
        counts = VerdictCounts(tmp_path / FILE, Day())
    assert counts.totals == {} and counts.days == {}
    assert (tmp_path / f"{FILE}.bad").read_bytes() == content  # kept for staff, not lost
    assert "set aside" in caplog.text
    counts.add(2, True)
    assert VerdictCounts(tmp_path / FILE, Day()).totals == {"2": [1, 0]}


def test_a_state_folder_that_cannot_be_written_is_logged_and_counting_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "state").write_text("a file where the state folder should be")  # (or a full disk)
    counts = VerdictCounts(tmp_path / "state" / FILE, Day())
    with caplog.at_level(logging.WARNING):
        counts.add(5, False)
        counts.add(5, True)
    assert caplog.text.count("could not be saved") == 2
    assert counts.totals == {"5": [1, 1]}


def test_a_digit_out_of_range_is_refused(tmp_path: Path) -> None:
    counts = VerdictCounts(None, Day())
    for digit in (-1, 10, 2**70):
        with pytest.raises(ValueError, match="0..9"):
            counts.add(digit, True)
    assert counts.totals == {}
