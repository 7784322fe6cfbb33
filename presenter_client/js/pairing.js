// Pairing a tablet: open a window (the big screen shows its QR code); the code shows here too, from
// the `pairing` event, with the time it has left.

import { command } from "./commands.js";
import { formatDuration, t } from "./i18n.js";
import { watch } from "./store.js";
import { setText } from "./widgets.js";

export class PairingControls {
  constructor(section) {
    const $ = (id) => section.querySelector(`#${id}`);
    this.summary = $("pairing-summary");
    this.openButton = $("pairing-open");
    this.view = $("pairing-view");
    this.code = $("pairing-code");
    this.expires = $("pairing-expires");
    this.deadline = 0;
    this.openButton.addEventListener("click", async () => {
      if (await command("/api/admin/pairing", undefined, { control: this.openButton })) section.open = true;
    });
    watch("pairing", (pairing) => this.show(pairing));
    setInterval(() => this.tick(), 1000);
  }

  show(pairing) {
    const open = Boolean(pairing?.open);
    this.view.hidden = !open;
    if (open) {
      setText(this.code, pairing.code ?? "");
      this.deadline = performance.now() + Number(pairing.expires_in_s ?? 0) * 1000;
      this.tick();
    } else {
      this.deadline = 0;
      setText(this.summary, pairing?.paired ? t("pairingDone") : t("pairingClosed"));
    }
  }

  tick() {
    if (!this.deadline) return;
    const left = Math.max(0, (this.deadline - performance.now()) / 1000);
    const text = t("pairingExpires", { time: formatDuration(left) });
    setText(this.expires, text);
    setText(this.summary, `${t("pairingCode")} ${this.code.textContent} · ${text}`);
  }
}
