"""Firefox ESR as the tablet, with its default privacy settings, on the exhibit's own machine.

Firefox offers only mDNS ``<uuid>.local`` host candidates by default
(``media.peerconnection.ice.obfuscate_host_addresses``); the exhibit must connect to it anyway.
The real server runs as a process on loopback (tools/exhibit_process.py); Firefox is driven through
Marionette (tests/support/firefox.py). Across a network with mDNS blocked: test_tablet_network.py.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from support import tablet_remote as tablet
from support.firefox import Firefox, firefox_missing
from support.lessons import lessons_ready
from support.pen_digits import load

from tools.exhibit_process import ExhibitProcess

pytestmark = [
    pytest.mark.browser,
    pytest.mark.process,
    pytest.mark.skipif(firefox_missing() is not None, reason=firefox_missing() or ""),
]

OBFUSCATION = "media.peerconnection.ice.obfuscate_host_addresses"


@pytest.fixture(scope="module")
def exhibit(tmp_path_factory: pytest.TempPathFactory, export_dir: Path):
    exhibit = ExhibitProcess(tmp_path_factory.mktemp("exhibit"), export_dir)
    exhibit.start()
    try:
        yield exhibit
    finally:
        exhibit.stop()
    assert exhibit.tracebacks() == []


@pytest.fixture(scope="module")
def firefox(tmp_path_factory: pytest.TempPathFactory):
    with Firefox.launch(tmp_path_factory.mktemp("firefox")) as firefox:
        yield firefox


def test_firefox_keeps_its_default_webrtc_privacy(exhibit: ExhibitProcess, firefox: Firefox) -> None:
    assert firefox.pref(OBFUSCATION) == {"value": True, "user_set": False}
    firefox.open(f"{exhibit.url}/tablet")
    hosts = tablet.probe_hosts(firefox)
    assert hosts, "Firefox gathered no host candidate"
    assert all(host.endswith(".local") for host in hosts), hosts


def test_firefox_pairs_draws_and_comes_back_after_kill_9(
    exhibit: ExhibitProcess, firefox: Firefox, tmp_path: Path
) -> None:
    first, second = load(2)
    tablet.pair(firefox, exhibit.url, exhibit.pairing_code())
    assert "code=" not in firefox.url  # the spent code is gone from the address
    assert firefox.run("return document.getElementById('pairing').hidden") is True

    # A real pen-drawn digit: the page shows the network's answer for the whole of it.
    strokes = tablet.draw_digit(firefox, first)
    expected = exhibit.infer(strokes)
    answer = tablet.final_answer(firefox, expected)
    assert answer["probabilities"] == pytest.approx(expected["probabilities"], abs=1e-3)
    firefox.screenshot(tmp_path / "firefox-tablet.png")

    # kill -9: the page says the link is lost and the pen rests; the drawing stays on the page.
    attempt = firefox.run("return window.__tablet.connection.attempt")
    exhibit.kill()
    tablet.wait_for(firefox, "return document.getElementById('connection').dataset.state !== 'connected'", 10)
    assert firefox.run("return window.__tablet.surface.locked") is True

    # Started again (same port, same state): the page connects by itself, with the same pairing,
    # and sends its drawing again, which is answered.
    healthy = exhibit.start()
    tablet.wait_connected(firefox, 20)
    connected_s = time.monotonic() - healthy
    answer = tablet.final_answer(firefox, expected)
    assert answer["attempt"] > attempt, "the answer shown came on the old connection"
    assert connected_s <= 5, f"connected {connected_s:.2f} s after the exhibit answered /healthz again"
    print(f"firefox: connected {connected_s:.2f} s after the restarted exhibit answered /healthz")

    tablet.clear(firefox)
    strokes = tablet.draw_digit(firefox, second)
    tablet.final_answer(firefox, exhibit.infer(strokes))
    assert firefox.console_errors() == []


def test_in_firefox_a_visitor_corrects_the_answer_and_the_exhibit_learns_it(
    exhibit: ExhibitProcess, firefox: Firefox
) -> None:
    """Teach it from Gecko: the card asks after the answer, "No", the meant digit, then the lesson's
    outcome on the tablet and the taught copy's answer for the drawing."""
    assert lessons_ready(exhibit), "the shipped export carries the teaching data"
    tablet.pair(firefox, exhibit.url, exhibit.pairing_code())
    tablet.watch(firefox)
    strokes = tablet.draw_digit(firefox, load(1)[0])
    was = tablet.final_answer(firefox, exhibit.infer(strokes))["digit"]
    meant = (was + 5) % 10  # a correction the shipped network surely disagrees with
    card = "return document.getElementById('verdict').dataset.state"
    tablet.wait_for(firefox, f"{card} === 'ask'", 10, what="the card asks 'Is it a …?'")
    firefox.run("document.getElementById('verdict-no').click()")
    tablet.wait_for(firefox, f"{card} === 'which'", 5, what="the card asks which digit")
    firefox.run(f"document.querySelector('.verdict-digit[data-digit=\"{meant}\"]').click()")
    tablet.wait_for(firefox, f"{card} === 'learned'", 30, what="the lesson's outcome")
    message = firefox.run("return document.getElementById('verdict-message').textContent")
    health = exhibit.get("/healthz")["lessons"]
    assert health["lessons"] == 1 and health["state"] == "learned"
    taught = exhibit.infer(strokes)["digit"]  # the taught copy answers for the drawing now
    assert f"now it says {taught}" in message or "could not learn" in message, message
    assert tablet.final_answer(firefox, exhibit.infer(strokes))["digit"] == taught  # the page shows it too
    assert firefox.console_errors() == []
    exhibit.admin("/api/admin/lesson/forget")
