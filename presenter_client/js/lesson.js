// "Teach it": the presenter tells the network what the digit on screen really is (the visitor's
// drawing, else the test digit shown), and the screen shows the lesson; "Forget the lesson" brings
// the shipped network back (docs/presenter-api.md: POST /api/admin/lesson {"meant"},
// POST /api/admin/lesson/forget). Both are screen commands: they follow the hold rule.
//
// The lesson's state comes with the `status` event (`lesson`: the screen's lesson payload without
// its changed connections): idle (the shipped network reads), learning (step k of N), learned
// (what it says now, and the accuracy on the MNIST test digits before → after), failed.

import { ApiError, post } from "/common/api.js";
import { explain } from "./commands.js";
import { formatNumber, t } from "./i18n.js";
import { say } from "./notice.js";
import { watch } from "./store.js";
import { make, setText } from "./widgets.js";

const REFUSALS = { busy: "lessonBusy", no_digit: "lessonNoDigit", unavailable: "lessonUnavailable" };

export class LessonControls {
  constructor(section) {
    const $ = (id) => section.querySelector(`#${id}`);
    this.summary = $("lesson-summary");
    this.state = $("lesson-state");
    this.forgetButton = $("lesson-forget");
    this.digits = [];
    for (let digit = 0; digit <= 9; digit++) {
      const button = make("button", "button digit", String(digit));
      button.type = "button";
      button.dataset.meant = String(digit);
      button.addEventListener("click", () => this.teach(digit, button));
      $("lesson-digits").append(button);
      this.digits.push(button);
    }
    this.forgetButton.addEventListener("click", () => this.forget());
    watch("status", (status) => this.show(status?.lesson));
  }

  async teach(meant, button) {
    const answer = await this.send("/api/admin/lesson", { meant }, button);
    if (answer) say(t("lessonStarted", { meant: answer.meant ?? meant, was: answer.was ?? "?" }));
  }

  async forget() {
    const answer = await this.send("/api/admin/lesson/forget", undefined, this.forgetButton);
    if (answer) say(t(answer.forgotten ? "lessonForgotten" : "lessonNothingToForget"));
  }

  /** POST; resolves to the answer, or null after saying why not (a refused lesson in its own words). */
  async send(path, body, control) {
    control.dataset.pending = "true";
    try {
      return await post(path, body);
    } catch (error) {
      if (error.status === 401) return null; // the log-in card says it
      say(refusal(error) ?? explain(error), "problem");
      return null;
    } finally {
      delete control.dataset.pending;
    }
  }

  /** The lesson as the status event tells it; also the section's summary line. */
  show(lesson) {
    const text = describe(lesson);
    setText(this.state, text);
    setText(this.summary, text);
    const state = lesson?.state ?? "idle";
    this.state.dataset.state = state;
    for (const button of this.digits) {
      button.setAttribute("aria-pressed", String(state !== "idle" && Number(button.dataset.meant) === lesson?.meant));
    }
  }
}

/** The exhibit's own reason for refusing a lesson (409 without a holder), in words; else null. */
function refusal(error) {
  if (!(error instanceof ApiError) || error.status !== 409 || error.holder) return null;
  const key = REFUSALS[error.message];
  return key ? t(key) : null;
}

/** One line for the lesson's state. */
export function describe(lesson) {
  const values = { meant: lesson?.meant ?? "?", was: lesson?.was ?? "?", now: lesson?.now ?? "?" };
  switch (lesson?.state) {
    case "learning":
      return t("lessonLearning", { ...values, step: lesson.step ?? 0, steps: lesson.steps ?? "?" });
    case "learned": {
      const said = t(lesson.now === lesson.meant ? "lessonLearned" : "lessonNotLearned", values);
      const before = percent(lesson.accuracy_before);
      const after = percent(lesson.accuracy_after);
      return before && after ? `${said} · ${t("lessonCost", { before, after })}` : said;
    }
    case "failed":
      return t("lessonFailed", values);
    default:
      return t("lessonIdle");
  }
}

function percent(fraction) {
  return typeof fraction === "number"
    ? formatNumber(fraction * 100, { minimumFractionDigits: 2, maximumFractionDigits: 2 })
    : null;
}
