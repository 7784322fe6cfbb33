// The ten outputs' labels, probability bars and the ring around the answer. The answer is
// unmistakable: its neuron, bar and ring turn yellow and its bar is the longest.

import {
  BoxGeometry,
  CanvasTexture,
  Color,
  InstancedBufferAttribute,
  InstancedMesh,
  LinearMipmapNearestFilter,
  Mesh,
  MeshBasicMaterial,
  Object3D,
  PlaneGeometry,
  RingGeometry,
  SRGBColorSpace,
} from "three";
import { ANSWER, FONT, LABEL, WRONG } from "./palette.js";

const BAR_LENGTH = 1.3;
const BAR_REST = new Color("#3c4d6e");
const LABEL_PX = 256; // texture side: crisp at 4K, mipmapped for 1080p
const LABEL_FONT = `700 ${LABEL_PX * 0.8}px ${FONT}`;

export class OutputPanel {
  constructor(positions, radius) {
    this.positions = positions;
    this.radius = radius;
    this.objects = [];
    this.labels = positions.map((p, digit) => this.label(String(digit), p, radius));
    // Drawn only once the page's digit font is loaded: never in a fallback font first.
    document.fonts.load(LABEL_FONT, "0123456789").then(
      () => this.drawLabels(),
      () => this.drawLabels(),
    );
    this.bars = new InstancedMesh(new BoxGeometry(1, radius * 1.3, 0.05), new MeshBasicMaterial(), positions.length);
    this.barColors = new Float32Array(positions.length * 3);
    this.bars.instanceColor = new InstancedBufferAttribute(this.barColors, 3);
    this.barX = positions[0].x + radius * 4.5;
    this.ring = new Mesh(new RingGeometry(radius * 1.5, radius * 1.85, 40), new MeshBasicMaterial({ color: ANSWER }));
    this.ring.visible = false;
    this.objects.push(this.bars, this.ring);
    this.show(new Float32Array(positions.length), -1);
  }

  label(text, p, radius) {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = LABEL_PX;
    const texture = new CanvasTexture(canvas);
    texture.colorSpace = SRGBColorSpace;
    texture.premultiplyAlpha = true; // no dark or bright fringes where the glyph's edge is filtered
    texture.minFilter = LinearMipmapNearestFilter; // mipmapped, but one level per pixel: cheap in software
    const material = new MeshBasicMaterial({
      map: texture,
      transparent: true,
      premultipliedAlpha: true,
      depthWrite: false,
    });
    const size = radius * 3;
    const mesh = new Mesh(new PlaneGeometry(size, size), material);
    mesh.position.set(p.x + radius * 3, p.y, p.z); // clear of the ring (1.85 radii)
    mesh.renderOrder = 3;
    mesh.visible = false;
    mesh.userData.text = text;
    this.objects.push(mesh);
    return mesh;
  }

  drawLabels() {
    for (const mesh of this.labels) {
      const canvas = mesh.material.map.image;
      const g = canvas.getContext("2d");
      g.clearRect(0, 0, LABEL_PX, LABEL_PX);
      g.fillStyle = LABEL;
      g.font = LABEL_FONT;
      g.textAlign = "center";
      g.textBaseline = "alphabetic";
      // Centre the glyph's own ink box, not the font's line box.
      const m = g.measureText(mesh.userData.text);
      g.fillText(
        mesh.userData.text,
        LABEL_PX / 2,
        LABEL_PX / 2 + (m.actualBoundingBoxAscent - m.actualBoundingBoxDescent) / 2,
      );
      mesh.material.map.needsUpdate = true;
      mesh.visible = true;
    }
  }

  // Points the camera must keep in view: the labels and the bars at their full length.
  bounds() {
    const [first, last] = [this.positions[0], this.positions[this.positions.length - 1]];
    const half = this.radius * 1.5;
    const right = this.barX + BAR_LENGTH;
    return [
      { x: right, y: first.y + half, z: first.z },
      { x: right, y: last.y - half, z: last.z },
    ];
  }

  // probabilities: 0..1 per digit as currently shown; answer: the predicted digit or -1 for none;
  // wrong: the answer is known to be wrong (lilac instead of yellow).
  show(probabilities, answer, wrong = false) {
    const colour = wrong ? WRONG : ANSWER;
    const place = new Object3D();
    this.positions.forEach((p, i) => {
      const length = Math.max(1e-4, probabilities[i] * BAR_LENGTH); // none at all for ~0: no stray slivers
      place.position.set(this.barX + length / 2, p.y, p.z);
      place.scale.set(length, 1, 1);
      place.updateMatrix();
      this.bars.setMatrixAt(i, place.matrix);
      (i === answer ? colour : BAR_REST).toArray(this.barColors, i * 3);
    });
    this.bars.instanceMatrix.needsUpdate = true;
    this.bars.instanceColor.needsUpdate = true;
    this.ring.material.color.copy(colour);
    this.ring.visible = answer >= 0;
    if (answer >= 0) this.ring.position.set(this.positions[answer].x, this.positions[answer].y, 0.01);
  }

  dispose() {
    for (const object of this.objects) {
      object.geometry.dispose();
      object.material.map?.dispose();
      object.material.dispose();
    }
  }
}
