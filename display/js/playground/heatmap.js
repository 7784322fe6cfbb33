// The decision boundary: the plane coloured by the network's answer, blue where it says class 1,
// orange where it says class 0, fading to the background where it is unsure; a light line where
// it is exactly undecided (p = 0.5); the training points (filled discs) and test points (rings) on top.
//
// Three stacked canvases: the 64×64 grid of probabilities, one pixel a cell, scaled up smoothly by the
// browser (CSS size, bilinear: no big canvas to repaint); over it the axes and the p = 0.5 line,
// redrawn when the grid moves; on top the points, drawn only when they change. Between two frames
// from the server the grid glides (tween.js), so the boundary bends continuously at the display's
// frame rate.

import { BACKGROUND, divergingTable, NEGATIVE, POSITIVE, TEXT } from "./colours.js";
import { decodeBase64Into } from "./decode.js";
import { Tween } from "./tween.js";

const HEAT = divergingTable(0.46, 0.9); // a tint: the points on top stay the brightest thing
const CONTOUR = "rgba(242, 244, 248, 0.9)";
const EDGE = "rgba(169, 180, 200, 0.35)";
const AXIS = "rgba(169, 180, 200, 0.16)";

// Marching squares: for each of the 16 corner cases, the cell edges a contour piece joins
// (0 top, 1 right, 2 bottom, 3 left), two or four per case.
const SEGMENTS = [
  [],
  [3, 2],
  [2, 1],
  [3, 1],
  [0, 1],
  [0, 3, 2, 1],
  [0, 2],
  [0, 3],
  [0, 3],
  [0, 2],
  [0, 1, 3, 2],
  [0, 1],
  [3, 1],
  [2, 1],
  [3, 2],
  [],
];

export class BoundaryPlane {
  constructor(box) {
    this.element = box;
    const layer = (className) => {
      const canvas = document.createElement("canvas");
      canvas.className = `pg-layer ${className}`;
      box.append(canvas);
      return canvas;
    };
    this.grid = layer("pg-heat"); // size×size, one pixel a cell (also the network's output square)
    this.gridG = this.grid.getContext("2d");
    this.canvas = layer("pg-overlay"); // axes, the p = 0.5 line, the frame
    this.g = this.canvas.getContext("2d");
    this.points = layer("pg-points"); // the points, drawn once per change
    this.pointsG = this.points.getContext("2d");
    this.image = null;
    this.size = 0;
    this.bytes = new Uint8Array(0);
    this.tween = new Tween(0);
    this.hasBoundary = false;
    this.extent = [-6, 6, -6, 6]; // the plane shown
    this.gridExtent = null; // the boundary grid's own extent (normally the same)
    this.train = null;
    this.test = null;
    this.unit = 10;
    this.dpr = 1;
    this.box = { x: 0, y: 0, w: 1, h: 1 };
    this.gridBox = this.box;
    this.dirty = true;
    this.pointsDirty = true;
    this.version = 0; // bumped whenever the grid canvas changes
    this.grid.hidden = true; // until the first boundary
  }

  // width, height: the box's size in device pixels; unit: 1vh in device pixels.
  resize(width, height, unit, dpr) {
    for (const canvas of [this.canvas, this.points]) {
      canvas.width = width;
      canvas.height = height;
    }
    this.unit = unit;
    this.dpr = dpr;
    this.layout();
  }

  // The plane keeps its aspect (square for the usual extent), centred in the box.
  layout() {
    const [x0, x1, y0, y1] = this.extent;
    const aspect = Math.abs(x1 - x0) / Math.max(1e-9, Math.abs(y1 - y0));
    const pad = Math.round(this.unit * 0.3);
    const W = this.canvas.width - 2 * pad;
    const H = this.canvas.height - 2 * pad;
    const w = Math.floor(Math.min(W, H * aspect));
    const h = Math.floor(w / aspect);
    this.box = { x: Math.round((this.canvas.width - w) / 2), y: Math.round((this.canvas.height - h) / 2), w, h };
    this.placeGrid();
    this.dirty = true;
    this.pointsDirty = true;
  }

  // The grid canvas sits where its extent lies on the plane (CSS pixels).
  placeGrid() {
    const r = this.gridRect();
    this.gridBox = r; // kept: the contour is drawn in it every frame
    const style = this.grid.style;
    style.left = `${r.x / this.dpr}px`;
    style.top = `${r.y / this.dpr}px`;
    style.width = `${r.w / this.dpr}px`;
    style.height = `${r.h / this.dpr}px`;
  }

  setExtent(extent) {
    if (!validExtent(extent) || extent.every((v, i) => v === this.extent[i])) return;
    this.extent = extent.map(Number);
    this.layout();
  }

  // One `boundary` event. Returns false if it could not be read.
  setBoundary(data, now) {
    const size = Number(data.size);
    if (!Number.isInteger(size) || size < 2 || size > 512) return false;
    if (size !== this.size) this.allocate(size);
    const n = size * size;
    if (decodeBase64Into(data.probabilities, this.bytes, 0, n) !== n) return false;
    const to = this.tween.to;
    for (let i = 0; i < n; i++) to[i] = this.bytes[i] / 255;
    if (this.hasBoundary) this.tween.glide(now);
    else this.tween.glide(now, 350); // the first frame fades in from "undecided"
    this.hasBoundary = true;
    const extent = validExtent(data.extent) ? data.extent : null;
    if (String(extent) !== String(this.gridExtent)) {
      this.gridExtent = extent;
      this.placeGrid();
      this.dirty = true;
    }
    return true;
  }

  allocate(size) {
    this.size = size;
    this.bytes = new Uint8Array(size * size);
    this.tween.resize(size * size, 0.5);
    this.grid.width = size;
    this.grid.height = size;
    this.grid.hidden = false;
    this.image = this.gridG.createImageData(size, size);
    this.image.data.fill(255);
  }

  // A new run: the old boundary fades to undecided, the old points go.
  clear(now) {
    if (this.size > 0) this.tween.fill(0.5, now, 400);
    this.hasBoundary = false;
    this.train = this.test = null;
    this.pointsDirty = true;
  }

  setPoints(train, test) {
    this.train = Array.isArray(train) ? train : null;
    this.test = Array.isArray(test) ? test : null;
    this.pointsDirty = true;
  }

  // Draws if anything changed; true when the grid canvas changed (the network's output square follows it).
  frame(now) {
    const changed = this.size > 0 && this.tween.update(now);
    if (changed) this.paintGrid();
    if (this.pointsDirty) this.paintPoints();
    if (!(changed || this.dirty)) return false;
    this.dirty = false;
    this.draw();
    return changed;
  }

  paintGrid() {
    const value = this.tween.value;
    const data = this.image.data;
    for (let i = 0, j = 0; i < value.length; i++, j += 4) {
      const k = Math.round(value[i] * 255) * 3;
      data[j] = HEAT[k];
      data[j + 1] = HEAT[k + 1];
      data[j + 2] = HEAT[k + 2];
    }
    this.gridG.putImageData(this.image, 0, 0);
    this.version += 1;
  }

  draw() {
    const { g, box, unit } = this;
    g.clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.drawAxes();
    if (this.size > 0 && this.hasBoundary) this.drawContour();
    g.strokeStyle = EDGE;
    g.lineWidth = Math.max(1, unit * 0.12);
    g.strokeRect(box.x, box.y, box.w, box.h);
  }

  // Where the grid lies on the canvas: its extent mapped into the plane's.
  gridRect() {
    const e = this.gridExtent ?? this.extent;
    const a = this.toCanvas(e[0], e[3]);
    const b = this.toCanvas(e[1], e[2]);
    return { x: a.x, y: a.y, w: b.x - a.x, h: b.y - a.y };
  }

  toCanvas(x, y) {
    const [x0, x1, y0, y1] = this.extent;
    const { box } = this;
    return { x: box.x + ((x - x0) / (x1 - x0)) * box.w, y: box.y + ((y1 - y) / (y1 - y0)) * box.h };
  }

  // Faint lines through x = 0 and y = 0, so "x" and "y" on the network's inputs mean something.
  drawAxes() {
    const [x0, x1, y0, y1] = this.extent;
    const { g, box, unit } = this;
    g.strokeStyle = AXIS;
    g.lineWidth = Math.max(1, unit * 0.1);
    g.beginPath();
    if (x0 < 0 && x1 > 0) {
      const x = box.x + (-x0 / (x1 - x0)) * box.w;
      g.moveTo(x, box.y);
      g.lineTo(x, box.y + box.h);
    }
    if (y0 < 0 && y1 > 0) {
      const y = box.y + (y1 / (y1 - y0)) * box.h;
      g.moveTo(box.x, y);
      g.lineTo(box.x + box.w, y);
    }
    g.stroke();
  }

  // The p = 0.5 line, by marching squares over the grid's cell centres.
  drawContour() {
    const { g, unit, size } = this;
    const v = this.tween.value;
    // Where the network is undecided everywhere (a fresh network: p ≈ 0.5 all over) the line
    // means nothing and would scribble; it fades in as the network makes up its mind.
    let decided = 0;
    for (let i = 0; i < v.length; i++) decided = Math.max(decided, Math.abs(v[i] - 0.5));
    const alpha = Math.min(1, Math.max(0, (decided - 0.02) / 0.1));
    if (alpha <= 0) return;
    const r = this.gridBox;
    const cw = r.w / size;
    const ch = r.h / size;
    const ox = r.x + cw / 2;
    const oy = r.y + ch / 2;
    g.beginPath();
    for (let row = 0; row < size - 1; row++) {
      for (let col = 0; col < size - 1; col++) {
        const a = v[row * size + col];
        const b = v[row * size + col + 1];
        const c = v[(row + 1) * size + col + 1];
        const d = v[(row + 1) * size + col];
        const index = (a > 0.5 ? 8 : 0) | (b > 0.5 ? 4 : 0) | (c > 0.5 ? 2 : 0) | (d > 0.5 ? 1 : 0);
        const edges = SEGMENTS[index];
        for (let s = 0; s < edges.length; s += 2) {
          for (let e = 0; e < 2; e++) {
            let x;
            let y;
            switch (edges[s + e]) {
              case 0:
                x = col + cross(a, b);
                y = row;
                break;
              case 1:
                x = col + 1;
                y = row + cross(b, c);
                break;
              case 2:
                x = col + cross(d, c);
                y = row + 1;
                break;
              default:
                x = col;
                y = row + cross(a, d);
            }
            if (e === 0) g.moveTo(ox + x * cw, oy + y * ch);
            else g.lineTo(ox + x * cw, oy + y * ch);
          }
        }
      }
    }
    g.strokeStyle = BACKGROUND; // a dark halo first, so the line reads on both colours
    g.globalAlpha = 0.45 * alpha;
    g.lineWidth = unit * 0.55;
    g.lineCap = "butt"; // hundreds of short pieces: round caps would cost more than the line itself
    g.stroke();
    g.globalAlpha = alpha;
    g.strokeStyle = CONTOUR;
    g.lineWidth = unit * 0.22;
    g.stroke();
    g.globalAlpha = 1;
  }

  // Training points: filled discs with a thin dark outline. Test points: rings in their class's
  // colour with a light outline, so "seen while learning" and "new to it" look different.
  paintPoints() {
    this.pointsDirty = false;
    const g = this.pointsG;
    g.clearRect(0, 0, this.points.width, this.points.height);
    const radius = this.unit * 0.62;
    if (this.train) {
      g.lineWidth = Math.max(1, this.unit * 0.16);
      g.strokeStyle = BACKGROUND;
      for (const label of [0, 1]) {
        g.fillStyle = label === 1 ? POSITIVE : NEGATIVE;
        g.beginPath();
        this.tracePoints(g, this.train, label, radius);
        g.fill();
        g.stroke();
      }
    }
    if (this.test) {
      for (const label of [0, 1]) {
        g.beginPath();
        this.tracePoints(g, this.test, label, radius * 0.92);
        g.strokeStyle = TEXT;
        g.lineWidth = this.unit * 0.5;
        g.stroke();
        g.strokeStyle = label === 1 ? POSITIVE : NEGATIVE;
        g.lineWidth = this.unit * 0.3;
        g.stroke();
      }
    }
  }

  tracePoints(g, flat, label, radius) {
    const [x0, x1, y0, y1] = this.extent;
    const { box } = this;
    const sx = box.w / (x1 - x0);
    const sy = box.h / (y1 - y0);
    for (let i = 0; i + 2 < flat.length; i += 3) {
      if ((flat[i + 2] > 0.5 ? 1 : 0) !== label) continue;
      const x = box.x + (flat[i] - x0) * sx;
      const y = box.y + (y1 - flat[i + 1]) * sy;
      g.moveTo(x + radius, y);
      g.arc(x, y, radius, 0, Math.PI * 2);
    }
  }
}

// Where between two cell centres the value crosses 0.5 (0..1).
function cross(p, q) {
  const d = q - p;
  return Math.abs(d) < 1e-6 ? 0.5 : Math.min(1, Math.max(0, (0.5 - p) / d));
}

function validExtent(extent) {
  return (
    Array.isArray(extent) &&
    extent.length === 4 &&
    extent.every(Number.isFinite) &&
    extent[1] > extent[0] &&
    extent[3] > extent[2]
  );
}
