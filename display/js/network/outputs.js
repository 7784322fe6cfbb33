// The ten outputs' labels, probability bars and the ring around the answer. The answer is
// unmistakable: its neuron, bar and ring turn yellow and its bar is the longest.

import {
  BoxGeometry,
  CanvasTexture,
  Color,
  InstancedBufferAttribute,
  InstancedMesh,
  Mesh,
  MeshBasicMaterial,
  Object3D,
  PlaneGeometry,
  RingGeometry,
  SRGBColorSpace,
} from "three";
import { ANSWER, LABEL } from "./palette.js";

const BAR_LENGTH = 1.6;
const BAR_REST = new Color("#3c4d6e");

export class OutputPanel {
  constructor(positions, radius) {
    this.positions = positions;
    this.objects = [];
    this.labels = positions.map((p, digit) => this.label(String(digit), p, radius));
    this.bars = new InstancedMesh(new BoxGeometry(1, radius * 1.3, 0.05), new MeshBasicMaterial(), positions.length);
    this.barColors = new Float32Array(positions.length * 3);
    this.bars.instanceColor = new InstancedBufferAttribute(this.barColors, 3);
    this.barX = positions[0].x + radius * 4.2;
    this.ring = new Mesh(
      new RingGeometry(radius * 1.5, radius * 1.85, 40),
      new MeshBasicMaterial({ color: ANSWER }),
    );
    this.ring.visible = false;
    this.objects.push(this.bars, this.ring);
    this.show(new Float32Array(positions.length), -1);
  }

  label(text, p, radius) {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 128;
    const g = canvas.getContext("2d");
    g.fillStyle = LABEL;
    g.font = "700 104px 'Atkinson Hyperlegible', 'DejaVu Sans', sans-serif";
    g.textAlign = "center";
    g.textBaseline = "middle";
    g.fillText(text, 64, 70);
    const texture = new CanvasTexture(canvas);
    texture.colorSpace = SRGBColorSpace;
    const size = radius * 3;
    const mesh = new Mesh(new PlaneGeometry(size, size), new MeshBasicMaterial({ map: texture, transparent: true }));
    mesh.position.set(p.x + radius * 2.6, p.y, p.z);
    this.objects.push(mesh);
    return mesh;
  }

  // probabilities: 0..1 per digit as currently shown; answer: the predicted digit or -1 for none.
  show(probabilities, answer) {
    const place = new Object3D();
    this.positions.forEach((p, i) => {
      const length = Math.max(0.02, probabilities[i] * BAR_LENGTH);
      place.position.set(this.barX + length / 2, p.y, p.z);
      place.scale.set(length, 1, 1);
      place.updateMatrix();
      this.bars.setMatrixAt(i, place.matrix);
      (i === answer ? ANSWER : BAR_REST).toArray(this.barColors, i * 3);
    });
    this.bars.instanceMatrix.needsUpdate = true;
    this.bars.instanceColor.needsUpdate = true;
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
