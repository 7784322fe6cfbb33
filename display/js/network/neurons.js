// One layer of neurons as a single Points object: one draw call, one vertex per neuron drawn as a
// disc, and colours written in place; nothing is rebuilt when activations change. (Instanced
// spheres cost software renderers dozens of triangles per neuron for the same flat disc.)

import { BufferAttribute, BufferGeometry, Points } from "three";
import { writeActivation } from "./palette.js";
import { discMaterial } from "./shaders.js";

export class NeuronLayer {
  // size: the disc's diameter in world units.
  constructor(positions, size) {
    this.count = positions.length;
    const xyz = new Float32Array(this.count * 3);
    positions.forEach((p, i) => {
      xyz.set([p.x, p.y, p.z], i * 3);
    });
    this.colors = new Float32Array(this.count * 3);
    this.geometry = new BufferGeometry();
    this.geometry.setAttribute("position", new BufferAttribute(xyz, 3));
    this.geometry.setAttribute("color", new BufferAttribute(this.colors, 3));
    this.mesh = new Points(this.geometry, discMaterial(size));
    this.mesh.renderOrder = 2; // after the connections, so neurons sit on top of them
    this.show(new Float32Array(this.count), 1);
  }

  // values: 0..1 per neuron; boost > 1 briefly brightens the layer as a pulse passes through it.
  show(values, boost) {
    for (let i = 0; i < this.count; i++) writeActivation(this.colors, i, values[i], boost);
    this.geometry.attributes.color.needsUpdate = true;
  }

  // Disc sizes are in world units; the shader needs the canvas's height in device pixels.
  resize(drawingBufferHeight) {
    this.mesh.material.uniforms.scale.value = drawingBufferHeight / 2;
  }

  dispose() {
    this.geometry.dispose();
    this.mesh.material.dispose();
  }
}
