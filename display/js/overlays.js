// Things laid over the screen now and then: the pairing QR code, a neuron's weights, and a calm
// "connecting" notice while the kiosk cannot be reached (never an error dialog on an exhibit).
// A stream that drops for a moment and comes back is not worth a notice; one that stays away for
// OFFLINE_AFTER_MS is: then the answer is hidden (it is no longer live) and the notice is large.

import { t } from "./i18n.js";
import { NEGATIVE_SRGB, POSITIVE_SRGB } from "./network/palette.js";

const $ = (id) => document.getElementById(id);
const PAIRED_NOTE_MS = 5000;
const OFFLINE_AFTER_MS = 1500;

export class Overlays {
  constructor() {
    this.countdown = null;
    this.pairedTimer = null;
    this.offlineTimer = null;
  }

  showConnected(connected) {
    if (connected) {
      clearTimeout(this.offlineTimer);
      this.offlineTimer = null;
      this.setOffline(false);
    } else if (this.offlineTimer === null) {
      this.offlineTimer = setTimeout(() => this.setOffline(true), OFFLINE_AFTER_MS);
    }
  }

  setOffline(offline) {
    $("connection").hidden = !offline;
    document.body.toggleAttribute("data-offline", offline);
  }

  showPairing(pairing) {
    clearInterval(this.countdown);
    $("pairing").hidden = !pairing.open;
    if (!pairing.open) {
      if (pairing.paired) this.notePaired();
      return;
    }
    $("pairing-qr").src = pairing.qr;
    $("pairing-help").textContent = t("pairHelp", { url: pairing.url });
    $("pairing-code").textContent = pairing.code;
    const ends = performance.now() + pairing.expires_in_s * 1000;
    const tick = () => {
      const left = Math.max(0, Math.round((ends - performance.now()) / 1000));
      const seconds = String(left % 60).padStart(2, "0");
      $("pairing-expires").textContent = t("pairExpires", { minutes: Math.floor(left / 60), seconds });
      if (left === 0) $("pairing").hidden = true; // the server says so too; don't show a dead code
    };
    tick();
    this.countdown = setInterval(tick, 1000);
  }

  notePaired() {
    clearTimeout(this.pairedTimer);
    $("paired").hidden = false;
    this.pairedTimer = setTimeout(() => ($("paired").hidden = true), PAIRED_NOTE_MS);
  }

  // A first-layer neuron's 784 weights (scaled to -1..1) as a 28×28 blue/orange image, with a
  // legend whose lines are written in the colours they name.
  showNeuron(neuron) {
    $("neuron").hidden = neuron.index === null;
    if (neuron.index === null) return;
    $("neuron-title").textContent = t("neuronTitle", { index: neuron.index });
    const [positive, negative = ""] = t("neuronHelp").split(" · ");
    $("neuron-help").replaceChildren(legendLine(positive, "help-positive"), legendLine(negative, "help-negative"));
    const canvas = $("neuron-weights");
    const g = canvas.getContext("2d");
    const image = g.createImageData(28, 28);
    neuron.weights.forEach((w, i) => {
      const c = w >= 0 ? POSITIVE_SRGB : NEGATIVE_SRGB; // the legend's blue and orange, not linear light
      const k = Math.min(1, Math.abs(w));
      image.data.set([c.r * k * 255, c.g * k * 255, c.b * k * 255, 255], i * 4);
    });
    g.putImageData(image, 0, 0);
  }
}

function legendLine(text, className) {
  const line = document.createElement("span");
  line.className = className;
  line.textContent = text;
  return line;
}
