// The screen's texts: one JSON file per language in display/i18n, chosen by the exhibit's config.

let strings = {};

export async function loadLanguage(language) {
  const response = await fetch(`/display/i18n/${encodeURIComponent(language)}.json`);
  if (!response.ok) throw new Error(`no texts for language ${language}`);
  strings = await response.json();
  document.documentElement.lang = language;
  for (const element of document.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n);
  }
}

// t("sure", { percent: 98 }) → "98 % sure"; an unknown key shows itself, so a gap is visible, not blank.
export function t(key, values = {}) {
  const text = strings[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

export function formatNumber(value) {
  return new Intl.NumberFormat(document.documentElement.lang).format(value);
}
