"""The presenter's credentials, piece by piece: passphrase hashes, sessions, Origin checks, the config."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from aiohttp.test_utils import make_mocked_request
from support.clock import FakeClock

from kiosk.config import Config, ConfigError, PresenterConfig, load_config
from kiosk.http_errors import Rejected
from kiosk.hub import EventHub, SubscriberDropped
from kiosk.presenter.feed import PresenterFeed
from kiosk.presenter.origin import check_origin, client_address, is_https, normalise_origin
from kiosk.presenter.passphrase import (
    PassphraseHashError,
    hash_passphrase,
    parse_hash,
    verify_passphrase,
)
from kiosk.presenter.recent_log import RecentProblems
from kiosk.presenter.sessions import SessionStore

FAST = {"n": 2**10}  # the format carries its cost; tests need no 50 ms per hash

# --- passphrase hashes --------------------------------------------------------------------------


def test_a_hash_is_self_describing_and_verifies_only_its_passphrase() -> None:
    stored = hash_passphrase("correct horse battery")
    assert stored.startswith("scrypt$n=16384,r=8,p=1$")
    parsed = parse_hash(stored)
    assert (parsed.n, parsed.r, parsed.p, len(parsed.salt), len(parsed.digest)) == (16384, 8, 1, 16, 32)
    assert verify_passphrase("correct horse battery", parsed)
    assert not verify_passphrase("correct horse batterY", parsed)
    assert not verify_passphrase("", parsed)
    assert hash_passphrase("correct horse battery") != stored  # a fresh salt each time


def test_the_same_passphrase_typed_differently_composed_verifies() -> None:
    composed, decomposed = "caf\u00e9 au lait!", "cafe\u0301 au lait!"
    assert composed != decomposed
    assert verify_passphrase(decomposed, parse_hash(hash_passphrase(composed, **FAST)))


def test_short_passphrases_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 10 characters"):
        hash_passphrase("123456789")
    assert verify_passphrase("1234567890", parse_hash(hash_passphrase("1234567890", **FAST)))


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("hunter2hunter2", "not a passphrase hash"),
        ("scrypt$n=16384,r=8,p=1$abc", "not a passphrase hash"),
        ("scrypt$n=16384,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA==$A=A=", "not valid base64"),
        ("scrypt$n=1000,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA==$" + "A" * 44, "unusable scrypt parameters"),
        ("scrypt$n=1048576,r=32,p=1$AAAAAAAAAAAAAAAAAAAAAA==$" + "A" * 44, "unusable scrypt parameters"),
        ("scrypt$n=16384,r=8,p=1$AAAA$" + "A" * 44, "too short"),
    ],
)
def test_a_malformed_hash_is_refused_saying_why(text: str, why: str) -> None:
    with pytest.raises(PassphraseHashError, match=why):
        parse_hash(text)


# --- the config section -------------------------------------------------------------------------


def test_the_config_takes_a_good_hash_and_refuses_a_malformed_one_with_its_line(tmp_path: Path) -> None:
    good = hash_passphrase("a good passphrase", **FAST)
    path = tmp_path / "kiosk.yaml"
    path.write_text(f'presenter:\n  session_hours: 2\n  passphrase_hash: "{good}"\n')
    assert load_config(path).presenter == PresenterConfig(passphrase_hash=good, session_hours=2)
    path.write_text('language: en\npresenter:\n  session_hours: 2\n  passphrase_hash: "scrypt$oops"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:4: presenter.passphrase_hash: not a passphrase hash")
    assert "python -m kiosk hash-passphrase" in message


def test_the_config_checks_allowed_origins_and_session_hours(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.yaml"
    path.write_text("presenter:\n  allowed_origins: [https://Exhibit.example/]\n")
    assert load_config(path).presenter.allowed_origins == ["https://exhibit.example"]
    path.write_text("presenter:\n  allowed_origins: [exhibit.example]\n  session_hours: 0\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    lines = str(caught.value).splitlines()
    assert lines[0].startswith(f"{path}:2: presenter.allowed_origins: 'exhibit.example' is not an origin")
    assert lines[1].startswith(f"{path}:3: presenter.session_hours:")


def test_presenter_log_in_is_off_by_default() -> None:
    assert Config().presenter.passphrase_hash == ""


# --- sessions -----------------------------------------------------------------------------------


def test_sessions_expire_after_the_idle_time_and_use_keeps_them(clock: FakeClock) -> None:
    ended = []
    store = SessionStore(clock, idle_s=lambda: 3600, on_end=ended.append)
    token, session = store.create("Ada")
    assert len(token) >= 43 and store.get(token) is session
    clock.now += 3000
    assert store.get(token) is session  # used: the idle time starts again
    clock.now += 3000
    assert store.get(token) is session
    clock.now += 3600
    assert store.get(token) is None and session.ended and ended == [session]
    assert store.get("not a token") is None and store.names() == []


def test_sessions_are_bounded_and_the_least_recently_used_goes_first(clock: FakeClock) -> None:
    store = SessionStore(clock, idle_s=lambda: 3600, max_sessions=2)
    first, _ = store.create("a")
    second, _ = store.create("b")
    clock.now += 1
    store.get(first)  # now "b" is the least recently used
    store.create("c")
    assert store.get(second) is None and store.get(first) is not None
    assert store.names() == ["a", "c"]


def test_logging_out_ends_a_session_once(clock: FakeClock) -> None:
    ended = []
    store = SessionStore(clock, idle_s=lambda: 3600, on_end=ended.append)
    token, session = store.create("Ada")
    store.create("Ada")
    assert store.names() == ["Ada"]  # one name, two devices
    assert store.end(token) is session and store.end(token) is None
    assert ended == [session] and store.get(token) is None


# --- where a request came from ------------------------------------------------------------------


def request(headers: dict, method: str = "POST", secure: bool = False):
    req = make_mocked_request(method, "/api/admin/scene", headers=headers)
    return req.clone(scheme="https") if secure else req


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("http://Exhibit:8080", "http://exhibit:8080"),
        ("https://exhibit.example:443/presenter?x", "https://exhibit.example"),
        ("http://[::1]:80/", "http://[::1]"),
        ("ftp://exhibit", None),
        ("exhibit:8080", None),
        ("http://exhibit:99999", None),
    ],
)
def test_origins_are_compared_in_one_form(url: str, origin: str | None) -> None:
    assert normalise_origin(url) == origin


@pytest.mark.parametrize(
    "headers",
    [
        {"Host": "exhibit:8080", "Origin": "http://exhibit:8080"},
        {"Host": "exhibit.example", "Origin": "https://exhibit.example"},
        {"Host": "exhibit:8080", "Referer": "http://exhibit:8080/presenter"},
        {"Host": "exhibit:8080", "Origin": "null", "Referer": "http://exhibit:8080/presenter"},
        {"Host": "127.0.0.1:8080", "Origin": "https://proxy.example"},  # allowed below
    ],
)
def test_our_own_page_and_allowed_origins_pass(headers: dict) -> None:
    check_origin(request(headers), frozenset({"https://proxy.example"}))


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ({"Host": "exhibit:8080"}, "names no Origin"),
        ({"Host": "exhibit:8080", "Origin": "http://evil.example"}, "from http://evil.example"),
        ({"Host": "exhibit:8080", "Origin": "http://exhibit:8081"}, "from http://exhibit:8081"),
        ({"Host": "exhibit:8080", "Referer": "http://evil.example/x"}, "from http://evil.example"),
        ({"Host": "exhibit:8080", "Origin": "null"}, "names no Origin"),
    ],
)
def test_other_pages_are_refused(headers: dict, why: str) -> None:
    with pytest.raises(Rejected) as caught:
        check_origin(request(headers), frozenset())
    assert caught.value.status == 403 and why in caught.value.message


def test_forwarded_headers_count_only_behind_a_trusted_proxy() -> None:
    proxied = request({"X-Forwarded-Proto": "https", "X-Forwarded-For": "6.6.6.6, 10.0.0.7"})
    assert is_https(proxied, behind_proxy=True) and not is_https(proxied, behind_proxy=False)
    assert client_address(proxied, behind_proxy=True) == "10.0.0.7"  # the entry the proxy wrote
    assert client_address(proxied, behind_proxy=False) == proxied.remote
    assert is_https(request({}, secure=True), behind_proxy=False)


# --- the presenter's event feed and the log's problems ------------------------------------------


async def test_a_presenter_stream_gets_both_hubs_and_ends_with_its_session() -> None:
    screen_hub = EventHub()
    feed = PresenterFeed(screen_hub)
    screen_hub.subscribe()  # an exhibit screen
    alive = True
    hubs = feed.for_stream(lambda: alive)
    merged = hubs.subscribe()
    assert (screen_hub.subscribers, feed.screens, feed.streams) == (2, 1, 1)
    screen_hub.publish("scene", {"scene": "live"})
    feed.hub.publish("status", {"screens": 1})
    kinds: list[str] = []
    while len(kinds) < 2:  # one batch, or one per hub
        kinds += [event.kind for event in await asyncio.wait_for(merged.next_batch(), 1)]
    assert sorted(kinds) == ["scene", "status"]
    waiting = asyncio.ensure_future(merged.next_batch())
    await asyncio.sleep(0.01)
    assert not waiting.done()  # nothing pending: it waits
    alive = False
    feed.hub.publish("status", {})
    with pytest.raises(SubscriberDropped):
        await asyncio.wait_for(waiting, 1)
    hubs.unsubscribe(merged)
    assert (screen_hub.subscribers, feed.hub.subscribers, feed.streams) == (1, 0, 0)


def test_the_last_ten_warnings_and_errors_are_kept_without_tracebacks() -> None:
    problems = RecentProblems()
    logger = logging.getLogger("kiosk.test_presenter")
    logger.addHandler(problems)
    try:
        logger.info("nothing to see")
        for i in range(12):
            logger.warning("problem %d", i)
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            logger.exception("it broke")
    finally:
        logger.removeHandler(problems)
    entries = problems.entries()
    assert len(entries) == 10
    assert entries[0]["message"] == "kiosk.test_presenter: problem 3"
    assert (entries[-1]["level"], entries[-1]["message"]) == ("error", "kiosk.test_presenter: it broke")
    assert all("T" in e["at"] for e in entries)
