// The status panel: what the exhibit is doing (the attract machine's `exhibit` event) and how it is
// (the `status` event every 2 s: screens, tablets, presenters, uptime, the last problems logged,
// the visitors' verdicts: verdicts.js).
// Seconds left count down between events from the exhibit's own figure.

import { currentLanguage, formatDuration, formatTime, sceneName, t, tabletState } from "./i18n.js";
import { value, watch } from "./store.js";
import { showVerdicts } from "./verdicts.js";
import { make, setText } from "./widgets.js";

export class StatusPanel {
  constructor(root) {
    const $ = (id) => root.querySelector(`#${id}`);
    this.summary = $("status-summary");
    this.exhibit = $("st-exhibit");
    this.screens = $("st-screens");
    this.tablets = $("st-tablets");
    this.presenters = $("st-presenters");
    this.uptime = $("st-uptime");
    this.errors = $("st-errors");
    this.verdicts = $("st-verdicts");
    this.exhibitAt = 0; // when the newest exhibit event came (ms), for counting down seconds_left
    this.statusAt = 0;
    watch("exhibit", () => {
      this.exhibitAt = performance.now();
      this.showExhibit();
    });
    watch("network", () => this.showExhibit()); // the language the screen speaks
    watch("status", (status) => {
      this.statusAt = performance.now();
      this.showStatus(status);
    });
    setInterval(() => {
      this.showExhibit();
      this.showUptime();
    }, 1000);
  }

  /** The exhibit's state in one sentence; also the section's summary line. */
  describeExhibit() {
    const exhibit = value("exhibit");
    if (!exhibit) return "–";
    const left =
      exhibit.seconds_left == null
        ? null
        : Math.max(0, Math.ceil(exhibit.seconds_left - (performance.now() - this.exhibitAt) / 1000));
    switch (exhibit.state) {
      case "attract": {
        const params = {
          item: sceneName(exhibit.item?.scene),
          position: (exhibit.index ?? 0) + 1,
          count: exhibit.count ?? "?",
          seconds: left,
        };
        return t(left == null ? "stateAttract" : "stateAttractLeft", params);
      }
      case "visitor":
        return left == null ? t("stateVisitor") : t("stateVisitorLeft", { seconds: left });
      case "presenter":
        if (exhibit.presenter === value("session"))
          return left == null ? t("stateYou") : t("stateYouLeft", { seconds: left });
        return t(left == null ? "statePresenter" : "statePresenterLeft", {
          name: exhibit.presenter ?? "?",
          seconds: left,
        });
      case "closed":
        return exhibit.opens_at ? t("stateClosedUntil", { time: formatTime(exhibit.opens_at) }) : t("stateClosed");
      default:
        return String(exhibit.state ?? "–");
    }
  }

  showExhibit() {
    const text = this.describeExhibit() + this.describeLanguage();
    setText(this.exhibit, text);
    const status = value("status");
    const screens = status ? ` · ${t("screens")}: ${status.screens ?? 0}` : "";
    setText(this.summary, text + screens);
  }

  /** " · in French" while the screen speaks another language than this page (a visitor's pick). */
  describeLanguage() {
    const spoken = value("network")?.language;
    if (!spoken || spoken === currentLanguage()) return "";
    const name = new Intl.DisplayNames([currentLanguage()], { type: "language" }).of(spoken) ?? spoken;
    return ` · ${t("stateLanguage", { language: name })}`;
  }

  showStatus(status) {
    const screens = Number(status.screens ?? 0);
    setText(this.screens, screens > 0 ? t("screensCount", { count: screens }) : t("noScreens"));
    this.screens.dataset.tone = screens > 0 ? "ok" : "bad";

    const tablets = Array.isArray(status.tablets) ? status.tablets : [];
    const items = tablets.map((tablet) => {
      const item = make("li", "tablet-status");
      item.dataset.connected = String(Boolean(tablet.connected));
      item.append(make("span", "dot"), make("span", "", tablet.name || tablet.device || "?"));
      item.append(make("span", "hint", tabletState(tablet)));
      return item;
    });
    if (items.length === 0) items.push(make("li", "hint", t("noTablets")));
    this.tablets.replaceChildren(...items);

    const presenters = Array.isArray(status.presenters) ? status.presenters : [];
    setText(this.presenters, presenters.length ? presenters.join(", ") : "–");

    const errors = Array.isArray(status.errors) ? status.errors : [];
    const lines = errors
      .slice()
      .reverse() // newest first
      .map((error) => {
        const item = make("li");
        item.dataset.level = error.level ?? "error";
        item.append(make("time", "error-time", formatTime(error.at)), make("span", "error-message", error.message));
        item.querySelector("time").dateTime = error.at ?? "";
        return item;
      });
    if (lines.length === 0) lines.push(make("li", "hint", t("noErrors")));
    this.errors.replaceChildren(...lines);
    this.errors.dataset.count = String(errors.length);
    showVerdicts(this.verdicts, status.verdicts);
    this.showUptime();
    this.showExhibit();
  }

  showUptime() {
    const status = value("status");
    if (!status || typeof status.uptime_s !== "number") return;
    setText(this.uptime, formatDuration(status.uptime_s + (performance.now() - this.statusAt) / 1000));
  }
}
