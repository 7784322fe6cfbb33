"""Throttling wrong guesses: per client, overall, recovery, and bounded memory."""

from __future__ import annotations

import pytest
from support.clock import FakeClock

from kiosk.tablet.throttle import Throttle

WINDOW = 60.0


@pytest.fixture
def throttle(clock: FakeClock) -> Throttle:
    return Throttle(clock, per_key=5, global_=20, window_s=WINDOW)


def fail(throttle: Throttle, key: str, times: int) -> None:
    for _ in range(times):
        assert throttle.allow(key)
        throttle.failure(key)


def test_allows_up_to_the_limit_then_refuses(throttle: Throttle, clock: FakeClock) -> None:
    for _ in range(5):
        assert throttle.allow("10.0.0.1")
        assert throttle.retry_after("10.0.0.1") == 0.0
        throttle.failure("10.0.0.1")
        clock.now += 1
    assert not throttle.allow("10.0.0.1")
    # The first failure (at 1000) leaves the window at 1060; it is now 1005.
    assert throttle.retry_after("10.0.0.1") == pytest.approx(55.0)
    assert throttle.allow("10.0.0.2")  # others are not affected


def test_checking_does_not_count(throttle: Throttle) -> None:
    for _ in range(100):
        assert throttle.allow("10.0.0.1")
    assert throttle.tracked_keys() == 0


def test_recovers_after_the_window(throttle: Throttle, clock: FakeClock) -> None:
    fail(throttle, "10.0.0.1", 5)
    clock.now += WINDOW - 0.5
    assert not throttle.allow("10.0.0.1")
    assert throttle.retry_after("10.0.0.1") == pytest.approx(0.5)
    clock.now += 0.5
    assert throttle.allow("10.0.0.1")
    assert throttle.tracked_keys() == 0  # pruned


def test_sliding_window_frees_one_slot_at_a_time(throttle: Throttle, clock: FakeClock) -> None:
    for _ in range(5):
        throttle.failure("k")
        clock.now += 10  # failures at 1000, 1010, ..., 1040
    clock.now = 1060
    assert throttle.allow("k")  # the one at 1000 left the window
    throttle.failure("k")
    assert not throttle.allow("k")
    assert throttle.retry_after("k") == pytest.approx(10.0)  # until the one at 1010 leaves


def test_a_strict_global_limit_holds_across_many_keys(clock: FakeClock) -> None:
    throttle = Throttle(clock, per_key=5, global_=20, window_s=WINDOW, strict=True)
    for i in range(20):
        assert throttle.allow(f"10.0.{i}.1")
        throttle.failure(f"10.0.{i}.1")
        clock.now += 1
    assert not throttle.allow("10.0.99.1")  # a fresh address is refused too
    assert throttle.retry_after("10.0.99.1") == pytest.approx(WINDOW - 20)
    clock.now = 1000 + WINDOW
    assert throttle.allow("10.0.99.1")


def test_retry_after_is_the_longer_of_both_limits(clock: FakeClock) -> None:
    throttle = Throttle(clock, per_key=2, global_=3, window_s=WINDOW, strict=True)
    throttle.failure("a")
    clock.now += 30
    throttle.failure("b")
    throttle.failure("b")
    assert throttle.retry_after("b") == pytest.approx(60.0)  # its own first failure: 30 s ago
    assert throttle.retry_after("c") == pytest.approx(30.0)  # the global budget frees at 1060


# --- strangers must not lock out the real user (issue 11) ---------------------------------------------


def test_strangers_spending_the_budget_do_not_lock_out_a_clean_address(clock: FakeClock) -> None:
    throttle = Throttle(clock, per_key=10, global_=200, window_s=WINDOW)
    strangers = [f"10.0.{i}.1" for i in range(26)]
    for key in strangers:  # 260 wrong guesses from 26 addresses, as the fuzzer sent
        for _ in range(10):
            throttle.failure(key)
    assert throttle.overall_spent()
    assert throttle.allow("192.168.1.50")  # the real tablet: no failure of its own
    assert throttle.retry_after("10.0.99.1") == 0.0  # any clean address is still checked
    assert all(throttle.retry_after(key) == pytest.approx(WINDOW) for key in strangers)


def test_while_the_budget_is_spent_an_address_that_failed_waits(clock: FakeClock) -> None:
    throttle = Throttle(clock, per_key=5, global_=20, window_s=WINDOW)
    for i in range(20):
        throttle.failure(f"10.0.{i}.1")  # one each: no address is at its own limit
        clock.now += 1
    assert throttle.retry_after("10.0.0.1") == pytest.approx(WINDOW - 20)  # until the budget frees
    assert throttle.allow("10.0.99.1")  # a clean address gets its one check ...
    throttle.failure("10.0.99.1")
    # ... then waits too: its failure pushed out the oldest, so the next one (at 1001) frees a slot
    assert throttle.retry_after("10.0.99.1") == pytest.approx(WINDOW - 19)
    clock.now = 1001 + WINDOW
    assert not throttle.overall_spent()
    assert throttle.allow("10.0.5.1")


def test_without_failures_of_its_own_a_key_waits_for_nothing_even_when_the_budget_is_spent(
    clock: FakeClock,
) -> None:
    throttle = Throttle(clock, per_key=2, global_=3, window_s=WINDOW)
    throttle.failure("a")
    clock.now += 30
    throttle.failure("b")
    throttle.failure("b")
    assert throttle.retry_after("b") == pytest.approx(60.0)  # its own limit: the longer wait
    assert throttle.retry_after("a") == pytest.approx(30.0)  # its record is clean at 1060
    assert throttle.retry_after("c") == 0.0


def test_forgetting_the_overall_count_keeps_each_keys_own_failures(clock: FakeClock) -> None:
    throttle = Throttle(clock, per_key=5, global_=20, window_s=WINDOW, strict=True)
    for i in range(4):
        fail(throttle, f"10.0.{i}.1", 5)
    assert throttle.overall_spent() and not throttle.allow("192.168.1.50")
    throttle.forget_overall()  # staff opened a new pairing window
    assert not throttle.overall_spent() and throttle.allow("192.168.1.50")
    assert not throttle.allow("10.0.0.1")  # the strangers are still at their own limits


def test_memory_stays_bounded_with_many_keys(clock: FakeClock) -> None:
    throttle = Throttle(clock, per_key=5, global_=20, window_s=WINDOW, max_keys=1000, strict=True)
    for i in range(100_000):
        throttle.failure(f"10.{i >> 16}.{(i >> 8) & 255}.{i & 255}")
    assert throttle.tracked_keys() == 1000
    assert not throttle.allow("fresh")  # spraying addresses does not escape the global limit
    clock.now += WINDOW
    throttle.failure("late")
    assert throttle.tracked_keys() == 1  # everything older was pruned


def test_default_key_cap_holds(clock: FakeClock) -> None:
    throttle = Throttle(clock, per_key=5, global_=20, window_s=WINDOW)
    for i in range(100_000):
        throttle.failure(i)
        clock.now += 0.0001
    assert throttle.tracked_keys() == 10_000


def test_per_key_history_is_bounded(throttle: Throttle) -> None:
    for _ in range(10_000):
        throttle.failure("k")
    assert len(throttle._keys["k"]) == 5


@pytest.mark.parametrize(
    "settings",
    [
        {"per_key": 0, "global_": 1, "window_s": 1},
        {"per_key": 1, "global_": 0, "window_s": 1},
        {"per_key": 1, "global_": 1, "window_s": 0},
        {"per_key": 1, "global_": 1, "window_s": 1, "max_keys": 0},
    ],
)
def test_bad_settings_are_refused(clock: FakeClock, settings: dict) -> None:
    with pytest.raises(ValueError):
        Throttle(clock, **settings)
