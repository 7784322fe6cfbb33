// What a presenter puts on the screen: a short caption, and while they hold the exhibit a small
// badge in the corner ("Guided by Anna"), so that visitors know why the screen follows someone.

import { t } from "./i18n.js";

const $ = (id) => document.getElementById(id);

export class PresenterMarks {
  constructor() {
    // The playground scene keeps this much room free below it for the caption (display.css).
    new ResizeObserver(() => {
      document.body.style.setProperty("--caption-space", `${$("caption").offsetHeight}px`);
    }).observe($("caption"));
  }

  /** `{"text": str | null}`: null (or "") takes the caption down. */
  showCaption(caption) {
    const text = typeof caption.text === "string" ? caption.text.trim() : "";
    $("caption").textContent = text;
    $("caption").hidden = text === "";
    document.body.toggleAttribute("data-caption", text !== "");
  }

  /** `{"state", "presenter", ...}`: the badge while a presenter holds the exhibit. */
  showExhibit(exhibit) {
    const name = exhibit.state === "presenter" && typeof exhibit.presenter === "string" ? exhibit.presenter.trim() : "";
    $("presenter-name").textContent = name ? t("guidedBy", { name }) : "";
    $("presenter-badge").hidden = name === "";
    document.body.toggleAttribute("data-presenter", name !== "");
  }
}
