// The playground tab: a visitor picks a pattern of points and a noise level, shapes a small
// network (layers and neurons), and presses Play; the exhibit trains it and the big screen shows it
// learning. Commands go to POST /api/train with the tablet's credential.
//
// The tablet shows nothing of the training itself: the frames stream to the big screen, and are
// too much for a tablet's Wi-Fi. What it knows of the run is what its own last accepted command
// did (running, paused, idle).

import { t } from "./i18n.js";

// The order of the six buttons (3 × 2): the showpieces first.
const DATASETS = ["spiral", "circles", "moons", "xor", "gaussians", "linear"];
const FEATURES = ["x", "y", "sinx", "siny"]; // what the network is given: the input column
const MAX_LAYERS = 6;
const MAX_NEURONS = 16;
const NEW_LAYER_NEURONS = 4;
const DEFAULTS = { dataset: "spiral", noise: 20, hidden: [4, 4] };
const ACTIVATION = "tanh";
const CLASS_COLOURS = ["#e8601c", "#4fa3ff"]; // as on the big screen: class 0 orange, class 1 blue
const EXTENT = 6; // points lie in −6…6 on both axes
const ICON_POINTS = 90;

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
    this.shapes = new Map(DATASETS.map((name) => [name, datasetShape(name)]));
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
    for (const name of DATASETS) {
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
      label.dataset.i18n = `dataset${name[0].toUpperCase()}${name.slice(1)}`; // again when the language changes
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
    this.hidden.forEach((neurons, layer) => this.diagram.append(this.hiddenColumn(layer, neurons)));
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
    for (const [name, canvas] of this.icons) {
      const size = canvas.getBoundingClientRect().width;
      if (size === 0) continue;
      canvas.width = canvas.height = Math.round(size * scale);
      const context = canvas.getContext("2d");
      context.setTransform(scale, 0, 0, scale, 0, 0);
      const radius = Math.max(2, size / 34);
      const toPixel = (v) => ((v + EXTENT) / (2 * EXTENT)) * (size - 2 * radius) + radius;
      for (const { x, y, label } of this.shapes.get(name)(this.noise / 100)) {
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
      let response;
      try {
        response = await fetch("/api/train", {
          method: "POST",
          headers: {
            "Content-Type": "application/json",
            ...(credential ? { Authorization: `Bearer ${credential}` } : {}),
          },
          body: JSON.stringify(body),
        });
      } catch {
        this.say(t("pgUnreachable"), "", "problem");
        return false;
      }
      if (response.ok) return true;
      const reason = await errorText(response);
      if (response.status === 401) {
        this.say("");
        this.onUnauthorized();
      } else if (response.status === 403) {
        this.say(t("pgForbidden"), reason, "problem");
      } else if (response.status === 429) {
        this.say(t("pgThrottled", { seconds: response.headers.get("Retry-After") ?? "60" }), "", "problem");
      } else if (response.status === 400) {
        this.say(t("pgRefused"), reason, "problem");
      } else {
        this.say(t("pgFailed"), reason, "problem");
      }
      return false;
    } finally {
      delete button.dataset.pending;
      this.busy = false;
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

async function errorText(response) {
  try {
    const body = await response.json();
    return typeof body.error === "string" ? body.error : "";
  } catch {
    return "";
  }
}

// ---- the datasets' icons: the shapes of kiosk/playground/datasets.py, a few points each ----

/**
 * For `name`: a function of noise (0…1) giving ICON_POINTS points {x, y, label}. The random draws
 * are made once, so moving the slider spreads the same points out rather than shuffling them.
 */
function datasetShape(name) {
  const random = seeded(DATASETS.indexOf(name) + 1);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const uniform = (low, high) => low + (high - low) * random();
  const base = [];
  for (let i = 0; i < ICON_POINTS; i++) {
    const label = i % 2;
    base.push({ label, at: SHAPES[name].place(label, uniform), jitter: [gauss(), gauss()] });
  }
  return (noise) => {
    const sigma = SHAPES[name].sigma(noise);
    return base.map(({ label, at: [x, y], jitter: [jx, jy] }) => ({
      label,
      x: clamp(x + sigma * jx, -EXTENT, EXTENT),
      y: clamp(y + sigma * jy, -EXTENT, EXTENT),
    }));
  };
}

const SHAPES = {
  spiral: {
    place(label, uniform) {
      const along = uniform(0, 1);
      const turn = 1.75 * 2 * Math.PI * along + label * Math.PI;
      return [5 * along * Math.sin(turn), 5 * along * Math.cos(turn)];
    },
    sigma: (noise) => 1.0 * noise,
  },
  circles: {
    place(label, uniform) {
      const r = label === 0 ? Math.sqrt(uniform(0, 2.5 ** 2)) : Math.sqrt(uniform(3.5 ** 2, 5 ** 2));
      const angle = uniform(0, 2 * Math.PI);
      return [r * Math.cos(angle), r * Math.sin(angle)];
    },
    sigma: (noise) => 1.2 * noise,
  },
  moons: {
    place(label, uniform) {
      const turn = uniform(0, Math.PI);
      const [x, y] = label === 0 ? [Math.cos(turn), Math.sin(turn)] : [1 - Math.cos(turn), 0.5 - Math.sin(turn)];
      return [(x - 0.5) * 3.2, (y - 0.25) * 3.2];
    },
    sigma: (noise) => 1.2 * noise,
  },
  xor: {
    place(label, uniform) {
      const sx = uniform(0, 1) < 0.5 ? -1 : 1;
      const sy = label === 1 ? sx : -sx;
      return [sx * uniform(0.3, 5), sy * uniform(0.3, 5)];
    },
    sigma: (noise) => 2.5 * noise,
  },
  gaussians: {
    place: (label) => (label === 1 ? [2, 2] : [-2, -2]),
    sigma: (noise) => 0.5 + 2.5 * noise,
  },
  linear: {
    place(label, uniform) {
      const side = label === 1 ? 1 : -1;
      for (;;) {
        const x = uniform(-5, 5);
        const y = uniform(-5, 5);
        if ((side * (x + 2 * y)) / Math.sqrt(5) > 0.5) return [x, y];
      }
    },
    sigma: (noise) => 1.5 * noise,
  },
};

/** A small seeded generator (mulberry32): the icons look the same on every visit. */
function seeded(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

function clamp(value, low, high) {
  return Math.min(high, Math.max(low, value));
}
