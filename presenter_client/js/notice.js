// One line of feedback at the bottom of the screen: what a command did, or why it did not work.
// Announced to screen readers (role=status / alert); it fades after a while, problems stay longer.

const SHOW_MS = { info: 4000, problem: 9000 };

let root = null;
let timer = null;

export function setupNotice(element) {
  root = element;
  root.addEventListener("click", () => hide());
}

/** Show `text`; tone "info" (calm, short) or "problem" (stays longer, announced assertively). */
export function say(text, tone = "info") {
  if (!root) return;
  clearTimeout(timer);
  root.textContent = text;
  root.dataset.tone = tone;
  root.setAttribute("role", tone === "problem" ? "alert" : "status");
  root.hidden = false;
  timer = setTimeout(hide, SHOW_MS[tone] ?? SHOW_MS.info);
}

export function hide() {
  if (!root) return;
  clearTimeout(timer);
  root.hidden = true;
}
