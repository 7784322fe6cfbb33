// Visible text in English and German; the exhibit's config picks the language.

const STRINGS = {
  en: {
    title: "Draw a digit",
    hint: "Draw a digit from 0 to 9 here",
    networkSees: "The network sees",
    sure: "{percent} % sure",
    undo: "Undo",
    clear: "Clear",
    connecting: "Connecting…",
    connected: "Connected",
    reconnecting: "Reconnecting in {seconds} s…",
    busy: "Another tablet is drawing – waiting…",
    offline: "Not connected",
    pairTitle: "Pair this tablet",
    pairHelp: "Enter the code shown on the exhibit screen.",
    pair: "Pair",
    pairing: "Pairing…",
    wrongCode: "Wrong or expired code. Ask staff for a new one.",
    badCode: "The code has 6 digits.",
    throttled: "Too many tries. Wait {seconds} s.",
    pairFailed: "Pairing failed. Is the exhibit running?",
  },
  de: {
    title: "Zeichne eine Ziffer",
    hint: "Zeichne hier eine Ziffer von 0 bis 9",
    networkSees: "Das Netz erkennt",
    sure: "zu {percent} % sicher",
    undo: "Rückgängig",
    clear: "Löschen",
    connecting: "Verbinde…",
    connected: "Verbunden",
    reconnecting: "Neuer Versuch in {seconds} s…",
    busy: "Ein anderes Tablet zeichnet – bitte warten…",
    offline: "Nicht verbunden",
    pairTitle: "Tablet koppeln",
    pairHelp: "Gib den Code ein, der am Ausstellungsbildschirm steht.",
    pair: "Koppeln",
    pairing: "Kopple…",
    wrongCode: "Falscher oder abgelaufener Code. Bitte das Personal um einen neuen.",
    badCode: "Der Code hat 6 Ziffern.",
    throttled: "Zu viele Versuche. Bitte {seconds} s warten.",
    pairFailed: "Koppeln fehlgeschlagen. Läuft die Ausstellung?",
  },
};

let language = "en";

/** Ask the exhibit which language to speak; English if it cannot say. */
export async function loadLanguage() {
  try {
    const response = await fetch("config.json", { cache: "no-store" });
    const config = await response.json();
    if (config.language in STRINGS) language = config.language;
  } catch {
    // Exhibit unreachable right now: keep English; the page still works and retries the connection.
  }
  document.documentElement.lang = language;
  return language;
}

/** The string for `key` with `{name}` placeholders filled from `params`. */
export function t(key, params = {}) {
  const text = STRINGS[language][key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}

/** Fill every element marked `data-i18n="key"` below `root`. */
export function translatePage(root = document) {
  for (const element of root.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n);
  }
}
