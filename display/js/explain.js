// "How does it work?": the explain scene's five steps, each a callout beside the part of the
// network it talks about, with a pointer line to that part.
//
// The server paces the tour and sends one `explain` event per step, with every number already
// computed from the real weights (kiosk/display/explanation.py): this module only lays them out.
// Each step names its part as world points (pixels, a neuron, a layer, the outputs); every frame
// `place` projects them, puts the callout beside their box on screen, on the side with more room,
// and draws the pointer to the exact spot. Where the stage can frame points (`focusOn`), the camera
// is asked to frame the part; otherwise the whole network stays in view and the callout follows.
//
// Step 3 ("layer by layer") lets the pulse travel slowly: the activation is shown up to one more
// layer every third of the step, and the callout moves along with it.

import { BufferGeometry, Float32BufferAttribute, Group, LineBasicMaterial, LineSegments } from "three";
import { formatNumber, t } from "./i18n.js";
import { ANSWER } from "./network/palette.js";

const SIDE = 28; // the input image is SIDE × SIDE pixels
const GAP_PX = () => window.innerHeight * 0.04; // between the part and its callout
const MARGIN_PX = () => window.innerHeight * 0.03;
const FOCUS_SHARE = 0.8; // of the screen taken by the framed part and the room beside it for the callout
const ROOM = 1.25; // that room, as a share of the part's width (world units)
// The outputs, a tall column, at 0.8 would reach up under the heading (the nearer layers higher
// still, in perspective) and push their caption and bars off the screen.
const OUTPUTS_SHARE = 0.6;

const $ = (tag, className, text) => {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
};

export class ExplainTour {
  // stage: the 3D stage; view(): the network view (or null); state: the newest event of each kind.
  constructor(stage, view, state) {
    this.stage = stage;
    this.view = view;
    this.state = state;
    this.event = null;
    this.part = []; // world points of the part the step is about
    this.pointAt = null; // the world point the pointer touches
    this.layerTimer = 0;
    this.build();
    this.marks = new Group(); // outlines and lines drawn into the 3D scene
    this.marks.renderOrder = 10;
    stage.scene.add(this.marks);
  }

  build() {
    this.root = $("section", "explain");
    this.root.id = "explain";
    const head = $("header", "explain-head");
    this.head = head;
    this.title = $("p", "explain-title");
    this.progress = $("ol", "explain-progress");
    head.append(this.title, this.progress);
    this.callout = $("div", "explain-callout");
    this.callout.id = "explain-callout";
    this.pointer = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    this.pointer.classList.add("explain-pointer");
    this.pointer.innerHTML = '<line class="explain-line"/><circle class="explain-dot" r="9"/>';
    this.root.append(this.pointer, head, this.callout);
    document.body.append(this.root);
  }

  // The scene changed: leaving the explain scene puts the camera and the selection back.
  showScene(scene) {
    if (scene === "explain") return;
    this.event = null;
    this.clearMarks();
    clearTimeout(this.layerTimer);
    if (typeof this.stage.focusOn === "function") this.stage.focusOn(null);
    this.view()?.select(this.state.neuron?.index ?? null);
  }

  // An `explain` event: the step on now, with all the tour's numbers.
  show(event, arrived = performance.now()) {
    if (!event.active) return this.showScene("none");
    const view = this.view();
    if (!view) return;
    // The same event again (the texts in a new language): its time runs from when it first came.
    if (event === this.event) arrived = this.arrived;
    this.event = event;
    this.arrived = arrived;
    this.title.textContent = t("explainTitle");
    this.progress.replaceChildren(
      ...Array.from({ length: event.total }, (_, i) => {
        const item = $("li", i === event.step ? "current" : i < event.step ? "done" : "");
        item.textContent = String(i + 1);
        return item;
      }),
    );
    this.progress.setAttribute("aria-label", t("explainStepOf", { step: event.step + 1, total: event.total }));
    this.clearMarks();
    clearTimeout(this.layerTimer);
    view.select(null);
    const step = STEPS[event.name];
    step.call(this, event, view, arrived);
    this.callout.dataset.step = event.name;
  }

  // Every frame: the callout beside its part, the pointer on the spot.
  place(project) {
    if (!this.event || this.part.length === 0) return;
    const box = screenBox(this.part.map(project));
    const width = window.innerWidth;
    const height = window.innerHeight;
    const rect = this.callout.getBoundingClientRect();
    const gap = GAP_PX();
    const margin = MARGIN_PX();
    const right = this.side === "right";
    let x = right ? box.right + gap : box.left - gap - rect.width;
    x = Math.min(Math.max(margin, x), width - rect.width - margin);
    const centre = (box.top + box.bottom) / 2;
    const top = Math.min(Math.max(height * 0.16, centre - rect.height / 2), height - rect.height - margin);
    this.callout.style.transform = `translate(${x.toFixed(1)}px, ${top.toFixed(1)}px)`;
    this.callout.dataset.side = right ? "right" : "left";
    const spot = project(this.pointAt ?? this.part[0]);
    const from = { x: right ? x : x + rect.width, y: Math.min(Math.max(spot.y, top + 20), top + rect.height - 20) };
    const line = this.pointer.querySelector("line");
    line.setAttribute("x1", from.x.toFixed(1));
    line.setAttribute("y1", from.y.toFixed(1));
    line.setAttribute("x2", spot.x.toFixed(1));
    line.setAttribute("y2", spot.y.toFixed(1));
    const dot = this.pointer.querySelector("circle");
    dot.setAttribute("cx", spot.x.toFixed(1));
    dot.setAttribute("cy", spot.y.toFixed(1));
    this.placed = { box, spot, callout: { x, y: top, width: rect.width, height: rect.height } };
  }

  // The boxes on screen that the layer captions must keep clear of: the callout and the heading.
  panels() {
    return [this.callout, this.head].map((element) => element.getBoundingClientRect());
  }

  // The callout goes on `side` of the part (`points`), and the camera, where the stage can, frames
  // the part together with empty room on that side for the callout.
  frame(points, side, share = FOCUS_SHARE) {
    this.part = points;
    this.side = side;
    if (typeof this.stage.focusOn !== "function") return;
    const xs = points.map((p) => p.x);
    const ys = points.map((p) => p.y);
    const [left, right] = [Math.min(...xs), Math.max(...xs)];
    const [bottom, top] = [Math.min(...ys), Math.max(...ys)];
    const width = Math.max(right - left, (top - bottom) * 0.8) * ROOM;
    const z = points.reduce((sum, p) => sum + p.z, 0) / points.length;
    const x = side === "right" ? right + width : left - width;
    this.stage.focusOn([...points, { x, y: top, z }, { x, y: bottom, z }], share);
  }

  write(title, ...parts) {
    this.callout.replaceChildren($("p", "explain-step-title", title), ...parts);
  }

  // Lines and outlines over the 3D scene (never hidden behind it).
  mark(points, colour = ANSWER) {
    const geometry = new BufferGeometry();
    geometry.setAttribute(
      "position",
      new Float32BufferAttribute(
        points.flatMap((p) => [p.x, p.y, p.z]),
        3,
      ),
    );
    const material = new LineBasicMaterial({ color: colour, depthTest: false, transparent: true });
    const lines = new LineSegments(geometry, material);
    lines.renderOrder = 10;
    this.marks.add(lines);
  }

  clearMarks() {
    for (const lines of [...this.marks.children]) {
      lines.geometry.dispose();
      lines.material.dispose();
      this.marks.remove(lines);
    }
  }
}

// What each step shows; `this` is the tour.
const STEPS = {
  pixels(event, view) {
    const input = view.layout[0].positions;
    const { row, col, size, values } = event.pixels;
    const grid = $("div", "explain-cells");
    grid.style.gridTemplateColumns = `repeat(${size}, 1fr)`;
    for (const line of values) {
      for (const value of line) {
        const cell = $("span", "explain-cell", number(value, 2));
        cell.style.setProperty("--ink", String(value));
        cell.classList.toggle("ink", value >= 0.5);
        grid.append(cell);
      }
    }
    this.write(t("explainPixelsTitle", { source: event.source }), $("p", "explain-text", t("explainPixelsText")), grid);
    const corners = windowCorners(input, row, col, size);
    this.mark(outline(corners));
    this.pointAt = centre(corners);
    this.frame(layerCorners(input), "right");
  },

  neuron(event, view) {
    const neuron = event.neuron;
    const position = view.layout[1].positions[neuron.index];
    view.select(neuron.index);
    const sum = $("div", "explain-sum");
    neuron.terms.forEach((term, i) => {
      const line = `${i === 0 ? "" : "+ "}${number(term.value, 2)} × ${number(term.weight, 2)}`;
      sum.append($("span", "explain-term", line));
    });
    sum.append(
      $("span", "explain-term explain-more", `${t("explainMore", { count: neuron.more })}: ${number(neuron.rest, 2)}`),
    );
    sum.append($("span", "explain-term", `+ ${t("explainBias")}: ${number(neuron.bias, 2)}`));
    sum.append($("span", "explain-term explain-total", `= ${number(neuron.total, 2)}`));
    const lit = neuron.output > 0;
    const verdict = $("p", `explain-text ${lit ? "explain-lit" : "explain-dark"}`);
    verdict.textContent = lit ? t("explainLit", { output: number(neuron.output, 2) }) : t("explainStaysDark");
    const dark = $("p", "explain-text explain-quiet", t("explainDark", { dark: neuron.dark, count: neuron.count }));
    this.write(t("explainNeuronTitle"), $("p", "explain-text", t("explainNeuronText")), sum, verdict, dark);
    const input = view.layout[0].positions;
    const lines = [];
    for (const term of neuron.terms) {
      const pixel = input[term.pixel];
      lines.push(pixel, position);
      lines.push(...outline(windowCorners(input, Math.floor(term.pixel / SIDE), term.pixel % SIDE, 1)));
    }
    this.mark(lines);
    this.pointAt = position;
    this.frame([...layerCorners(input), ...layerCorners(view.layout[1].positions)], "right");
  },

  layers(event, view, arrived) {
    const frame = this.state.activation;
    const last = view.layout.length - 1;
    const stages = [1, ...event.layers.slice(1).map((_, i) => i + 2), last];
    // A screen that joins late starts at the layer that is on now.
    const elapsed = Math.max(0, event.seconds - event.ends_in) * 1000 + (performance.now() - arrived);
    const each = (event.seconds * 1000) / stages.length;
    const reach = (k) => {
      const layer = stages[k];
      if (frame?.layers) view.setActivation(upTo(frame, layer, last), performance.now());
      const positions = view.layout[layer].positions;
      const caption =
        layer === last
          ? t("explainLayerOutputs", { count: positions.length })
          : t("explainLayerLit", { lit: event.layers[layer - 1].lit, count: event.layers[layer - 1].count });
      this.write(
        t("explainLayersTitle"),
        $("p", "explain-text", t("explainLayersText")),
        $("p", "explain-text explain-figure", caption),
      );
      const before = view.layout[layer - 1].positions;
      this.frame([...layerCorners(before), ...layerCorners(positions)], layer === last ? "left" : "right");
      this.pointAt = centre(layerCorners(positions));
      if (k + 1 < stages.length) this.layerTimer = setTimeout(() => reach(k + 1), (k + 1) * each - elapsed);
    };
    const start = Math.min(stages.length - 1, Math.floor(elapsed / each));
    reach(start);
  },

  answer(event, view) {
    restore(this.state.activation, view);
    const { digit, probability, runner_up: second, runner_up_probability: secondProbability } = event.answer;
    const big = $("p", "explain-answer");
    big.append(
      $("span", "explain-digit", String(digit)),
      $("span", "", t("explainSure", { percent: percent(probability) })),
    );
    this.write(
      t("explainAnswerTitle"),
      $("p", "explain-text", t("explainAnswerText")),
      big,
      $(
        "p",
        "explain-text explain-quiet",
        t("explainRunnerUp", { digit: second, percent: percent(secondProbability) }),
      ),
    );
    const outputs = view.layout[view.layout.length - 1].positions;
    this.pointAt = outputs[digit];
    this.frame(layerCorners(outputs), "left", OUTPUTS_SHARE);
  },

  learned(event, view) {
    restore(this.state.activation, view);
    const { before, after, images, rounds } = event.learned;
    const truth = event.label ?? after.digit; // a visitor's digit: the trained network's answer
    const said = (key, guess) => {
      const line = $("p", "explain-text explain-guess", t(key, { digit: guess.digit }));
      const right = guess.digit === truth;
      line.append(
        " ",
        $("span", `explain-verdict ${right ? "right" : "wrong"}`, t(right ? "explainRight" : "explainWrong")),
      );
      return line;
    };
    const parts = [$("p", "explain-text", t("explainRandom")), said("explainBefore", before)];
    if (event.phase > 0) {
      parts.push(
        $("p", "explain-text", t("explainTraining", { images: event.learned.training_set, rounds, total: images })),
      );
      parts.push(said("explainAfter", after));
    }
    this.write(t("explainLearnedTitle"), ...parts);
    const outputs = view.layout[view.layout.length - 1].positions;
    this.pointAt = outputs[event.phase > 0 ? after.digit : before.digit];
    this.frame(layerCorners(outputs), "left", OUTPUTS_SHARE);
  },
};

// The activation frame shown only up to layer `upto` (the pulse has not gone further yet).
function upTo(frame, upto, last) {
  const layers = frame.layers.map((values, k) => (k <= upto ? values : values.map(() => 0)));
  const probabilities = upto >= last ? frame.probabilities : frame.probabilities.map(() => 0);
  return { ...frame, layers, probabilities, digit: upto >= last ? frame.digit : -1 };
}

function restore(frame, view) {
  if (frame) view.setActivation(frame, performance.now());
}

// The four corners of a size × size window of the input grid whose top left pixel is (row, col),
// half a pixel out, so the outline goes round the pixels.
function windowCorners(input, row, col, size) {
  const at = (r, c) => input[r * SIDE + c];
  const a = at(row, col);
  const right = at(row, Math.min(SIDE - 1, col + 1));
  const down = at(Math.min(SIDE - 1, row + 1), col);
  const u = { x: right.x - a.x, y: right.y - a.y, z: right.z - a.z }; // one pixel to the right
  const v = { x: down.x - a.x, y: down.y - a.y, z: down.z - a.z }; // one pixel down
  const point = (i, j) => ({ x: a.x + i * u.x + j * v.x, y: a.y + i * u.y + j * v.y, z: a.z + i * u.z + j * v.z });
  return [point(-0.5, -0.5), point(size - 0.5, -0.5), point(size - 0.5, size - 0.5), point(-0.5, size - 0.5)];
}

// Line segments round a polygon.
function outline(corners) {
  return corners.flatMap((corner, i) => [corner, corners[(i + 1) % corners.length]]);
}

// The extreme points of a layer (enough to frame it and to find its box on screen).
function layerCorners(positions) {
  const by = (f) => positions.reduce((best, p) => (f(p) > f(best) ? p : best));
  return [by((p) => p.x + p.y), by((p) => p.x - p.y), by((p) => -p.x + p.y), by((p) => -p.x - p.y)];
}

function centre(points) {
  const n = points.length;
  const sum = points.reduce((s, p) => ({ x: s.x + p.x, y: s.y + p.y, z: s.z + p.z }), { x: 0, y: 0, z: 0 });
  return { x: sum.x / n, y: sum.y / n, z: sum.z / n };
}

function screenBox(points) {
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  return { left: Math.min(...xs), right: Math.max(...xs), top: Math.min(...ys), bottom: Math.max(...ys) };
}

function number(value, digits) {
  return formatNumber(value, { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

// Whole percent; a chance that rounds to 0 is "< 1" (it is not nothing).
function percent(probability) {
  const whole = Math.round(probability * 100);
  return whole === 0 && probability > 0 ? "< 1" : whole;
}
