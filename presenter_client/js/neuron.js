// What a first-layer neuron looks for: choose its number, show it on the big screen or hide it.
// The preview is the `neuron` event's 784 weights (-1..1) as a 28×28 picture, in the screen's
// colours: blue where ink speaks for the neuron, orange where it speaks against.

import { rgbOf } from "/common/tokens.js";
import { command } from "./commands.js";
import { t } from "./i18n.js";
import { watch } from "./store.js";
import { setText, stepper } from "./widgets.js";

const SIDE = 28;
const POSITIVE = rgbOf("--positive"); // the screen's colours (/common/tokens.css)
const NEGATIVE = rgbOf("--negative");
const BACKGROUND = rgbOf("--screen-bg");

export class NeuronPicker {
  constructor(section) {
    const $ = (id) => section.querySelector(`#${id}`);
    this.summary = $("neuron-summary");
    this.preview = $("neuron-preview");
    this.index = stepper($("neuron-index"));
    this.showButton = $("neuron-show");
    this.hideButton = $("neuron-hide");
    this.showButton.addEventListener("click", () =>
      command("/api/admin/neuron", { index: this.index.value }, { control: this.showButton }),
    );
    this.hideButton.addEventListener("click", () =>
      command("/api/admin/neuron", { index: null }, { control: this.hideButton }),
    );
    clear(this.preview);

    watch("network", (network) => {
      const first = network?.architecture?.[1];
      if (Number.isInteger(first) && first > 0) this.index.set(this.index.value, { max: first - 1 });
    });
    watch("neuron", (neuron) => this.show(neuron));
  }

  show(neuron) {
    const shown = neuron?.index != null && Array.isArray(neuron.weights);
    if (shown) {
      this.index.set(neuron.index);
      drawWeights(this.preview, neuron.weights);
    } else {
      clear(this.preview);
    }
    const text = shown ? t("neuronShown", { index: neuron.index }) : t("neuronNone");
    this.preview.setAttribute("aria-label", text);
    setText(this.summary, text);
    this.hideButton.dataset.current = String(shown);
  }
}

function clear(canvas) {
  const context = canvas.getContext("2d");
  context.fillStyle = `rgb(${BACKGROUND.join(",")})`;
  context.fillRect(0, 0, SIDE, SIDE);
}

export function drawWeights(canvas, weights) {
  const context = canvas.getContext("2d");
  const image = context.createImageData(SIDE, SIDE);
  for (let i = 0; i < SIDE * SIDE; i++) {
    const w = Math.max(-1, Math.min(1, Number(weights[i]) || 0));
    const colour = w >= 0 ? POSITIVE : NEGATIVE;
    const k = Math.abs(w);
    for (let c = 0; c < 3; c++) image.data[i * 4 + c] = BACKGROUND[c] + (colour[c] - BACKGROUND[c]) * k;
    image.data[i * 4 + 3] = 255;
  }
  context.putImageData(image, 0, 0);
}
