// The playground: pick a dataset and a small network, then start, pause, step or reset its training
// (POST /api/train). While this section is open it follows the playground's own stream
// (/api/train_stream: the run's spec, state and test accuracy); closed, it does not pay for the
// stream's frames, which are meant for the big screen. The datasets and the limits of a run come
// from the server (/common/facts.js).

import { EventStream } from "/common/events.js";
import { facts } from "/common/facts.js";
import { command } from "./commands.js";
import { formatNumber, t } from "./i18n.js";
import { value, watch } from "./store.js";
import { make, setText, stepper } from "./widgets.js";

const RATES = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1];
const ACTIVATION_LABELS = { relu: "ReLU" }; // how each is written; the list itself is the server's
const STEPS_PER_TAP = 10;
const STREAM = "/api/train_stream";

export class PlaygroundControls {
  constructor(section) {
    const $ = (id) => section.querySelector(`#${id}`);
    this.section = section;
    this.summary = $("pg-summary");
    this.dataset = $("pg-dataset");
    this.noise = $("pg-noise");
    this.noiseValue = $("pg-noise-value");
    this.activation = $("pg-activation");
    this.rate = $("pg-rate");
    this.startButton = $("pg-start");
    this.pauseButton = $("pg-pause");
    this.stepButton = $("pg-step");
    this.resetButton = $("pg-reset");
    this.stateLine = $("pg-state");
    this.run = { state: "idle", step: 0, run: null, accuracy: null };
    this.shownRun = undefined; // the run whose spec the form shows
    this.dirty = false; // the presenter changed the form since
    this.source = null;

    for (const { name, text } of facts.playground.datasets) this.dataset.append(option(name, t(text)));
    for (const name of facts.playground.activations)
      this.activation.append(option(name, ACTIVATION_LABELS[name] ?? name));
    for (const rate of RATES) this.rate.append(option(String(rate), formatNumber(rate)));
    this.dataset.value = "spiral";
    this.activation.value = "tanh";
    this.rate.value = "0.03";
    $("pg-layers").max = String(facts.playground.max_layers);
    $("pg-neurons").max = String(facts.playground.max_neurons);
    this.layers = stepper($("pg-layers"), () => this.changed());
    this.neurons = stepper($("pg-neurons"), () => this.changed());
    for (const input of [this.dataset, this.activation, this.rate])
      input.addEventListener("change", () => this.changed());
    this.noise.addEventListener("input", () => {
      this.showNoise();
      this.changed();
    });
    this.showNoise();
    setText(this.stepButton, `+${STEPS_PER_TAP}`);
    this.stepButton.setAttribute("aria-label", `${t("step")} ×${STEPS_PER_TAP}`);

    this.startButton.addEventListener("click", () =>
      this.send({ action: "start", config: this.spec() }, this.startButton),
    );
    this.pauseButton.addEventListener("click", () =>
      this.send({ action: this.run.state === "paused" ? "resume" : "pause" }, this.pauseButton),
    );
    this.stepButton.addEventListener("click", () =>
      this.send({ action: "step", steps: STEPS_PER_TAP }, this.stepButton),
    );
    this.resetButton.addEventListener("click", () => this.send({ action: "reset" }, this.resetButton));

    section.addEventListener("toggle", () => this.follow());
    document.addEventListener("visibilitychange", () => this.follow());
    watch("session", () => this.follow());
    this.showRun();
  }

  /** What the form asks for, in the playground's spec (docs/playground.md). */
  spec() {
    const layers = this.layers.value;
    return {
      dataset: this.dataset.value,
      noise: Number(this.noise.value) / 100,
      hidden: Array.from({ length: layers }, () => this.neurons.value),
      activation: this.activation.value,
      learning_rate: Number(this.rate.value),
    };
  }

  changed() {
    this.dirty = true;
  }

  showNoise() {
    setText(this.noiseValue, `${this.noise.value} %`);
  }

  async send(body, button) {
    const answer = await command("/api/train", body, { control: button });
    if (!answer) return;
    if (body.action === "start") this.dirty = false;
    if (answer.state) this.run = { ...this.run, state: answer.state, run: answer.run ?? this.run.run };
    this.showRun();
  }

  /** Open the stream while the section is open and the page visible; close it otherwise. */
  follow() {
    const wanted = this.section.open && document.visibilityState === "visible" && Boolean(value("session"));
    if (wanted && !this.source) {
      this.source = new EventStream(STREAM, ["config", "status", "metrics"], {
        onEvent: (kind, data) => this.onStream(kind, data),
      });
    } else if (!wanted && this.source) {
      this.source.close();
      this.source = null;
    }
  }

  onStream(kind, data) {
    if (data.run !== undefined && data.run !== this.run.run) this.run = { ...this.run, run: data.run, accuracy: null };
    if (kind === "config" && data.spec) this.showSpec(data.spec, data.run);
    else if (kind === "status")
      this.run = { ...this.run, state: data.state ?? this.run.state, step: data.step ?? this.run.step };
    else if (kind === "metrics") {
      this.run = { ...this.run, step: data.step ?? this.run.step, accuracy: data.test_accuracy ?? this.run.accuracy };
    }
    this.showRun();
  }

  /** The running spec fills the form, unless the presenter is preparing another. */
  showSpec(spec, run) {
    if (this.dirty || run === this.shownRun) return;
    this.shownRun = run;
    if (spec.dataset) this.dataset.value = spec.dataset;
    if (typeof spec.noise === "number") this.noise.value = String(Math.round(spec.noise * 20) * 5);
    if (Array.isArray(spec.hidden)) {
      this.layers.set(spec.hidden.length);
      if (spec.hidden.length) this.neurons.set(Math.max(...spec.hidden));
    }
    if (spec.activation) this.activation.value = spec.activation;
    if (typeof spec.learning_rate === "number") {
      const nearest = RATES.reduce((best, r) =>
        Math.abs(Math.log(r / spec.learning_rate)) < Math.abs(Math.log(best / spec.learning_rate)) ? r : best,
      );
      this.rate.value = String(nearest);
    }
    this.showNoise();
  }

  showRun() {
    const { state, step, accuracy } = this.run;
    const params = { step: formatNumber(step ?? 0) };
    const key =
      { idle: "pgIdle", starting: "pgStarting", running: "pgRunning", paused: "pgPaused", done: "pgDone" }[state] ??
      "pgIdle";
    let text = t(key, params);
    if (typeof accuracy === "number" && state !== "idle") {
      text += ` · ${t("pgAccuracy", { percent: formatNumber(accuracy * 100, { maximumFractionDigits: 0 }) })}`;
    }
    setText(this.stateLine, text);
    setText(this.summary, text);
    this.section.dataset.run = state;
    setText(this.pauseButton, t(state === "paused" ? "resume" : "pause"));
  }
}

function option(value, text) {
  const element = make("option", "", text);
  element.value = value;
  return element;
}
