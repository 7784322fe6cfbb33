// Large type over the 3D scene: the answer, the training figures, layer captions, call to action.

import { formatNumber, t } from "./i18n.js";

const $ = (id) => document.getElementById(id);

export class Hud {
  constructor() {
    this.layerLabels = [];
  }

  // One caption under each layer, placed every frame (the camera drifts).
  setLayers(layout, architecture) {
    const box = $("layer-labels");
    box.replaceChildren();
    this.layerLabels = layout.map((layer, k) => {
      const element = document.createElement("span");
      if (k === 0) element.textContent = t("input");
      else if (k === layout.length - 1) element.textContent = t("outputs");
      else element.textContent = t("neurons", { count: architecture[k] });
      box.append(element);
      return { element, point: layer.caption };
    });
  }

  placeLabels(project) {
    for (const { element, point } of this.layerLabels) {
      const { x, y } = project(point);
      element.style.transform = `translate(${x.toFixed(1)}px, ${y.toFixed(1)}px) translate(-50%, 0)`;
    }
  }

  // The invitation to draw: the exhibit's own sentence, or in the call_to_action scene the text a
  // playlist or presenter gave. The pen glyph only moves while that scene shows it.
  showInvitation(scene, text) {
    const large = scene === "call_to_action";
    const custom = large && typeof text === "string" && text.trim() !== "";
    $("call-to-action").textContent = custom ? text.trim() : t("drawPrompt");
    $("invitation").toggleAttribute("data-custom", custom);
    const glyph = document.querySelector(".invitation-glyph");
    if (large) glyph.unpauseAnimations();
    else glyph.pauseAnimations();
  }

  showAnswer(frame) {
    const answer = $("answer");
    if (frame.digit === null || frame.digit === undefined) {
      answer.hidden = true;
      return;
    }
    answer.hidden = false;
    $("answer-digit").textContent = String(frame.digit);
    const percent = Math.round(frame.probabilities[frame.digit] * 100);
    $("answer-sure").textContent = t("sure", { percent });
    const source = $("digit-source");
    if (frame.source === "sample") source.textContent = t("sampleDigit", { label: frame.label });
    else source.textContent = frame.source === "visitor" ? t("yourDigit") : "";
  }

  showTimeline(timeline) {
    $("images-seen").textContent = formatNumber(timeline.images_seen);
    const accuracy = (timeline.test_accuracy * 100).toFixed(1);
    $("test-accuracy").textContent = `${formatNumber(Number(accuracy))} %`;
    // "3× the data set" says something the figures don't; "5,800 images" would only repeat them.
    const caption = timeline.index === 0 ? t("untrained") : timeline.label.includes("×") ? timeline.label : "";
    $("training-caption").textContent = caption;
    const done = timeline.count > 1 ? timeline.index / (timeline.count - 1) : 1;
    $("training-progress").style.transform = `scaleX(${done.toFixed(3)})`;
  }
}
