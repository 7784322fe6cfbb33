// Two tiny shaders for what is drawn most: the connection lines and the neurons' discs. three.js's
// stock materials run a dozen chunks per pixel (fog, tone mapping, colour-space conversion); a
// software renderer pays for each of them on every pixel of thousands of lines. These take
// colours already in sRGB and do nothing else.
//
// Both keep their size on screen in step with the canvas's height: a line is LINE_PX pixels wide
// at 1080 rows (twice that at 4K, never a 1-pixel hairline), a disc is its size in world units.

import { RawShaderMaterial } from "three";

const LINE_PX = 1.7; // a line's width at 1080 rows

const HEAD = `precision mediump float;
uniform mat4 modelViewMatrix;
uniform mat4 projectionMatrix;
attribute vec3 position;
attribute vec3 color;
varying vec3 vColor;
`;

const FLAT = `precision mediump float;
varying vec3 vColor;
void main() { gl_FragColor = vec4(vColor, 1.0); }`;

// Lines as thin quads: each line's four corners carry its own end (position), the other end and a
// side (+1/-1); the vertex shader pushes the corner sideways, in screen pixels. No depth written or
// read: the lines are drawn first, under everything else. `viewport` (the drawing buffer's size in
// pixels) must follow the canvas, see NetworkView.resize.
export function lineMaterial() {
  return new RawShaderMaterial({
    depthWrite: false,
    depthTest: false,
    uniforms: { viewport: { value: [1920, 1080] }, width: { value: LINE_PX } },
    vertexShader: `${HEAD}
attribute vec3 other;
attribute float side;
uniform vec2 viewport;
uniform float width;
void main() {
  vColor = color;
  vec4 here = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
  vec4 there = projectionMatrix * modelViewMatrix * vec4(other, 1.0);
  vec2 along = (there.xy / there.w - here.xy / here.w) * viewport;
  vec2 across = normalize(vec2(-along.y, along.x) + 1e-6);
  here.xy += across * side * width / viewport * here.w;
  gl_Position = here;
}`,
    fragmentShader: FLAT,
  });
}

// The same lines as GL lines, one pixel of the drawing buffer wide: for a drawing buffer smaller than
// the screen (quality.js stepped down: a software renderer, which pays per primitive, and a quad is
// two). It is scaled up to the screen, so these are still more than a hairline there.
export function thinLineMaterial() {
  return new RawShaderMaterial({
    depthWrite: false,
    depthTest: false,
    vertexShader: `${HEAD}
void main() {
  vColor = color;
  gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
}`,
    fragmentShader: FLAT,
  });
}

export function setLineViewport(material, width, height) {
  if (!material.uniforms.viewport) return; // thin lines: one pixel whatever the screen
  material.uniforms.viewport.value = [width, height];
  material.uniforms.width.value = (LINE_PX * height) / 1080;
}

// A texture as it is: its texels are sRGB already (palette.js), so no colour-space decoding per
// sample (dear in a software renderer, and the input image is the largest thing on screen). Drawn
// over whatever came before it, without depth.
export function imageMaterial(texture) {
  return new RawShaderMaterial({
    depthWrite: false,
    depthTest: false,
    uniforms: { map: { value: texture } },
    vertexShader: `precision mediump float;
uniform mat4 modelViewMatrix;
uniform mat4 projectionMatrix;
attribute vec3 position;
attribute vec2 uv;
varying vec2 vUv;
void main() {
  vUv = uv;
  gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
}`,
    fragmentShader: `precision mediump float;
uniform sampler2D map;
varying vec2 vUv;
void main() { gl_FragColor = vec4(texture2D(map, vUv).rgb, 1.0); }`,
  });
}

// Points drawn as round discs of `size` world units; `scale` (half the drawing buffer's height in
// pixels) must follow the canvas, see NetworkView.resize. projectionMatrix[1][1] is 1/tan(fov/2).
export function discMaterial(size) {
  return new RawShaderMaterial({
    uniforms: { size: { value: size }, scale: { value: 540 } },
    vertexShader: `${HEAD}
uniform float size;
uniform float scale;
void main() {
  vColor = color;
  vec4 view = modelViewMatrix * vec4(position, 1.0);
  gl_PointSize = size * scale * projectionMatrix[1][1] / -view.z;
  gl_Position = projectionMatrix * view;
}`,
    fragmentShader: `precision mediump float;
varying vec3 vColor;
void main() {
  vec2 offset = gl_PointCoord - 0.5;
  if (dot(offset, offset) > 0.25) discard;
  gl_FragColor = vec4(vColor, 1.0);
}`,
  });
}
