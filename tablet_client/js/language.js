// The visitor's language: a button showing the current language's own name ("Deutsch") opens the
// list of the languages the exhibit speaks, each by its own name. The list comes from the exhibit
// (config.json: code → name, read from each language's files), so a sixth language needs no code
// here. A pick calls onPick(code); main.js switches this page at once and asks the exhibit to
// switch the screen for this visitor. The exhibit decides what is current (its `scene` messages
// name the language): show(code) follows it.

const GLOBE =
  '<svg viewBox="0 0 24 24" aria-hidden="true" class="language-globe"><circle cx="12" cy="12" r="10"/>' +
  '<path d="M2 12h20M12 2c3 3 4.5 6.5 4.5 10S15 19 12 22M12 2C9 5 7.5 8.5 7.5 12S9 19 12 22"/></svg>';

export class LanguagePicker {
  /**
   * @param {HTMLElement} root  the picker (#language): a button and a list
   * @param {Object<string, string>} languages  code → the language's own name, in the exhibit's order
   * @param {(code: string) => void} onPick  the visitor chose a language other than the current one
   */
  constructor(root, languages, onPick) {
    this.root = root;
    this.languages = languages;
    this.onPick = onPick;
    this.button = root.querySelector("#language-button");
    this.list = root.querySelector("#language-list");
    this.options = new Map();
    for (const [code, name] of Object.entries(languages)) {
      const option = document.createElement("button");
      option.type = "button";
      option.className = "language-option";
      option.lang = code; // each name is read in its own language
      option.textContent = name;
      option.addEventListener("click", () => this.pick(code));
      this.list.append(option);
      this.options.set(code, option);
    }
    this.button.addEventListener("click", () => this.setOpen(this.list.hidden));
    // A tap anywhere else closes the list without a change.
    document.addEventListener("pointerdown", (event) => {
      if (!this.list.hidden && !root.contains(event.target)) this.setOpen(false);
    });
    // One language: nothing to choose. In the presenter's page (a frame) the staff's language stays.
    root.hidden = this.options.size < 2 || window.self !== window.top;
  }

  /** Show `code` as the current language. */
  show(code) {
    this.current = code;
    this.button.innerHTML = `${GLOBE}<span class="language-name"></span>`;
    const name = this.button.querySelector(".language-name");
    name.textContent = this.languages[code] ?? code;
    name.lang = code;
    for (const [other, option] of this.options) option.setAttribute("aria-pressed", String(other === code));
  }

  setOpen(open) {
    this.list.hidden = !open;
    this.button.setAttribute("aria-expanded", String(open));
  }

  pick(code) {
    this.setOpen(false);
    if (code !== this.current) this.onPick(code);
  }
}
