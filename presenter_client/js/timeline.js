// The training history: play/pause, a slider over the snapshots (the `network` event lists them)
// and the playback speed. Slider, button and speed follow the `timeline` event; while a finger is
// on the slider it shows where it would go, and only letting go sends the seek.

import { command } from "./commands.js";
import { formatNumber, t } from "./i18n.js";
import { value, watch } from "./store.js";
import { make, setText } from "./widgets.js";

const SPEEDS = [0.25, 0.5, 1, 2, 4, 8];

export class TimelineControls {
  constructor(root) {
    const $ = (id) => root.querySelector(`#${id}`);
    this.summary = $("timeline-summary");
    this.play = $("tl-play");
    this.playText = $("tl-play-text");
    this.info = $("tl-info");
    this.seek = $("tl-seek");
    this.position = $("tl-position");
    this.preview = $("tl-preview");
    this.speeds = $("tl-speeds");
    this.dragging = false;

    this.play.addEventListener("click", () => {
      const playing = value("timeline")?.playing;
      command("/api/admin/timeline", { action: playing ? "pause" : "play" }, { control: this.play });
    });

    const release = () => {
      this.dragging = false;
    };
    this.seek.addEventListener("pointerdown", () => (this.dragging = true));
    this.seek.addEventListener("pointerup", release);
    this.seek.addEventListener("pointercancel", release);
    this.seek.addEventListener("input", () => this.showPreview(Number(this.seek.value)));
    this.seek.addEventListener("change", async () => {
      release();
      const index = Number(this.seek.value);
      await command("/api/admin/timeline", { action: "seek", index }, { control: this.seek });
      setText(this.preview, "");
      this.show(); // back to what the exhibit says (the seek's own event follows)
    });

    this.speedButtons = SPEEDS.map((speed) => {
      const button = make("button", "button segment", `${formatNumber(speed)}×`);
      button.type = "button";
      button.dataset.speed = String(speed);
      button.setAttribute("aria-pressed", "false");
      button.addEventListener("click", () =>
        command("/api/admin/timeline", { action: "speed", speed }, { control: button }),
      );
      this.speeds.append(button);
      return button;
    });

    watch(["timeline", "network"], () => this.show());
  }

  snapshots() {
    const list = value("network")?.snapshots;
    return Array.isArray(list) ? list : [];
  }

  /** "after 12,000 images · 91 % right on the test set" for a snapshot-like object. */
  describe(snapshot) {
    if (!snapshot) return "";
    const parts = [];
    if (snapshot.label) parts.push(snapshot.label);
    else if (typeof snapshot.images_seen === "number")
      parts.push(t("imagesSeen", { images: formatNumber(snapshot.images_seen) }));
    if (typeof snapshot.test_accuracy === "number") {
      parts.push(t("accuracy", { percent: formatNumber(snapshot.test_accuracy * 100, { maximumFractionDigits: 1 }) }));
    }
    return parts.join(" · ");
  }

  showPreview(index) {
    const count = this.count();
    setText(this.position, t("snapshotOf", { position: index + 1, count }));
    const target = this.snapshots()[index];
    setText(this.preview, target && index !== value("timeline")?.index ? `→ ${this.describe(target)}` : "");
  }

  count() {
    return value("timeline")?.count ?? this.snapshots().length;
  }

  show() {
    const timeline = value("timeline");
    const count = this.count();
    this.seek.max = String(Math.max(0, count - 1));
    if (!timeline) return;
    const playing = Boolean(timeline.playing);
    this.play.setAttribute("aria-pressed", String(playing));
    this.play.dataset.playing = String(playing);
    setText(this.playText, t(playing ? "pause" : "play"));
    const current = this.snapshots()[timeline.index] ?? timeline;
    const description = this.describe({ ...current, ...pick(timeline) });
    setText(this.info, description);
    setText(
      this.summary,
      `${t(playing ? "play" : "pause")}: ${t("snapshotOf", { position: timeline.index + 1, count })} · ${formatNumber(timeline.speed ?? 1)}×`,
    );
    if (!this.dragging) {
      this.seek.value = String(timeline.index ?? 0);
      setText(this.position, t("snapshotOf", { position: (timeline.index ?? 0) + 1, count }));
    }
    this.seek.setAttribute(
      "aria-valuetext",
      `${t("snapshotOf", { position: Number(this.seek.value) + 1, count })}, ${description}`,
    );
    const speed = Number(timeline.speed ?? 1);
    const nearest = SPEEDS.reduce(
      (best, s) => (Math.abs(Math.log(s / speed)) < Math.abs(Math.log(best / speed)) ? s : best),
      1,
    );
    for (const button of this.speedButtons)
      button.setAttribute("aria-pressed", String(Number(button.dataset.speed) === nearest));
  }
}

/** The timeline event's own figures, where it has them. */
function pick(timeline) {
  const own = {};
  for (const key of ["label", "images_seen", "test_accuracy"]) if (timeline[key] != null) own[key] = timeline[key];
  return own;
}
