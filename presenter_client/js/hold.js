// The hold bar: who holds the exhibit, always in view, with the one button that fits.
//
// One presenter at a time drives the screen. While someone else holds it, every screen command is
// off (the `.needs-hold` fieldsets are disabled) and the only way on is the explicit "Take over":
// two presenters never fight blindly. It all follows the `exhibit` event, never a local guess.

import { command } from "./commands.js";
import { formatTime, t } from "./i18n.js";
import { value, watch } from "./store.js";
import { setText } from "./widgets.js";

/** How the exhibit stands to us: mine | other | attract | visitor | closed | unknown. */
export function holdOf(exhibit, me) {
  if (!exhibit) return "unknown";
  if (exhibit.presenter) return exhibit.presenter === me ? "mine" : "other";
  if (exhibit.state === "presenter") return "other";
  return ["attract", "visitor", "closed"].includes(exhibit.state) ? exhibit.state : "unknown";
}

export class HoldBar {
  constructor(root) {
    this.root = root;
    this.text = root.querySelector("#hold-text");
    this.take = root.querySelector("#hold-take");
    this.release = root.querySelector("#hold-release");
    this.take.addEventListener("click", () =>
      command("/api/presenter/take", undefined, { control: this.take, confirm: t("taken") }),
    );
    this.release.addEventListener("click", () =>
      command("/api/presenter/release", undefined, { control: this.release, confirm: t("released") }),
    );
    watch(["exhibit", "session"], () => this.show());
  }

  show() {
    const exhibit = value("exhibit");
    const hold = holdOf(exhibit, value("session"));
    const holder = exhibit?.presenter ?? "?";
    this.root.dataset.hold = hold;
    document.body.dataset.hold = hold;
    let text;
    if (hold === "mine") text = t("holdMine");
    else if (hold === "other") text = t("holdOther", { name: holder });
    else if (hold === "attract") text = t("holdAttract");
    else if (hold === "visitor") text = t("holdVisitor");
    else if (hold === "closed")
      text = exhibit.opens_at ? t("holdClosedUntil", { time: formatTime(exhibit.opens_at) }) : t("holdClosed");
    else text = t("holdUnknown");
    setText(this.text, text);
    this.take.hidden = hold === "mine" || hold === "unknown";
    setText(this.take, t(hold === "other" ? "takeOver" : "take"));
    this.release.hidden = hold !== "mine";

    const locked = hold === "other";
    for (const fieldset of document.querySelectorAll("fieldset.needs-hold")) {
      fieldset.disabled = locked;
      if (locked) fieldset.dataset.locked = t("otherHolds", { name: holder });
      else delete fieldset.dataset.locked;
    }
  }
}
