// The samples scene: handwritten digits from the test set (never seen while the network learned)
// flow through it one by one. Beside the network: what a person wrote and what the network says.
// A wrong answer is shown as plainly as a right one, in a calm colour, with how rare it is.

import { formatNumber, t } from "./i18n.js";

const $ = (id) => document.getElementById(id);

export class SamplesPanel {
  constructor() {
    this.wrongPer100 = null; // of the network the screen shows answering
    this.which = "any";
  }

  setNetwork(network) {
    const live = network.snapshots.find((s) => s.id === network.live_snapshot);
    const accuracy = live?.test_accuracy;
    this.wrongPer100 = typeof accuracy === "number" ? (1 - accuracy) * 100 : null;
  }

  /** The scene's `which`: "any", "wrong" or a digit 0-9. Also after the language changed. */
  showScene(scene) {
    if (scene.scene !== "samples") return;
    this.which = scene.which ?? "any";
    if (this.which === "wrong") {
      $("samples-title").textContent = t("samplesWrong");
      const count = this.wrongPer100 === null ? null : roughly(this.wrongPer100);
      $("samples-about").textContent = count === null ? t("samplesAbout") : t("samplesAboutWrong", { count });
    } else {
      const digit = Number.isInteger(this.which) ? this.which : null;
      $("samples-title").textContent = digit === null ? t("samplesAny") : t("samplesDigit", { digit });
      $("samples-about").textContent = t("samplesAbout");
    }
  }

  /** An activation: a test sample's true label beside the network's answer. */
  showFrame(frame) {
    const line = $("sample-line");
    const known = frame.source === "sample" && Number.isInteger(frame.label) && Number.isInteger(frame.digit);
    line.hidden = !known;
    if (!known) return;
    const wrong = frame.label !== frame.digit;
    $("sample-label").textContent = String(frame.label);
    $("sample-answer").textContent = String(frame.digit);
    $("sample-verdict").textContent = t(wrong ? "sampleWrong" : "sampleRight");
    line.toggleAttribute("data-wrong", wrong);
  }
}

// 1.25 → "1", 0.4 → "0.4": whole numbers where they are honest, one decimal below 1.
function roughly(perHundred) {
  return perHundred >= 1 ? formatNumber(Math.round(perHundred)) : formatNumber(Number(perHundred.toFixed(1)));
}
