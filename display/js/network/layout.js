// Where every neuron sits. Layers stand side by side from left to right, each a grid facing the
// camera: the 28×28 input, the hidden layers as rectangles, the ten outputs as one column.

const LAYER_X = { input: -7.2, output: 6.0 };
const HEIGHT = 5.2; // every layer is about as tall as the input grid

// [{x, y, z}] per neuron for one layer of `count` neurons, drawn in `columns` columns.
function grid(count, columns, x, pitch) {
  const rows = Math.ceil(count / columns);
  const positions = [];
  for (let i = 0; i < count; i++) {
    const row = Math.floor(i / columns);
    const col = i % columns;
    positions.push({
      x: x + (col - (columns - 1) / 2) * pitch,
      y: ((rows - 1) / 2 - row) * pitch,
      z: 0,
    });
  }
  return positions;
}

// A layer of n hidden neurons as a rectangle about HEIGHT tall, at most twice as tall as wide.
function hiddenColumns(n) {
  let columns = 1;
  while (Math.ceil(n / columns) > 2 * columns) columns += 1;
  return columns;
}

// The layout of a whole MLP, e.g. architecture [784, 128, 64, 10].
export function layoutNetwork(architecture) {
  const hidden = architecture.slice(1, -1);
  const inputSide = Math.round(Math.sqrt(architecture[0]));
  const layers = [];
  layers.push({ kind: "input", positions: grid(architecture[0], inputSide, LAYER_X.input, HEIGHT / inputSide) });
  hidden.forEach((n, k) => {
    const columns = hiddenColumns(n);
    const rows = Math.ceil(n / columns);
    const x = LAYER_X.input + ((k + 1) * (LAYER_X.output - LAYER_X.input)) / (hidden.length + 1);
    layers.push({ kind: "hidden", positions: grid(n, columns, x, Math.min(0.5, HEIGHT / rows)) });
  });
  const outputs = architecture[architecture.length - 1];
  layers.push({ kind: "output", positions: grid(outputs, 1, LAYER_X.output, Math.min(0.6, HEIGHT / outputs)) });
  return layers;
}

export const LABEL_Y = -HEIGHT / 2 - 0.5; // layer captions sit under the layers
