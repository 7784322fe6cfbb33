// The WebRTC link to the exhibit: one ordered data channel "strokes", kept up by itself.
//
// Signalling is one HTTP POST (non-trickle ICE: the offer goes out once gathering is complete).
// Keeping the link:
// - a ping every second; with no pong for PONG_LATE_MS the page asks /healthz whether the
//   exhibit is still there: unreachable → the link is lost; another `instance` → the exhibit
//   restarted, connect again now; the same one, but still no pong after PONG_DEAD_MS → connect again;
// - when the link is lost, /healthz is asked every PROBE_EVERY_MS and the page connects as soon
//   as it answers, so a restarted exhibit or a returning Wi-Fi is used within about a second;
// - the browser's own connection state is not trusted once the channel is open (under packet
//   loss Firefox reports "failed" while its channel still carries pongs): pongs decide;
// - an attempt whose channel does not open, or whose ICE fails, counts as a failure; after
//   FAILURES_BEFORE_HELP in a row the page says so ("blocked") and tells the exhibit's staff
//   (POST /api/tablet/problem), and keeps trying with a growing delay.
// A browser without RTCPeerConnection cannot connect at all: "unsupported", reported once.

const PING_EVERY_MS = 1000;
const PONG_LATE_MS = 2500;
const PONG_DEAD_MS = 6000;
const PROBE_EVERY_MS = 1000;
const PROBE_TIMEOUT_MS = 1500;
const OFFER_TIMEOUT_MS = 5000;
const OPEN_TIMEOUT_MS = 12_000; // the exhibit hangs up on a connection not up after 10 s
const GATHER_TIMEOUT_MS = 5000;
const FAILURES_BEFORE_HELP = 3;
const FIRST_DELAY_MS = 1000; // after a failed attempt or "busy", doubling up to MAX_DELAY_MS
const MAX_DELAY_MS = 10_000;

export class Connection {
  /**
   * @param {object} handlers
   *   onState(state, detail): "connecting" | "connected" | "lost" | "busy" {seconds} |
   *     "blocked" (attempts keep failing) | "unsupported" (no WebRTC in this browser)
   *   onOpen(): the channel is open (the exhibit's drawing is empty again)
   *   onMessage(message): a parsed message from the exhibit
   *   onUnauthorized(): the credential was refused (not paired, or revoked)
   */
  constructor(handlers) {
    this.handlers = handlers;
    this.credential = null;
    this.pc = null;
    this.channel = null;
    this.instance = null; // the exhibit's /healthz instance when the channel opened
    this.delay = FIRST_DELAY_MS;
    this.failures = 0; // attempts in a row whose connection did not come up
    this.reported = new Set();
    this.timers = new Set();
    this.lastPong = 0;
    this.probing = false;
    this.attempt = 0; // bumps on every (re)start, so callbacks of an old attempt are ignored
  }

  start(credential) {
    this.stop();
    this.credential = credential;
    this.delay = FIRST_DELAY_MS;
    this.failures = 0;
    this.connect();
  }

  stop() {
    this.attempt += 1;
    this.clearTimers();
    this.closePeer();
  }

  get isOpen() {
    return this.channel?.readyState === "open";
  }

  /** Send one protocol message; dropped while disconnected (the page resends its drawing on open). */
  send(message) {
    if (!this.isOpen) return false;
    this.channel.send(JSON.stringify({ v: 1, ...message }));
    return true;
  }

  async connect() {
    const attempt = this.restart();
    const stale = () => attempt !== this.attempt;
    if (typeof globalThis.RTCPeerConnection !== "function") {
      this.handlers.onState("unsupported");
      this.report("no_webrtc");
      return;
    }
    this.handlers.onState(this.failures >= FAILURES_BEFORE_HELP ? "blocked" : "connecting");

    const pc = new RTCPeerConnection();
    const channel = pc.createDataChannel("strokes", { ordered: true });
    this.pc = pc;
    this.channel = channel;
    channel.onopen = () => !stale() && this.opened(attempt);
    channel.onmessage = (event) => !stale() && this.received(event.data);
    channel.onclose = () => !stale() && this.lost();
    pc.onconnectionstatechange = () => {
      if (!stale() && pc.connectionState === "failed" && !this.isOpen) this.failed("ice_failed");
    };

    let response;
    try {
      await pc.setLocalDescription(await pc.createOffer());
      await iceGatheringComplete(pc);
      if (stale()) return;
      response = await fetch("/api/tablet/offer", {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${this.credential}` },
        body: JSON.stringify({ type: "offer", sdp: pc.localDescription.sdp }),
        signal: AbortSignal.timeout(OFFER_TIMEOUT_MS),
      });
      if (stale()) return;
      if (response.ok) await pc.setRemoteDescription(await response.json());
    } catch {
      if (!stale()) this.lost(); // exhibit unreachable (Wi-Fi gone, server restarting): wait for it
      return;
    }
    if (stale()) return;
    if (response.status === 401) {
      this.stop();
      this.credential = null;
      this.handlers.onUnauthorized();
    } else if (response.status === 409) this.later("busy");
    else if (response.status === 429) this.later("connecting", retryAfterMs(response));
    else if (!response.ok) this.later("connecting");
    else this.after(OPEN_TIMEOUT_MS, attempt, () => !this.isOpen && this.failed("channel_never_opened"));
  }

  opened(attempt) {
    this.delay = FIRST_DELAY_MS;
    this.failures = 0;
    this.lastPong = Date.now();
    this.clearTimers();
    this.every(PING_EVERY_MS, attempt, () => this.ping());
    this.health().then((health) => {
      if (attempt === this.attempt) this.instance = health?.instance ?? null;
    });
    this.handlers.onState("connected");
    this.handlers.onOpen();
  }

  received(data) {
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      return; // the exhibit only sends JSON; ignore anything else rather than crash the page
    }
    if (message.type === "pong") this.lastPong = Date.now();
    else this.handlers.onMessage(message);
  }

  ping() {
    this.send({ type: "ping", t: Math.round(performance.now()) });
    if (Date.now() - this.lastPong > PONG_LATE_MS && !this.probing) this.check();
  }

  /** Pongs are late: is the exhibit gone, restarted, or is the network just slow? */
  async check() {
    const attempt = this.attempt;
    this.probing = true;
    const health = await this.health();
    this.probing = false;
    if (attempt !== this.attempt) return;
    if (!health) this.lost();
    else if (health.instance !== this.instance || Date.now() - this.lastPong > PONG_DEAD_MS) this.connect();
  }

  /** The link is gone: wait until the exhibit answers /healthz, then connect at once. */
  lost() {
    const attempt = this.restart();
    this.handlers.onState("lost");
    const probe = async () => {
      const started = Date.now();
      const health = await this.health();
      if (attempt !== this.attempt) return;
      if (health) this.connect();
      else this.after(Math.max(0, PROBE_EVERY_MS - (Date.now() - started)), attempt, probe); // one a second
    };
    probe();
  }

  /** An attempt failed though the exhibit is reachable (ICE, or the channel never opened). */
  failed(code) {
    this.failures += 1;
    if (this.failures >= FAILURES_BEFORE_HELP) this.report(code);
    this.later(this.failures >= FAILURES_BEFORE_HELP ? "blocked" : "connecting");
  }

  /** Try again after the current delay (doubling each time). */
  later(state, minimumMs = 0) {
    const attempt = this.restart();
    const wait = Math.max(this.delay, minimumMs);
    this.delay = Math.min(this.delay * 2, MAX_DELAY_MS);
    this.handlers.onState(state, { seconds: Math.ceil(wait / 1000) });
    this.after(wait, attempt, () => this.connect());
  }

  /** The network is back (or the page is visible again): try now instead of waiting. */
  nudge() {
    if (this.credential && !this.isOpen && !this.probing) {
      this.delay = FIRST_DELAY_MS;
      this.connect();
    }
  }

  /** Tell the exhibit's staff why this tablet cannot connect (once per reason and page load). */
  report(code) {
    if (this.reported.has(code) || !this.credential) return;
    this.reported.add(code);
    fetch("/api/tablet/problem", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${this.credential}` },
      body: JSON.stringify({ code, browser: navigator.userAgent }),
      signal: AbortSignal.timeout(OFFER_TIMEOUT_MS),
    }).catch(() => this.reported.delete(code)); // unreachable now: say it on the next failure
  }

  /** The exhibit's /healthz, or null if it cannot be reached in time. */
  async health() {
    try {
      const response = await fetch("/healthz", { cache: "no-store", signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      return response.ok ? await response.json() : null;
    } catch {
      return null;
    }
  }

  /** Ends the current attempt (its callbacks and timers) and returns the new attempt's number. */
  restart() {
    this.clearTimers();
    this.closePeer();
    this.probing = false;
    return ++this.attempt;
  }

  after(ms, attempt, action) {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (attempt === this.attempt) action();
    }, ms);
    this.timers.add(timer);
  }

  every(ms, attempt, action) {
    const timer = setInterval(() => attempt === this.attempt && action(), ms);
    this.timers.add(timer);
  }

  clearTimers() {
    for (const timer of this.timers) {
      clearTimeout(timer);
      clearInterval(timer);
    }
    this.timers.clear();
  }

  closePeer() {
    const pc = this.pc;
    this.pc = null;
    this.channel = null;
    if (pc) pc.close();
  }
}

/** Resolves when the offer holds all ICE candidates (or after a timeout, with what we have). */
function iceGatheringComplete(pc) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      if (pc.iceGatheringState !== "complete") return;
      pc.removeEventListener("icegatheringstatechange", done);
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      pc.removeEventListener("icegatheringstatechange", done);
      resolve();
    }, GATHER_TIMEOUT_MS);
    pc.addEventListener("icegatheringstatechange", done);
  });
}

function retryAfterMs(response) {
  const seconds = Number(response.headers.get("Retry-After"));
  return Number.isFinite(seconds) ? seconds * 1000 : 0;
}
