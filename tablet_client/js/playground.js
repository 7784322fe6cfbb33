// The playground tab: a visitor picks a pattern of points and a noise level, shapes a small
// network (layers and neurons), and presses Play; the exhibit trains it and the big screen shows it
// learning. Commands go to POST /api/train with the tablet's credential.
//
// The tablet shows nothing of the training itself: the frames stream to the big screen, and are
// too much for a tablet's Wi-Fi. What it knows of the run is what its own last accepted command
// did (running, paused, idle).
//
// The datasets (in the order of the six buttons, 3 × 2, showpieces first), the points of their
// icons and the limits of a network come from the server (/common/facts.js).

import { ApiError, post } from "/common/api.js";
import { facts } from "/common/facts.js";
import { cssColour } from "/common/tokens.js";
import { t } from "./i18n.js";

const { datasets: DATASETS, extent: EXTENT, max_layers: MAX_LAYERS, max_neurons: MAX_NEURONS } = facts.playground;
const FEATURES = ["x", "y", "sinx", "siny"]; // what the network is given: the input column
const NEW_LAYER_NEURONS = 4;
const DEFAULTS = { dataset: "spiral", noise: 20, hidden: [4, 4] };
const ACTIVATION = "tanh";
const CLASS_COLOURS = [cssColour("--negative"), cssColour("--positive")]; // as on the big screen

export class Playground {
  /**
   * @param {HTMLElement} root  the tab's panel (#playground)
   * @param {object} options
   *   credential(): the tablet's stored credential, or null
   *   onUnauthorized(): the credential was refused (not paired, or revoked)
   */
  constructor(root, { credential, onUnauthorized }) {
    this.root = root;
    this.credential = credential;
    this.onUnauthorized = onUnauthorized;
    this.dataset = DEFAULTS.dataset;
    this.noise = DEFAULTS.noise; // percent
    this.hidden = [...DEFAULTS.hidden];
    this.run = "idle"; // idle | running | paused: what our last accepted command did
    this.changed = false; // settings changed since the run started
    this.busy = false;

    const $ = (selector) => root.querySelector(selector);
    this.datasetList = $("#pg-datasets");
    this.noiseInput = $("#pg-noise");
    this.noiseValue = $("#pg-noise-value");
    this.layerCount = $("#pg-layer-count");
    this.addLayerButton = $("#pg-layer-add");
    this.removeLayerButton = $("#pg-layer-remove");
    this.diagram = $("#pg-diagram");
    this.wires = $(".pg-wires");
    this.playButton = $("#pg-play");
    this.pauseButton = $("#pg-pause");
    this.pauseText = $(".pg-pause-text");
    this.resetButton = $("#pg-reset");
    this.message = $("#pg-message");

    this.icons = new Map(); // dataset → its canvas
    this.datasetList.setAttribute("aria-label", t("pgPickData"));
    this.buildDatasetButtons();

    this.noiseInput.value = String(this.noise);
    this.noiseInput.addEventListener("input", () => {
      this.noise = Number(this.noiseInput.value);
      this.showNoise();
      this.drawIcons();
      this.settingsChanged();
    });
    this.showNoise();

    this.addLayerButton.setAttribute("aria-label", t("pgAddLayer"));
    this.removeLayerButton.setAttribute("aria-label", t("pgRemoveLayer"));
    this.addLayerButton.addEventListener("click", () => this.changeLayers(+1));
    this.removeLayerButton.addEventListener("click", () => this.changeLayers(-1));

    this.playButton.addEventListener("click", () => this.play());
    this.pauseButton.addEventListener("click", () => this.pauseOrResume());
    this.resetButton.addEventListener("click", () => this.reset());

    // Hidden panels measure 0: draw again whenever the tab appears or the tablet turns.
    new ResizeObserver(() => this.redraw()).observe(this.root);
    this.renderNetwork();
    this.showRun();
    this.say(t("pgReady"));
  }

  /** The spec for POST /api/train (kiosk/playground/spec.py); the server's defaults do the rest. */
  spec() {
    return {
      dataset: this.dataset,
      noise: this.noise / 100,
      hidden: [...this.hidden],
      activation: ACTIVATION,
      features: [...FEATURES],
    };
  }

  // ---- choices ----

  buildDatasetButtons() {
    for (const { name, text } of DATASETS) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "pg-dataset";
      button.dataset.dataset = name;
      button.setAttribute("role", "radio");
      const art = document.createElement("span"); // the room the icon may fill, square within it
      art.className = "pg-dataset-art";
      const icon = document.createElement("canvas");
      icon.className = "pg-dataset-icon";
      icon.setAttribute("aria-hidden", "true");
      art.append(icon);
      const label = document.createElement("span");
      label.className = "pg-dataset-name";
      label.dataset.i18n = text; // again when the language changes
      label.textContent = t(label.dataset.i18n);
      button.append(art, label);
      button.addEventListener("click", () => this.chooseDataset(name));
      this.datasetList.append(button);
      this.icons.set(name, icon);
    }
    this.showDataset();
  }

  chooseDataset(name) {
    if (name === this.dataset) return;
    this.dataset = name;
    this.showDataset();
    this.settingsChanged();
  }

  showDataset() {
    for (const button of this.datasetList.children) {
      button.setAttribute("aria-checked", String(button.dataset.dataset === this.dataset));
    }
  }

  showNoise() {
    this.noiseValue.textContent = `${this.noise} %`;
    this.noiseInput.style.setProperty("--fill", `${this.noise}%`);
  }

  changeLayers(delta) {
    if (delta > 0 && this.hidden.length < MAX_LAYERS) {
      this.hidden.push(this.hidden.at(-1) ?? NEW_LAYER_NEURONS);
    } else if (delta < 0 && this.hidden.length > 0) {
      this.hidden.pop();
    } else return;
    this.renderNetwork();
    this.settingsChanged();
  }

  changeNeurons(layer, delta) {
    const neurons = this.hidden[layer] + delta;
    if (neurons < 1 || neurons > MAX_NEURONS) return;
    this.hidden[layer] = neurons;
    this.renderNetwork();
    this.settingsChanged();
  }

  settingsChanged() {
    if (this.run === "idle" || this.changed) return;
    this.changed = true;
    this.say(t("pgChanged"));
  }

  // ---- the network diagram: input column, hidden columns with + and −, output column ----

  renderNetwork() {
    const layers = this.hidden.length;
    this.layerCount.textContent = String(layers);
    this.addLayerButton.disabled = layers >= MAX_LAYERS;
    this.removeLayerButton.disabled = layers === 0;
    this.diagram.dataset.hidden = this.hidden.join(",");

    for (const column of this.diagram.querySelectorAll(".pg-column")) column.remove();
    this.diagram.append(this.column("input", FEATURES.length, t("pgInput")));
    this.hidden.forEach((neurons, layer) => {
      this.diagram.append(this.hiddenColumn(layer, neurons));
    });
    this.diagram.append(this.column("output", 1, t("pgOutput")));
    this.redraw();
  }

  column(kind, neurons, label) {
    const column = document.createElement("div");
    column.className = `pg-column pg-column-${kind}`;
    const top = document.createElement("span");
    top.className = "pg-column-label";
    top.textContent = label;
    const dots = document.createElement("div");
    dots.className = "pg-dots";
    for (let i = 0; i < neurons; i++) {
      const dot = document.createElement("span");
      dot.className = "pg-dot";
      dots.append(dot);
    }
    const bottom = document.createElement("span");
    bottom.className = "pg-column-label";
    column.append(top, dots, bottom);
    return column;
  }

  hiddenColumn(layer, neurons) {
    const column = this.column("hidden", neurons, "");
    const [top, , bottom] = column.children;
    const add = roundButton("+", t("pgAddNeuron", { layer: layer + 1 }), neurons >= MAX_NEURONS);
    const remove = roundButton("−", t("pgRemoveNeuron", { layer: layer + 1 }), neurons <= 1);
    add.addEventListener("click", () => this.changeNeurons(layer, +1));
    remove.addEventListener("click", () => this.changeNeurons(layer, -1));
    top.replaceWith(add);
    bottom.textContent = String(neurons);
    bottom.classList.add("pg-column-count");
    column.append(remove);
    return column;
  }

  redraw() {
    if (this.root.hidden) return;
    this.drawIcons();
    this.drawWires();
  }

  /** Lines from every neuron to every neuron of the next column, behind the dots. */
  drawWires() {
    const area = this.diagram.getBoundingClientRect();
    if (area.width === 0) return;
    // Dots as big as the tallest column allows: a few neurons are big, sixteen still fit.
    const dotsHeight = this.diagram.querySelector(".pg-dots")?.clientHeight ?? 0;
    const tallest = Math.max(FEATURES.length, ...this.hidden);
    const dot = Math.max(4, Math.min(26, Math.floor(dotsHeight / (tallest * 1.35))));
    this.diagram.style.setProperty("--dot", `${dot}px`);

    const scale = window.devicePixelRatio || 1;
    this.wires.width = Math.round(area.width * scale);
    this.wires.height = Math.round(area.height * scale);
    const context = this.wires.getContext("2d");
    context.setTransform(scale, 0, 0, scale, 0, 0);
    context.clearRect(0, 0, area.width, area.height);
    const centres = [...this.diagram.querySelectorAll(".pg-dots")].map((dots) =>
      [...dots.children].map((element) => {
        const box = element.getBoundingClientRect();
        return [box.left + box.width / 2 - area.left, box.top + box.height / 2 - area.top];
      }),
    );
    context.lineWidth = 1.5;
    for (let c = 0; c + 1 < centres.length; c++) {
      const count = centres[c].length * centres[c + 1].length;
      context.strokeStyle = `rgba(169, 179, 196, ${Math.max(0.12, Math.min(0.5, 6 / count))})`;
      context.beginPath();
      for (const [x0, y0] of centres[c]) {
        for (const [x1, y1] of centres[c + 1]) {
          context.moveTo(x0, y0);
          context.lineTo(x1, y1);
        }
      }
      context.stroke();
    }
  }

  /** Each dataset's button shows a few of its points, as noisy as the slider says. */
  drawIcons() {
    if (this.root.hidden) return;
    const scale = window.devicePixelRatio || 1;
    const [low, high] = EXTENT;
    for (const [name, canvas] of this.icons) {
      const size = canvas.getBoundingClientRect().width;
      if (size === 0) continue;
      canvas.width = canvas.height = Math.round(size * scale);
      const context = canvas.getContext("2d");
      context.setTransform(scale, 0, 0, scale, 0, 0);
      const radius = Math.max(2, size / 34);
      const toPixel = (v) => ((v - low) / (high - low)) * (size - 2 * radius) + radius;
      for (const { x, y, label } of iconPoints(
        DATASETS.find((d) => d.name === name),
        this.noise / 100,
      )) {
        context.fillStyle = CLASS_COLOURS[label];
        context.beginPath();
        context.arc(toPixel(x), toPixel(-y), radius, 0, 2 * Math.PI); // y up, as on the screen
        context.fill();
      }
    }
  }

  // ---- commands ----

  async play() {
    if (await this.send({ action: "start", config: this.spec() }, this.playButton)) {
      this.run = "running";
      this.changed = false;
      this.showRun();
      this.say(t("pgStarted"));
    }
  }

  async pauseOrResume() {
    const action = this.run === "paused" ? "resume" : "pause";
    if (await this.send({ action }, this.pauseButton)) {
      this.run = action === "pause" ? "paused" : "running";
      this.showRun();
      this.say(t(action === "pause" ? "pgPaused" : "pgResumed"));
    }
  }

  async reset() {
    if (await this.send({ action: "reset" }, this.resetButton)) {
      this.run = "idle";
      this.changed = false;
      this.showRun();
      this.say(t("pgWasReset"));
    }
  }

  showRun() {
    this.root.dataset.run = this.run;
    this.pauseButton.disabled = this.run === "idle";
    this.resetButton.disabled = this.run === "idle";
    this.pauseButton.classList.toggle("pg-resume", this.run === "paused");
    this.pauseText.textContent = t(this.run === "paused" ? "pgResume" : "pgPause");
  }

  /** POST one command; true if the exhibit took it, else the visitor reads why. */
  async send(body, button) {
    if (this.busy) return false; // one command at a time: a tap while one is on its way is ignored
    this.busy = true;
    button.dataset.pending = "true";
    try {
      const credential = this.credential();
      const headers = credential ? { Authorization: `Bearer ${credential}` } : {};
      await post("/api/train", body, { headers, quiet401: true });
      return true;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      this.refused(error);
      return false;
    } finally {
      delete button.dataset.pending;
      this.busy = false;
    }
  }

  refused({ status, message, retryAfter }) {
    if (status === 0) {
      this.say(t("pgUnreachable"), "", "problem");
    } else if (status === 401) {
      this.say("");
      this.onUnauthorized();
    } else if (status === 403) {
      this.say(t("pgForbidden"), message, "problem");
    } else if (status === 429) {
      this.say(t("pgThrottled", { seconds: retryAfter ?? 60 }), "", "problem");
    } else if (status === 400) {
      this.say(t("pgRefused"), message, "problem");
    } else {
      this.say(t("pgFailed"), message, "problem");
    }
  }

  /** One calm line for the visitor, and the exhibit's own words under it if there are any. */
  say(text, detail = "", tone = "info") {
    this.message.dataset.tone = tone;
    this.message.replaceChildren(text);
    if (detail) {
      const small = document.createElement("span");
      small.className = "pg-message-detail";
      small.textContent = detail;
      this.message.append(small);
    }
  }
}

function roundButton(text, label, disabled) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "pg-round";
  button.textContent = text;
  button.setAttribute("aria-label", label);
  button.disabled = disabled;
  return button;
}

/** A dataset's icon at `noise` (0…1): its points spread by σ(noise), kept inside the plane. */
function iconPoints({ points, jitter, sigma: [base, perNoise] }, noise) {
  const sigma = base + perNoise * noise;
  const [low, high] = EXTENT;
  const clamp = (value) => Math.min(high, Math.max(low, value));
  return points.map(([x, y, label], i) => ({
    label,
    x: clamp(x + sigma * jitter[i][0]),
    y: clamp(y + sigma * jitter[i][1]),
  }));
}
