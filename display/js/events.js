// The one Server-Sent Events stream from the kiosk. EventSource reconnects by itself while the
// server answers; if the stream fails outright (server down, a proxy's error page) we start a new
// one with backoff. Every connect begins with the whole state, so nothing needs replaying here.

const KINDS = ["network", "scene", "timeline", "activation", "pairing", "neuron"];
const BACKOFF_MS = [1000, 2000, 4000, 8000];

export class EventStream {
  constructor(url, { onEvent, onConnected }) {
    this.url = url;
    this.onEvent = onEvent;
    this.onConnected = onConnected;
    this.failures = 0;
    this.source = null;
    this.open();
  }

  open() {
    const source = new EventSource(this.url);
    this.source = source;
    source.onopen = () => {
      this.failures = 0;
      this.onConnected(true);
    };
    source.onerror = () => {
      this.onConnected(false);
      if (source.readyState === EventSource.CLOSED) this.retryLater(source);
    };
    for (const kind of KINDS) {
      source.addEventListener(kind, (message) => this.dispatch(kind, message.data));
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

  retryLater(source) {
    source.close();
    const delay = BACKOFF_MS[Math.min(this.failures, BACKOFF_MS.length - 1)];
    this.failures += 1;
    setTimeout(() => this.open(), delay);
  }
}
