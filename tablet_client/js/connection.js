// The WebRTC link to the exhibit: one ordered data channel "strokes", kept up by itself.
//
// Signalling is one HTTP POST (non-trickle ICE: the offer goes out once gathering is complete).
// After a drop, a server restart or a "busy" answer it tries again with exponential backoff
// capped at MAX_DELAY_MS. A ping every few seconds notices a dead link sooner than ICE does.

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 10_000;
const GATHER_TIMEOUT_MS = 5_000;
const PING_EVERY_MS = 2_000;
const PONG_TIMEOUT_MS = 7_000;

export class Connection {
  /**
   * @param {object} handlers
   *   onState(state, detail): "connecting" | "connected" | "reconnecting" {seconds} | "busy" {seconds}
   *   onOpen(): the channel is open (the exhibit's drawing is empty again)
   *   onMessage(message): a parsed message from the exhibit
   *   onUnauthorized(): the credential was refused (not paired, or revoked)
   */
  constructor(handlers) {
    this.handlers = handlers;
    this.credential = null;
    this.pc = null;
    this.channel = null;
    this.delay = FIRST_DELAY_MS;
    this.retryTimer = null;
    this.pingTimer = null;
    this.lastPong = 0;
    this.attempt = 0; // bumps on every (re)start, so callbacks of an old attempt are ignored
  }

  start(credential) {
    this.stop();
    this.credential = credential;
    this.delay = FIRST_DELAY_MS;
    this.connect();
  }

  stop() {
    this.attempt += 1;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
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
    const attempt = ++this.attempt;
    const stale = () => attempt !== this.attempt;
    this.closePeer();
    this.handlers.onState("connecting");

    const pc = new RTCPeerConnection();
    const channel = pc.createDataChannel("strokes", { ordered: true });
    this.pc = pc;
    this.channel = channel;
    channel.onopen = () => {
      if (stale()) return;
      this.delay = FIRST_DELAY_MS;
      this.lastPong = Date.now();
      this.pingTimer = setInterval(() => this.ping(), PING_EVERY_MS);
      this.handlers.onState("connected");
      this.handlers.onOpen();
    };
    channel.onmessage = (event) => {
      if (stale()) return;
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return; // the exhibit only sends JSON; ignore anything else rather than crash the page
      }
      if (message.type === "pong") this.lastPong = Date.now();
      else this.handlers.onMessage(message);
    };
    channel.onclose = () => !stale() && this.dropped();
    pc.onconnectionstatechange = () => {
      if (!stale() && (pc.connectionState === "failed" || pc.connectionState === "closed")) this.dropped();
    };

    try {
      await pc.setLocalDescription(await pc.createOffer());
      await iceGatheringComplete(pc);
      if (stale()) return;
      const response = await fetch("/api/tablet/offer", {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${this.credential}` },
        body: JSON.stringify({ type: "offer", sdp: pc.localDescription.sdp }),
      });
      if (stale()) return;
      if (response.status === 401) {
        this.stop();
        this.credential = null;
        this.handlers.onUnauthorized();
        return;
      }
      if (response.status === 409) return this.retry("busy");
      if (response.status === 429) return this.retry("reconnecting", retryAfterMs(response));
      if (!response.ok) return this.retry("reconnecting");
      await pc.setRemoteDescription(await response.json());
    } catch (error) {
      // Exhibit unreachable (Wi-Fi gone, server restarting): try again later.
      if (!stale()) this.retry("reconnecting");
    }
  }

  ping() {
    if (Date.now() - this.lastPong > PONG_TIMEOUT_MS) return this.dropped();
    this.send({ type: "ping", t: Math.round(performance.now()) });
  }

  dropped() {
    this.retry("reconnecting");
  }

  /** The network is back (or the page is visible again): retry now instead of waiting out the backoff. */
  nudge() {
    if (this.credential && !this.isOpen && this.pc === null) {
      this.delay = FIRST_DELAY_MS;
      this.connect();
    }
  }

  retry(state, minimumMs = 0) {
    const attempt = ++this.attempt; // silences the failed attempt's remaining callbacks
    clearInterval(this.pingTimer);
    clearTimeout(this.retryTimer);
    this.closePeer();
    const wait = Math.max(this.delay, minimumMs);
    this.delay = Math.min(this.delay * 2, MAX_DELAY_MS);
    this.handlers.onState(state, { seconds: Math.ceil(wait / 1000) });
    this.retryTimer = setTimeout(() => attempt === this.attempt && this.connect(), wait);
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
