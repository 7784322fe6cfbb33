// A short caption on the big screen (at most 140 characters): show it, or take it down. The line
// under the heading says what the screen shows now (the `caption` event).

import { command } from "./commands.js";
import { t } from "./i18n.js";
import { watch } from "./store.js";
import { setText } from "./widgets.js";

const MAX = 140;

export class CaptionControls {
  constructor(section) {
    const $ = (id) => section.querySelector(`#${id}`);
    this.summary = $("caption-summary");
    this.text = $("caption-text");
    this.count = $("caption-count");
    this.showButton = $("caption-show");
    this.clearButton = $("caption-clear");
    this.text.maxLength = MAX;
    this.text.addEventListener("input", () => this.counted());
    this.text.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault(); // one line: Enter shows it
        this.showButton.click();
      }
    });
    this.showButton.addEventListener("click", () => {
      const text = this.text.value.replace(/\s+/g, " ").trim().slice(0, MAX);
      command("/api/admin/caption", { text: text || null }, { control: this.showButton });
    });
    this.clearButton.addEventListener("click", () =>
      command("/api/admin/caption", { text: null }, { control: this.clearButton }),
    );
    this.counted();
    watch("caption", (caption) => {
      const text = caption?.text;
      setText(this.summary, text ? t("captionNow", { text }) : t("captionNone"));
    });
  }

  counted() {
    setText(this.count, t("captionCount", { count: this.text.value.length }));
  }
}
