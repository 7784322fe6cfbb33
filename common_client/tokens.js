// The exhibit's colours for scripts that draw (Three.js, canvases): the custom properties of
// /common/tokens.css, their one source, so a drawing and the page's texts never disagree.
// A page links tokens.css before its module scripts, so the properties are there when these run.

/** A token's value as the page computed it, e.g. cssColour("--accent") → "#ffd23f". */
export function cssColour(name) {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  if (!value) throw new Error(`tokens.css defines no ${name}`);
  return value;
}

/** [r, g, b] bytes of a token given as #rrggbb. */
export function rgbOf(name) {
  const hex = cssColour(name);
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
}
