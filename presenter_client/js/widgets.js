// Small pieces of page behaviour used by several panels.

/**
 * A number input with − and + buttons (`.stepper`, buttons with data-step): the buttons move the
 * value within the input's min and max; `onChange(value)` hears every change, typed or tapped.
 */
export function stepper(input, onChange = () => {}) {
  const root = input.closest(".stepper");
  const clamp = (value) => {
    const min = Number(input.min);
    const max = Number(input.max);
    if (!Number.isFinite(value)) value = min;
    return Math.min(max, Math.max(min, Math.round(value)));
  };
  const changed = () => {
    const value = clamp(Number(input.value));
    input.value = String(value);
    update();
    onChange(value);
  };
  const update = () => {
    for (const button of root.querySelectorAll("[data-step]")) {
      const step = Number(button.dataset.step);
      const value = Number(input.value);
      button.dataset.atLimit = String(step < 0 ? value <= Number(input.min) : value >= Number(input.max));
    }
  };
  for (const button of root.querySelectorAll("[data-step]")) {
    button.addEventListener("click", () => {
      input.value = String(clamp(Number(input.value) + Number(button.dataset.step)));
      changed();
    });
  }
  input.addEventListener("change", changed);
  update();
  return {
    get value() {
      return clamp(Number(input.value));
    },
    set(value, { max } = {}) {
      if (max !== undefined) input.max = String(max);
      input.value = String(clamp(value));
      update();
    },
  };
}

/** `element.textContent = text` only when it differs (no needless screen-reader announcements). */
export function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

/** An element with a class and text, for lists built from events. */
export function make(tag, className = "", text = "") {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text) element.textContent = text;
  return element;
}
