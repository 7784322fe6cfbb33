// The loss and accuracy curves of one run, in buffers of fixed size: when they fill up, every second
// point is dropped and from then on only every second new point is kept (then every fourth, …).
// The whole run stays on the chart, evenly sampled, and memory never grows. The newest point is
// always kept apart, so the curve reaches the present.

export const SERIES = ["train_loss", "test_loss", "train_accuracy", "test_accuracy"];
const CAPACITY = 2048;

export class History {
  constructor(capacity = CAPACITY) {
    this.capacity = capacity;
    this.step = new Float64Array(capacity);
    this.series = Object.fromEntries(SERIES.map((name) => [name, new Float32Array(capacity)]));
    this.latest = { step: -1, epoch: NaN };
    for (const name of SERIES) this.latest[name] = NaN;
    this.clear();
  }

  clear() {
    this.count = 0;
    this.stride = 1; // keep one point in `stride`
    this.skipped = 0;
    this.latest.step = -1;
    for (const name of SERIES) this.latest[name] = NaN;
    this.version = (this.version ?? 0) + 1;
  }

  get empty() {
    return this.latest.step < 0;
  }

  // One metrics point. Steps only move forward within a run: an older step means the run started
  // over (a reset), so the curves start over too. Returns false for a repeated step.
  add(point) {
    const step = Number(point.step);
    if (!Number.isFinite(step)) return false;
    if (step < this.latest.step) this.clear();
    else if (step === this.latest.step) return false;
    this.latest.step = step;
    this.latest.epoch = toNumber(point.epoch);
    for (const name of SERIES) this.latest[name] = toNumber(point[name]);
    this.keep(step, point);
    this.version += 1;
    return true;
  }

  keep(step, point) {
    if (this.count > 0 && ++this.skipped < this.stride) return;
    this.skipped = 0;
    if (this.count === this.capacity) this.halve();
    const i = this.count++;
    this.step[i] = step;
    for (const name of SERIES) this.series[name][i] = toNumber(point[name]);
  }

  halve() {
    const half = this.capacity >> 1;
    for (let i = 0; i < half; i++) {
      this.step[i] = this.step[i * 2];
      for (const name of SERIES) this.series[name][i] = this.series[name][i * 2];
    }
    this.count = half;
    this.stride *= 2;
  }

  // A late joiner's history: the run so far, as parallel arrays. Replaces what we had; a newer
  // point we already hold (metrics that overtook the history) is kept on the end.
  replace(history) {
    const steps = history.step;
    if (!Array.isArray(steps)) return;
    const held = this.empty ? null : { ...this.latest };
    this.clear();
    const point = { step: 0 };
    for (let i = 0; i < steps.length; i++) {
      point.step = steps[i];
      point.epoch = history.epoch?.[i];
      for (const name of SERIES) point[name] = history[name]?.[i];
      this.add(point);
    }
    if (held && held.step > this.latest.step) this.add(held);
  }
}

function toNumber(value) {
  return value === null || value === undefined ? NaN : Number(value);
}
