// The closed scene: a calm, dark screen saying when the exhibit opens again. main.js stops drawing
// the 3D network meanwhile (the PC runs all night); this page only changes a few words here.

import { describeOpening } from "/common/opening.js";
import { t } from "./i18n.js";

const $ = (id) => document.getElementById(id);
// Every few minutes: "tomorrow" becomes "today" after midnight, and the text moves a little, so
// that no shape stays on the panel all night.
const REFRESH_MS = 5 * 60 * 1000;
const SHIFTS = [
  [0, 0],
  [-4, -3],
  [4, 2],
  [-3, 3],
  [3, -2],
]; // vw, vh

export class ClosedScreen {
  constructor() {
    this.opensAt = null;
    this.timer = null;
    this.shift = 0;
  }

  /** Follow the scene: the notice while it is "closed" (with `opens_at`), nothing otherwise. */
  showScene(scene) {
    clearInterval(this.timer);
    this.timer = null;
    if (scene.scene !== "closed") return;
    this.opensAt = scene.opens_at ?? null;
    this.refresh();
    this.timer = setInterval(() => this.refresh(true), REFRESH_MS);
  }

  /** Also after the language changed. */
  refresh(move = false) {
    $("closed-opens").textContent = openingText(this.opensAt);
    if (!move) return;
    this.shift = (this.shift + 1) % SHIFTS.length;
    const [x, y] = SHIFTS[this.shift];
    $("closed").style.setProperty("--shift-x", `${x}vw`);
    $("closed").style.setProperty("--shift-y", `${y}vh`);
  }
}

/** "Opens tomorrow at 10:00", or "" when the exhibit has no opening time ahead. */
export function openingText(iso, now = Date.now()) {
  const opening = describeOpening(iso, document.documentElement.lang, now);
  if (!opening) return "";
  return t(opening.relative ? "opensRelative" : "opensOn", opening);
}
