// The screen's "playground" scene: a small network learning a 2-D toy dataset, live from the
// server's training stream (/api/train_stream). main.js hands every event to show(kind, data) and
// calls frame(now) every animation frame while the scene is visible.
//
// - Left, large: the decision boundary with the points on top (heatmap.js).
// - Right: test accuracy and practice rounds large, and what a round is in one plain sentence;
//   the network with its neuron maps and weights (diagram.js); loss and accuracy curves
//   (linechart.js, history.js).
//
// Signage for passers-by: no jargon (activation, optimiser and learning rate are the presenter
// console's), whole numbers. A "practice round" is one training step: the network looks at a batch
// of points and adjusts itself a little. With the default full batch that is every point, so rounds
// and passes over the data are the same number: one figure, and the sentence says so.
//
// The newest event of each kind is the state. Every event names its run; a `config` with another
// run id starts a new run (history, points, maps and figures start over); other events from a newer
// run start it too (they may overtake its config), events from an older run are ignored.
// All drawing is Canvas 2D into canvases made once; text nodes change only when their text does.

import { BACKGROUND, MUTED, TEXT } from "./colours.js";
import { NetworkDiagram } from "./diagram.js";
import { BoundaryPlane } from "./heatmap.js";
import { History } from "./history.js";
import { LineChart } from "./linechart.js";

const STATES = {
  idle: "playgroundIdle",
  running: "playgroundRunning",
  paused: "playgroundPaused",
  done: "playgroundDone",
};
const CHART_INTERVAL_MS = 66;

export class PlaygroundView {
  /** t: the page's translation; datasetKey(name): the key of a dataset's name (/common/facts.js). */
  constructor(container, t, datasetKey = () => null) {
    this.t = t;
    this.datasetKey = datasetKey;
    this.visible = false;
    this.run = null;
    this.config = null;
    this.waitingNeurons = null;
    this.waitingWeights = null;
    this.state = null;
    this.history = new History();
    this.texts = new Map(); // element → text shown
    this.translated = []; // [element, i18n key] of the fixed texts
    this.languageProbe = null; // the language, and what t() said for the title, when we last looked
    this.languageCheckedAt = -Infinity;
    this.trainCount = null; // points it learns from, from the run's points
    this.numberFormats = new Map();
    this.resizePending = true;
    this.chartsDrawnAt = -Infinity;
    this.build(container);

    this.plane = new BoundaryPlane(this.planeBox);
    this.diagram = new NetworkDiagram(this.networkBox, t);
    this.diagram.setArchitecture(["x", "y"], [], null); // something sensible until the first config
    const formatX = (v) => this.formatNumber(v, 0);
    this.lossChart = new LineChart(this.lossCanvas, {
      series: [
        { name: "train_loss", colour: MUTED, width: 0.32, dash: 0.9 },
        { name: "test_loss", colour: TEXT, width: 0.42, dash: null },
      ],
      y: { min: 0, max: null },
      formatY: (v) => (v === 0 ? this.formatNumber(0, 0) : ""), // its scale means nothing to a visitor; 0 is the goal
      formatX,
      xLabel: t("playgroundStepsAxis"),
    });
    this.accuracyChart = new LineChart(this.accuracyCanvas, {
      series: [
        { name: "train_accuracy", colour: MUTED, width: 0.32, dash: 0.9 },
        { name: "test_accuracy", colour: TEXT, width: 0.42, dash: null },
      ],
      y: { min: 0, max: 1 },
      formatY: (v) => `${this.formatNumber(v * 100, 0)} %`,
      formatX,
      xLabel: t("playgroundStepsAxis"),
    });

    this.resizeObserver = new ResizeObserver(() => (this.resizePending = true));
    // Each box, not only the whole: a text that wraps differently resizes a box inside a fixed root.
    for (const box of [this.root, this.planeBox, this.networkBox, this.lossCanvas, this.accuracyCanvas]) {
      this.resizeObserver.observe(box);
    }
    // Canvas text is drawn with the page's font: lay out again once it has loaded.
    this.onFonts = () => (this.resizePending = true);
    document.fonts?.addEventListener?.("loadingdone", this.onFonts);
    this.resetFigures();
    this.languageProbe = `${document.documentElement.lang}|${t("playgroundTitle")}`; // the texts just made
  }

  // ---- DOM, made once -------------------------------------------------------------------------

  build(container) {
    const root = el("div", "playground", container);
    root.hidden = true;
    root.setAttribute("aria-hidden", "true");
    this.root = root;

    const left = el("div", "pg-left", root);
    const head = el("header", "pg-head", left);
    this.title = this.text("h1", "pg-title", head, "playgroundTitle");
    const sub = el("p", "pg-sub", head);
    this.datasetText = el("span", "pg-dataset", sub);
    this.stateBox = el("span", "pg-state", sub);
    el("span", "pg-state-icon", this.stateBox);
    this.stateText = el("span", "pg-state-text", this.stateBox);
    this.planeBox = el("div", "pg-plane", left);
    const legend = el("ul", "pg-legend", left);
    for (const [marker, key] of [
      ["train", "playgroundLegendTrain"],
      ["test", "playgroundLegendTest"],
      ["line", "playgroundLegendLine"],
    ]) {
      const item = el("li", "", legend);
      el("span", `pg-key pg-key-${marker}`, item);
      this.text("span", "", item, key);
    }

    const right = el("div", "pg-right", root);
    const figures = el("div", "pg-figures", right);
    const figure = (name, key) => {
      const box = el("p", `pg-figure pg-figure-${name}`, figures);
      const value = el("span", "pg-value", box, "–");
      this.text("span", "pg-caption", box, key);
      return value;
    };
    this.accuracyValue = figure("accuracy", "playgroundAccuracy");
    const rounds = el("p", "pg-figure pg-figure-rounds", figures);
    this.roundValue = el("span", "pg-value", rounds, "–");
    this.roundCaption = el("span", "pg-caption", rounds); // "practice round(s)": a plural, set with the figure
    this.roundText = el("p", "pg-round", right); // what one round is

    const network = el("div", "pg-network", right);
    this.networkBox = el("div", "pg-network-picture", network);

    const charts = el("div", "pg-charts", right);
    const keys = el("p", "pg-chart-keys", charts);
    for (const [line, key] of [
      ["test", "playgroundTestLine"],
      ["train", "playgroundTrainLine"],
    ]) {
      const item = el("span", "pg-chart-key", keys);
      el("span", `pg-line pg-line-${line}`, item);
      this.text("span", "", item, key);
    }
    const chart = (titleKey) => {
      const box = el("figure", "pg-chart", charts);
      this.text("figcaption", "pg-chart-title", box, titleKey);
      return el("canvas", "pg-canvas", el("div", "pg-chart-area", box));
    };
    this.lossCanvas = chart("playgroundLoss");
    this.accuracyCanvas = chart("playgroundAccuracyChart");
  }

  // A fixed text in the page's language. It carries data-i18n too, so i18n.js's loadLanguage()
  // translates it along with the rest of the page.
  text(tag, className, parent, key) {
    const element = el(tag, className, parent, this.t(key));
    element.dataset.i18n = key;
    this.translated.push([element, key]);
    return element;
  }

  // The page may load its language after this view was made (main.js loads it on the first
  // `network` event), or switch it: every half second we ask t() for our title, and if the answer
  // changed, every text is made again, on the canvases too.
  checkLanguage(now) {
    if (now - this.languageCheckedAt < 500 && now >= this.languageCheckedAt) return;
    this.languageCheckedAt = now;
    const probe = `${document.documentElement.lang}|${this.t("playgroundTitle")}`;
    if (probe === this.languageProbe) return;
    this.languageProbe = probe;
    for (const [element, key] of this.translated) this.setText(element, this.t(key));
    this.lossChart.setXLabel(this.t("playgroundStepsAxis"));
    this.accuracyChart.setXLabel(this.t("playgroundStepsAxis"));
    this.diagram.translate();
    if (this.config) this.applyConfig(this.config);
    if (this.state) this.setText(this.stateText, this.t(STATES[this.state]));
    this.renderFigures();
    this.renderRound();
  }

  // ---- the API main.js uses -------------------------------------------------------------------

  setVisible(visible) {
    visible = Boolean(visible);
    if (visible === this.visible) return;
    this.visible = visible;
    this.root.hidden = !visible;
    if (visible) this.resizePending = true; // sizes may have changed while hidden
  }

  show(kind, data) {
    if (!data || typeof data !== "object") return;
    const now = performance.now();
    if (kind === "config") {
      if ((data.run ?? null) !== this.run) this.startRun(data.run, now);
      this.applyConfig(data);
      return;
    }
    if (!this.sameRun(data.run, now)) return;
    switch (kind) {
      case "status":
        this.applyStatus(data);
        break;
      case "points":
        this.plane.setPoints(data.train, data.test);
        this.trainCount = Array.isArray(data.train) ? Math.floor(data.train.length / 3) : null;
        this.renderRound();
        break;
      case "metrics":
        if (this.history.add(data)) this.showFigures(data);
        break;
      case "history":
        this.history.replace(data);
        if (!this.history.empty) this.showFigures(this.history.latest);
        break;
      case "boundary":
        this.plane.setBoundary(data, now);
        break;
      // Maps and weights that do not fit the network drawn may have overtaken their run's config:
      // the newest of each is kept and tried again when the config comes.
      case "neurons":
        this.waitingNeurons = this.diagram.setNeurons(data, now) ? null : data;
        break;
      case "weights":
        this.waitingWeights = this.diagram.setWeights(data.layers) ? null : data;
        break;
      default:
        break; // a kind from a newer server: not ours to draw
    }
  }

  frame(now) {
    if (!this.visible) return;
    this.checkLanguage(now);
    if (this.resizePending) this.resize();
    this.plane.frame(now);
    this.diagram.frame(now, this.plane);
    // The curves grow a little with each metrics event; 15 redraws a second look the same as 30.
    if (now - this.chartsDrawnAt >= CHART_INTERVAL_MS || now < this.chartsDrawnAt) {
      this.chartsDrawnAt = now;
      this.lossChart.draw(this.history, BACKGROUND);
      this.accuracyChart.draw(this.history, BACKGROUND);
    }
  }

  dispose() {
    this.resizeObserver.disconnect();
    document.fonts?.removeEventListener?.("loadingdone", this.onFonts);
    this.root.remove();
    this.texts.clear();
  }

  // ---- runs and events ------------------------------------------------------------------------

  // Whether an event belongs to the run on screen; an event from a newer run starts that run.
  sameRun(run, now) {
    if (run === undefined || run === null || run === this.run) return true;
    if (this.run === null || (typeof run === "number" && typeof this.run === "number" && run > this.run)) {
      this.startRun(run, now);
      return true;
    }
    return false;
  }

  startRun(run, now) {
    this.run = run ?? null;
    this.waitingNeurons = this.waitingWeights = null;
    this.history.clear();
    this.plane.clear(now);
    this.diagram.clear(now);
    this.state = null;
    this.trainCount = null;
    this.resetFigures();
  }

  applyConfig(config) {
    this.config = config;
    const spec = config.spec ?? {};
    const extent = Array.isArray(config.extent) && config.extent.length === 4 ? config.extent.map(Number) : null;
    if (extent) this.plane.setExtent(extent);
    const features = Array.isArray(spec.features) && spec.features.length ? spec.features : ["x", "y"];
    const hidden = Array.isArray(spec.hidden) ? spec.hidden.filter((n) => Number.isFinite(n) && n > 0) : [];
    this.diagram.setArchitecture(features, hidden, extent ?? this.plane.extent);
    const now = performance.now();
    if (this.waitingNeurons && this.diagram.setNeurons(this.waitingNeurons, now)) this.waitingNeurons = null;
    if (this.waitingWeights && this.diagram.setWeights(this.waitingWeights.layers)) this.waitingWeights = null;

    const datasetKey = this.datasetKey(String(spec.dataset));
    const dataset = datasetKey ? this.t(datasetKey) : String(spec.dataset ?? "");
    const noise = Number(spec.noise);
    const text = Number.isFinite(noise)
      ? this.t("playgroundSubtitle", { dataset, noise: this.formatNumber(noise * 100, 0) })
      : dataset;
    this.setText(this.datasetText, text);
    this.renderRound();
  }

  applyStatus(status) {
    const state = STATES[status.state] ? status.state : "idle";
    if (state !== this.state) {
      this.state = state;
      this.stateBox.dataset.state = state;
      this.setText(this.stateText, this.t(STATES[state]));
    }
    // Steps and epochs come with metrics too; a status shows them when no metrics come (paused, done).
    if (Number.isFinite(status.step) && status.step >= (this.history.latest.step ?? -1)) this.showFigures(status);
  }

  // Step and test accuracy from a metrics, history or status event; each only if present.
  showFigures(point) {
    const figures = this.figures;
    if (Number.isFinite(point.step)) figures.step = point.step;
    const accuracy = point.test_accuracy;
    if (accuracy !== undefined && accuracy !== null && Number.isFinite(Number(accuracy)))
      figures.accuracy = Number(accuracy);
    this.renderFigures();
  }

  renderFigures() {
    const { step, accuracy } = this.figures;
    this.setText(this.roundValue, this.formatNumber(step, 0));
    this.setText(this.roundCaption, this.t("playgroundRounds", { count: step }));
    this.setText(this.accuracyValue, accuracy === null ? "–" : `${this.formatNumber(Math.round(accuracy * 100), 0)} %`);
  }

  // One round looks at every point (full batch, the default) or at a batch of them.
  renderRound() {
    const count = this.trainCount;
    const batch = Number(this.config?.spec?.batch_size);
    let text = "";
    if (count > 0 && Number.isFinite(batch) && batch >= count) text = this.t("playgroundRoundAll", { count });
    else if (count > 0 && batch > 0) text = this.t("playgroundRoundSome", { batch, count });
    this.setText(this.roundText, text);
  }

  resetFigures() {
    this.figures = { step: 0, accuracy: null };
    this.renderFigures();
    this.stateBox.dataset.state = "none";
    this.setText(this.stateText, "");
  }

  // ---- helpers --------------------------------------------------------------------------------

  resize() {
    this.resizePending = false;
    this.chartsDrawnAt = -Infinity;
    const dpr = Math.min(2, window.devicePixelRatio || 1);
    const unit = (window.innerHeight / 100) * dpr; // 1vh in canvas pixels, as the CSS type scales
    const size = (element) => [
      Math.max(1, Math.round(element.clientWidth * dpr)),
      Math.max(1, Math.round(element.clientHeight * dpr)),
    ];
    this.plane.resize(...size(this.planeBox), unit, dpr);
    this.diagram.resize(...size(this.networkBox), unit);
    this.lossChart.resize(...size(this.lossCanvas), unit);
    this.accuracyChart.resize(...size(this.accuracyCanvas), unit);
  }

  setText(element, text) {
    if (this.texts.get(element) === text) return;
    this.texts.set(element, text);
    element.textContent = text;
  }

  // Numbers in the page's language (1,200 or 1.200); `digits` null: as many as the value has.
  formatNumber(value, digits) {
    const lang = document.documentElement.lang || "en";
    const key = `${lang}|${digits}`;
    let format = this.numberFormats.get(key);
    if (!format) {
      const options =
        digits === null
          ? { maximumSignificantDigits: 3 }
          : { minimumFractionDigits: digits, maximumFractionDigits: digits };
      format = new Intl.NumberFormat(lang, options);
      this.numberFormats.set(key, format);
    }
    return format.format(value);
  }
}

function el(tag, className, parent, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  parent?.append(element);
  return element;
}
