// "Was I right?": after an answer the visitor tells the exhibit whether it read the drawing right,
// and on "no" which digit they meant; the exhibit then learns from that drawing on the big screen
// (docs/protocol.md, `verdict` and `lesson`).
//
// The card sits in the side panel, never over the drawing. Its states (data-state):
//   hidden   nothing to ask (empty drawing, pen down, or this drawing revision was answered)
//   ask      "Is it a 7?" ✓ Yes / ✗ No: once the pen has rested QUIET_MS after the newest answer
//   which    "Which digit did you mean?" ten digit buttons (not the one the network said)
//   sent     the verdict is on its way; nothing new shown yet
//   thanks   "Thanks!" (after Yes, or a lesson the exhibit could not give now, with its reason)
//   learning "Look at the screen: it is learning from you" while the lesson runs
//   learned  "It learned from you: now it says 9", or honestly that it could not learn it this time
// One verdict per drawing revision (the `seq` of the prediction asked about). Drawing again, undo or
// clear dismisses the card, except while it waits for the exhibit (sent, learning): what the lesson
// did is still told. An error (`stale`, `already_answered`, `lesson_running`, `no_drawing`) or no
// answer at all just ends the asking for that drawing: the card never gets stuck. Time is injected
// (`clock`) for tests.

import { t } from "./i18n.js";

const QUIET_MS = 800; // the pen rested this long after the newest answer: ask
const THANKS_MS = 2500; // "Thanks!" shows this long
const REFUSED_MS = 6000; // a reason why it could not learn now: long enough to read
const LEARNED_MS = 8000; // "now it says 9"
const ANSWER_TIMEOUT_MS = 5000; // a verdict with no answer: give up asking
const LESSON_TIMEOUT_MS = 20_000; // a lesson with no end: give up waiting
const VERDICT_ERRORS = new Set(["stale", "already_answered", "lesson_running", "no_drawing", "bad_message"]);
const REFUSED_KEYS = {
  busy: "verdictRefusedBusy",
  closed: "verdictRefusedClosed",
  presenter: "verdictRefusedPresenter",
  unavailable: "verdictRefusedUnavailable",
};

const realClock = { setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (id) => clearTimeout(id) };

export class VerdictCard {
  /**
   * @param {HTMLElement} root  the card (#verdict) with #verdict-question, #verdict-yes, #verdict-no,
   *   #verdict-digits and #verdict-message
   * @param {(message: object) => boolean} send  a protocol message to the exhibit
   * @param {object} [options]  asks: false never asks (the presenter's page framing this one: a
   *   presenter's verdicts are not a visitor's); clock: setTimeout / clearTimeout
   */
  constructor(root, send, { asks = true, clock = realClock } = {}) {
    this.root = root;
    this.send = send;
    this.asks = asks;
    this.clock = clock;
    const $ = (id) => root.querySelector(`#${id}`);
    this.question = $("verdict-question");
    this.answers = $("verdict-answers");
    this.digits = $("verdict-digits");
    this.message = $("verdict-message");
    this.digitButtons = [];
    for (let digit = 0; digit <= 9; digit++) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button verdict-digit";
      button.textContent = String(digit);
      button.dataset.digit = String(digit);
      button.addEventListener("click", () => this.meant(digit));
      this.digits.append(button);
      this.digitButtons.push(button);
    }
    $("verdict-yes").addEventListener("click", () => this.right());
    $("verdict-no").addEventListener("click", () => this.wrong());
    this.timer = null; // the one pending timeout: quiet pen, the card's time, or waiting for an answer
    this.reset();
  }

  /** A new connection: its drawing revisions start again, nothing is asked. */
  reset() {
    this.answeredSeq = -1; // the newest revision a verdict was given for
    this.newest = null; // the newest prediction: {seq, digit}
    this.penDown = false;
    this.asked = null; // the prediction the card asks (or asked) about
    this.show("hidden");
  }

  // ---- what happens on the page ----

  /** A prediction for the drawing came: ask about it once the pen has rested. */
  prediction({ seq, digit }) {
    if (!(seq >= (this.newest?.seq ?? -1))) return;
    this.newest = { seq, digit };
    // The final answer can come after the question was asked: it asks about that one instead.
    if (this.state === "ask" && seq > this.asked.seq) this.ask();
    else if (this.state === "hidden") this.waitForQuiet();
  }

  /** The pen touched down (a new stroke): a question about the old drawing goes away. */
  strokeBegan() {
    this.penDown = true;
    this.dismiss();
  }

  /** The pen lifted: ask in a moment if the answer is there. */
  strokeEnded() {
    this.penDown = false;
    if (this.state === "hidden") this.waitForQuiet();
  }

  /** Undo or clear: the drawing changed without the pen; the newest answer is not for it any more. */
  drawingChanged() {
    this.newest = null;
    this.dismiss();
  }

  /** The exhibit's `verdict`, `lesson` or `error` message; false if it was none of this card's. */
  received(message) {
    if (message.type === "verdict") return this.counted();
    if (message.type === "lesson") return this.lesson(message);
    if (message.type === "error" && VERDICT_ERRORS.has(message.code) && this.state === "sent") {
      this.show("hidden"); // that drawing is not asked about again (answeredSeq stays)
      this.waitForQuiet();
      return true;
    }
    return false;
  }

  /** The card's words again, in the page's language (after it changed). */
  translate() {
    if (this.state === "ask") {
      this.question.textContent = t("verdictAsk", { digit: this.asked.digit });
    } else if (this.state === "which") {
      this.question.textContent = t("verdictWhich");
    }
    if (this.messageKey) this.message.textContent = t(this.messageKey, this.messageValues);
  }

  // ---- the visitor's answers ----

  right() {
    if (this.state !== "ask") return;
    this.answeredSeq = this.asked.seq;
    this.send({ type: "verdict", seq: this.asked.seq, correct: true });
    this.show("thanks", "verdictThanks", {}, THANKS_MS);
  }

  wrong() {
    if (this.state === "ask") this.show("which");
  }

  meant(digit) {
    if (this.state !== "which" || digit === this.asked.digit) return;
    this.answeredSeq = this.asked.seq;
    this.send({ type: "verdict", seq: this.asked.seq, correct: false, meant: digit });
    this.show("sent", null, {}, ANSWER_TIMEOUT_MS);
  }

  // ---- the exhibit's answers ----

  /** "counted": a correct verdict's end (already thanked); a wrong one's lesson messages follow. */
  counted() {
    return true;
  }

  /** The lesson this tablet's verdict started (a presenter's own lessons are not the visitor's). */
  lesson(message) {
    const ours = this.state === "sent" || this.state === "learning";
    if (!ours && message.status !== "forgotten") return true;
    const values = { meant: message.meant, was: message.was, now: message.now };
    switch (message.status) {
      case "started":
        this.show("learning", "verdictLearning", values, LESSON_TIMEOUT_MS);
        break;
      case "learned": {
        const learned = message.now === message.meant;
        this.show("learned", learned ? "verdictLearned" : "verdictNotLearned", values, LEARNED_MS);
        this.root.dataset.learned = String(learned);
        break;
      }
      case "refused":
        this.show("thanks", REFUSED_KEYS[message.reason] ?? "verdictRefusedBusy", {}, REFUSED_MS);
        break;
      case "failed":
        this.show("learned", "verdictFailed", values, REFUSED_MS);
        this.root.dataset.learned = "false";
        break;
      case "forgotten":
        if (this.state === "learned") this.show("hidden"); // the visitor has gone: no fuss
        break;
    }
    return true;
  }

  // ---- the card ----

  /** Ask about the newest answer after QUIET_MS, unless the pen is down or it was answered. */
  waitForQuiet() {
    this.stopTimer();
    if (!this.asks || !this.newest || this.penDown || this.newest.seq <= this.answeredSeq) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      if (this.state === "hidden" && !this.penDown && this.newest && this.newest.seq > this.answeredSeq) this.ask();
    }, QUIET_MS);
  }

  ask() {
    this.asked = { ...this.newest };
    this.show("ask");
  }

  /** The drawing changed: the card goes, unless it waits for the exhibit (a verdict or lesson under way). */
  dismiss() {
    if (this.state !== "sent" && this.state !== "learning") this.show("hidden");
  }

  /** Show `state`; `key`: the message line's text; `ms`: then hide (or give up waiting). */
  show(state, key = null, values = {}, ms = 0) {
    this.stopTimer();
    this.state = state;
    this.root.dataset.state = state;
    delete this.root.dataset.learned;
    this.root.hidden = state === "hidden";
    this.answers.hidden = state !== "ask";
    this.digits.hidden = state !== "which";
    this.question.hidden = state !== "ask" && state !== "which";
    this.messageKey = key;
    this.messageValues = values;
    this.message.textContent = "";
    this.message.hidden = !key;
    for (const button of this.digitButtons) button.disabled = Number(button.dataset.digit) === this.asked?.digit;
    this.translate();
    if (ms) {
      this.timer = this.clock.setTimeout(() => {
        this.timer = null;
        this.show("hidden");
        this.waitForQuiet(); // a drawing made meanwhile is asked about
      }, ms);
    }
  }

  stopTimer() {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}
