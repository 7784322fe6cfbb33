// The presenter's texts: presenter_client/i18n/<lang>.json, through the exhibit's one translation
// module (common_client/i18n.js, which says how texts, placeholders and grammar choices work).
// The page speaks the staff's language (the tablet page's /tablet/config.json says which, and needs
// no session), not a visitor's. Numbers, times and durations follow the language.

import { currentLanguage, translatePage as fill, loadLanguage as load, t } from "/common/i18n.js";

export { currentLanguage, formatNumber, t } from "/common/i18n.js";

/** Ask the exhibit for its language (English if it cannot say); resolves to the language. */
export async function loadLanguage() {
  let wanted = "en";
  try {
    const response = await fetch("/tablet/config.json", { cache: "no-store", credentials: "same-origin" });
    const settings = await response.json();
    if (typeof settings?.language === "string") wanted = settings.language;
  } catch {
    // Exhibit unreachable right now: English; the log-in says why it cannot go on.
  }
  try {
    await load("presenter", wanted);
  } catch (error) {
    console.warn(String(error));
  }
  return currentLanguage();
}

/** Fill every element marked data-i18n (text), data-i18n-label (aria-label) or data-i18n-placeholder. */
export function translatePage(root = document) {
  fill(root);
  document.title = `${t("title")} · nn-kiosk`;
}

/** "09:30" today, "Tue 09:30" on another day, from an ISO time. */
export function formatTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const sameDay = date.toDateString() === new Date().toDateString();
  const options = sameDay
    ? { hour: "2-digit", minute: "2-digit" }
    : { weekday: "short", hour: "2-digit", minute: "2-digit" };
  return new Intl.DateTimeFormat(currentLanguage(), options).format(date);
}

/** "3 h 12 min", "4 min 05 s", "12 s". */
export function formatDuration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h} h ${String(m).padStart(2, "0")} min`;
  if (m > 0) return `${m} min ${String(s % 60).padStart(2, "0")} s`;
  return `${s} s`;
}

const SCENE_KEYS = {
  live: "sceneLive",
  timeline: "sceneTimeline",
  playground: "scenePlayground",
  samples: "sceneSamples",
  call_to_action: "sceneCallToAction",
  explain: "sceneExplain",
};

/** A scene's name for people ("Training history" for `timeline`). */
export function sceneName(scene) {
  return SCENE_KEYS[scene] ? t(SCENE_KEYS[scene]) : String(scene ?? "–");
}

/** A tablet in the status: "connected", "not connected", or why it cannot connect or was dropped. */
export function tabletState(tablet) {
  if (tablet.connected) return t("connected");
  const code = tablet.problem?.code;
  return code ? t(`problem_${code}`) : t("notConnected");
}
