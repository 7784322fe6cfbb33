// Colours, chosen to be read by colour-blind visitors too: activation is light against dark (not a
// hue), a connection's sign is blue versus orange, the network's answer is yellow. Their one source
// is /common/tokens.css (read through /common/tokens.js), so the 3D scene and the page's texts never
// disagree; the texts name them "blue", "orange" and "yellow" in every language.
//
// Colour objects are for three.js materials (which work in linear light); the write* functions
// fill vertex and texture buffers with sRGB values, ready for the screen (see shaders.js).

import { Color, SRGBColorSpace } from "three";
import { cssColour as cssValue } from "/common/tokens.js";

export const BACKGROUND = new Color(cssValue("--bg"));
export const POSITIVE = new Color(cssValue("--positive"));
export const NEGATIVE = new Color(cssValue("--negative")); // orange: never mistaken for the answer's yellow
export const ANSWER = new Color(cssValue("--accent"));
export const WRONG = new Color(cssValue("--wrong")); // a test digit's answer that is not its label
export const LABEL = cssValue("--text");
export const FONT = cssValue("--font"); // the page's font stack, digits from Public Sans

const srgb = (color) => color.getRGB({ r: 0, g: 0, b: 0 }, SRGBColorSpace);
const OFF = srgb(new Color("#2a3a5c")); // a resting neuron is still visible against the background
const ON = srgb(new Color("#f4f7ff"));
const BACK = srgb(BACKGROUND);
const PLUS = srgb(POSITIVE);
const MINUS = srgb(NEGATIVE);
export const ANSWER_SRGB = srgb(ANSWER);
export const POSITIVE_SRGB = PLUS; // for 2D canvases, which take sRGB
export const NEGATIVE_SRGB = MINUS;
export const WRONG_SRGB = srgb(WRONG);

// Neuron or pixel brightness for an activation in 0..1, written into out[i*3 .. i*3+2].
export function writeActivation(out, i, value, boost = 1) {
  const v = Math.min(1, Math.max(0, value) * boost);
  out[i * 3] = OFF.r + (ON.r - OFF.r) * v;
  out[i * 3 + 1] = OFF.g + (ON.g - OFF.g) * v;
  out[i * 3 + 2] = OFF.b + (ON.b - OFF.b) * v;
}

// A connection's colour: hue by the sign of its contribution, fading into the background as it weakens.
export function writeContribution(out, i, sign, strength) {
  const c = sign >= 0 ? PLUS : MINUS;
  const k = Math.min(1, strength) ** 0.7;
  out[i * 3] = BACK.r + (c.r - BACK.r) * k;
  out[i * 3 + 1] = BACK.g + (c.g - BACK.g) * k;
  out[i * 3 + 2] = BACK.b + (c.b - BACK.b) * k;
}

export function writeColour(out, i, { r, g, b }) {
  out[i * 3] = r;
  out[i * 3 + 1] = g;
  out[i * 3 + 2] = b;
}
