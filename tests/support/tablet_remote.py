"""The tablet page as a test drives it, in any browser with the small API of ``firefox.Firefox`` and
``chromium.Chromium`` (``open``, ``run``, ``element_box``, ``draw``).

    pair(browser, exhibit.url, exhibit.pairing_code())     # open /tablet#code=…, wait for "connected"
    watch(browser)                                          # log answers and states from now on
    strokes = draw_digit(browser, digit)                    # what the page recorded, for /api/infer
    answer = final_answer(browser, exhibit.infer(strokes))  # the answer shown for the whole digit

What the page offers a test (tablet_client/js/main.js): ``window.__tablet`` holds ``connection``
(its ``handlers``, ``pc``, ``attempt``), ``surface`` (``strokes``, ``locked``) and ``pen``; the
connection indicator ``#connection[data-state]`` reads connecting | connected | lost | busy |
blocked | unsupported | offline, and ``#prediction-digit`` shows the newest answer.

``watch`` wraps the connection's ``send``, ``onMessage`` and ``onState`` (the page calls them
through the same object) to keep, on ``window.__watch``:
- ``answers``: every ``prediction`` with the connection attempt it came on, ``at`` (``Date.now()``:
  wall-clock ms, comparable with ``time.time()`` here on the same machine) and ``t``
  (``performance.now()``);
- ``sends``: every message sent, with ``t`` and the drawing's revision after it, counted as the
  exhibit counts them (docs/protocol.md: every ``stroke_begin``, every ``points`` with points,
  a ``clear`` or ``undo`` that removed something; each connection starts from an empty drawing),
  and ``revision``/``attempt``: the count on the current connection. An answer whose ``seq`` is
  ``revision`` is the answer for the whole drawing;
- ``states``: every state the connection indicator was given, and ``peer``: the peer connection's
  ``connectionState/iceConnectionState/iceGatheringState``, sampled every 50 ms: the evidence
  when a browser does not connect.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

from support import pen_digits
from support.pen_digits import PenDigit


class Browser(Protocol):
    def open(self, url: str) -> None: ...
    def run(self, script: str, *args: Any) -> Any: ...
    def run_async(self, script: str, *args: Any, timeout_s: float = 30) -> Any: ...
    def element_box(self, selector: str) -> dict[str, float]: ...
    def draw(self, strokes: list[list[tuple[float, float]]], step_ms: int = 16) -> None: ...


WATCH = """
const t = window.__tablet;
if (!t) return false;
if (window.__watch) return true;
const c = t.connection, h = c.handlers, onMessage = h.onMessage, onState = h.onState;
const w = (window.__watch = { answers: [], sends: [], states: [], peer: [] });
Object.assign(w, { attempt: c.attempt, revision: 0 });
let strokes = 0; // open or finished strokes in the exhibit's drawing, as far as this page has told it
const send = c.send.bind(c);
c.send = (m) => {
  if (c.attempt !== w.attempt) (w.attempt = c.attempt), (w.revision = 0), (strokes = 0);
  const sent = send(m);
  if (!sent) return sent;
  let changes = false;
  if (m.type === "stroke_begin") (strokes += 1), (changes = true);
  else if (m.type === "points") changes = m.points.length > 0;
  else if (m.type === "clear" || m.type === "undo") {
    changes = strokes > 0;
    strokes = m.type === "clear" ? 0 : Math.max(0, strokes - 1);
  }
  if (changes) w.revision += 1;
  w.sends.push({ t: performance.now(), attempt: c.attempt, type: m.type, stroke: m.stroke ?? null,
                 revision: w.revision, changes, resent: !!m.resent });
  return sent;
};
h.onMessage = (m) => {
  if (m.type === "prediction") {
    const { seq, digit, probabilities } = m;
    w.answers.push({ at: Date.now(), t: performance.now(), attempt: c.attempt, seq, digit, probabilities });
  }
  return onMessage(m);
};
h.onState = (state, params) => {
  w.states.push({ at: Date.now(), state });
  return onState(state, params);
};
w.states.push({ at: Date.now(), state: document.getElementById("connection").dataset.state });
let last = "";
setInterval(() => {
  const pc = c.pc;
  const now = pc ? `${pc.connectionState}/${pc.iceConnectionState}/${pc.iceGatheringState}` : "no peer";
  if (now !== last) w.peer.push({ at: Date.now(), state: (last = now) });
}, 50);
return true;
"""

# The newest answer, when it is the answer for the whole drawing on the current connection.
WHOLE = """const w = window.__watch, a = w.answers.at(-1);
return a && a.attempt === w.attempt && a.seq === w.revision
  ? { ...a, shown: document.getElementById("prediction-digit").textContent } : null;"""


PROBE_OFFER = """const resolve = arguments[arguments.length - 1], pc = new RTCPeerConnection();
pc.createDataChannel("probe");
pc.onicegatheringstatechange = () => pc.iceGatheringState === "complete" && resolve(pc.localDescription.sdp);
pc.createOffer().then((offer) => pc.setLocalDescription(offer));"""


def host_candidates(sdp: str) -> list[str]:
    """The addresses of an SDP's host candidates (``a=candidate:… <address> <port> typ host``)."""
    return [
        line.split()[4] for line in sdp.splitlines() if line.startswith("a=candidate") and "typ host" in line
    ]


def probe_hosts(browser: Browser, timeout_s: float = 10) -> list[str]:
    """The host candidates a new peer connection in the page offers, once gathering is complete."""
    return host_candidates(browser.run_async(PROBE_OFFER, timeout_s=timeout_s))


def offered_hosts(browser: Browser) -> list[str]:
    """The host candidates in the offer of the tablet page's current connection."""
    return host_candidates(browser.run("return window.__tablet.connection.pc?.localDescription?.sdp ?? ''"))


def wait_for(browser: Browser, script: str, timeout_s: float, *args: Any, what: str = "") -> Any:
    """Run ``script`` every 50 ms until it returns something truthy; that value, or TimeoutError."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = browser.run(script, *args)
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what or script!r} not within {timeout_s} s; page: {evidence(browser)}")
        time.sleep(0.05)


def connection_state(browser: Browser) -> str | None:
    return browser.run("return document.getElementById('connection')?.dataset.state ?? null")


def wait_connected(browser: Browser, timeout_s: float = 20) -> None:
    wait_for(
        browser,
        "return document.getElementById('connection')?.dataset.state === 'connected'",
        timeout_s,
        what="the connection indicator saying 'connected'",
    )


def pair(browser: Browser, exhibit_url: str, code: str, timeout_s: float = 30) -> None:
    """Open the pairing link the QR code carries and wait until the page is connected and watched."""
    browser.open("about:blank")  # from /tablet itself, only the #fragment would change: no new page
    browser.open(f"{exhibit_url}/tablet#code={code}")
    wait_for(browser, "return !!window.__tablet", 10, what="window.__tablet")
    watch(browser)
    wait_connected(browser, timeout_s)


def watch(browser: Browser) -> None:
    assert browser.run(WATCH), "the page has no window.__tablet"


def watched(browser: Browser) -> dict[str, list]:
    """``{"answers": [...], "states": [...], "peer": [...]}`` logged since ``watch``."""
    return browser.run("return window.__watch")


def evidence(browser: Browser) -> dict[str, Any]:
    """What the page says about its connection right now: for failure messages."""
    try:
        return browser.run(
            """const t = window.__tablet, pc = t?.connection?.pc, w = window.__watch;
            return {indicator: document.getElementById('connection')?.dataset.state,
                    text: document.getElementById('connection')?.innerText,
                    pc: pc ? [pc.connectionState, pc.iceConnectionState, pc.iceGatheringState] : null,
                    channel: t?.connection?.channel?.readyState ?? null,
                    states: w?.states.slice(-12), peer: w?.peer.slice(-12), answers: w?.answers.length};"""
        )
    except Exception as e:  # the page itself is gone: say so rather than hide the first failure
        return {"error": repr(e)}


def page_strokes(browser: Browser) -> list[list[list[float]]]:
    """The drawing as the page recorded (and sent) it: [[[x, y, t_ms], ...], ...]."""
    return browser.run("return window.__tablet.surface.strokes.map((s) => s.points)")


def clear(browser: Browser) -> None:
    browser.run("document.getElementById('clear').click()")
    wait_for(browser, "return window.__tablet.surface.isEmpty", 5, what="an empty surface")


def draw_digit(browser: Browser, digit: PenDigit) -> list[list[list[float]]]:
    """Draw ``digit`` in the middle of the surface; returns the strokes the page recorded."""
    before = len(page_strokes(browser))
    browser.draw(pen_digits.fit(digit.strokes, browser.element_box("#surface")))
    strokes = page_strokes(browser)
    assert len(strokes) == before + len(digit.strokes), (
        f"the page took {len(strokes) - before} of {len(digit.strokes)} strokes; page: {evidence(browser)}"
    )
    return strokes


def final_answer(browser: Browser, expected: dict, timeout_s: float = 10) -> dict:
    """The answer for the whole drawing (its ``seq`` is the drawing's revision), once it has come; it
    must be ``expected`` (the server's /api/infer for the same strokes) and be the digit shown.

    TimeoutError, with what the page shows and logged, if it does not come in ``timeout_s``;
    AssertionError if it says another digit than ``expected``."""
    try:
        answer = wait_for(browser, WHOLE, timeout_s, what="the answer for the whole drawing")
    except TimeoutError as e:
        w = watched(browser)
        answers = [(a["attempt"], a["seq"], a["digit"]) for a in w["answers"][-5:]]
        raise TimeoutError(
            f"{e}; the drawing is at revision {w['revision']} on connection {w['attempt']}, "
            f"last answers (connection, seq, digit): {answers}"
        ) from None
    assert answer["digit"] == expected["digit"], f"the whole drawing is a {expected['digit']}: {answer}"
    assert answer["shown"] == str(answer["digit"]), f"the page shows {answer['shown']!r}: {answer}"
    return answer
