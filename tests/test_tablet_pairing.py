"""Pairing windows: one-time, expiring numeric codes on a fake clock."""

from __future__ import annotations

import pytest
from support.clock import FakeClock

from kiosk.tablet.pairing import PairingCode, PairingWindows

TTL = 600.0


@pytest.fixture
def windows(clock: FakeClock) -> PairingWindows:
    return PairingWindows(clock, TTL)


def wrong(code: str) -> str:
    """Another code of the same length."""
    return code[:-1] + str((int(code[-1]) + 1) % 10)


def test_nothing_open_at_first(windows: PairingWindows) -> None:
    assert windows.current() is None
    assert windows.redeem("123456") is False


def test_code_format(windows: PairingWindows, clock: FakeClock) -> None:
    code = windows.open()
    assert isinstance(code, PairingCode)
    assert len(code.code) == 6 and code.code.isdigit() and code.code.isascii()
    assert code.expires == clock.now + TTL
    assert windows.current() == code


def test_code_length_is_configurable(clock: FakeClock) -> None:
    code = PairingWindows(clock, TTL, code_length=8).open().code
    assert len(code) == 8 and code.isdigit()


def test_codes_vary(windows: PairingWindows) -> None:
    codes = {windows.open().code for _ in range(200)}
    assert len(codes) > 190  # 200 draws from 10**6 rarely collide
    assert any(c.startswith("0") for c in (windows.open().code for _ in range(200)))  # leading zeros kept


def test_code_works_once(windows: PairingWindows) -> None:
    code = windows.open().code
    assert windows.redeem(code) is True
    assert windows.redeem(code) is False
    assert windows.current() is None


def test_expired_code_is_refused(windows: PairingWindows, clock: FakeClock) -> None:
    code = windows.open().code
    clock.now += TTL - 0.001
    assert windows.current() is not None
    clock.now += 0.001
    assert windows.current() is None
    assert windows.redeem(code) is False


def test_new_window_invalidates_the_old_code(windows: PairingWindows) -> None:
    old = windows.open().code
    new = windows.open().code
    if old != new:  # one in a million they coincide
        assert windows.redeem(old) is False
    assert windows.redeem(new) is True


def test_new_window_gets_a_fresh_ttl(windows: PairingWindows, clock: FakeClock) -> None:
    windows.open()
    clock.now += TTL - 1
    code = windows.open().code
    clock.now += TTL - 1
    assert windows.redeem(code) is True


def test_wrong_code_is_refused_and_does_not_spend_the_right_one(windows: PairingWindows) -> None:
    code = windows.open().code
    for guess in [wrong(code), code[:-1], code + "0", "", "abcdef", "１２３４５６", "\x00" * 6, None, 123456]:
        assert windows.redeem(guess) is False  # type: ignore[arg-type]
    assert windows.redeem(code) is True


@pytest.mark.parametrize("layout", ["{a} {b}", " {a}-{b} ", "{a}\t{b}\n", "{a} - {b}"])
def test_spaces_and_dashes_are_tolerated(windows: PairingWindows, layout: str) -> None:
    code = windows.open().code
    assert windows.redeem(layout.format(a=code[:3], b=code[3:])) is True


def test_display_groups_digits(windows: PairingWindows) -> None:
    code = windows.open()
    assert code.display() == f"{code.code[:3]} {code.code[3:]}"
    assert windows.redeem(code.display()) is True


def test_close_ends_the_window(windows: PairingWindows) -> None:
    code = windows.open().code
    windows.close()
    assert windows.current() is None
    assert windows.redeem(code) is False


def test_overlong_input_is_refused_without_looking(windows: PairingWindows) -> None:
    code = windows.open().code
    assert windows.redeem(code + " " * 100) is False
    assert windows.redeem(code) is True


@pytest.mark.parametrize(("ttl", "length"), [(0, 6), (-1, 6), (float("nan"), 6), (60, 3), (60, 13)])
def test_bad_settings_are_refused(clock: FakeClock, ttl: float, length: int) -> None:
    with pytest.raises(ValueError):
        PairingWindows(clock, ttl, code_length=length)
