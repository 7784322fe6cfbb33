// Visible text in English and German; the exhibit's config (config.json) picks the language.

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
    lost: "Reconnecting…",
    busy: "Another tablet is drawing – waiting…",
    offline: "Not connected",
    blocked: "Cannot connect",
    unsupported: "Browser not supported",
    linkConnectingTitle: "Connecting to the exhibit…",
    linkConnectingDetail: "One moment, please.",
    linkLostTitle: "Lost the connection to the exhibit",
    linkLostDetail: "Reconnecting… Your drawing is kept; you can go on in a moment.",
    linkBusyTitle: "Another tablet is drawing",
    linkBusyDetail: "This tablet takes over as soon as it is done.",
    linkBlockedTitle: "This tablet cannot reach the exhibit",
    linkBlockedDetail:
      "Still trying. Staff: the tablet and the exhibit PC must be on the same network, with UDP allowed between them (see the operations guide).",
    linkUnsupportedTitle: "This browser cannot connect to the exhibit",
    linkUnsupportedDetail: "It has no WebRTC. Staff: open this page in Safari, Chrome or Firefox.",
    pairTitle: "Pair this tablet",
    pairHelp: "Enter the code shown on the exhibit screen.",
    pair: "Pair",
    pairing: "Pairing…",
    wrongCode: "Wrong or expired code. Ask staff for a new one.",
    badCode: "The code has 6 digits.",
    throttled: "Too many tries. Wait {seconds} s.",
    pairFailed: "Pairing failed. Is the exhibit running?",
    tabDraw: "Draw",
    tabPlay: "Play with a network",
    pgPickData: "Pick a pattern",
    pgNoise: "Noise",
    pgBuildNet: "Build the network",
    pgLayers: "Layers",
    pgAddLayer: "Add a layer",
    pgRemoveLayer: "Remove a layer",
    pgAddNeuron: "One more neuron in layer {layer}",
    pgRemoveNeuron: "One neuron less in layer {layer}",
    pgInput: "In",
    pgOutput: "Out",
    pgPlay: "Play",
    pgPause: "Pause",
    pgResume: "Resume",
    pgReset: "Reset",
    pgStarted: "Look at the big screen: the network is learning!",
    pgPaused: "Paused. Press Resume to go on.",
    pgResumed: "Learning again – look at the big screen.",
    pgWasReset: "Reset. Choose and press Play to start again.",
    pgChanged: "Press Play to try your changes.",
    pgReady: "Choose a pattern and a network, then press Play.",
    pgForbidden: "The big screen is not taking playground requests from tablets right now.",
    pgRefused: "The exhibit did not accept that:",
    pgThrottled: "Too many tries. Wait {seconds} s.",
    pgUnreachable: "The exhibit cannot be reached just now. Try again in a moment.",
    pgFailed: "That did not work. Try again in a moment.",
    datasetSpiral: "Two spirals",
    datasetCircles: "Circle in a ring",
    datasetMoons: "Two moons",
    datasetXor: "Four corners",
    datasetGaussians: "Two clouds",
    datasetLinear: "A straight line",
    closedTitle: "The exhibit is closed",
    opensRelative: "It opens {day} at {time}.",
    opensOn: "It opens on {day} at {time}.",
    closedSoon: "See you soon!",
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
    lost: "Verbinde neu…",
    busy: "Ein anderes Tablet zeichnet – bitte warten…",
    offline: "Nicht verbunden",
    blocked: "Keine Verbindung",
    unsupported: "Browser nicht geeignet",
    linkConnectingTitle: "Verbinde mit der Ausstellung…",
    linkConnectingDetail: "Einen Moment bitte.",
    linkLostTitle: "Die Verbindung zur Ausstellung ist weg",
    linkLostDetail: "Verbinde neu… Deine Zeichnung bleibt; gleich geht es weiter.",
    linkBusyTitle: "Ein anderes Tablet zeichnet",
    linkBusyDetail: "Dieses Tablet ist dran, sobald es fertig ist.",
    linkBlockedTitle: "Dieses Tablet erreicht die Ausstellung nicht",
    linkBlockedDetail:
      "Versuche weiter. Personal: Tablet und Ausstellungs-PC müssen im selben Netz sein, UDP muss zwischen ihnen erlaubt sein (siehe Betriebsanleitung).",
    linkUnsupportedTitle: "Dieser Browser kann sich nicht mit der Ausstellung verbinden",
    linkUnsupportedDetail: "Ihm fehlt WebRTC. Personal: Seite bitte in Safari, Chrome oder Firefox öffnen.",
    pairTitle: "Tablet koppeln",
    pairHelp: "Gib den Code ein, der am Ausstellungsbildschirm steht.",
    pair: "Koppeln",
    pairing: "Kopple…",
    wrongCode: "Falscher oder abgelaufener Code. Bitte das Personal um einen neuen.",
    badCode: "Der Code hat 6 Ziffern.",
    throttled: "Zu viele Versuche. Bitte {seconds} s warten.",
    pairFailed: "Koppeln fehlgeschlagen. Läuft die Ausstellung?",
    tabDraw: "Zeichnen",
    tabPlay: "Mit einem Netz spielen",
    pgPickData: "Wähle ein Muster",
    pgNoise: "Rauschen",
    pgBuildNet: "Baue das Netz",
    pgLayers: "Schichten",
    pgAddLayer: "Eine Schicht dazu",
    pgRemoveLayer: "Eine Schicht weniger",
    pgAddNeuron: "Ein Neuron mehr in Schicht {layer}",
    pgRemoveNeuron: "Ein Neuron weniger in Schicht {layer}",
    pgInput: "Ein",
    pgOutput: "Aus",
    pgPlay: "Los",
    pgPause: "Pause",
    pgResume: "Weiter",
    pgReset: "Zurücksetzen",
    pgStarted: "Schau auf den großen Bildschirm: Das Netz lernt!",
    pgPaused: "Angehalten. Mit „Weiter“ geht es weiter.",
    pgResumed: "Das Netz lernt weiter – schau auf den großen Bildschirm.",
    pgWasReset: "Zurückgesetzt. Wähle aus und drücke „Los“.",
    pgChanged: "Drücke „Los“, um deine Änderungen auszuprobieren.",
    pgReady: "Wähle ein Muster und ein Netz, dann drücke „Los“.",
    pgForbidden: "Der große Bildschirm nimmt gerade keine Spielplatz-Befehle von Tablets an.",
    pgRefused: "Das hat die Ausstellung nicht angenommen:",
    pgThrottled: "Zu viele Versuche. Bitte {seconds} s warten.",
    pgUnreachable: "Die Ausstellung ist gerade nicht erreichbar. Versuch es gleich noch einmal.",
    pgFailed: "Das hat nicht geklappt. Versuch es gleich noch einmal.",
    datasetSpiral: "Zwei Spiralen",
    datasetCircles: "Kreis im Ring",
    datasetMoons: "Zwei Monde",
    datasetXor: "Vier Ecken",
    datasetGaussians: "Zwei Wolken",
    datasetLinear: "Eine Gerade",
    closedTitle: "Die Ausstellung ist geschlossen",
    opensRelative: "Sie öffnet {day} um {time} Uhr.",
    opensOn: "Sie öffnet am {day} um {time} Uhr.",
    closedSoon: "Bis bald!",
  },
};

let language = "en";

/**
 * Ask the exhibit for the page's settings and take its language (English if it cannot say).
 * Resolves to the settings: {language, playground} — playground: whether to offer the second tab.
 */
export async function loadSettings() {
  let settings = {};
  try {
    const response = await fetch("config.json", { cache: "no-store" });
    settings = await response.json();
    if (settings.language in STRINGS) language = settings.language;
  } catch {
    // Exhibit unreachable right now: keep English; the page still works and retries the connection.
  }
  document.documentElement.lang = language;
  return { language, playground: settings?.playground === true };
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
