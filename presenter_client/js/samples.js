// The samples browser: MNIST test digits by true digit (0–9) or "the ones it gets wrong", as small
// pictures drawn from their pixels; tapping one feeds it through the network on the big screen.
// What the screen shows comes back in the `activation` event (source "sample").

import { get } from "/common/api.js";
import { command, explain } from "./commands.js";
import { formatNumber, t } from "./i18n.js";
import { value, watch } from "./store.js";
import { make, setText } from "./widgets.js";

const SIDE = 28;
const PAGE = 24; // thumbnails at a time: "the ones it gets wrong" are a hundred or more

export class SamplesBrowser {
  constructor(section) {
    const $ = (id) => section.querySelector(`#${id}`);
    this.section = section;
    this.summary = $("samples-summary");
    this.filter = $("samples-filter");
    this.now = $("samples-now");
    this.list = $("samples-list");
    this.message = $("samples-message");
    this.more = $("samples-more");
    this.samples = [];
    this.more.addEventListener("click", () => this.showMore());
    this.query = null; // what the list shows: {digit} or {wrong: 1}
    this.loading = null;
    this.sent = null; // the index we last asked the screen to show

    this.filterButtons = [];
    for (let digit = 0; digit <= 9; digit++) this.addFilter(String(digit), { digit });
    this.addFilter(t("wrongOnes"), { wrong: 1 }, "wide");

    // The first time the section opens, show what it gets wrong: the most telling ones.
    const firstLook = () => section.open && value("session") && !this.query && this.load({ wrong: 1 });
    section.addEventListener("toggle", firstLook);
    watch("session", firstLook);
    watch("activation", (activation) => this.showActivation(activation));
  }

  addFilter(text, query, extra = "") {
    const button = make("button", `button digit ${extra}`.trim(), text);
    button.type = "button";
    button.setAttribute("aria-pressed", "false");
    button.dataset.query = JSON.stringify(query);
    button.addEventListener("click", () => this.load(query));
    this.filter.append(button);
    this.filterButtons.push(button);
  }

  async load(query) {
    this.query = query;
    const key = JSON.stringify(query);
    for (const button of this.filterButtons) button.setAttribute("aria-pressed", String(button.dataset.query === key));
    this.loading?.abort();
    const loading = new AbortController();
    this.loading = loading;
    setText(this.message, t("loadingSamples"));
    this.list.setAttribute("aria-busy", "true");
    try {
      const { samples } = await get("/api/admin/samples", { query, signal: loading.signal });
      if (loading !== this.loading) return;
      this.showSamples(Array.isArray(samples) ? samples : []);
    } catch (error) {
      if (error.name === "AbortError" || loading !== this.loading) return;
      this.samples = [];
      this.list.replaceChildren();
      this.more.hidden = true;
      setText(this.message, explain(error));
    } finally {
      if (loading === this.loading) this.list.removeAttribute("aria-busy");
    }
  }

  showSamples(samples) {
    this.samples = samples;
    setText(this.message, samples.length ? "" : t("noSamples"));
    this.list.replaceChildren();
    this.showMore();
  }

  /** The next page of thumbnails under those shown. */
  showMore() {
    const shown = this.list.children.length;
    const page = this.samples.slice(shown, shown + PAGE);
    this.list.append(...page.map((sample) => this.thumbnail(sample)));
    const left = this.samples.length - this.list.children.length;
    this.more.hidden = left <= 0;
    setText(this.more, t("moreSamples", { count: Math.min(left, PAGE) }));
  }

  thumbnail(sample) {
    const item = make("li");
    const button = make("button", "thumb");
    button.type = "button";
    button.dataset.index = String(sample.index);
    const wrong = sample.predicted != null && sample.predicted !== sample.label;
    button.dataset.wrong = String(wrong);
    button.setAttribute("aria-pressed", String(sample.index === this.sent));
    button.setAttribute("aria-label", t("sampleLabel", { label: sample.label, predicted: sample.predicted ?? "?" }));
    const canvas = make("canvas");
    canvas.width = SIDE;
    canvas.height = SIDE;
    drawPixels(canvas, sample.pixels);
    const caption = make("span", "thumb-caption");
    caption.append(make("span", "thumb-label", String(sample.label)));
    if (wrong) caption.append(make("span", "thumb-predicted", `→ ${sample.predicted}`));
    button.append(canvas, caption);
    button.addEventListener("click", () => this.feed(sample.index, button));
    item.append(button);
    return item;
  }

  async feed(index, button) {
    const answer = await command("/api/admin/sample", { index }, { control: button });
    if (answer === null) return;
    this.sent = index;
    for (const other of this.list.querySelectorAll(".thumb")) {
      other.setAttribute("aria-pressed", String(Number(other.dataset.index) === index));
    }
  }

  /** The screen's current input, as the exhibit reports it. */
  showActivation(activation) {
    const digit = activation?.digit;
    let text = "";
    if (digit != null && Array.isArray(activation.probabilities)) {
      const percent = formatNumber((activation.probabilities[digit] ?? 0) * 100, { maximumFractionDigits: 0 });
      if (activation.source === "sample")
        text = t("sampleOnScreen", { label: activation.label ?? "?", digit, percent });
      else if (activation.source === "visitor") text = t("drawingOnScreen", { digit, percent });
    }
    setText(this.now, text);
    setText(this.summary, text);
  }
}

/** 784 uint8 values (base64, row-major, 0 = background) as white ink on black. */
export function drawPixels(canvas, base64) {
  const context = canvas.getContext("2d");
  const image = context.createImageData(SIDE, SIDE);
  let bytes;
  try {
    bytes = Uint8Array.from(atob(base64 ?? ""), (c) => c.charCodeAt(0));
  } catch {
    bytes = new Uint8Array(0);
  }
  for (let i = 0; i < SIDE * SIDE; i++) {
    const v = bytes[i] ?? 0;
    image.data.set([v, v, v, 255], i * 4);
  }
  context.putImageData(image, 0, 0);
}
