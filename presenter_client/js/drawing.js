// Drawing on the big screen from the presenter page: the tablet page itself (/tablet) in an
// iframe, with a tablet credential the exhibit issues to this presenter (POST
// /api/presenter/drawing; it does not take a visitor's seat).
//
// The tablet page reads its credential from localStorage at start (tablet_client/js/pairing.js,
// key "nn-kiosk.tablet", {credential}); the iframe is same-origin, so we put ours there before
// loading it. Should this browser also be a paired tablet, its own entry is kept aside and put
// back when drawing stops (or at the next start of this page, if it was closed while drawing).

import { post } from "/common/api.js";
import { command, explain } from "./commands.js";
import { holdOf } from "./hold.js";
import { t } from "./i18n.js";
import { say } from "./notice.js";
import { value } from "./store.js";
import { setText } from "./widgets.js";

const TABLET_KEY = "nn-kiosk.tablet"; // STORAGE_KEY in tablet_client/js/pairing.js
// The tablet page's layout needs about this much width; a narrower panel (a phone) shows it
// scaled down rather than cut off. Pointer input follows the scaling.
const MIN_FRAME_WIDTH = 420;
const BACKUP_KEY = "nn-kiosk.presenter.tablet-backup";

function ours(text) {
  try {
    return JSON.parse(text)?.presenter === true;
  } catch {
    return false;
  }
}

function installCredential(credential) {
  const current = localStorage.getItem(TABLET_KEY);
  if (current !== null && !ours(current) && localStorage.getItem(BACKUP_KEY) === null) {
    localStorage.setItem(BACKUP_KEY, current);
  }
  const entry = { device: "presenter", name: value("session") ?? "presenter", credential, presenter: true };
  localStorage.setItem(TABLET_KEY, JSON.stringify(entry));
}

/** Put this browser's own tablet pairing back (if it had one) in place of the presenter's credential. */
export function restoreTabletCredential() {
  const current = localStorage.getItem(TABLET_KEY);
  if (current !== null && !ours(current)) {
    localStorage.removeItem(BACKUP_KEY); // paired for real since: that pairing wins
    return;
  }
  const backup = localStorage.getItem(BACKUP_KEY);
  if (backup !== null) localStorage.setItem(TABLET_KEY, backup);
  else localStorage.removeItem(TABLET_KEY);
  localStorage.removeItem(BACKUP_KEY);
}

export class RemoteDrawing {
  constructor(section) {
    const $ = (id) => section.querySelector(`#${id}`);
    this.section = section;
    this.summary = $("drawing-summary");
    this.toggle = $("drawing-toggle");
    this.wrap = $("drawing-frame-wrap");
    this.frame = null;
    new ResizeObserver(() => this.fit()).observe(this.wrap);
    restoreTabletCredential();
    this.toggle.addEventListener("click", () => (this.frame ? this.stop() : this.start()));
    // The tablet page forgets a refused credential (revoked, logged out): then our link is over.
    window.addEventListener("storage", (event) => {
      if (this.frame && event.key === TABLET_KEY && (event.newValue === null || !ours(event.newValue))) {
        this.stop();
        say(t("drawingEnded"), "problem");
      }
    });
  }

  async start() {
    this.toggle.disabled = true;
    try {
      const { credential } = await post("/api/presenter/drawing");
      if (!credential) throw new Error("no credential");
      installCredential(credential);
      const frame = document.createElement("iframe");
      frame.className = "drawing-frame";
      frame.title = t("drawingFrame");
      frame.src = "/tablet";
      this.frame = frame;
      this.wrap.replaceChildren(frame);
      this.wrap.hidden = false;
      this.fit();
      this.section.dataset.drawing = "true";
      this.toggle.setAttribute("aria-expanded", "true");
      setText(this.toggle, t("stopDrawing"));
      setText(this.summary, t("live"));
      // The screen shows a drawing in its "live" scene only: go there, unless someone else presents.
      const hold = holdOf(value("exhibit"), value("session"));
      if (value("scene")?.scene !== "live" && hold !== "other") command("/api/admin/scene", { scene: "live" });
    } catch (error) {
      if (error.status !== 401)
        say(explain(error.status === undefined ? { status: -1, message: error.message } : error), "problem");
    } finally {
      this.toggle.disabled = false;
    }
  }

  /** The frame fills its box, at MIN_FRAME_WIDTH or more, scaled to fit. */
  fit() {
    if (!this.frame) return;
    const width = this.wrap.clientWidth; // inside its border
    const height = this.wrap.clientHeight;
    if (width === 0) return;
    const scale = Math.min(1, width / MIN_FRAME_WIDTH);
    this.frame.style.width = `${width / scale}px`;
    this.frame.style.height = `${height / scale}px`;
    this.frame.style.transform = scale < 1 ? `scale(${scale})` : "";
  }

  stop() {
    if (!this.frame) return;
    this.frame.remove();
    this.frame = null;
    this.wrap.hidden = true;
    delete this.section.dataset.drawing;
    restoreTabletCredential();
    this.toggle.setAttribute("aria-expanded", "false");
    setText(this.toggle, t("startDrawing"));
    setText(this.summary, "");
  }
}
