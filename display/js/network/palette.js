// Colours, chosen to be read by colour-blind visitors too: activation is light against dark (not a
// hue), a connection's sign is blue versus orange, the network's answer is yellow.

import { Color } from "three";

export const BACKGROUND = new Color("#0b1020");
export const POSITIVE = new Color("#4fa3ff");
export const NEGATIVE = new Color("#e8601c"); // vermillion: never mistaken for the answer's yellow
export const ANSWER = new Color("#ffd23f");
export const LABEL = "#f2f4f8";
const OFF = new Color("#2a3a5c"); // a resting neuron is still visible against the background
const ON = new Color("#f4f7ff");

// Neuron or pixel brightness for an activation in 0..1, written into out[i*3 .. i*3+2].
export function writeActivation(out, i, value, boost = 1) {
  const v = Math.min(1, Math.max(0, value) * boost);
  out[i * 3] = OFF.r + (ON.r - OFF.r) * v;
  out[i * 3 + 1] = OFF.g + (ON.g - OFF.g) * v;
  out[i * 3 + 2] = OFF.b + (ON.b - OFF.b) * v;
}

// A connection's colour: hue by the sign of its contribution, fading into the background as it weakens.
export function writeContribution(out, i, sign, strength) {
  const c = sign >= 0 ? POSITIVE : NEGATIVE;
  const k = Math.pow(Math.min(1, strength), 0.7);
  out[i * 3] = BACKGROUND.r + (c.r - BACKGROUND.r) * k;
  out[i * 3 + 1] = BACKGROUND.g + (c.g - BACKGROUND.g) * k;
  out[i * 3 + 2] = BACKGROUND.b + (c.b - BACKGROUND.b) * k;
}
