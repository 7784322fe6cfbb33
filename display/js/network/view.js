// The MLP in 3D: neurons, connections and outputs, animated towards the newest activation.
//
// A new activation travels through the network as a pulse: layer k starts moving PULSE_STEP_MS
// after layer k-1, brightens briefly as it does, and its values ease towards the new ones
// instead of jumping. Once every layer has settled, frames cost nothing but drawing.

import { Group, Mesh, MeshBasicMaterial, RingGeometry } from "three";
import { ConnectionLines } from "./connections.js";
import { corners, layoutNetwork } from "./layout.js";
import { NeuronLayer } from "./neurons.js";
import { OutputPanel } from "./outputs.js";
import { ANSWER_SRGB, WRONG_SRGB, writeColour } from "./palette.js";
import { InputImage } from "./pixels.js";

const PULSE_STEP_MS = 90; // delay from one layer to the next
const EASE_MS = 110; // time constant of the easing
const PULSE_MS = 220; // how long a layer glows as the pulse passes
const SETTLED = 1e-3;

// A pulse already on its way is not put off by a newer frame: under a stream of frames faster than
// the pulse (a pen drawing, a lesson's rounds) every layer, and the answer, still moves within
// k × PULSE_STEP_MS, to the newest values.
function soonest(pending, now, wanted) {
  return pending > now ? Math.min(pending, wanted) : wanted;
}

export class NetworkView {
  constructor(architecture, perNeuron) {
    this.group = new Group();
    this.layout = layoutNetwork(architecture);
    this.outputRadius = 0.26;
    this.layers = this.layout.map((layer) => this.makeLayer(layer));
    this.lines = new ConnectionLines(this.layout, perNeuron);
    const outputs = this.layout[this.layout.length - 1].positions;
    this.outputs = new OutputPanel(outputs, this.outputRadius);
    this.selection = new Mesh(new RingGeometry(0.2, 0.26, 32), new MeshBasicMaterial({ color: "#ffffff" }));
    this.selection.visible = false;
    this.group.add(this.lines.object, ...this.layers.map((l) => l.mesh), ...this.outputs.objects, this.selection);
    this.target = this.layout.map((l) => new Float32Array(l.positions.length));
    this.shown = this.layout.map((l) => new Float32Array(l.positions.length));
    this.pulseAt = this.layout.map(() => -Infinity);
    this.answer = -1;
    this.answerAt = Infinity;
    this.shownAnswer = -1;
    this.frame = null; // the newest activation, and the one whose answer is shown (from answerAt on)
    this.shownFrame = null;
    this.moving = true;
  }

  makeLayer(layer) {
    const p = layer.positions;
    if (layer.kind === "input") return new InputImage(p);
    if (layer.kind === "output") return new NeuronLayer(p, this.outputRadius * 2);
    return new NeuronLayer(p, layer.pitch * 0.8); // big discs, a thin gap between neighbours
  }

  // The points the camera keeps in view: every layer's rectangle, the output labels and bars, and
  // the captions under the layers.
  bounds() {
    const points = this.layout.flatMap((layer) => corners(layer.positions, layer.pitch / 2));
    points.push(...this.outputs.bounds(), ...this.layout.map((layer) => layer.caption));
    return points;
  }

  setConnections(set) {
    this.lines.setConnections(set);
    this.moving = true;
  }

  // An "activation" event from the server; now: performance.now() when it arrived.
  setActivation(frame, now) {
    const last = this.layout.length - 1;
    this.layout.forEach((_, k) => {
      const target = this.target[k];
      if (frame.digit === null || frame.digit === undefined) {
        target.fill(0);
      } else {
        const values = k === last ? frame.probabilities : frame.layers[k];
        const scale = k === last ? 1 : frame.scales[k];
        for (let i = 0; i < target.length; i++) target[i] = values[i] / scale;
      }
      this.pulseAt[k] = soonest(this.pulseAt[k], now, now + k * PULSE_STEP_MS);
    });
    this.answer = frame.digit ?? -1;
    this.frame = frame;
    this.answerAt = soonest(this.answerAt, now, now + last * PULSE_STEP_MS);
    this.moving = true;
  }

  // Advance the animation to `now`; returns false when nothing changed (the network has settled).
  update(now, dt) {
    if (!this.moving) return false;
    const ease = 1 - Math.exp(-dt / EASE_MS);
    let moving = false;
    this.layers.forEach((layer, k) => {
      if (now < this.pulseAt[k]) {
        moving = true;
        return;
      }
      const since = now - this.pulseAt[k];
      const boost = since < PULSE_MS ? 1 + 0.7 * (1 - since / PULSE_MS) : 1;
      moving = easeTowards(this.shown[k], this.target[k], ease) || since < PULSE_MS || moving;
      layer.show(this.shown[k], boost);
    });
    if (now >= this.answerAt) [this.shownAnswer, this.shownFrame] = [this.answer, this.frame];
    this.showAnswer();
    this.lines.colour(this.shown);
    this.moving = moving;
    return true;
  }

  showAnswer() {
    const outputs = this.layers[this.layers.length - 1];
    const frame = this.shownFrame;
    // As in the texts (hud.js): a test digit answered wrong is lilac, not the answer's yellow.
    const wrong = frame?.source === "sample" && Number.isInteger(frame.label) && frame.label !== frame.digit;
    if (this.shownAnswer >= 0) writeColour(outputs.colors, this.shownAnswer, wrong ? WRONG_SRGB : ANSWER_SRGB);
    this.outputs.show(this.shown[this.shown.length - 1], this.shownAnswer, wrong);
  }

  // The drawing buffer's size in pixels: discs and lines keep their size on screen. A buffer smaller
  // than the screen (quality.js stepped down: a software renderer) draws its lines as GL lines,
  // which it scales up to more than a pixel anyway.
  resize(width, height) {
    for (const layer of this.layers) layer.resize(height);
    if (this.lines.resize(width, height, height < window.innerHeight - 1)) this.moving = true;
  }

  // Ring a first-layer neuron (whose weights the screen is showing), or none (null).
  select(index) {
    const neuron = index === null ? null : this.layout[1]?.positions[index];
    this.selection.visible = Boolean(neuron);
    if (neuron) this.selection.position.set(neuron.x, neuron.y, neuron.z + 0.01);
  }

  // Centre of output `digit` in world coordinates (tests find the answer on screen with it).
  outputPosition(digit) {
    return this.layout[this.layout.length - 1].positions[digit];
  }

  dispose() {
    for (const layer of this.layers) layer.dispose();
    this.lines.dispose();
    this.outputs.dispose();
    this.selection.geometry.dispose();
    this.selection.material.dispose();
  }
}

function easeTowards(shown, target, ease) {
  let moving = false;
  for (let i = 0; i < shown.length; i++) {
    const gap = target[i] - shown[i];
    if (Math.abs(gap) > SETTLED) {
      shown[i] += gap * ease;
      moving = true;
    } else {
      shown[i] = target[i];
    }
  }
  return moving;
}
