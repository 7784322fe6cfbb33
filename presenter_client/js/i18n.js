// Visible text in English and German; the exhibit's config picks the language (the tablet page's
// /tablet/config.json says which, and needs no session). Numbers and times follow the language.

const STRINGS = {
  en: {
    title: "Presenter",
    loginTitle: "Present the exhibit",
    loginHelp: "Log in to drive the big screen from this phone or laptop.",
    nameLabel: "Your name",
    nameHint: "Who are you? Shown to other presenters.",
    passphraseLabel: "Passphrase",
    showPassphrase: "Show passphrase",
    logIn: "Log in",
    loggingIn: "Logging in…",
    logOut: "Log out",
    loggedInAs: "Logged in as {name}",
    needName: "Enter your name (1 to 40 characters).",
    needPassphrase: "Enter the passphrase.",
    wrongPassphrase: "Wrong passphrase. Check it and try again.",
    throttled: "Too many wrong tries. Try again in {seconds} s.",
    notConfigured: "Presenter log-in is off on this exhibit: staff must set presenter.passphrase_hash in the config.",
    unreachable: "The exhibit cannot be reached. Are you on the museum network?",
    refused: "The exhibit refused that: {reason}",
    sessionEnded: "Your session has ended. Log in again.",

    live: "Live",
    connecting: "Connecting…",
    reconnecting: "Reconnecting…",

    holdMine: "You hold the exhibit",
    holdOther: "{name} holds the exhibit",
    holdAttract: "Attract mode is running",
    holdVisitor: "A visitor is drawing",
    holdClosed: "The exhibit is closed",
    holdClosedUntil: "The exhibit is closed until {time}",
    holdUnknown: "Waiting for the exhibit…",
    take: "Take the exhibit",
    takeOver: "Take over",
    release: "Release",
    released: "Released: the attract loop goes on.",
    taken: "You hold the exhibit now.",
    heldBy: "{name} holds the exhibit. Take over first.",
    otherHolds: "{name} is presenting. Press “Take over” to drive the screen yourself.",

    status: "Status",
    exhibitState: "Exhibit",
    stateAttract: "Attract loop: {item} ({position} of {count})",
    stateAttractLeft: "Attract loop: {item} ({position} of {count}), {seconds} s left",
    stateVisitor: "A visitor is drawing",
    stateVisitorLeft: "A visitor is drawing (idle in {seconds} s)",
    statePresenter: "{name} is presenting",
    statePresenterLeft: "{name} is presenting (lapses in {seconds} s without a command)",
    stateYou: "You are presenting",
    stateYouLeft: "You are presenting (lapses in {seconds} s without a command)",
    stateClosed: "Closed",
    stateClosedUntil: "Closed, opens {time}",
    screens: "Screens",
    screensCount: "{count} connected",
    noScreens: "none connected",
    tablets: "Tablets",
    noTablets: "none paired",
    presenters: "Presenters",
    uptime: "Running for",
    errors: "Recent problems",
    noErrors: "none",
    connected: "connected",
    notConnected: "not connected",
    problem_connect_timeout: "cannot connect: its connection never came up (does UDP pass?)",
    problem_silent: "dropped: it went silent",
    problem_connection_failed: "dropped: its connection failed",
    problem_dropped: "dropped for sending broken messages",
    problem_no_webrtc: "cannot connect: its browser has no WebRTC",
    problem_ice_failed: "cannot connect: its connection fails again and again (does UDP pass?)",
    problem_channel_never_opened: "cannot connect: its drawing channel never opens",

    scene: "Scene",
    sceneLive: "Visitor drawing",
    sceneTimeline: "Training history",
    scenePlayground: "Playground",
    sceneSamples: "Test digits",
    sceneCallToAction: "Invitation",
    sceneNow: "On screen: {scene}",

    timeline: "Training history",
    play: "Play",
    pause: "Pause",
    snapshot: "Snapshot",
    snapshotOf: "{position} of {count}",
    imagesSeen: "{images} images seen",
    accuracy: "{percent} % right on the test set",
    speed: "Speed",

    playground: "Playground",
    dataset: "Data",
    datasetSpiral: "Two spirals",
    datasetCircles: "Circle in a ring",
    datasetMoons: "Two moons",
    datasetXor: "Four corners",
    datasetGaussians: "Two clouds",
    datasetLinear: "A straight line",
    noise: "Noise",
    layers: "Hidden layers",
    neurons: "Neurons per layer",
    fewer: "One fewer",
    more: "One more",
    activation: "Activation",
    learningRate: "Learning rate",
    start: "Start",
    resume: "Resume",
    step: "Step",
    reset: "Reset",
    pgIdle: "Not training",
    pgStarting: "Starting…",
    pgRunning: "Training: step {step}",
    pgPaused: "Paused at step {step}",
    pgDone: "Finished after {step} steps",
    pgAccuracy: "{percent} % right on test points",

    samples: "Test digits",
    samplesHelp: "MNIST test digits the network never trained on. Tap one to show it on the screen.",
    digitFilter: "Show digit",
    wrongOnes: "Ones it gets wrong",
    loadingSamples: "Loading…",
    noSamples: "No digits to show.",
    moreSamples: "Show {count} more",
    sampleLabel: "a {label}; the network says {predicted}",
    sampleOnScreen: "On screen: a {label}, the network says {digit} ({percent} %)",
    drawingOnScreen: "On screen: a drawing, the network says {digit} ({percent} %)",

    neuron: "Neuron",
    neuronHelp: "What a first-layer neuron looks for: its weights as a 28×28 picture (blue for, red against).",
    neuronIndex: "Neuron number",
    previousNeuron: "Previous neuron",
    nextNeuron: "Next neuron",
    show: "Show",
    hide: "Hide",
    neuronShown: "On screen: neuron {index}",
    neuronNone: "No neuron shown",

    caption: "Caption",
    captionLabel: "Text on the screen",
    captionPlaceholder: "A short line for the audience",
    captionCount: "{count} / 140",
    clearCaption: "Clear",
    captionNow: "On screen: “{text}”",
    captionNone: "No caption shown",

    drawing: "Draw on the screen",
    drawingHelp: "Draw with your finger or mouse; the screen switches to the drawing scene and the network recognises it live. A visitor's tablet keeps its own place.",
    startDrawing: "Start drawing",
    stopDrawing: "Stop drawing",
    drawingEnded: "The drawing link ended. Start drawing again.",
    drawingFrame: "drawing surface for the presenter",

    pairing: "Pair a tablet",
    pairingHelp: "Opens a pairing window: the screen shows a QR code; the tablet scans it or types the code.",
    openPairing: "Open pairing window",
    pairingCode: "Code",
    pairingExpires: "expires in {time}",
    pairingClosed: "No pairing window open",
    pairingDone: "Tablet paired.",

    tabletList: "Paired tablets",
    refresh: "Refresh",
    revoke: "Revoke",
    reallyRevoke: "Revoke {name}? It must be paired again.",
    yesRevoke: "Yes, revoke",
    cancel: "Cancel",
    revoked: "{name} revoked.",
    pairedAt: "paired {time}",
    lastSeen: "last seen {time}",

    done: "Done.",
    failed: "That did not work: {reason}",
  },
  de: {
    title: "Präsentation",
    loginTitle: "Ausstellung vorführen",
    loginHelp: "Anmelden, um den großen Bildschirm von diesem Handy oder Laptop aus zu steuern.",
    nameLabel: "Dein Name",
    nameHint: "Wer bist du? Andere Vortragende sehen ihn.",
    passphraseLabel: "Passphrase",
    showPassphrase: "Passphrase zeigen",
    logIn: "Anmelden",
    loggingIn: "Melde an…",
    logOut: "Abmelden",
    loggedInAs: "Angemeldet als {name}",
    needName: "Gib deinen Namen ein (1 bis 40 Zeichen).",
    needPassphrase: "Gib die Passphrase ein.",
    wrongPassphrase: "Falsche Passphrase. Prüfe sie und versuch es noch einmal.",
    throttled: "Zu viele Fehlversuche. Noch einmal in {seconds} s.",
    notConfigured: "Die Anmeldung für Vortragende ist aus: Das Personal muss presenter.passphrase_hash in der Konfiguration setzen.",
    unreachable: "Die Ausstellung ist nicht erreichbar. Bist du im Museumsnetz?",
    refused: "Das hat die Ausstellung abgelehnt: {reason}",
    sessionEnded: "Deine Sitzung ist abgelaufen. Bitte neu anmelden.",

    live: "Live",
    connecting: "Verbinde…",
    reconnecting: "Verbinde neu…",

    holdMine: "Du steuerst die Ausstellung",
    holdOther: "{name} steuert die Ausstellung",
    holdAttract: "Die Schleife läuft",
    holdVisitor: "Ein Besucher zeichnet",
    holdClosed: "Die Ausstellung ist geschlossen",
    holdClosedUntil: "Geschlossen bis {time}",
    holdUnknown: "Warte auf die Ausstellung…",
    take: "Übernehmen",
    takeOver: "Übernehmen",
    release: "Freigeben",
    released: "Freigegeben: Die Schleife läuft weiter.",
    taken: "Du steuerst jetzt die Ausstellung.",
    heldBy: "{name} steuert die Ausstellung. Erst übernehmen.",
    otherHolds: "{name} führt gerade vor. Mit „Übernehmen“ steuerst du selbst.",

    status: "Zustand",
    exhibitState: "Ausstellung",
    stateAttract: "Schleife: {item} ({position} von {count})",
    stateAttractLeft: "Schleife: {item} ({position} von {count}), noch {seconds} s",
    stateVisitor: "Ein Besucher zeichnet",
    stateVisitorLeft: "Ein Besucher zeichnet (Pause in {seconds} s)",
    statePresenter: "{name} führt vor",
    statePresenterLeft: "{name} führt vor (endet in {seconds} s ohne Befehl)",
    stateYou: "Du führst vor",
    stateYouLeft: "Du führst vor (endet in {seconds} s ohne Befehl)",
    stateClosed: "Geschlossen",
    stateClosedUntil: "Geschlossen, öffnet {time}",
    screens: "Bildschirme",
    screensCount: "{count} verbunden",
    noScreens: "keiner verbunden",
    tablets: "Tablets",
    noTablets: "keines gekoppelt",
    presenters: "Vortragende",
    uptime: "Läuft seit",
    errors: "Letzte Probleme",
    noErrors: "keine",
    connected: "verbunden",
    notConnected: "nicht verbunden",
    problem_connect_timeout: "keine Verbindung: sie kam nie zustande (kommt UDP durch?)",
    problem_silent: "getrennt: es meldete sich nicht mehr",
    problem_connection_failed: "getrennt: die Verbindung brach ab",
    problem_dropped: "getrennt: es schickte fehlerhafte Nachrichten",
    problem_no_webrtc: "keine Verbindung: sein Browser kann kein WebRTC",
    problem_ice_failed: "keine Verbindung: sie scheitert immer wieder (kommt UDP durch?)",
    problem_channel_never_opened: "keine Verbindung: der Zeichenkanal öffnet sich nie",

    scene: "Szene",
    sceneLive: "Besucher zeichnet",
    sceneTimeline: "Trainings\u00adverlauf", // a soft hyphen: the button is narrow on a phone
    scenePlayground: "Spielplatz",
    sceneSamples: "Testziffern",
    sceneCallToAction: "Einladung",
    sceneNow: "Auf dem Bildschirm: {scene}",

    timeline: "Trainingsverlauf",
    play: "Abspielen",
    pause: "Pause",
    snapshot: "Stand",
    snapshotOf: "{position} von {count}",
    imagesSeen: "{images} Bilder gesehen",
    accuracy: "{percent} % richtig im Testsatz",
    speed: "Tempo",

    playground: "Spielplatz",
    dataset: "Daten",
    datasetSpiral: "Zwei Spiralen",
    datasetCircles: "Kreis im Ring",
    datasetMoons: "Zwei Monde",
    datasetXor: "Vier Ecken",
    datasetGaussians: "Zwei Wolken",
    datasetLinear: "Eine Gerade",
    noise: "Rauschen",
    layers: "Verborgene Schichten",
    neurons: "Neuronen je Schicht",
    fewer: "Eins weniger",
    more: "Eins mehr",
    activation: "Aktivierung",
    learningRate: "Lernrate",
    start: "Starten",
    resume: "Weiter",
    step: "Schritt",
    reset: "Zurücksetzen",
    pgIdle: "Trainiert nicht",
    pgStarting: "Startet…",
    pgRunning: "Trainiert: Schritt {step}",
    pgPaused: "Angehalten bei Schritt {step}",
    pgDone: "Fertig nach {step} Schritten",
    pgAccuracy: "{percent} % der Testpunkte richtig",

    samples: "Testziffern",
    samplesHelp: "MNIST-Testziffern, auf denen das Netz nie trainiert hat. Tippe eine an, um sie zu zeigen.",
    digitFilter: "Ziffer zeigen",
    wrongOnes: "Die es falsch erkennt",
    loadingSamples: "Lade…",
    noSamples: "Keine Ziffern zu zeigen.",
    moreSamples: "{count} weitere zeigen",
    sampleLabel: "eine {label}; das Netz sagt {predicted}",
    sampleOnScreen: "Auf dem Bildschirm: eine {label}, das Netz sagt {digit} ({percent} %)",
    drawingOnScreen: "Auf dem Bildschirm: eine Zeichnung, das Netz sagt {digit} ({percent} %)",

    neuron: "Neuron",
    neuronHelp: "Wonach ein Neuron der ersten Schicht sucht: seine Gewichte als 28×28-Bild (blau dafür, rot dagegen).",
    neuronIndex: "Neuron Nummer",
    previousNeuron: "Voriges Neuron",
    nextNeuron: "Nächstes Neuron",
    show: "Zeigen",
    hide: "Ausblenden",
    neuronShown: "Auf dem Bildschirm: Neuron {index}",
    neuronNone: "Kein Neuron gezeigt",

    caption: "Bildunterschrift",
    captionLabel: "Text auf dem Bildschirm",
    captionPlaceholder: "Eine kurze Zeile fürs Publikum",
    captionCount: "{count} / 140",
    clearCaption: "Entfernen",
    captionNow: "Auf dem Bildschirm: „{text}“",
    captionNone: "Keine Bildunterschrift",

    drawing: "Auf dem Bildschirm zeichnen",
    drawingHelp: "Zeichne mit dem Finger oder der Maus; der Bildschirm wechselt zur Zeichen-Szene und das Netz erkennt es live. Das Tablet der Besucher behält seinen Platz.",
    startDrawing: "Zeichnen beginnen",
    stopDrawing: "Zeichnen beenden",
    drawingEnded: "Die Zeichenverbindung ist beendet. Bitte neu beginnen.",
    drawingFrame: "Zeichenfläche für Vortragende",

    pairing: "Tablet koppeln",
    pairingHelp: "Öffnet ein Kopplungsfenster: Der Bildschirm zeigt einen QR-Code; das Tablet scannt ihn oder tippt den Code.",
    openPairing: "Kopplungsfenster öffnen",
    pairingCode: "Code",
    pairingExpires: "läuft ab in {time}",
    pairingClosed: "Kein Kopplungsfenster offen",
    pairingDone: "Tablet gekoppelt.",

    tabletList: "Gekoppelte Tablets",
    refresh: "Aktualisieren",
    revoke: "Entfernen",
    reallyRevoke: "{name} entfernen? Es muss dann neu gekoppelt werden.",
    yesRevoke: "Ja, entfernen",
    cancel: "Abbrechen",
    revoked: "{name} entfernt.",
    pairedAt: "gekoppelt {time}",
    lastSeen: "zuletzt {time}",

    done: "Erledigt.",
    failed: "Das hat nicht geklappt: {reason}",
  },
};

let language = "en";

/** Ask the exhibit for its language (English if it cannot say); resolves to the language. */
export async function loadLanguage() {
  try {
    const response = await fetch("/tablet/config.json", { cache: "no-store", credentials: "same-origin" });
    const settings = await response.json();
    if (settings?.language in STRINGS) language = settings.language;
  } catch {
    // Exhibit unreachable right now: keep English; the log-in says why it cannot go on.
  }
  document.documentElement.lang = language;
  return language;
}

export function currentLanguage() {
  return language;
}

/** The string for `key` with `{name}` placeholders filled from `params`. */
export function t(key, params = {}) {
  const text = STRINGS[language][key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}

/** Fill every element marked `data-i18n="key"` (text) or `data-i18n-label="key"` (aria-label) below `root`. */
export function translatePage(root = document) {
  for (const element of root.querySelectorAll("[data-i18n]")) element.textContent = t(element.dataset.i18n);
  for (const element of root.querySelectorAll("[data-i18n-label]")) {
    element.setAttribute("aria-label", t(element.dataset.i18nLabel));
  }
  for (const element of root.querySelectorAll("[data-i18n-placeholder]")) {
    element.setAttribute("placeholder", t(element.dataset.i18nPlaceholder));
  }
  document.title = `${t("title")} · nn-kiosk`;
}

/** A number in the page's language: 12,000 / 12.000. */
export function formatNumber(value, options = {}) {
  return new Intl.NumberFormat(language, options).format(value);
}

/** "09:30" today, "Tue 09:30" on another day, from an ISO time. */
export function formatTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const sameDay = date.toDateString() === new Date().toDateString();
  const options = sameDay ? { hour: "2-digit", minute: "2-digit" } : { weekday: "short", hour: "2-digit", minute: "2-digit" };
  return new Intl.DateTimeFormat(language, options).format(date);
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
