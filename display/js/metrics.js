// Frame timing for benchmarks and tests: frame intervals, and how long an activation event
// waits for the frame that shows it. Bounded buffers, so measuring never grows the heap.

const KEEP = 4000;

export class FrameMetrics {
  constructor() {
    this.intervals = []; // ms between consecutive frames
    this.eventToFrame = []; // {ms, frames} per activation event
    this.pending = [];
    this.frames = 0;
    this.lastFrameAt = null;
  }

  eventArrived(at) {
    this.pending.push({ at, frame: this.frames });
  }

  // Called after each rendered frame.
  frameRendered(now) {
    this.frames += 1;
    if (this.lastFrameAt !== null) push(this.intervals, now - this.lastFrameAt);
    this.lastFrameAt = now;
    for (const { at, frame } of this.pending) {
      push(this.eventToFrame, { ms: performance.now() - at, frames: this.frames - frame });
    }
    this.pending.length = 0;
  }

  // Drawing stopped (the closed scene): the pause is no frame interval.
  paused() {
    this.lastFrameAt = null;
  }

  reset() {
    this.intervals.length = 0;
    this.eventToFrame.length = 0;
    this.lastFrameAt = null;
  }
}

function push(list, value) {
  if (list.length >= KEEP) list.shift();
  list.push(value);
}
