// Each neuron's strongest incoming connections, drawn as one mesh of thin quads for the whole
// network (a GL line is one pixel wide whatever the screen: hairlines at 4K; see shaders.js).
// Buffers are sized once for the architecture: a new snapshot rewrites positions in place, and
// every frame rewrites colours (contribution = weight × the source's activation) and the index of
// the lines worth drawing. Lines whose contribution is too small to see are left out of the draw:
// software renderers pay for every pixel, even a black one.

import { BufferAttribute, BufferGeometry, Group, LineSegments, Mesh } from "three";
import { writeContribution } from "./palette.js";
import { lineMaterial, setLineViewport, thinLineMaterial } from "./shaders.js";

const CORNERS = 4; // vertices per line: both sides of each end
const SIDES = [1, -1, -1, 1]; // at the far end "sideways" turns round: the quad does not twist
const TRIANGLES = [0, 1, 3, 0, 3, 2];
const SEGMENT = [0, 2]; // thin lines: one end's corner to the other's

// Strength (0..1 of the layer's largest contribution) below which a line is not drawn. Software
// renderers pay about 10 µs a line, so they draw only the clearly visible ones (see main.js).
export const DETAILED = 0.1;
export const SPARING = 0.25;

export class ConnectionLines {
  // layers: the layout; perNeuron: connections per neuron (the server may send fewer for small layers).
  constructor(layers, perNeuron) {
    this.perLine = TRIANGLES; // index entries per drawn line: quads, or SEGMENT for thin lines
    this.layers = layers;
    this.capacity = layers.slice(1).reduce((sum, layer) => sum + layer.positions.length * perNeuron, 0);
    this.positions = new Float32Array(this.capacity * CORNERS * 3);
    this.others = new Float32Array(this.capacity * CORNERS * 3);
    this.colors = new Float32Array(this.capacity * CORNERS * 3);
    this.index = new Uint32Array(this.capacity * TRIANGLES.length);
    const sides = new Float32Array(this.capacity * CORNERS);
    for (let line = 0; line < this.capacity; line++) sides.set(SIDES, line * CORNERS);
    this.geometry = new BufferGeometry();
    this.geometry.setAttribute("position", new BufferAttribute(this.positions, 3));
    this.geometry.setAttribute("other", new BufferAttribute(this.others, 3));
    this.geometry.setAttribute("side", new BufferAttribute(sides, 1));
    this.geometry.setAttribute("color", new BufferAttribute(this.colors, 3));
    this.geometry.setIndex(new BufferAttribute(this.index, 1));
    this.geometry.setDrawRange(0, 0);
    // Opaque: colours already fade into the background, and blending costs software renderers dearly.
    // (Additive blending would also burn thousands of crossing lines white.)
    // Both share the buffers; one is shown (resize).
    this.quads = new Mesh(this.geometry, lineMaterial());
    this.thin = new LineSegments(this.geometry, thinLineMaterial());
    this.thin.visible = false;
    this.object = new Group().add(this.quads, this.thin);
    for (const lines of [this.quads, this.thin]) {
      lines.frustumCulled = false;
      lines.renderOrder = 1;
    }
    this.sets = null; // per layer: {sources: Int32Array, weights: Float32Array}
    this.drawn = 0; // lines in the last frame (for tests and benchmarks)
    this.minStrength = DETAILED;
  }

  // The connection set of a snapshot, as sent by /api/display/connections/<snapshot>.
  setConnections(set) {
    let line = 0;
    this.sets = set.layers.map((layer, k) => {
      const from = this.layers[k].positions;
      const to = this.layers[k + 1].positions;
      const sources = Int32Array.from(layer.sources);
      // The input image is drawn over the lines: a line from one of its pixels starts at the image's
      // right edge, in the pixel's row. Nothing hidden is drawn (a software renderer pays for it).
      const edge =
        this.layers[k].kind === "input" ? Math.max(...from.map((p) => p.x)) + this.layers[k].pitch / 2 : null;
      for (let i = 0; i < sources.length && line < this.capacity; i++, line++) {
        const pixel = from[sources[i]];
        const a = edge === null ? pixel : { x: edge, y: pixel.y, z: pixel.z };
        const b = to[Math.floor(i / layer.per_neuron)];
        const [ends, others] = [
          [a, a, b, b],
          [b, b, a, a],
        ];
        for (let c = 0; c < CORNERS; c++) {
          this.positions.set([ends[c].x, ends[c].y, ends[c].z], (line * CORNERS + c) * 3);
          this.others.set([others[c].x, others[c].y, others[c].z], (line * CORNERS + c) * 3);
        }
      }
      return { sources, weights: Float32Array.from(layer.weights) };
    });
    this.geometry.attributes.position.needsUpdate = true;
    this.geometry.attributes.other.needsUpdate = true;
  }

  // The drawing buffer's size in pixels: line widths follow the screen's resolution. thin: GL lines
  // instead of quads. Returns true when that changed (the index must be written anew: colour()).
  resize(width, height, thin) {
    setLineViewport(this.quads.material, width, height);
    if (thin === this.thin.visible) return false;
    this.thin.visible = thin;
    this.quads.visible = !thin;
    this.perLine = thin ? SEGMENT : TRIANGLES;
    this.geometry.setDrawRange(0, 0);
    return true;
  }

  // shown[k]: activations of layer k in 0..1 as the screen shows them right now.
  colour(shown) {
    if (!this.sets) return;
    let line = 0;
    let drawn = 0;
    this.sets.forEach(({ sources, weights }, k) => {
      const input = shown[k];
      let largest = 1e-6;
      for (let i = 0; i < sources.length; i++) largest = Math.max(largest, Math.abs(weights[i] * input[sources[i]]));
      for (let i = 0; i < sources.length && line < this.capacity; i++, line++) {
        const contribution = weights[i] * input[sources[i]];
        const strength = Math.abs(contribution) / largest;
        if (strength < this.minStrength) continue;
        const first = line * CORNERS;
        writeContribution(this.colors, first, contribution, strength);
        for (let c = 1; c < CORNERS; c++) this.colors.copyWithin((first + c) * 3, first * 3, first * 3 + 3);
        const per = this.perLine;
        for (let j = 0; j < per.length; j++) this.index[drawn * per.length + j] = first + per[j];
        drawn += 1;
      }
    });
    this.drawn = drawn;
    this.geometry.setDrawRange(0, drawn * this.perLine.length);
    this.geometry.attributes.color.needsUpdate = true;
    this.geometry.index.needsUpdate = true;
  }

  dispose() {
    this.geometry.dispose();
    this.quads.material.dispose();
    this.thin.material.dispose();
  }
}
