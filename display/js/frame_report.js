// Frame times for the museum's monitoring: how smoothly this screen draws, measured here and sent
// to the exhibit every few seconds as a small summary, which the exhibit exports as
// nn_kiosk_screen_frame_seconds (docs/monitoring.md, kiosk/metrics/frames.py).
//
// A frame time is the time between two frames the page drew (16.7 ms at 60 frames a second).
// Every EVERY_MS the page posts {screen, frames, p50_ms, p95_ms} for the frames since the last
// report, then starts afresh. Nothing is sent while the screen does not draw (the closed scene)
// or drew too few frames to say anything; a pause in drawing is no frame time. The buffer is
// bounded, and a report that fails is dropped: the next one follows anyway.

const EVERY_MS = 5000;
const MIN_FRAMES = 10;
const KEEP = 2000; // 33 s at 60 frames a second; more frames in one report are sampled by the newest

export class FrameReport {
  constructor(send = postReport) {
    this.send = send; // (report) => void
    this.screen = Math.random().toString(36).slice(2, 10) || "screen"; // which screen, per page load
    this.intervals = [];
    this.lastFrameAt = null;
  }

  // Called after each drawn frame, with requestAnimationFrame's time.
  frame(now) {
    if (this.lastFrameAt !== null) {
      if (this.intervals.length >= KEEP) this.intervals.shift();
      this.intervals.push(now - this.lastFrameAt);
    }
    this.lastFrameAt = now;
  }

  // Drawing stopped: the time until it starts again is no frame time.
  paused() {
    this.lastFrameAt = null;
  }

  // The summary of the frames since the last one (null if too few), and a fresh start.
  take() {
    const sorted = this.intervals.sort((a, b) => a - b);
    this.intervals = [];
    if (sorted.length < MIN_FRAMES) return null;
    return {
      screen: this.screen,
      frames: sorted.length,
      p50_ms: round(quantile(sorted, 0.5)),
      p95_ms: round(quantile(sorted, 0.95)),
    };
  }

  // Report every EVERY_MS from now on.
  start() {
    setInterval(() => {
      const report = this.take();
      if (report) this.send(report);
    }, EVERY_MS);
  }
}

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function round(ms) {
  return Math.round(Math.min(ms, 60000) * 100) / 100; // the exhibit takes at most 60 s a frame
}

function postReport(report) {
  fetch("/api/display/frame_times", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(report),
  }).catch(() => {}); // the exhibit out of reach: the screen says so already (overlays.js)
}
