// The exhibit's live state: Server-Sent Events from /api/presenter/events, the whole state first,
// then changes. EventSource reconnects by itself while the server answers; if the stream fails
// outright (server restarting, session expired: a 401 closes it) we ask whether the session still
// stands and open a new stream with backoff. Each new stream starts with the whole state again.

import { get } from "./api.js";

const URL = "/api/presenter/events";
export const KINDS = ["network", "scene", "timeline", "activation", "pairing", "neuron", "caption", "exhibit", "status"];
const BACKOFF_MS = [1000, 2000, 4000, 8000, 10000];

export class PresenterEvents {
  /**
   * @param {object} handlers
   *   onEvent(kind, data)
   *   onState(state): "connecting" | "live" | "reconnecting"
   *   onSessionLost(): the stream was refused because the session is gone
   */
  constructor({ onEvent, onState, onSessionLost }) {
    this.onEvent = onEvent;
    this.onState = onState;
    this.onSessionLost = onSessionLost;
    this.source = null;
    this.failures = 0;
    this.timer = null;
    this.running = false;
  }

  start() {
    if (this.running) return;
    this.running = true;
    this.failures = 0;
    this.onState("connecting");
    this.open();
    document.addEventListener("visibilitychange", this.nudge);
    window.addEventListener("online", this.nudge);
  }

  stop() {
    this.running = false;
    clearTimeout(this.timer);
    this.source?.close();
    this.source = null;
    document.removeEventListener("visibilitychange", this.nudge);
    window.removeEventListener("online", this.nudge);
  }

  open() {
    const source = new EventSource(URL, { withCredentials: true });
    this.source = source;
    source.onopen = () => {
      this.failures = 0;
      this.onState("live");
    };
    source.onerror = () => {
      if (source !== this.source) return;
      this.onState("reconnecting");
      if (source.readyState === EventSource.CLOSED) this.retryLater();
    };
    for (const kind of KINDS) {
      source.addEventListener(kind, (message) => {
        if (source !== this.source) return;
        let data;
        try {
          data = JSON.parse(message.data);
        } catch {
          console.warn(`ignored a broken ${kind} event`);
          return;
        }
        this.onEvent(kind, data);
      });
    }
  }

  async retryLater() {
    this.source?.close();
    this.source = null;
    if (!this.running) return;
    // A closed stream is either the exhibit being away or our session gone: ask which.
    try {
      await get("/api/presenter/session", { quiet401: true });
    } catch (error) {
      if (error.status === 401) {
        this.stop();
        this.onSessionLost();
        return;
      }
    }
    if (!this.running) return;
    const delay = BACKOFF_MS[Math.min(this.failures, BACKOFF_MS.length - 1)];
    this.failures += 1;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.running && !this.source && this.open(), delay);
  }

  /** The phone woke up or the Wi-Fi came back: reconnect now rather than after the backoff. */
  nudge = () => {
    if (!this.running || document.visibilityState !== "visible") return;
    if (this.source && this.source.readyState !== EventSource.CLOSED) return;
    clearTimeout(this.timer);
    this.failures = 0;
    this.source = null;
    this.open();
  };
}
