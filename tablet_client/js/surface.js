// The drawing surface: pointer events in, ink on a canvas at once, strokes out.
//
// Points are collected per animation frame and handed on in one batch, so the exhibit sees the
// digit grow while the finger moves without one message per pointer event. Once a pen has been
// seen, touches are ignored (a hand resting on the glass must not draw).

const MIN_STEP_PX = 1.5; // closer points add nothing to a 28×28 image, only messages
const MAX_POINTS_PER_STROKE = 3000; // below the exhibit's limit (4000)
const PEN_SHIELD_MS = 5000; // touches this soon after the pen lifted are the palm

export class Surface {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {object} handlers  onStrokeBegin(id, points), onPoints(id, points), onStrokeEnd(id),
   *   onDiscard() (the last stroke was a palm: undo it), onChange(isEmpty)
   */
  constructor(canvas, handlers) {
    this.canvas = canvas;
    this.context = canvas.getContext("2d");
    this.handlers = handlers;
    this.strokes = []; // finished and open strokes: {id, points: [[x, y, t], ...]}
    this.active = null; // {pointerId, stroke, pending: []}
    this.nextId = 1;
    this.lastPenAt = -Infinity;
    this.frame = 0;
    this.clock0 = performance.now();
    this.locked = false; // true while the exhibit is closed or unreachable: no new strokes

    canvas.addEventListener("pointerdown", (e) => this.down(e));
    canvas.addEventListener("pointermove", (e) => this.move(e));
    canvas.addEventListener("pointerup", (e) => this.up(e));
    canvas.addEventListener("pointercancel", (e) => this.up(e));
    canvas.addEventListener("contextmenu", (e) => e.preventDefault()); // long press must not open a menu
    new ResizeObserver(() => this.resize()).observe(canvas);
    this.resize();
  }

  get isEmpty() {
    return this.strokes.length === 0;
  }

  clear() {
    this.cancelActive();
    this.strokes = [];
    this.redraw();
    this.handlers.onChange(true);
  }

  /** Removes the last stroke; false if there was none. */
  undo() {
    this.cancelActive();
    if (this.isEmpty) return false;
    this.strokes.pop();
    this.redraw();
    this.handlers.onChange(this.isEmpty);
    return true;
  }

  down(event) {
    if (this.locked) return;
    if (event.pointerType === "pen") {
      this.lastPenAt = Infinity; // pen is down: shield until it lifts
      if (this.active?.pointerType === "touch") this.discardActive(); // the palm landed first
    } else if (event.pointerType === "touch" && performance.now() - this.lastPenAt < PEN_SHIELD_MS) return;
    if (this.active || (event.pointerType === "mouse" && event.button !== 0)) return; // one finger draws
    event.preventDefault();
    this.canvas.setPointerCapture(event.pointerId);
    const point = this.point(event);
    const stroke = { id: this.nextId++, points: [point] };
    this.strokes.push(stroke);
    this.active = { pointerId: event.pointerId, pointerType: event.pointerType, stroke, pending: [] };
    this.drawDot(point);
    this.handlers.onStrokeBegin(stroke.id, [point]);
    this.handlers.onChange(false);
  }

  move(event) {
    const active = this.active;
    if (!active || event.pointerId !== active.pointerId) return;
    event.preventDefault();
    // Coalesced events keep fast strokes smooth where the browser merges moves per frame.
    const events = event.getCoalescedEvents?.() ?? [];
    for (const e of events.length ? events : [event]) this.add(this.point(e));
    if (!this.frame) this.frame = requestAnimationFrame(() => this.flush());
  }

  up(event) {
    if (event.pointerType === "pen") this.lastPenAt = performance.now();
    const active = this.active;
    if (!active || event.pointerId !== active.pointerId) return;
    this.flush();
    this.active = null;
    this.handlers.onStrokeEnd(active.stroke.id);
  }

  add(point) {
    const { stroke, pending } = this.active;
    const last = stroke.points[stroke.points.length - 1];
    if (Math.hypot(point[0] - last[0], point[1] - last[1]) < MIN_STEP_PX) return;
    if (stroke.points.length >= MAX_POINTS_PER_STROKE) return;
    stroke.points.push(point);
    pending.push(point);
    this.drawSegment(last, point);
  }

  /** Hand the points gathered since the last frame on, as one batch. */
  flush() {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    const active = this.active;
    if (!active || active.pending.length === 0) return;
    this.handlers.onPoints(active.stroke.id, active.pending);
    active.pending = [];
  }

  cancelActive() {
    if (!this.active) return;
    this.flush();
    const id = this.active.stroke.id;
    this.active = null;
    this.handlers.onStrokeEnd(id);
  }

  discardActive() {
    this.cancelActive();
    this.strokes.pop();
    this.redraw();
    this.handlers.onDiscard();
    this.handlers.onChange(this.isEmpty);
  }

  /** [x, y, t_ms] in CSS pixels of the surface, rounded: the exhibit scales the drawing itself. */
  point(event) {
    const box = this.canvas.getBoundingClientRect();
    const round = (v) => Math.round(v * 10) / 10;
    return [round(event.clientX - box.left), round(event.clientY - box.top), Math.round(event.timeStamp - this.clock0)];
  }

  resize() {
    const box = this.canvas.getBoundingClientRect();
    const scale = window.devicePixelRatio || 1;
    this.canvas.width = Math.max(1, Math.round(box.width * scale));
    this.canvas.height = Math.max(1, Math.round(box.height * scale));
    this.context.setTransform(scale, 0, 0, scale, 0, 0);
    // Thick ink, like the handwriting the network learned from, whatever the screen size.
    this.lineWidth = Math.max(10, Math.min(box.width, box.height) * 0.045);
    this.redraw();
  }

  redraw() {
    const { context } = this;
    context.clearRect(0, 0, this.canvas.width, this.canvas.height);
    for (const stroke of this.strokes) {
      this.drawDot(stroke.points[0]);
      for (let i = 1; i < stroke.points.length; i++) this.drawSegment(stroke.points[i - 1], stroke.points[i]);
    }
  }

  drawDot([x, y]) {
    const { context } = this;
    context.fillStyle = INK;
    context.beginPath();
    context.arc(x, y, this.lineWidth / 2, 0, Math.PI * 2);
    context.fill();
  }

  drawSegment([x0, y0], [x1, y1]) {
    const { context } = this;
    context.strokeStyle = INK;
    context.lineWidth = this.lineWidth;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.beginPath();
    context.moveTo(x0, y0);
    context.lineTo(x1, y1);
    context.stroke();
  }
}

const INK = "#ffffff";
