// A visitor's lesson on the screen (the `lesson` event): the network learning from their
// correction, what it cost, then a small badge while the taught copy reads the drawings.
//
// The payload's state is mirrored on #lesson (data-state); what the panel shows is its mode
// (data-mode), which also depends on what this page saw before:
//
// - learning: "Learning from you: you meant 9", what it said and which practice round, and the meant
//   digit's probability as a column before the lesson and one per round, rising (main.js makes the
//   changed connections glow).
// - learned, after this page watched the lesson: "It learned from you: now it says 9" large (or,
//   when now != meant, "It could not learn it this time"), and the cost: accuracy on the 10,000
//   MNIST test digits before → after, numbers written the language's way. After HEADLINE_MS it
//   shrinks to the badge. A screen that connects after the lesson (the server's opening state) or
//   has shown that headline already goes straight to the badge: the moment has passed.
// - badge: "Taught by a visitor", small, in the panel's corner (display.css: the bottom-left one over
//   another scene's heading), as long as the state stays learned.
// - failed: one short line for FAILED_MS, then nothing.
// - gone: idle (the shipped network reads again) or after a failure's line: nothing at all.
//
// The same payload again (the page re-shows every event when the language changes) only rewrites
// the words: no timer starts over. A payload with missing or odd fields shows what it can and
// never throws. `onMode(mode, payload)` tells main.js after each change and while the panel is big
// (the 3D lines, the camera's top band as tall as the panel); durations are injected (tests
// shorten them).

import { formatNumber, t } from "./i18n.js";

export const HEADLINE_MS = 10_000;
export const FAILED_MS = 6_000;
const BIG = new Set(["learning", "headline", "failed"]); // modes that take the top band

const $ = (id) => document.getElementById(id);

export class LessonPanel {
  constructor({ onMode = () => {}, headlineMs = HEADLINE_MS, failedMs = FAILED_MS } = {}) {
    Object.assign(this, { onMode, headlineMs, failedMs });
    this.mode = "gone";
    this.payload = { state: "idle" };
    this.lesson = null; // the number of the lesson this page has seen learning or ending
    this.watched = false; // this page saw that lesson learning
    this.ended = false; // its learned/failed moment was shown (or missed)
    this.history = []; // the meant digit's probability before the lesson (step 0) and after each round
    this.timer = null;
  }

  /** The top band is the panel's (the camera keeps the network below it). */
  get big() {
    return BIG.has(this.mode);
  }

  show(payload) {
    const state = typeof payload?.state === "string" ? payload.state : "idle";
    const before = this.mode;
    this.payload = payload ?? { state };
    if (payload?.lesson !== this.lesson) this.startOver(payload?.lesson);
    if (state === "learning") this.learning(payload);
    else if (state === "learned") this.ending("headline", this.headlineMs, "badge");
    else if (state === "failed") this.ending("failed", this.failedMs, "gone");
    else this.setMode("gone");
    this.update(before);
  }

  /** The panel's lower edge as a share of the screen's height while it is big, else 0. */
  topShare() {
    if (!this.big) return 0;
    return $("lesson").getBoundingClientRect().bottom / window.innerHeight;
  }

  startOver(lesson) {
    this.lesson = lesson;
    this.watched = false;
    this.ended = false;
    this.history = [];
  }

  learning(payload) {
    this.watched = true;
    const p = payload.probabilities?.[payload.meant];
    if (Number.isInteger(payload.step) && payload.step >= 0 && Number.isFinite(p)) this.history[payload.step] = p;
    this.setMode("learning");
  }

  // learned or failed: its moment (then `after`), once, and only to a page that watched it.
  ending(mode, ms, after) {
    if (this.ended) return;
    this.ended = true;
    if (!this.watched) {
      this.setMode(after);
      return;
    }
    this.setMode(mode);
    this.timer = setTimeout(() => {
      const before = this.mode;
      this.setMode(after);
      this.update(before);
    }, ms);
  }

  setMode(mode) {
    if (mode !== this.mode) clearTimeout(this.timer);
    this.mode = mode;
  }

  // The words, then main.js (which measures the panel).
  update(before) {
    this.render();
    if (this.mode !== before || this.big) this.onMode(this.mode, this.payload);
  }

  render() {
    const box = $("lesson");
    box.dataset.state = typeof this.payload.state === "string" ? this.payload.state : "idle";
    box.dataset.mode = this.mode;
    box.hidden = this.mode === "gone";
    const { meant, was, now, step, steps } = this.payload;
    if (this.mode === "learning") {
      marked($("lesson-headline"), "lessonLearning", { meant }, "meant");
      // Step 0 is the answer before the first round: the practice is about to begin.
      $("lesson-detail").textContent = t(step > 0 ? "lessonProgress" : "lessonStarting", { was, step, steps });
      const p = this.payload.probabilities?.[meant];
      const percent = Math.round((Number.isFinite(p) ? p : 0) * 100); // also before the first round (step 0)
      $("lesson-sure").textContent = t("lessonSure", { meant, percent });
      this.drawChart(steps);
    } else if (this.mode === "headline") {
      const learned = now === meant;
      marked($("lesson-headline"), learned ? "lessonLearned" : "lessonNotLearned", { now }, "now");
      $("lesson-detail").textContent = costText(this.payload);
    } else if (this.mode === "failed") {
      $("lesson-headline").textContent = t("lessonFailed");
    }
    box.toggleAttribute("data-not-learned", this.mode === "headline" && now !== meant);
    const [up, down = ""] = t("lessonLegend").split(" · ");
    $("lesson-legend").replaceChildren(span(up, "legend-up"), span(down, "legend-down"));
    $("lesson-badge-text").textContent = t("lessonBadge");
  }

  // A column for before the lesson and one per practice round, as tall as the meant digit's
  // probability then: the rise is seen even when one round does it all. A round the stream skipped
  // (a slow screen gets only the newest event) shows the one before it.
  drawChart(steps) {
    const chart = $("lesson-chart");
    const count = Number.isInteger(steps) && steps > 0 ? Math.min(steps, 100) + 1 : this.history.length;
    while (chart.children.length < count) chart.append(document.createElement("span"));
    while (chart.children.length > count) chart.lastChild.remove();
    let carried = this.history.find((p) => p !== undefined) ?? 0;
    [...chart.children].forEach((column, i) => {
      const done = i < this.history.length;
      carried = this.history[i] ?? carried;
      column.style.height = `${Math.max(2, done ? carried * 100 : 0).toFixed(1)}%`;
      column.classList.toggle("done", done);
    });
  }
}

// "Accuracy on 10,000 MNIST test digits: 98.12 % → 97.90 %", or "" when it was not measured.
function costText({ accuracy_before: before, accuracy_after: after }) {
  if (!Number.isFinite(before) || !Number.isFinite(after)) return "";
  const percent = (value) => formatNumber(value * 100, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const text = t("lessonCost", { before: percent(before), after: percent(after) });
  return text.replace(/ %/g, "\u00a0%"); // "97.90 %" never broken before its %
}

// A text whose placeholder `name` (a digit) is set in its own span, to be coloured.
function marked(element, key, values, name) {
  const mark = "\u0001";
  const [before, after = ""] = t(key, { ...values, [name]: mark }).split(mark);
  const digit = span(String(values[name] ?? ""), "lesson-digit");
  element.replaceChildren(before, digit, after);
}

function span(text, className) {
  const element = document.createElement("span");
  element.className = className;
  element.textContent = text;
  return element;
}
