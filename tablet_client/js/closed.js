// "The exhibit is closed": a friendly notice over the whole page while the exhibit is closed. The
// exhibit says so with a `scene` message ("closed", with `opens_at`) and another `scene` message
// when it opens again. Meanwhile nothing can be drawn.

import { describeOpening } from "/common/opening.js";
import { t } from "./i18n.js";

const REFRESH_MS = 5 * 60 * 1000; // after midnight "tomorrow" becomes "today"
// On a new connection the exhibit tells a closed tablet again at once; if it says nothing, it
// opened while this tablet was away.
const CONFIRM_MS = 5000;

export class ClosedNotice {
  /**
   * @param {HTMLElement} root  the notice (#closed)
   * @param {object} handlers  onClose() (drawing stops), onOpen() (drawing may go on)
   */
  constructor(root, handlers) {
    this.root = root;
    this.handlers = handlers;
    this.opens = root.querySelector("#closed-opens");
    this.closed = false;
    this.opensAt = null;
    this.refreshTimer = null;
    this.confirmTimer = null;
  }

  /** A `scene` message from the exhibit. */
  showScene(message) {
    clearTimeout(this.confirmTimer);
    if (message.scene === "closed") this.close(message.opens_at ?? null);
    else this.open();
  }

  /** A new connection: expect the exhibit to repeat "closed" if it still is. */
  connected() {
    clearTimeout(this.confirmTimer);
    if (this.closed) this.confirmTimer = setTimeout(() => this.open(), CONFIRM_MS);
  }

  close(opensAt) {
    this.opensAt = opensAt;
    this.refresh();
    clearInterval(this.refreshTimer);
    this.refreshTimer = setInterval(() => this.refresh(), REFRESH_MS);
    if (this.closed) return;
    this.closed = true;
    this.root.hidden = false;
    document.body.dataset.closed = "true";
    this.handlers.onClose();
  }

  open() {
    clearInterval(this.refreshTimer);
    if (!this.closed) return;
    this.closed = false;
    this.root.hidden = true;
    delete document.body.dataset.closed;
    this.handlers.onOpen();
  }

  refresh() {
    const opening = describeOpening(this.opensAt, document.documentElement.lang);
    this.opens.textContent = opening ? t(opening.relative ? "opensRelative" : "opensOn", opening) : "";
  }
}
