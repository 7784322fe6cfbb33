// Large type over the 3D scene: the answer, the training figures, layer captions, call to action.
//
// The answer is shown when the 3D view shows it (main.js calls showAnswer in the frame where the
// view's ring moves), so the big digit and the ring never disagree. A test digit whose label is
// known and differs from the answer is marked wrong, in the same calm lilac as the samples scene.

import { formatNumber, t } from "./i18n.js";

const $ = (id) => document.getElementById(id);

export class Hud {
  constructor() {
    this.layerLabels = [];
    this.inputCount = 0;
  }

  // One caption under each layer, placed every frame (the camera drifts). The input's caption says
  // whose drawing it is (showAnswer).
  setLayers(layout, architecture) {
    const box = $("layer-labels");
    box.replaceChildren();
    this.inputCount = architecture[0];
    this.layerLabels = layout.map((layer, k) => {
      const element = document.createElement("span");
      if (k === 0) element.textContent = t("input", { count: architecture[0] });
      else if (k === layout.length - 1) element.textContent = t("outputs", { count: architecture[k] });
      else element.textContent = t("neurons", { count: architecture[k] });
      box.append(element);
      return { element, point: layer.caption };
    });
  }

  // A caption that would be cut at the screen's edge, or lie under one of the `avoid` boxes (the
  // explain tour's callout and heading), is hidden: half a caption, or one under a panel, is noise.
  placeLabels(project, avoid = []) {
    const [width, height] = [window.innerWidth, window.innerHeight];
    for (const { element, point } of this.layerLabels) {
      const { x, y } = project(point);
      element.style.transform = `translate(${x.toFixed(1)}px, ${y.toFixed(1)}px) translate(-50%, 0)`;
      const half = element.offsetWidth / 2;
      const box = { left: x - half, right: x + half, top: y, bottom: y + element.offsetHeight };
      const cut = box.left < 0 || box.right > width || box.top < 0 || box.bottom > height;
      element.style.visibility = cut || avoid.some((other) => overlap(box, other)) ? "hidden" : "";
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

  // frame: the activation whose answer the 3D view shows from this frame on (null: none yet).
  showAnswer(frame) {
    this.showInputCaption(frame);
    const answer = $("answer");
    if (!frame || frame.digit === null || frame.digit === undefined) {
      answer.hidden = true;
      return;
    }
    answer.hidden = false;
    $("answer-lead").textContent = t("predicted", { digit: frame.digit });
    $("answer-digit").textContent = String(frame.digit);
    const percent = Math.round(frame.probabilities[frame.digit] * 100);
    $("answer-sure").textContent = t("sure", { percent });
    const wrong = frame.source === "sample" && Number.isInteger(frame.label) && frame.label !== frame.digit;
    answer.toggleAttribute("data-wrong", wrong);
    $("answer-verdict").textContent = wrong ? t("answerWrong", { label: frame.label }) : "";
  }

  showInputCaption(frame) {
    const caption = this.layerLabels[0]?.element;
    if (!caption) return;
    const count = this.inputCount;
    if (frame?.source === "visitor") caption.textContent = t("inputVisitor", { count });
    else if (frame?.source === "sample" && Number.isInteger(frame.label)) {
      caption.textContent = t("inputSample", { count, label: frame.label });
    } else caption.textContent = t("input", { count });
  }

  showTimeline(timeline) {
    $("images-seen").textContent = formatNumber(timeline.images_seen);
    const accuracy = (timeline.test_accuracy * 100).toFixed(1);
    $("test-accuracy").textContent = `${formatNumber(Number(accuracy))} %`;
    // "3× the data set" (the export's label) says something the figures don't, in the visitor's
    // words and language; "5,800 images" would only repeat them.
    const times = Number(/^(\d+)×/.exec(timeline.label ?? "")?.[1]);
    const caption = timeline.index === 0 ? t("untrained") : times > 0 ? t("timelineTimes", { times }) : "";
    $("training-caption").textContent = caption;
    const done = timeline.count > 1 ? timeline.index / (timeline.count - 1) : 1;
    $("training-progress").style.transform = `scaleX(${done.toFixed(3)})`;
  }
}

function overlap(a, b) {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}
