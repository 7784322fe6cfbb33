// Where every neuron sits, in world units. Layers are planes of neurons standing in space from left
// to right, each facing the viewer: the 28×28 input in front, the hidden layers as rectangles set
// further back (so connections run through depth, and the drifting camera shows it), the ten
// outputs as one column forward again. The camera frames the whole from `bounds` (stage.js), so
// nothing here depends on the screen.

const HEIGHT = 6.4; // the input image's side
const HIDDEN_HEIGHT = 7.2; // hidden layers and outputs stand a little taller: room for big discs
const MAX_PITCH = 0.56;
const GAP = 1.6; // between neighbouring layers, left to right
const DEPTH = [0.4, -1.2, -1.2, 0]; // z of input, hidden…, output: an arc bent away from the viewer
const OUTPUT_PITCH = HIDDEN_HEIGHT / 10;
export const LABEL_DROP = 0.55; // layer captions sit this far under their layer

// [{x, y, z}] per neuron for one layer of `count` neurons, drawn in `columns` columns.
function grid(count, columns, x, z, pitch) {
  const rows = Math.ceil(count / columns);
  const positions = [];
  for (let i = 0; i < count; i++) {
    const row = Math.floor(i / columns);
    const col = i % columns;
    positions.push({ x: x + (col - (columns - 1) / 2) * pitch, y: ((rows - 1) / 2 - row) * pitch, z });
  }
  return positions;
}

// A layer of n hidden neurons as a rectangle about HIDDEN_HEIGHT tall, at most twice as tall as wide.
function hiddenColumns(n) {
  let columns = 1;
  while (Math.ceil(n / columns) > 2 * columns) columns += 1;
  return columns;
}

function depth(k, count) {
  if (k === 0) return DEPTH[0];
  if (k === count - 1) return DEPTH[DEPTH.length - 1];
  return DEPTH[1];
}

// The layout of a whole MLP, e.g. architecture [784, 128, 64, 10]: per layer its kind, neuron
// positions, pitch (distance between neighbours) and the point its caption hangs from.
export function layoutNetwork(architecture) {
  const count = architecture.length;
  const inputSide = Math.round(Math.sqrt(architecture[0]));
  // Hidden layers are wider than one column: the gaps after them grow so their discs never touch.
  const widths = architecture.map((n, k) => {
    if (k === 0) return HEIGHT;
    if (k === count - 1) return 0;
    const columns = hiddenColumns(n);
    return (columns - 1) * Math.min(MAX_PITCH, HIDDEN_HEIGHT / Math.ceil(n / columns));
  });
  const layers = [];
  let x = 0;
  architecture.forEach((n, k) => {
    if (k > 0) x += GAP + (widths[k - 1] + widths[k]) / 2;
    const z = depth(k, count);
    let positions;
    let pitch;
    if (k === 0) {
      pitch = HEIGHT / inputSide;
      positions = grid(n, inputSide, x, z, pitch);
    } else if (k === count - 1) {
      pitch = OUTPUT_PITCH;
      positions = grid(n, 1, x, z, pitch);
    } else {
      const columns = hiddenColumns(n);
      pitch = Math.min(MAX_PITCH, HIDDEN_HEIGHT / Math.ceil(n / columns));
      positions = grid(n, columns, x, z, pitch);
    }
    const kind = k === 0 ? "input" : k === count - 1 ? "output" : "hidden";
    const bottom = Math.min(...positions.map((p) => p.y)) - (k === 0 ? pitch / 2 : pitch);
    layers.push({ kind, positions, pitch, caption: { x, y: bottom - LABEL_DROP, z } });
  });
  // Centred on the origin, so the camera's home is simple.
  const shift = x / 2;
  for (const layer of layers) {
    for (const p of layer.positions) p.x -= shift;
    layer.caption.x -= shift;
  }
  return layers;
}

// Corners of a layer's rectangle, grown by `margin` (world units): what the camera must keep in view.
export function corners(positions, margin = 0) {
  const xs = positions.map((p) => p.x);
  const ys = positions.map((p) => p.y);
  const z = positions[0].z;
  const [x0, x1] = [Math.min(...xs) - margin, Math.max(...xs) + margin];
  const [y0, y1] = [Math.min(...ys) - margin, Math.max(...ys) + margin];
  return [
    { x: x0, y: y0, z },
    { x: x1, y: y0, z },
    { x: x0, y: y1, z },
    { x: x1, y: y1, z },
  ];
}
