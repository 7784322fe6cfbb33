// One translation mechanism for the exhibit's three pages (screen, tablet, presenter).
//
// Texts live in one JSON file per page and language: /<page>/i18n/<lang>.json (display, tablet,
// presenter), all with the same keys (tests/test_i18n_files.py). A page calls
// loadLanguage(page, lang) and then t(key, values):
//
// - "{name}" placeholders are filled from `values`; a number is written the language's way
//   (Intl.NumberFormat: 10,000 · 10.000 · 10 000).
// - A text may be a choice for grammar: {"by": "digit", "8": "I think it is an", "other": "I think it
//   is a"}. The value named by "by" picks the text: its exact value, else its Intl.PluralRules category
//   ("one", "few", "other", …), else "other". Plurals: {"by": "count", "one": "1 neuron",
//   "other": "{count} neurons"}.
// - An unknown key shows itself, so a gap is visible on screen rather than blank.
// - French: the space before : ; ! ? % and inside « » never breaks a line (translators may type a
//   plain space; it becomes a no-break one here).
//
// loadLanguage also sets <html lang> (screen readers, hyphenation, Intl) and fills the page's marked
// elements (translatePage): data-i18n → text, data-i18n-label → aria-label, data-i18n-placeholder.

let language = "en";
let strings = {};
let loading = 0; // the latest loadLanguage call; an older one that answers late is ignored

/** Fetch and use `/<page>/i18n/<lang>.json`; rejects (keeping the old texts) if there is none. */
export async function loadLanguage(page, lang) {
  const ticket = ++loading;
  const response = await fetch(`/${page}/i18n/${encodeURIComponent(lang)}.json`, { cache: "no-cache" });
  if (!response.ok) throw new Error(`no ${page} texts for language ${lang} (HTTP ${response.status})`);
  const loaded = await response.json();
  if (ticket !== loading) return false; // a newer language was asked for meanwhile
  strings = loaded;
  language = lang;
  document.documentElement.lang = lang;
  translatePage();
  return true;
}

/** The language whose texts are in use ("en" until one is loaded). */
export function currentLanguage() {
  return language;
}

/** The text for `key` in the current language, its choice made and its `{placeholders}` filled. */
export function t(key, values = {}) {
  const text = choose(strings[key], values);
  if (typeof text !== "string") return key;
  const filled = text.replace(/\{(\w+)\}/g, (_, name) => formatValue(values[name]));
  return language === "fr" ? frenchSpaces(filled) : filled;
}

/** Whether the current language has a text for `key` (e.g. to keep a page's built-in text). */
export function has(key) {
  return Object.hasOwn(strings, key);
}

/** A number the language's way: 12,000 (en) · 12.000 (de) · 12 000 (fr). */
export function formatNumber(value, options = {}) {
  return new Intl.NumberFormat(language, options).format(value);
}

/** Fill every marked element below `root`; one whose key is missing keeps what it has. */
export function translatePage(root = document) {
  const marks = [
    ["[data-i18n]", "i18n", (element, text) => (element.textContent = text)],
    ["[data-i18n-label]", "i18nLabel", (element, text) => element.setAttribute("aria-label", text)],
    ["[data-i18n-placeholder]", "i18nPlaceholder", (element, text) => element.setAttribute("placeholder", text)],
  ];
  for (const [selector, name, apply] of marks) {
    for (const element of root.querySelectorAll(selector)) {
      const key = element.dataset[name];
      if (has(key)) apply(element, t(key));
    }
  }
}

function choose(text, values) {
  if (text === null || typeof text !== "object") return text;
  const value = values[text.by];
  if (value !== undefined && value !== null) {
    if (Object.hasOwn(text, String(value))) return text[String(value)];
    const number = Number(value);
    if (Number.isFinite(number)) {
      const category = new Intl.PluralRules(language).select(number);
      if (Object.hasOwn(text, category)) return text[category];
    }
  }
  return text.other;
}

function frenchSpaces(text) {
  return text.replace(/ ([:;!?%»])/g, "\u00a0$1").replace(/« /g, "«\u00a0");
}

function formatValue(value) {
  if (value === undefined || value === null) return "";
  return typeof value === "number" && Number.isFinite(value) ? formatNumber(value) : String(value);
}
