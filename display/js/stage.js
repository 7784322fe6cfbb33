// The 3D stage: renderer, camera and its slow drift, window size, and surviving a lost WebGL context.
//
// The camera is never placed by hand. Every frame it is fitted to what it must show: the whole
// network (`setSubject`, its bounding points) into the screen's network box (FRAME, the part of
// the screen the texts leave free), or, while someone asked `focusOn(points, share)`, those points
// into the middle `share` of the screen. It looks from a direction that drifts slowly in attract
// mode, and the fit is solved for that direction, so the drift never takes the network out of frame.
// Changes of what is framed are eased (about a second); a resize is followed at once.

import { PerspectiveCamera, Scene, Vector3, WebGLRenderer } from "three";
import { BACKGROUND } from "./network/palette.js";
import { Quality } from "./quality.js";

// Where the network goes, in normalised device coordinates (-1..1, y up): the top band is for the
// headings and the answer, the bottom for the invitation (see display.css).
const FRAME = { left: -0.96, right: 0.96, bottom: -0.82, top: 0.62 };
const HOME = { azimuth: -0.22, elevation: 0.14 }; // radians: from the left front (the input nearest), a little above
const DRIFT = { azimuth: 0.16, elevation: 0.05, periodS: 70 };
const FOCUS_EASE_S = 0.3; // time constant: a change of framing is done in about a second
const [LOWEST, HIGHEST] = [FRAME.bottom, FRAME.top];

export class Stage {
  constructor(canvas, { onContextLost, onContextRestored }) {
    this.canvas = canvas;
    // Multisampling is nearly free on a GPU and very dear in a software renderer.
    this.software = isSoftwareRenderer();
    this.renderer = new WebGLRenderer({ canvas, antialias: !this.software, powerPreference: "high-performance" });
    this.renderer.setPixelRatio(1); // a 4K screen at ratio 1 is already sharp from a few metres
    this.quality = new Quality((ratio) => {
      this.renderer.setPixelRatio(ratio);
      this.renderer.render(this.scene, this.camera); // a resize clears the canvas: no blank frame shown
    });
    this.renderer.setClearColor(BACKGROUND);
    this.scene = new Scene();
    this.camera = new PerspectiveCamera(30, 16 / 9, 0.1, 300);
    this.drifting = true;
    this.drift = 0; // 0 = held at home, 1 = full drift; eased so the camera never jumps
    this.subject = [
      { x: -1, y: -1, z: 0 },
      { x: 1, y: 1, z: 0 },
    ]; // until a network is built
    this.focus = null; // {points, share} while focusOn holds the camera
    this.eye = null; // the camera's eased position (null: jump to the next fit)
    this.lost = false;
    canvas.addEventListener("webglcontextlost", () => {
      this.lost = true; // three.js calls preventDefault, so the browser will try to restore it
      onContextLost();
    });
    canvas.addEventListener("webglcontextrestored", () => {
      this.lost = false; // three.js re-creates programs and re-uploads buffers on the next render
      onContextRestored();
    });
    this.resize();
    window.addEventListener("resize", () => this.resize());
  }

  resize() {
    const { innerWidth: width, innerHeight: height } = window;
    this.renderer.setSize(width, height, false);
    this.camera.aspect = width / height;
    this.camera.updateProjectionMatrix();
    this.eye = null; // a new shape of screen: fit at once, no easing across it
  }

  // The points ({x, y, z}) that make up the whole network: framed whenever nothing is focused.
  setSubject(points) {
    this.subject = points;
    this.eye = null;
  }

  // Ease the camera to frame `points` so they fill about `share` of the screen (the binding one of
  // width and height), centred (below the heading band where `share` is large: FOCUS_FRAME);
  // focusOn(null) goes back to framing the whole network.
  focusOn(points, share = 0.6) {
    this.focus = points?.length ? { points, share } : null;
  }

  // Keep the bottom or top `share` of the screen free of the network (a panel, a scene's longer
  // texts), 0 for the usual bands.
  reserveBottom(share) {
    FRAME.bottom = Math.max(LOWEST, -1 + 2 * share);
  }

  reserveTop(share) {
    FRAME.top = Math.min(HIGHEST, 1 - 2 * share);
  }

  // Drift slowly in attract mode; hold still while a visitor draws.
  setDrifting(drifting) {
    this.drifting = drifting;
  }

  render(timeS, dtS) {
    if (this.lost) return false;
    const goal = this.drifting ? 1 : 0;
    this.drift += (goal - this.drift) * (1 - Math.exp(-dtS / 1.5));
    const phase = (2 * Math.PI * timeS) / DRIFT.periodS;
    const azimuth = HOME.azimuth + this.drift * DRIFT.azimuth * Math.sin(phase);
    const elevation = HOME.elevation + this.drift * DRIFT.elevation * Math.sin(phase * 0.7);
    const back = new Vector3(
      Math.sin(azimuth) * Math.cos(elevation),
      Math.sin(elevation),
      Math.cos(azimuth) * Math.cos(elevation),
    );
    const fit = this.focus
      ? fitCamera(this.focus.points, back, this.camera, box(this.focus.share))
      : fitCamera(this.subject, back, this.camera, FRAME);
    if (!this.eye) this.eye = fit.clone();
    else this.eye.lerp(fit, 1 - Math.exp(-dtS / FOCUS_EASE_S));
    this.camera.position.copy(this.eye);
    this.camera.lookAt(this.eye.clone().sub(back)); // the direction is the drift's, never eased
    this.renderer.render(this.scene, this.camera);
    return true;
  }

  // Where a world point lands on the page, in CSS pixels.
  project(point) {
    const v = new Vector3(point.x, point.y, point.z).project(this.camera);
    const rect = this.canvas.getBoundingClientRect();
    return { x: rect.left + ((v.x + 1) / 2) * rect.width, y: rect.top + ((1 - v.y) / 2) * rect.height };
  }
}

// A focused part keeps clear of the explain tour's heading at the top (to 12 % of the height) and
// leaves room at the bottom for its layer's caption (10 %).
const FOCUS_FRAME = { bottom: -0.8, top: 0.76 };

function box(share) {
  return {
    left: -share,
    right: share,
    bottom: Math.max(-share, FOCUS_FRAME.bottom),
    top: Math.min(share, FOCUS_FRAME.top),
  };
}

// The camera position that, looking along -back, shows `points` as large as fits into `frame`
// (normalised device coordinates) and centred in it. A few rounds of fixed-point iteration on the
// distance and the sideways shift: exact for the binding side, cheap for a few dozen points.
function fitCamera(points, back, camera, frame) {
  const forward = back.clone().negate();
  const right = new Vector3().crossVectors(forward, camera.up).normalize();
  const up = new Vector3().crossVectors(right, forward);
  const centre = new Vector3();
  for (const p of points) centre.add(new Vector3(p.x, p.y, p.z));
  centre.divideScalar(points.length);
  const local = points.map((p) => {
    const d = new Vector3(p.x, p.y, p.z).sub(centre);
    return { a: d.dot(right), b: d.dot(up), e: d.dot(forward) };
  });
  const tanV = Math.tan((camera.fov * Math.PI) / 360);
  const tanH = tanV * camera.aspect;
  const [wantX, wantY] = [(frame.right - frame.left) / 2, (frame.top - frame.bottom) / 2];
  const [midX, midY] = [(frame.right + frame.left) / 2, (frame.top + frame.bottom) / 2];
  let distance = 3 * Math.max(...local.map((l) => Math.hypot(l.a, l.b, l.e)), 1e-3);
  let sx = 0;
  let sy = 0;
  for (let round = 0; round < 12; round++) {
    let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
    for (const { a, b, e } of local) {
      const z = Math.max(distance + e, 1e-3);
      const x = (a - sx) / (z * tanH);
      const y = (b - sy) / (z * tanV);
      [x0, x1, y0, y1] = [Math.min(x0, x), Math.max(x1, x), Math.min(y0, y), Math.max(y1, y)];
    }
    const grow = Math.max((x1 - x0) / 2 / wantX, (y1 - y0) / 2 / wantY);
    // Centre first (in world units at the subject's depth), then scale the distance to fit.
    sx += ((x1 + x0) / 2 - midX * grow) * distance * tanH;
    sy += ((y1 + y0) / 2 - midY * grow) * distance * tanV;
    distance *= grow;
  }
  return centre.clone().addScaledVector(back, distance).addScaledVector(right, sx).addScaledVector(up, sy);
}

// True when WebGL runs on the CPU (SwiftShader, llvmpipe): an exhibit PC without a working GPU driver.
function isSoftwareRenderer() {
  const gl = document.createElement("canvas").getContext("webgl2");
  if (!gl) return false;
  const info = gl.getExtension("WEBGL_debug_renderer_info");
  const name = info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
  gl.getExtension("WEBGL_lose_context")?.loseContext(); // give the probe's context back at once
  return /swiftshader|llvmpipe|software/i.test(String(name));
}
