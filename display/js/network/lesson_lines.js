// The lesson in 3D: the connections it changes, glowing over the network (the `lesson` event's
// `changes`), and a white ring round the output of the digit the visitor meant, so that the digit
// the panel names is found on the network (the answer's yellow ring reaches it as the copy learns).
//
// A change is {layer, from, to, delta}: the weight from neuron `from` of layer `layer` to neuron
// `to` of the next layer moved by `delta` since the lesson began (the indexing of the connection
// sets). Each is drawn as a thick line between those neurons of the layout (layout.js): blue where
// the weight went up, orange where it went down (the page's sign colours), brighter the more it
// moved, measured against the largest move seen in this lesson so far, so the glow grows as the
// lesson goes on. A line from an input pixel starts at the input image's right edge, in the pixel's
// row, as the ordinary connections do: nothing is drawn over the visitor's digit.
//
// One small mesh sized once (MAX_LINES); buffers are rewritten only when a new step arrives, so an
// ordinary frame costs one draw call of at most MAX_LINES quads, and one for the ring. Changes that name no neuron of
// this network are skipped and counted (`skipped`), never thrown.

import { BufferAttribute, BufferGeometry, Group, Mesh, MeshBasicMaterial, RingGeometry } from "three";
import { LABEL, writeContribution } from "./palette.js";
import { lineMaterial, setLineViewport } from "./shaders.js";

export const MAX_LINES = 64; // the server sends up to 48
const WIDTH = 3; // times an ordinary connection's width
const FLOOR = 0.3; // the faintest change still stands out from the background
const CORNERS = 4;
const SIDES = [1, -1, -1, 1];
const TRIANGLES = [0, 1, 3, 0, 3, 2];

export class LessonLines {
  // layout: the network's (layout.js); outputRadius: an output neuron's, as the view draws it.
  constructor(layout, outputRadius) {
    this.layout = layout;
    this.positions = new Float32Array(MAX_LINES * CORNERS * 3);
    this.others = new Float32Array(MAX_LINES * CORNERS * 3);
    this.colors = new Float32Array(MAX_LINES * CORNERS * 3);
    const sides = new Float32Array(MAX_LINES * CORNERS);
    const index = new Uint16Array(MAX_LINES * TRIANGLES.length);
    for (let line = 0; line < MAX_LINES; line++) {
      sides.set(SIDES, line * CORNERS);
      index.set(
        TRIANGLES.map((c) => line * CORNERS + c),
        line * TRIANGLES.length,
      );
    }
    this.geometry = new BufferGeometry();
    this.geometry.setAttribute("position", new BufferAttribute(this.positions, 3));
    this.geometry.setAttribute("other", new BufferAttribute(this.others, 3));
    this.geometry.setAttribute("side", new BufferAttribute(sides, 1));
    this.geometry.setAttribute("color", new BufferAttribute(this.colors, 3));
    this.geometry.setIndex(new BufferAttribute(index, 1));
    this.geometry.setDrawRange(0, 0);
    this.lines = new Mesh(this.geometry, lineMaterial());
    this.lines.frustumCulled = false;
    this.lines.renderOrder = 1.5; // over the ordinary connections, under the neurons' discs
    this.ring = new Mesh(
      new RingGeometry(outputRadius * 2.1, outputRadius * 2.4, 40),
      new MeshBasicMaterial({ color: LABEL }),
    );
    this.ring.visible = false;
    this.ring.renderOrder = 2.5; // over the lines that end at the output
    this.object = new Group().add(this.lines, this.ring);
    this.edge = inputEdge(layout[0]);
    this.largest = 0; // the largest |delta| of this lesson so far
    this.lesson = null;
    this.drawn = 0; // lines drawn now (tests)
    this.skipped = 0; // changes that named no neuron of this network
  }

  // changes: the newest step's list (null or [] takes the lines away); lesson: its number, so a
  // new lesson starts its brightness scale afresh; meant: the digit to ring, or null for none.
  show(changes, lesson = null, meant = null) {
    this.ringOutput(meant);
    if (lesson !== this.lesson) [this.lesson, this.largest] = [lesson, 0];
    const given = Array.isArray(changes) ? changes : [];
    const valid = given.filter((c) => this.known(c));
    this.skipped += given.length - valid.length;
    const lines = valid.slice(0, MAX_LINES);
    for (const c of lines) this.largest = Math.max(this.largest, Math.abs(c.delta));
    lines.forEach((c, line) => {
      this.write(line, c);
    });
    this.drawn = lines.length;
    this.geometry.setDrawRange(0, lines.length * TRIANGLES.length);
    this.geometry.attributes.position.needsUpdate = true;
    this.geometry.attributes.other.needsUpdate = true;
    this.geometry.attributes.color.needsUpdate = true;
  }

  ringOutput(digit) {
    const outputs = this.layout[this.layout.length - 1].positions;
    const output = Number.isInteger(digit) ? outputs[digit] : undefined;
    this.ring.visible = output !== undefined;
    if (output) this.ring.position.set(output.x, output.y, output.z + 0.02);
  }

  known(change) {
    const { layer, from, to, delta } = change ?? {};
    const [a, b] = [this.layout[layer], this.layout[layer + 1]];
    return (
      Boolean(a && b) && Number.isFinite(delta) && a.positions[from] !== undefined && b.positions[to] !== undefined
    );
  }

  write(line, { layer, from, to, delta }) {
    const source = this.layout[layer].positions[from];
    const a = layer === 0 && this.edge !== null ? { x: this.edge, y: source.y, z: source.z } : source;
    const b = this.layout[layer + 1].positions[to];
    const [ends, others] = [
      [a, a, b, b],
      [b, b, a, a],
    ];
    const strength = FLOOR + (1 - FLOOR) * (Math.abs(delta) / (this.largest || 1));
    for (let c = 0; c < CORNERS; c++) {
      const at = line * CORNERS + c;
      this.positions.set([ends[c].x, ends[c].y, ends[c].z], at * 3);
      this.others.set([others[c].x, others[c].y, others[c].z], at * 3);
      writeContribution(this.colors, at, delta, strength);
    }
  }

  // The drawing buffer's size in pixels: the lines keep their width on screen.
  resize(width, height) {
    setLineViewport(this.lines.material, width, height);
    this.lines.material.uniforms.width.value *= WIDTH;
  }

  dispose() {
    this.geometry.dispose();
    this.lines.material.dispose();
    this.ring.geometry.dispose();
    this.ring.material.dispose();
  }
}

// The input image's right edge (lines from its pixels start there), or null for another first layer.
function inputEdge(layer) {
  if (layer.kind !== "input") return null;
  return Math.max(...layer.positions.map((p) => p.x)) + layer.pitch / 2;
}
