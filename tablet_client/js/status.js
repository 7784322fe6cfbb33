// What the visitor reads: the connection indicator and the network's current answer.

import { t } from "./i18n.js";

export class ConnectionIndicator {
  constructor(root) {
    this.root = root;
    this.text = root.querySelector("#connection-text");
  }

  /** state: connecting | connected | lost | busy | blocked | unsupported | offline */
  show(state, params = {}) {
    this.state = state;
    this.params = params;
    this.root.dataset.state = state;
    document.body.dataset.connection = state; // lets the styles dim what is stale while offline
    this.translate();
  }

  /** Say it (again, after the page's language changed). */
  translate() {
    if (this.state) this.text.textContent = t(this.state, this.params);
  }
}

const NOTICE_DELAY_MS = { connecting: 2000 }; // a quick connect shows no notice at all
const NOTICE_KEYS = {
  connecting: "Connecting",
  lost: "Lost",
  busy: "Busy",
  blocked: "Blocked",
  unsupported: "Unsupported",
};

/** Over the drawing while the exhibit cannot be reached: what is wrong and what happens now. */
export class LinkNotice {
  constructor(root) {
    this.root = root;
    this.title = root.querySelector("#link-title");
    this.detail = root.querySelector("#link-detail");
    this.timer = null;
  }

  show(state) {
    clearTimeout(this.timer);
    const key = NOTICE_KEYS[state];
    if (!key) {
      this.root.hidden = true;
      return;
    }
    const reveal = () => {
      this.root.dataset.state = state;
      this.key = key;
      this.translate();
      this.root.hidden = false;
    };
    if (NOTICE_DELAY_MS[state] && this.root.hidden) this.timer = setTimeout(reveal, NOTICE_DELAY_MS[state]);
    else reveal();
  }

  /** Say it (again, after the page's language changed). */
  translate() {
    if (!this.key) return;
    this.title.textContent = t(`link${this.key}Title`);
    this.detail.textContent = t(`link${this.key}Detail`);
  }
}

/** The answer with the highest `seq` wins: predictions can overtake each other on the way. One with
 * the same `seq` replaces it: after a lesson the taught network answers the same drawing anew. */
export class PredictionView {
  constructor(root) {
    this.root = root;
    this.digit = root.querySelector("#prediction-digit");
    this.probability = root.querySelector("#prediction-probability");
    this.bars = root.querySelector("#prediction-bars");
    this.barFills = [];
    for (let d = 0; d < 10; d++) {
      const item = document.createElement("li");
      item.innerHTML = `<span class="bar"><span class="fill"></span></span><span class="bar-label">${d}</span>`;
      this.bars.append(item);
      this.barFills.push(item);
    }
    this.reset();
  }

  /** A new connection: its revisions start again. */
  reset() {
    this.newestSeq = -1;
    this.hide();
  }

  /** An empty drawing has no answer. */
  hide() {
    this.percent = null;
    this.root.dataset.empty = "true";
    this.digit.textContent = "–";
    this.probability.textContent = "";
    for (const item of this.barFills) item.style.setProperty("--p", 0);
  }

  /** The answer's words, in the page's language (again after it changed). */
  translate() {
    this.probability.textContent = this.percent === null ? "" : t("sure", { percent: this.percent });
  }

  show({ seq, digit, probabilities }) {
    if (!(seq >= this.newestSeq)) return;
    this.newestSeq = seq;
    this.root.dataset.empty = "false";
    this.digit.textContent = String(digit);
    this.percent = Math.round((probabilities[digit] ?? 0) * 100);
    this.translate();
    probabilities.forEach((p, d) => {
      const item = this.barFills[d];
      if (!item) return;
      item.style.setProperty("--p", Math.max(0, Math.min(1, p)));
      item.classList.toggle("top", d === digit);
    });
  }
}
