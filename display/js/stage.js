// The 3D stage: renderer, camera and its slow drift, window size, and surviving a lost WebGL context.

import { PerspectiveCamera, Scene, Vector3, WebGLRenderer } from "three";
import { BACKGROUND } from "./network/palette.js";
import { Quality } from "./quality.js";

const TARGET = new Vector3(1.3, 1.2, 0); // the network sits a little low and left, clear of the text
const DISTANCE = 19;
const HOME = { azimuth: 0.32, elevation: 0.12 }; // radians: from the right front, a little above
const DRIFT = { azimuth: 0.22, elevation: 0.06, periodS: 70 };

export class Stage {
  constructor(canvas, { onContextLost, onContextRestored }) {
    this.canvas = canvas;
    // Multisampling is nearly free on a GPU and very dear in a software renderer.
    this.software = isSoftwareRenderer();
    this.renderer = new WebGLRenderer({ canvas, antialias: !this.software, powerPreference: "high-performance" });
    this.renderer.setPixelRatio(1); // a 4K screen at ratio 1 is already sharp from a few metres
    this.quality = new Quality((ratio) => this.renderer.setPixelRatio(ratio));
    this.renderer.setClearColor(BACKGROUND);
    this.scene = new Scene();
    this.camera = new PerspectiveCamera(38, 16 / 9, 0.1, 200);
    this.drifting = true;
    this.drift = 0; // 0 = held at home, 1 = full drift; eased so the camera never jumps
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
    // Keep the whole network in view on narrow screens too.
    this.camera.fov = this.camera.aspect < 1.5 ? 48 : 38;
    this.camera.updateProjectionMatrix();
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
    this.camera.position.set(
      TARGET.x + DISTANCE * Math.sin(azimuth) * Math.cos(elevation),
      TARGET.y + DISTANCE * Math.sin(elevation),
      TARGET.z + DISTANCE * Math.cos(azimuth) * Math.cos(elevation),
    );
    this.camera.lookAt(TARGET);
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

// True when WebGL runs on the CPU (SwiftShader, llvmpipe): an exhibit PC without a working GPU driver.
function isSoftwareRenderer() {
  const gl = document.createElement("canvas").getContext("webgl2");
  if (!gl) return false;
  const info = gl.getExtension("WEBGL_debug_renderer_info");
  const name = info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
  gl.getExtension("WEBGL_lose_context")?.loseContext(); // give the probe's context back at once
  return /swiftshader|llvmpipe|software/i.test(String(name));
}
