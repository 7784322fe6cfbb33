// A line chart of a run's history (history.js) on a Canvas 2D: steps along the bottom, a few
// labelled ticks on each axis, one line per series. Redrawn only when the history or the size
// changes; tick labels are made only when the axes change.

import { fontFamily, MUTED } from "./colours.js";

const GRID = "rgba(169, 180, 200, 0.16)";
const AXIS = "rgba(169, 180, 200, 0.55)";

export class LineChart {
  // series: [{name, colour, width (in vh), dash (in vh, or null)}]; y: {min, max (null: fit the data)},
  // formatY(value, step) and formatX(value) make the tick labels.
  constructor(canvas, { series, y, formatY, formatX, xLabel = "" }) {
    this.canvas = canvas;
    this.g = canvas.getContext("2d", { alpha: false });
    this.series = series;
    this.y = y;
    this.formatY = formatY;
    this.formatX = formatX;
    this.xLabel = xLabel;
    this.unit = 10;
    this.drawnVersion = -1;
    this.axisKey = "";
    this.yTicks = [];
    this.xTicks = [];
    this.dash = [];
    this.noDash = [];
  }

  resize(width, height, unit) {
    this.canvas.width = width;
    this.canvas.height = height;
    this.unit = unit;
    // 3vh at least: read from a few metres away (unit is 1vh in canvas pixels).
    this.font = `400 ${Math.round(unit * 3)}px ${fontFamily()}`;
    this.drawnVersion = -1;
    this.axisKey = "";
  }

  setXLabel(text) {
    if (text === this.xLabel) return;
    this.xLabel = text;
    this.invalidate();
  }

  invalidate() {
    this.drawnVersion = -1;
    this.axisKey = "";
  }

  draw(history, background) {
    if (history.version === this.drawnVersion) return;
    this.drawnVersion = history.version;
    const { g, unit } = this;
    const W = this.canvas.width;
    const H = this.canvas.height;
    g.fillStyle = background;
    g.fillRect(0, 0, W, H);

    const xMax = niceCeil(Math.max(history.latest.step, 10));
    let yMax = this.y.max;
    if (yMax === null) {
      let largest = 0;
      for (const s of this.series) {
        const values = history.series[s.name];
        for (let i = 0; i < history.count; i++) if (values[i] > largest) largest = values[i];
        const last = history.latest[s.name];
        if (last > largest) largest = last;
      }
      yMax = niceCeil(Math.max(largest, history.empty ? 1 : 0.1));
    }
    const yMin = this.y.min;
    this.updateTicks(xMax, yMin, yMax);

    g.font = this.font;
    const left = Math.ceil(this.yLabelWidth + unit * 0.9);
    const right = W - unit * 1.2;
    const top = unit * 1.7;
    const bottom = H - unit * 4.1;
    const sx = (right - left) / xMax;
    const sy = (bottom - top) / (yMax - yMin);

    // grid and tick labels
    g.lineWidth = Math.max(1, unit * 0.1);
    g.fillStyle = MUTED;
    g.textAlign = "right";
    g.textBaseline = "middle";
    g.strokeStyle = GRID;
    g.beginPath();
    for (const tick of this.yTicks) {
      const y = Math.round(bottom - (tick.value - yMin) * sy) + 0.5;
      g.moveTo(left, y);
      g.lineTo(right, y);
      g.fillText(tick.label, left - unit * 0.7, y);
    }
    g.stroke();
    g.textBaseline = "top";
    // The middle label gives way when a long last one ("5.000 Schritte") would touch it.
    const last = this.xTicks.length - 1;
    const skipMiddle =
      left + this.xTicks[1].value * sx + this.xTicks[1].width / 2 + unit > right - this.xTicks[last].width;
    for (let i = 0; i < this.xTicks.length; i++) {
      if (i === 1 && skipMiddle) continue;
      const tick = this.xTicks[i];
      g.textAlign = i === 0 ? "left" : i === this.xTicks.length - 1 ? "right" : "center";
      g.fillText(tick.label, left + tick.value * sx, bottom + unit * 0.6);
    }
    g.strokeStyle = AXIS;
    g.beginPath();
    g.moveTo(left, top);
    g.lineTo(left, bottom);
    g.lineTo(right, bottom);
    g.stroke();

    // the lines
    g.lineJoin = "round";
    g.lineCap = "round";
    for (const s of this.series) {
      const values = history.series[s.name];
      g.beginPath();
      let pen = false;
      let lastStep = -1;
      for (let i = 0; i <= history.count; i++) {
        let step;
        let value;
        if (i < history.count) {
          step = history.step[i];
          value = values[i];
        } else {
          step = history.latest.step;
          value = history.latest[s.name];
          if (step <= lastStep) break;
        }
        lastStep = step;
        if (!Number.isFinite(value)) {
          pen = false;
          continue;
        }
        const x = left + step * sx;
        const y = bottom - (Math.min(yMax, Math.max(yMin, value)) - yMin) * sy;
        if (pen) g.lineTo(x, y);
        else g.moveTo(x, y);
        pen = true;
      }
      if (s.dash) {
        this.dash[0] = s.dash * unit;
        this.dash[1] = s.dash * unit * 0.9;
        g.setLineDash(this.dash);
      } else {
        g.setLineDash(this.noDash);
      }
      g.strokeStyle = s.colour;
      g.lineWidth = s.width * unit;
      g.stroke();
    }
    g.setLineDash(this.noDash);
  }

  // Tick labels are strings: make them only when an axis changes.
  updateTicks(xMax, yMin, yMax) {
    const key = `${xMax}|${yMin}|${yMax}`;
    if (key === this.axisKey) return;
    this.axisKey = key;
    const yStep = (yMax - yMin) / 2;
    this.yTicks = [0, 1, 2].map((i) => {
      const value = yMin + i * yStep;
      return { value, label: this.formatY(value, yStep) };
    });
    // The last tick says what the axis counts: "4,000 steps".
    this.xTicks = [0, xMax / 2, xMax].map((value, i) => ({
      value,
      label: i === 2 && this.xLabel ? `${this.formatX(value)} ${this.xLabel}` : this.formatX(value),
    }));
    this.g.font = this.font;
    for (const tick of this.xTicks) tick.width = this.g.measureText(tick.label).width;
    this.yLabelWidth = Math.max(...this.yTicks.map((tick) => this.g.measureText(tick.label).width));
  }
}

// The next "round" number at or above v: 1, 2, 2.5, 5 × a power of ten.
export function niceCeil(v) {
  if (!(v > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * power >= v - 1e-9) return m * power;
  return 10 * power;
}
