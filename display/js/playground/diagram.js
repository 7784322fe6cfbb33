// The small network, drawn as TensorFlow Playground draws it: a column of input features, one column
// per hidden layer, the output; every node a small square showing what it computes over the whole
// plane, and links between them, thick for a large weight, blue for positive, orange for negative.
//
// - Inputs: fixed maps of x, y, x², … computed here (features.js).
// - Hidden neurons: the server's `neurons` maps (bytes, 128 ≈ 0), gliding between frames.
// - Output: the decision map itself (the BoundaryPlane's grid canvas), small.
// Two stacked canvases: links and captions below, redrawn only when the weights or the layout
// change (links are bucketed by sign and strength and stroked as a few paths, no allocation); the
// node squares above, redrawn each frame while their maps glide. Node maps live in one atlas
// canvas with a one-pixel gutter around each tile, so smooth scaling never bleeds one neuron into
// the next.

import { alphaSteps, BACKGROUND, divergingTable, fontFamily, MUTED, NEGATIVE, POSITIVE, TEXT } from "./colours.js";
import { decodeBase64Into } from "./decode.js";
import { featureLabel, featureMap } from "./features.js";
import { Tween } from "./tween.js";

const NODE_COLOURS = divergingTable(1, 0.8);
const INPUT_SIZE = 32; // our own feature maps can be finer than the server's neuron maps
const LEVELS = 8; // link strengths drawn
const CAPTION_ROW = 3.6; // a row of captions under the columns, in vh (3vh text and a gap)
const PLUS_STEPS = alphaSteps(POSITIVE, LEVELS);
const MINUS_STEPS = alphaSteps(NEGATIVE, LEVELS);
const FRAME = "rgba(169, 180, 200, 0.45)";

export class NetworkDiagram {
  constructor(box, t) {
    const layer = () => {
      const canvas = document.createElement("canvas");
      canvas.className = "pg-layer";
      box.append(canvas);
      return canvas;
    };
    this.canvas = layer(); // links and captions
    this.g = this.canvas.getContext("2d");
    this.nodesCanvas = layer(); // the node squares
    this.nodesG = this.nodesCanvas.getContext("2d");
    this.t = t;
    this.features = [];
    this.hidden = [];
    this.extent = [-6, 6, -6, 6];
    this.unit = 10;
    // neuron maps
    this.tile = 0; // the server's map size
    this.atlas = document.createElement("canvas");
    this.atlasG = this.atlas.getContext("2d");
    this.atlasImage = null;
    this.neurons = new Tween(0); // all hidden neurons' bytes, layer by layer, as 0..255 floats
    this.bytes = new Uint8Array(0);
    this.hasNeurons = false;
    // input maps
    this.inputs = document.createElement("canvas");
    this.inputsG = this.inputs.getContext("2d");
    // Weights: one flat list, layer by layer, target by target, source by source. They step at the
    // server's frame rate, not gliding: they change slowly, and redrawing the links is the costly part.
    this.weights = new Float32Array(0);
    this.weightsChanged = true;
    this.linkBucket = new Uint8Array(0);
    this.linkOrder = new Uint32Array(0);
    this.bucketStart = new Uint32Array(2 * LEVELS + 1);
    this.nodes = []; // per column: {x, size, ys: Float32Array}
    this.captions = [];
    this.labels = [];
    this.dirty = true;
    this.boundaryVersion = -1;
    this.captionShift = [];
    this.linkScale = 1;
  }

  // From the run's config. Changes the picture only when the architecture changes.
  setArchitecture(features, hidden, extent) {
    const key = JSON.stringify([features, hidden, extent]);
    if (key === this.architectureKey) return;
    this.architectureKey = key;
    this.features = features.map(String);
    this.hidden = hidden.map((n) => Math.max(1, Math.min(64, Math.floor(n))));
    if (extent) this.extent = extent;
    this.labels = this.features.map(featureLabel);
    this.makeCaptions();
    this.paintInputs();
    this.allocateNeurons(this.tile || 16);
    this.weights = new Float32Array(this.linkCount());
    this.weightsChanged = true;
    this.linkBucket = new Uint8Array(this.weights.length);
    this.linkOrder = new Uint32Array(this.weights.length);
    this.layout();
  }

  makeCaptions() {
    this.captions = [
      this.t("playgroundInputs"),
      ...this.hidden.map((count) => (count === 1 ? this.t("playgroundOneNeuron") : this.t("neurons", { count }))),
      this.t("outputs"),
    ];
  }

  // The page's language changed: captions again, and the layout that depends on their widths.
  translate() {
    this.makeCaptions();
    this.layout();
  }

  // Layer sizes, inputs to output.
  get columns() {
    return [this.features.length, ...this.hidden, 1];
  }

  linkCount() {
    const columns = this.columns;
    let count = 0;
    for (let k = 1; k < columns.length; k++) count += columns[k - 1] * columns[k];
    return count;
  }

  paintInputs() {
    const n = this.features.length;
    const stride = INPUT_SIZE + 2;
    this.inputs.width = stride;
    this.inputs.height = Math.max(1, n * stride);
    if (n === 0) return;
    const image = this.inputsG.createImageData(stride, n * stride);
    const bytes = new Uint8Array(INPUT_SIZE * INPUT_SIZE);
    this.features.forEach((name, k) => {
      featureMap(name, this.extent, INPUT_SIZE, bytes);
      writeTile(image.data, stride, 0, k * stride, bytes, INPUT_SIZE);
    });
    this.inputsG.putImageData(image, 0, 0);
  }

  allocateNeurons(tile) {
    this.tile = tile;
    const stride = tile + 2;
    const widest = Math.max(1, ...this.hidden);
    this.atlas.width = Math.max(1, widest * stride);
    this.atlas.height = Math.max(1, this.hidden.length * stride);
    this.atlasImage = this.atlasG.createImageData(this.atlas.width, this.atlas.height);
    const total = this.hidden.reduce((a, b) => a + b, 0) * tile * tile;
    this.neurons.resize(total, 128);
    this.neurons.to.fill(128); // another network: nothing to show until its maps come
    this.neurons.snap();
    this.bytes = new Uint8Array(total);
    this.hasNeurons = false;
  }

  // One `neurons` event: {size, layers: [[base64 per neuron], ...]}.
  setNeurons(data, now) {
    const size = Number(data.size);
    const layers = data.layers;
    if (!Number.isInteger(size) || size < 2 || size > 256 || !Array.isArray(layers)) return false;
    if (layers.length !== this.hidden.length) return false; // another network's maps
    for (let l = 0; l < layers.length; l++)
      if (!Array.isArray(layers[l]) || layers[l].length !== this.hidden[l]) return false;
    if (size !== this.tile) this.allocateNeurons(size);
    const cells = size * size;
    let at = 0;
    for (const layer of layers) {
      for (const text of layer) {
        const written = decodeBase64Into(text, this.bytes, at, cells);
        if (written < cells) this.bytes.fill(128, at + written, at + cells);
        at += cells;
      }
    }
    const to = this.neurons.to;
    for (let i = 0; i < at; i++) to[i] = this.bytes[i];
    this.neurons.glide(now, this.hasNeurons ? null : 350);
    this.hasNeurons = true;
    return true;
  }

  // One `weights` event: [{weights: [[in…] per out], biases}, …], inputs to output. Another
  // network's weights (a shape that does not match) are ignored.
  setWeights(layers) {
    const columns = this.columns;
    if (!Array.isArray(layers) || layers.length !== columns.length - 1) return false;
    for (let k = 0; k < layers.length; k++) {
      const rows = layers[k]?.weights;
      if (!Array.isArray(rows) || rows.length !== columns[k + 1]) return false;
      for (const row of rows) if (!Array.isArray(row) || row.length !== columns[k]) return false;
    }
    let at = 0;
    for (const layer of layers) {
      for (const row of layer.weights) for (let i = 0; i < row.length; i++) this.weights[at++] = Number(row[i]) || 0;
    }
    this.weightsChanged = true;
    return true;
  }

  // A new run: maps fade to nothing, links to nothing, until its first frames come.
  clear(now) {
    this.neurons.fill(128, now, 400);
    this.weights.fill(0);
    this.weightsChanged = true;
    this.hasNeurons = false;
  }

  resize(width, height, unit) {
    for (const canvas of [this.canvas, this.nodesCanvas]) {
      canvas.width = width;
      canvas.height = height;
    }
    this.unit = unit;
    this.layout();
  }

  // Columns spread across the width, nodes centred in each, the output square larger; the whole
  // picture with its captions centred vertically. Captions that would touch step down a row.
  layout() {
    this.setFonts();
    let placed = this.place(1);
    if (this.crowded(placed)) placed = this.place(2);
    this.dirty = true;
  }

  place(captionRows) {
    const { unit } = this;
    const W = this.canvas.width;
    const H = this.canvas.height;
    const columns = this.columns;
    const labelW = 8 * unit; // feature names left of the inputs
    const captionH = (1.2 + CAPTION_ROW * captionRows) * unit;
    const usableH = H - captionH - 0.6 * unit;
    const tallest = Math.max(...columns.slice(0, -1), 1);
    const spacing = (W - labelW - 1 * unit) / Math.max(1, columns.length - 1 + 0.9);
    const size = Math.max(1.2 * unit, Math.min(7.2 * unit, usableH / (tallest * 1.28), spacing * 0.52));
    const outSize = Math.min(16 * unit, usableH * 0.55, spacing * 0.9);
    const pitchOf = (count) => Math.min(size * 1.28, usableH / count);
    const nodesH = Math.max(outSize, ...columns.slice(0, -1).map((count) => (count - 1) * pitchOf(count) + size));
    const blockTop = Math.max(0, (H - nodesH - captionH) / 2);
    const middle = blockTop + nodesH / 2;
    const nodes = [];
    let x = labelW + size / 2;
    for (let k = 0; k < columns.length; k++) {
      const last = k === columns.length - 1;
      const s = last ? outSize : size;
      if (last) x = W - 0.4 * unit - s / 2;
      const count = columns[k];
      const pitch = last ? 0 : pitchOf(count);
      const ys = new Float32Array(count);
      for (let i = 0; i < count; i++) ys[i] = middle + (i - (count - 1) / 2) * pitch;
      nodes.push({ x, size: s, ys });
      x += spacing;
    }
    this.nodes = nodes;
    this.captionY = blockTop + nodesH + 1.2 * unit;
    const rowH = Math.round(unit * CAPTION_ROW);
    this.captionShift = nodes.map((_, k) => (captionRows > 1 && k % 2 === 1 ? rowH : 0));
    // Thinner links when there are many of them, so a 16×16 layer stays a picture, not a blur.
    let densest = 1;
    for (let k = 1; k < columns.length; k++) densest = Math.max(densest, columns[k - 1] * columns[k]);
    this.linkScale = Math.min(1, Math.max(0.4, Math.sqrt(64 / densest)));
    return nodes;
  }

  crowded(nodes) {
    const { g } = this;
    g.font = this.captionFont;
    for (let k = 1; k < nodes.length; k++) {
      const half = (g.measureText(this.captions[k - 1] ?? "").width + g.measureText(this.captions[k] ?? "").width) / 2;
      if (half + this.unit * 0.8 > nodes[k].x - nodes[k - 1].x) return true;
    }
    return false;
  }

  // Draws what changed: links when the weights or the layout did, the node squares when their
  // maps glided or the boundary (the output square) moved.
  frame(now, boundary) {
    const neuronsMoved = this.neurons.update(now);
    const weightsChanged = this.weightsChanged;
    this.weightsChanged = false;
    const boundaryMoved = boundary.version !== this.boundaryVersion;
    if (neuronsMoved) this.paintNeurons();
    if (weightsChanged || this.dirty) this.drawLinkLayer();
    if (neuronsMoved || boundaryMoved || this.dirty) this.drawNodes(boundary);
    this.boundaryVersion = boundary.version;
    this.dirty = false;
  }

  paintNeurons() {
    if (!this.atlasImage) return;
    const tile = this.tile;
    const stride = tile + 2;
    const value = this.neurons.value;
    const data = this.atlasImage.data;
    let at = 0;
    for (let l = 0; l < this.hidden.length; l++) {
      for (let n = 0; n < this.hidden[l]; n++) {
        writeTile(data, this.atlas.width, n * stride, l * stride, value, tile, at);
        at += tile * tile;
      }
    }
    this.atlasG.putImageData(this.atlasImage, 0, 0);
  }

  drawLinkLayer() {
    this.g.clearRect(0, 0, this.canvas.width, this.canvas.height);
    if (this.nodes.length < 2) return;
    this.drawLinks();
    this.drawText();
  }

  drawNodes(boundary) {
    const { unit, nodes } = this;
    const g = this.nodesG;
    g.clearRect(0, 0, this.nodesCanvas.width, this.nodesCanvas.height);
    if (nodes.length < 2) return;
    g.imageSmoothingEnabled = true;
    g.imageSmoothingQuality = "low"; // bilinear: smooth enough, and cheap on a software renderer
    g.lineWidth = Math.max(1, unit * 0.12);
    g.strokeStyle = FRAME;
    g.fillStyle = BACKGROUND;
    const last = nodes.length - 1;
    for (let k = 0; k < nodes.length; k++) {
      const { x, size, ys } = nodes[k];
      for (let i = 0; i < ys.length; i++) {
        const left = x - size / 2;
        const top = ys[i] - size / 2;
        if (k === 0) {
          const stride = INPUT_SIZE + 2;
          g.drawImage(this.inputs, 1, i * stride + 1, INPUT_SIZE, INPUT_SIZE, left, top, size, size);
        } else if (k === last) {
          if (boundary.size > 0) g.drawImage(boundary.grid, left, top, size, size);
          else g.fillRect(left, top, size, size);
        } else {
          const stride = this.tile + 2;
          g.drawImage(this.atlas, i * stride + 1, (k - 1) * stride + 1, this.tile, this.tile, left, top, size, size);
        }
        g.strokeRect(left, top, size, size);
      }
    }
  }

  drawLinks() {
    const { g, unit } = this;
    const w = this.weights;
    const count = w.length;
    if (count === 0) return;
    // One scale for the whole network: at least 1, so a fresh network's small weights look thin.
    let largest = 1;
    for (let i = 0; i < count; i++) largest = Math.max(largest, Math.abs(w[i]));
    // Counting sort of the links into buckets: sign × strength level (0 = too faint to draw).
    const buckets = this.bucketStart;
    buckets.fill(0);
    for (let i = 0; i < count; i++) {
      const level = Math.min(LEVELS, Math.ceil((Math.abs(w[i]) / largest) * LEVELS - 0.25));
      const bucket = level <= 0 ? 0 : (w[i] >= 0 ? 0 : LEVELS) + level;
      this.linkBucket[i] = bucket;
      buckets[bucket] += 1;
    }
    let sum = 0;
    for (let b = 0; b <= 2 * LEVELS; b++) {
      const c = buckets[b];
      buckets[b] = sum;
      sum += c;
    }
    for (let i = 0; i < count; i++) this.linkOrder[buckets[this.linkBucket[i]]++] = i;
    // buckets[b] is now the end of bucket b; draw weak to strong so strong links lie on top.
    g.lineCap = "round";
    for (let level = 1; level <= LEVELS; level++) {
      for (let sign = 0; sign < 2; sign++) {
        const negative = sign === 1;
        const b = (negative ? LEVELS : 0) + level;
        const start = b === 0 ? 0 : buckets[b - 1];
        const end = buckets[b];
        if (end <= start) continue;
        g.beginPath();
        for (let j = start; j < end; j++) this.traceLink(this.linkOrder[j]);
        g.strokeStyle = negative ? MINUS_STEPS[level - 1] : PLUS_STEPS[level - 1];
        g.lineWidth = unit * this.linkScale * (0.07 + 0.55 * (level / LEVELS) ** 1.5);
        g.stroke();
      }
    }
  }

  // Link number `index` → its source and target node, as a gentle S-curve.
  traceLink(index) {
    const columns = this.columns;
    let k = 0;
    let rest = index;
    while (rest >= columns[k] * columns[k + 1]) {
      rest -= columns[k] * columns[k + 1];
      k += 1;
    }
    const target = Math.floor(rest / columns[k]);
    const source = rest - target * columns[k];
    const a = this.nodes[k];
    const b = this.nodes[k + 1];
    const x0 = a.x + a.size / 2;
    const y0 = a.ys[source];
    const x1 = b.x - b.size / 2;
    const y1 = b.ys[target];
    const mid = (x0 + x1) / 2;
    this.g.moveTo(x0, y0);
    this.g.bezierCurveTo(mid, y0, mid, y1, x1, y1);
  }

  drawText() {
    const { g, unit, nodes } = this;
    g.textBaseline = "middle";
    g.textAlign = "right";
    g.fillStyle = TEXT;
    g.font = this.labelFont;
    const inputs = nodes[0];
    for (let i = 0; i < inputs.ys.length; i++) {
      g.fillText(this.labels[i] ?? "", inputs.x - inputs.size / 2 - unit * 0.8, inputs.ys[i]);
    }
    g.textAlign = "center";
    g.textBaseline = "top";
    g.fillStyle = MUTED;
    g.font = this.captionFont;
    const W = this.canvas.width;
    for (let k = 0; k < nodes.length; k++) {
      const text = this.captions[k] ?? "";
      // Centred under its column, but never past the picture's edges ("Seine Antwort" at the right).
      const half = g.measureText(text).width / 2;
      const x = Math.min(W - half, Math.max(half, nodes[k].x));
      g.fillText(text, x, this.captionY + this.captionShift[k]);
    }
  }

  setFonts() {
    const { unit } = this;
    // 3vh at least: read from a few metres away (unit is 1vh in canvas pixels).
    const family = fontFamily();
    this.labelFont = `700 ${Math.round(unit * 3.2)}px ${family}`;
    this.captionFont = `400 ${Math.round(unit * 3.0)}px ${family}`;
  }
}

// Copies a size×size tile of byte values (0..255, 128 = 0) into RGBA `data` (row length `width`)
// at (x, y) inside a one-pixel gutter that repeats its edge.
function writeTile(data, width, x, y, values, size, from = 0) {
  for (let r = -1; r <= size; r++) {
    const sr = Math.min(size - 1, Math.max(0, r));
    for (let c = -1; c <= size; c++) {
      const sc = Math.min(size - 1, Math.max(0, c));
      const v = values[from + sr * size + sc];
      const k = Math.max(0, Math.min(255, Math.round(v))) * 3;
      const j = ((y + 1 + r) * width + (x + 1 + c)) * 4;
      data[j] = NODE_COLOURS[k];
      data[j + 1] = NODE_COLOURS[k + 1];
      data[j + 2] = NODE_COLOURS[k + 2];
      data[j + 3] = 255;
    }
  }
}
