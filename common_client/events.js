// One client for the exhibit's Server-Sent Event streams, for all three pages: the screen's own
// (/api/display/events), the presenter's (/api/presenter/events) and the playground's
// (/api/train_stream). Which kinds each carries comes from /common/facts.js.
//
// EventSource reconnects by itself while the server answers. If a stream fails outright (server
// restarting, a proxy's error page, a 401) it is closed, `beforeRetry()` may say not to go on (the
// presenter's session has ended), and a new one opens after a backoff of 1, 2, 4, then 8 s. A
// page that wakes up or a network that comes back reconnects at once. Every new stream begins with
// the whole state, so nothing needs replaying here; a broken event is skipped with a warning.

const BACKOFF_MS = [1000, 2000, 4000, 8000];

export class EventStream {
  /**
   * @param {string} url
   * @param {string[]} kinds  the event kinds to listen for
   * @param {object} options
   *   onEvent(kind, data, arrived): arrived is performance.now() when it came
   *   onState(state): "connecting" | "live" | "reconnecting"
   *   beforeRetry(): async, resolves false to stop instead of opening a new stream
   *   withCredentials: send the page's cookies along
   */
  constructor(url, kinds, { onEvent, onState = () => {}, beforeRetry = async () => true, withCredentials = false }) {
    Object.assign(this, { url, kinds, onEvent, onState, beforeRetry, withCredentials });
    this.source = null;
    this.failures = 0;
    this.timer = null;
    this.running = false;
    this.start();
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

  close() {
    this.running = false;
    clearTimeout(this.timer);
    this.source?.close();
    this.source = null;
    document.removeEventListener("visibilitychange", this.nudge);
    window.removeEventListener("online", this.nudge);
  }

  open() {
    const source = new EventSource(this.url, { withCredentials: this.withCredentials });
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
    for (const kind of this.kinds) {
      source.addEventListener(kind, (message) => source === this.source && this.dispatch(kind, message.data));
    }
  }

  dispatch(kind, text) {
    let data;
    try {
      data = JSON.parse(text);
    } catch {
      console.warn(`ignored a broken ${kind} event`);
      return;
    }
    this.onEvent(kind, data, performance.now());
  }

  async retryLater() {
    this.source?.close();
    this.source = null;
    if (!this.running || !(await this.beforeRetry())) return;
    if (!this.running) return;
    const delay = BACKOFF_MS[Math.min(this.failures, BACKOFF_MS.length - 1)];
    this.failures += 1;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.running && !this.source && this.open(), delay);
  }

  /** The page woke up or the network came back: reconnect now rather than after the backoff. */
  nudge = () => {
    if (!this.running || document.visibilityState !== "visible") return;
    if (this.source && this.source.readyState !== EventSource.CLOSED) return;
    clearTimeout(this.timer);
    this.failures = 0;
    this.source = null;
    this.open();
  };
}
