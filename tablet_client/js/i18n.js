// The tablet's texts: tablet_client/i18n/<lang>.json, through the exhibit's one translation module
// (common_client/i18n.js, which says how texts, placeholders and grammar choices work).
// The page starts in the staff's language (config.json); a visitor may pick another one
// (language.js), and the exhibit tells the page which one is current (the `scene` message).

import { loadLanguage } from "/common/i18n.js";

export { currentLanguage, t, translatePage } from "/common/i18n.js";

/**
 * Ask the exhibit for the page's settings and take its language (English if it cannot say).
 * Resolves to the settings: {language, loaded, languages, playground} — loaded: whether its texts
 * came (if not, the exhibit's next `scene` message brings them); languages: code → the language's
 * own name ("Deutsch"), in the exhibit's order; playground: whether to offer the second tab.
 */
export async function loadSettings() {
  let settings = {};
  try {
    const response = await fetch("config.json", { cache: "no-store" });
    settings = await response.json();
  } catch {
    // Exhibit unreachable right now: English; the page retries the connection and learns it then.
  }
  const languages = settings?.languages && typeof settings.languages === "object" ? settings.languages : {};
  const language = Object.hasOwn(languages, settings?.language) ? settings.language : "en";
  const loaded = await useLanguage(language);
  return { language, loaded, languages, playground: settings?.playground === true };
}

/** Show the page in `language`; resolves to whether it could (a failed load keeps the texts). */
export async function useLanguage(language) {
  try {
    return await loadLanguage("tablet", language);
  } catch (error) {
    console.warn(String(error));
    return false;
  }
}
