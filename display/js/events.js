// A Server-Sent Events stream from the kiosk: the screen's own (/api/display/events) and, during
// the playground scene, the playground's (/api/train_stream). EventSource reconnects by itself while
// the server answers; if the stream fails outright (server down, a proxy's error page) we start a
// new one with backoff. Every connect begins with the whole state, so nothing needs replaying here.

const BACKOFF_MS = [1000, 2000, 4000, 8000];

export class EventStream {
  constructor(url, kinds, { onEvent, onConnected = () => {} }) {
    this.url = url;
    this.kinds = kinds;
    this.onEvent = onEvent;
    this.onConnected = onConnected;
    this.failures = 0;
    this.source = null;
    this.closed = false;
    this.open();
  }

  close() {
    this.closed = true;
    this.source?.close();
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
    for (const kind of this.kinds) {
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
    if (this.closed) return;
    const delay = BACKOFF_MS[Math.min(this.failures, BACKOFF_MS.length - 1)];
    this.failures += 1;
    setTimeout(() => this.open(), delay);
  }
}
