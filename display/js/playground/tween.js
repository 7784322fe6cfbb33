// Values that glide from what is on screen to the newest frame over about one frame interval, so a
// boundary streamed at 20 frames a second moves smoothly at the display's 60 (never jumps, never lags
// far behind). The interval is measured from the frames themselves.

const MIN_MS = 30;
const MAX_MS = 400;

export class Tween {
  constructor(length = 0) {
    this.value = new Float32Array(length); // what to draw now
    this.from = new Float32Array(length);
    this.to = new Float32Array(length);
    this.start = 0;
    this.duration = 1;
    this.moving = false;
    this.changed = true; // value changed since the last update() that returned it
    this.lastTarget = -Infinity;
    this.interval = 50; // ms between targets, smoothed
  }

  get length() {
    return this.value.length;
  }

  // Make room for `length` values; a new length snaps (the old values mean nothing any more).
  resize(length, fill = 0) {
    if (length === this.value.length) return false;
    this.value = new Float32Array(length).fill(fill);
    this.from = new Float32Array(length).fill(fill);
    this.to = new Float32Array(length).fill(fill);
    this.moving = false;
    this.changed = true;
    return true;
  }

  // Start gliding towards `this.to`, which the caller has just filled. `duration` overrides the
  // measured frame interval (e.g. a slow fade when a run starts).
  glide(now, duration = null) {
    const since = now - this.lastTarget;
    if (since > 0 && since < 2000) this.interval += (since - this.interval) * 0.3;
    this.lastTarget = now;
    this.from.set(this.value);
    this.start = now;
    this.duration = duration ?? Math.min(MAX_MS, Math.max(MIN_MS, this.interval * 1.1));
    this.moving = true;
  }

  // Jump to `this.to` at once.
  snap() {
    this.value.set(this.to);
    this.from.set(this.to);
    this.moving = false;
    this.changed = true;
  }

  fill(target, now, duration) {
    this.to.fill(target);
    this.glide(now, duration);
  }

  // Advance to `now`; true when the values changed since the last call.
  update(now) {
    if (this.moving) {
      const a = Math.min(1, Math.max(0, (now - this.start) / this.duration));
      const { value, from, to } = this;
      for (let i = 0; i < value.length; i++) value[i] = from[i] + (to[i] - from[i]) * a;
      if (a >= 1) this.moving = false;
      this.changed = true;
    }
    const changed = this.changed;
    this.changed = false;
    return changed;
  }
}
