// Dynamic resolution: hold the frame rate on any graphics hardware by drawing the 3D layer with
// fewer pixels when frames run late (the text over it stays sharp, it is HTML). A real GPU stays
// at full resolution; a PC that falls back to software rendering steps down until it keeps up.
// After a long stretch of smooth frames it tries one step up again (a busy minute must not cost
// the exhibit its sharpness for months).

const LEVELS = [1, 0.8, 0.64, 0.5]; // lower still, lines turn to smears
const WINDOW = 60; // frames per verdict
const LATE_MS = 20; // a frame that missed its vsync
const LATE_SHARE = 0.04; // more late frames than this in a window: step down (keeps p95 on time)
const RETRY_AFTER_MS = 5 * 60 * 1000;

export class Quality {
  constructor(apply) {
    this.apply = apply; // (pixelRatio) => void
    this.level = 0;
    this.ceiling = 0; // best level known to keep up
    this.samples = [];
    this.smoothSince = performance.now();
  }

  get pixelRatio() {
    return LEVELS[this.level];
  }

  frame(intervalMs, now) {
    this.samples.push(intervalMs);
    if (this.samples.length < WINDOW) return;
    const late = this.samples.filter((ms) => ms > LATE_MS).length / WINDOW;
    this.samples.length = 0;
    if (late > LATE_SHARE && this.level < LEVELS.length - 1) {
      this.ceiling = Math.max(this.ceiling, this.level + 1);
      this.set(this.level + 1, now);
    } else if (late > LATE_SHARE) {
      this.smoothSince = now;
    } else if (now - this.smoothSince > RETRY_AFTER_MS && this.level > 0) {
      this.ceiling = this.level - 1;
      this.set(this.level - 1, now);
    }
  }

  set(level, now) {
    this.level = level;
    this.smoothSince = now;
    this.apply(LEVELS[level]);
  }
}
