// The paired tablets, with a two-step "Revoke" (a revoked tablet must be paired again, so the
// first tap only asks). The list reloads when the section opens and whenever the `status` event's
// tablets change (one paired, revoked, connected or gone).

import { get } from "/common/api.js";
import { command, explain } from "./commands.js";
import { formatTime, t, tabletState } from "./i18n.js";
import { value, watch } from "./store.js";
import { make, setText } from "./widgets.js";

export class TabletList {
  constructor(section) {
    const $ = (id) => section.querySelector(`#${id}`);
    this.section = section;
    this.summary = $("tablets-summary");
    this.list = $("tablet-list");
    this.refreshButton = $("tablets-refresh");
    this.seen = ""; // the status event's tablets, to notice a change
    this.refreshButton.addEventListener("click", () => this.load());
    const look = () => section.open && value("session") && this.load();
    section.addEventListener("toggle", look);
    watch("session", look);
    watch("status", (status) => {
      const tablets = Array.isArray(status.tablets) ? status.tablets : [];
      const connected = tablets.filter((tablet) => tablet.connected).length;
      setText(this.summary, tablets.length ? `${tablets.length} · ${connected} ${t("connected")}` : t("noTablets"));
      const key = JSON.stringify(tablets);
      if (key !== this.seen) {
        this.seen = key;
        if (section.open) this.load();
      }
    });
  }

  async load() {
    // Not under a presenter's finger: a list redrawn mid-confirmation would lose the question.
    if (this.list.querySelector('[data-confirming="true"]')) {
      this.stale = true;
      return;
    }
    this.stale = false;
    try {
      const { tablets } = await get("/api/admin/tablets");
      this.show(Array.isArray(tablets) ? tablets : []);
    } catch (error) {
      this.list.replaceChildren(make("li", "hint", explain(error)));
    }
  }

  show(tablets) {
    if (this.list.querySelector('[data-confirming="true"]')) {
      this.stale = true;
      return;
    }
    if (tablets.length === 0) {
      this.list.replaceChildren(make("li", "hint", t("noTablets")));
      return;
    }
    this.list.replaceChildren(...tablets.map((tablet) => this.row(tablet)));
  }

  row(tablet) {
    const name = tablet.name || tablet.device;
    const item = make("li", "tablet");
    item.dataset.connected = String(Boolean(tablet.connected));
    item.dataset.device = tablet.device;
    const about = make("div", "tablet-about");
    const title = make("p", "tablet-name");
    title.append(make("span", "dot"), make("span", "", name));
    const details = [tabletState(tablet)];
    if (tablet.last_seen) details.push(t("lastSeen", { time: formatTime(tablet.last_seen) }));
    if (tablet.paired_at) details.push(t("pairedAt", { time: formatTime(tablet.paired_at) }));
    about.append(title, make("p", "hint", details.join(" · ")));

    const actions = make("div", "tablet-actions");
    const revoke = make("button", "button button-danger-outline", t("revoke"));
    revoke.type = "button";
    revoke.setAttribute("aria-label", `${t("revoke")}: ${name}`);
    revoke.addEventListener("click", () => this.confirm(item, actions, tablet, name));
    actions.append(revoke);
    item.append(about, actions);
    return item;
  }

  /** The second step: say what revoking means, then Yes or Cancel. */
  confirm(item, actions, tablet, name) {
    const question = make("p", "confirm-question", t("reallyRevoke", { name }));
    question.setAttribute("role", "alert");
    const yes = make("button", "button button-danger", t("yesRevoke"));
    const no = make("button", "button", t("cancel"));
    yes.type = no.type = "button";
    const row = make("div", "button-row");
    row.append(yes, no);
    const previous = [...actions.childNodes];
    actions.replaceChildren(question, row);
    item.dataset.confirming = "true";
    no.focus();
    no.addEventListener("click", () => {
      actions.replaceChildren(...previous);
      delete item.dataset.confirming;
      previous[0]?.focus();
      if (this.stale) this.load();
    });
    yes.addEventListener("click", async () => {
      yes.disabled = no.disabled = true;
      const done = await command(
        "/api/admin/tablets/revoke",
        { device: tablet.device },
        { control: yes, confirm: t("revoked", { name }) },
      );
      delete item.dataset.confirming;
      if (done || this.stale) this.load();
      else actions.replaceChildren(...previous);
    });
  }
}
