// The scene switcher: one button a scene (six), the one on screen pressed (from the `scene` event).

import { command } from "./commands.js";
import { sceneName, t } from "./i18n.js";
import { watch } from "./store.js";
import { setText } from "./widgets.js";

export class SceneSwitcher {
  constructor(root) {
    this.buttons = [...root.querySelectorAll("[data-scene]")];
    this.summary = root.querySelector("#scene-summary");
    for (const button of this.buttons) {
      button.addEventListener("click", () =>
        command("/api/admin/scene", { scene: button.dataset.scene }, { control: button }),
      );
    }
    watch("scene", ({ scene }) => {
      for (const button of this.buttons) button.setAttribute("aria-pressed", String(button.dataset.scene === scene));
      setText(this.summary, t("sceneNow", { scene: sceneName(scene) }));
    });
  }
}
