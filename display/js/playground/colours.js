// The playground's colours, for Canvas 2D. The same palette as the 3D network (network/palette.js),
// read by colour-blind visitors too: class 1 and positive values are blue, class 0 and negative
// values orange (never red against green), "nothing" is the background, the answer is yellow.
// Their one source is /common/tokens.css.

import { cssColour } from "/common/tokens.js";

export const BACKGROUND = cssColour("--screen-bg");
export const TEXT = cssColour("--text");
export const MUTED = cssColour("--muted");
export const POSITIVE = cssColour("--positive");
export const NEGATIVE = cssColour("--negative");
export const ANSWER = cssColour("--accent");

// The page's type for canvas text: display.css's --font ("Plain Digits" first, so a 0 is never
// Atkinson Hyperlegible's slashed one), read when text is laid out; the fallback without display.css.
export function fontFamily() {
  const family = getComputedStyle(document.documentElement).getPropertyValue("--font").trim();
  return family || '"Atkinson Hyperlegible", "DejaVu Sans", sans-serif';
}

const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
const BACK = rgb(BACKGROUND);
const PLUS = rgb(POSITIVE);
const MINUS = rgb(NEGATIVE);

// A diverging colour table with 256 entries (RGB bytes): entry 0 is fully negative, 128 is the
// background, 255 fully positive. `strength` (0..1) is how far the ends go from the background, so
// the decision map can stay a tint under bright points while neuron squares use the full colour.
export function divergingTable(strength = 1, gamma = 1) {
  const table = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const d = Math.max(-1, Math.min(1, (i - 127.5) / 127.5));
    const colour = d >= 0 ? PLUS : MINUS;
    const k = strength * Math.abs(d) ** gamma;
    for (let c = 0; c < 3; c++) table[i * 3 + c] = Math.round(BACK[c] + (colour[c] - BACK[c]) * k);
  }
  return table;
}

// "rgba(r, g, b, a)" strings for one colour at a few fixed opacities, made once (no strings per frame).
export function alphaSteps(hex, steps) {
  const [r, g, b] = rgb(hex);
  return Array.from({ length: steps }, (_, i) => {
    const a = 0.22 + 0.78 * ((i + 1) / steps);
    return `rgba(${r}, ${g}, ${b}, ${a.toFixed(3)})`;
  });
}
