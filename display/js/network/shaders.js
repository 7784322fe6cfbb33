// Two tiny shaders for what is drawn most: the connection lines and the neurons' discs. three.js's
// stock materials run a dozen chunks per pixel (fog, tone mapping, colour-space conversion); a
// software renderer pays for each of them on every pixel of thousands of lines. These take
// colours already in sRGB and do nothing else.

import { RawShaderMaterial } from "three";

const HEAD = `precision mediump float;
uniform mat4 modelViewMatrix;
uniform mat4 projectionMatrix;
attribute vec3 position;
attribute vec3 color;
varying vec3 vColor;
`;

// Lines (or any geometry) in their vertex colours. No depth written: neurons drawn afterwards sit on top.
export function flatColourMaterial() {
  return new RawShaderMaterial({
    depthWrite: false,
    depthTest: false, // drawn first, under the neurons: nothing can hide a line, so no depth to read
    vertexShader: `${HEAD}
void main() {
  vColor = color;
  gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
}`,
    fragmentShader: `precision mediump float;
varying vec3 vColor;
void main() { gl_FragColor = vec4(vColor, 1.0); }`,
  });
}

// Points drawn as round discs of `size` world units; `scale` (half the drawing buffer's height in
// pixels) must follow the canvas, see NetworkView.resize.
export function discMaterial(size) {
  return new RawShaderMaterial({
    uniforms: { size: { value: size }, scale: { value: 540 } },
    vertexShader: `${HEAD}
uniform float size;
uniform float scale;
void main() {
  vColor = color;
  vec4 view = modelViewMatrix * vec4(position, 1.0);
  gl_PointSize = size * scale / -view.z;
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
