// The 28×28 input as one textured square: the image the network sees, updated in place.
// One quad instead of 784 instanced squares keeps software rendering (SwiftShader) fast.

import { DataTexture, Mesh, NearestFilter, PlaneGeometry, RGBAFormat } from "three";
import { writeActivation } from "./palette.js";
import { imageMaterial } from "./shaders.js";

export class InputImage {
  // positions: the pixel centres from the layout (row-major, 28 per row).
  constructor(positions) {
    this.count = positions.length;
    this.side = Math.round(Math.sqrt(this.count));
    const pitch = Math.abs(positions[1].x - positions[0].x);
    const centre = positions.reduce((c, p) => ({ x: c.x + p.x / this.count, y: c.y + p.y / this.count }), {
      x: 0,
      y: 0,
    });
    this.rgba = new Uint8Array(this.count * 4);
    this.scratch = new Float32Array(3);
    this.texture = new DataTexture(this.rgba, this.side, this.side, RGBAFormat);
    this.texture.magFilter = NearestFilter; // crisp pixels: this is what the network sees
    this.texture.minFilter = NearestFilter;
    this.texture.generateMipmaps = false; // one 28×28 image, seen large: no mipmaps to rebuild on every update
    const size = pitch * this.side;
    // Drawn last and over everything: the lines from its pixels start at its edge, never across it.
    this.mesh = new Mesh(new PlaneGeometry(size, size), imageMaterial(this.texture));
    this.mesh.position.set(centre.x, centre.y, positions[0].z);
    this.mesh.renderOrder = 4;
    this.show(new Float32Array(this.count), 1);
  }

  show(values, boost) {
    for (let i = 0; i < this.count; i++) {
      writeActivation(this.scratch, 0, values[i], boost);
      // The image's rows run top to bottom; a texture's first row is its bottom.
      const row = this.side - 1 - Math.floor(i / this.side);
      const at = (row * this.side + (i % this.side)) * 4;
      this.rgba[at] = this.scratch[0] * 255;
      this.rgba[at + 1] = this.scratch[1] * 255;
      this.rgba[at + 2] = this.scratch[2] * 255;
      this.rgba[at + 3] = 255;
    }
    this.texture.needsUpdate = true;
  }

  resize() {}

  dispose() {
    this.texture.dispose();
    this.mesh.geometry.dispose();
    this.mesh.material.dispose();
  }
}
