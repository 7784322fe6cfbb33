// The network's input features: fixed functions of the point (x, y), as in TensorFlow Playground.
// The server names them in spec.features; we draw each as a small map over the plane ourselves.

const FEATURES = {
  x: { label: "x", f: (x) => x },
  y: { label: "y", f: (_x, y) => y },
  x2: { label: "x²", f: (x) => x * x },
  y2: { label: "y²", f: (_x, y) => y * y },
  xy: { label: "x·y", f: (x, y) => x * y },
  sinx: { label: "sin x", f: (x) => Math.sin(x) },
  siny: { label: "sin y", f: (_x, y) => Math.sin(y) },
  cosx: { label: "cos x", f: (x) => Math.cos(x) },
  cosy: { label: "cos y", f: (_x, y) => Math.cos(y) },
};

// The server's names (kiosk/playground/spec.py): x, y, x2, y2, xy, sinx, siny. Written another
// way ("x^2", "x²", "sin(x)") they still find their map.
export function featureKey(name) {
  const key = String(name)
    .toLowerCase()
    .replace(/²/g, "2")
    .replace(/[^a-z0-9]/g, "");
  return key in FEATURES ? key : null;
}

export function featureLabel(name) {
  const key = featureKey(name);
  return key ? FEATURES[key].label : String(name);
}

// The feature's values over the plane as bytes (0 = most negative, 128 ≈ 0, 255 = most positive,
// scaled by its largest magnitude), `size`×`size`, row 0 at the top (largest y), into `out`.
export function featureMap(name, extent, size, out) {
  const key = featureKey(name);
  if (!key) return out.fill(128, 0, size * size);
  const f = FEATURES[key].f;
  const [x0, x1, y0, y1] = extent;
  let largest = 1e-9;
  const values = new Float32Array(size * size);
  for (let r = 0; r < size; r++) {
    const y = y1 - ((r + 0.5) / size) * (y1 - y0);
    for (let c = 0; c < size; c++) {
      const v = f(x0 + ((c + 0.5) / size) * (x1 - x0), y);
      values[r * size + c] = v;
      largest = Math.max(largest, Math.abs(v));
    }
  }
  for (let i = 0; i < values.length; i++) out[i] = Math.round(128 + (values[i] / largest) * 127);
  return out;
}
