// Wiring: the log-in card or the console; the console's panels follow the exhibit's live events
// (events.js → store.js) and send their commands over HTTP (commands.js).

import { onSessionLost } from "/common/api.js";
import { CaptionControls } from "./caption.js";
import { explain } from "./commands.js";
import { RemoteDrawing } from "./drawing.js";
import { PresenterEvents } from "./events.js";
import { HoldBar } from "./hold.js";
import { loadLanguage, t, translatePage } from "./i18n.js";
import { LessonControls } from "./lesson.js";
import { currentSession, LoginCard, logOut } from "./login.js";
import { NeuronPicker } from "./neuron.js";
import { setupNotice } from "./notice.js";
import { PairingControls } from "./pairing.js";
import { PlaygroundControls } from "./playground.js";
import { SamplesBrowser } from "./samples.js";
import { SceneSwitcher } from "./scenes.js";
import { StatusPanel } from "./status.js";
import * as store from "./store.js";
import { TabletList } from "./tablets.js";
import { TimelineControls } from "./timeline.js";
import { setText } from "./widgets.js";

const $ = (id) => document.getElementById(id);
const SECTIONS_KEY = "nn-kiosk.presenter.sections";
const WIDE = "(min-width: 900px)";
const OPEN_ON_PHONE = ["scene", "timeline"]; // one thumb, a small screen: the rest is a tap away

async function main() {
  await loadLanguage();
  translatePage();
  setupNotice($("notice"));
  rememberSections();

  new HoldBar($("holdbar"));
  new StatusPanel($("section-status"));
  new SceneSwitcher($("section-scene"));
  new TimelineControls($("section-timeline"));
  new PlaygroundControls($("section-playground"));
  new SamplesBrowser($("section-samples"));
  new NeuronPicker($("section-neuron"));
  new LessonControls($("section-lesson"));
  new CaptionControls($("section-caption"));
  const drawing = new RemoteDrawing($("section-drawing"));
  new PairingControls($("section-pairing"));
  new TabletList($("section-tablets"));

  const events = new PresenterEvents({
    onEvent: (kind, data) => store.set(kind, data),
    onState: (state) => showLink(state),
    onSessionLost: () => leave(t("sessionEnded")),
  });
  const login = new LoginCard($("login"), (name) => enter(name));

  function enter(name) {
    store.set("session", name);
    document.body.dataset.view = "console";
    $("login").hidden = true;
    $("console").hidden = false;
    $("who").hidden = false;
    setText($("who-name"), name);
    $("who-name").title = t("loggedInAs", { name });
    events.start();
  }

  function leave(message = "") {
    events.stop();
    drawing.stop();
    store.clear();
    store.set("session", null);
    store.set("exhibit", null);
    document.body.dataset.view = "login";
    $("console").hidden = true;
    $("who").hidden = true;
    login.show(message);
  }

  onSessionLost(() => document.body.dataset.view === "console" && leave(t("sessionEnded")));
  $("logout").addEventListener("click", async () => {
    drawing.stop();
    await logOut();
    leave();
  });

  try {
    const name = await currentSession();
    if (name) enter(name);
    else leave();
  } catch (error) {
    leave(explain(error));
  }

  // For tests and for a curious presenter's console: the exhibit's state as this page knows it.
  window.__presenter = { state: (kind) => store.value(kind) };
}

function showLink(state) {
  const link = $("link");
  link.dataset.state = state;
  document.body.dataset.link = state;
  setText($("link-text"), t(state));
}

/** Sections open as the presenter left them; at first, all on a laptop and a few on a phone. */
function rememberSections() {
  let saved = {};
  try {
    saved = JSON.parse(localStorage.getItem(SECTIONS_KEY)) ?? {};
  } catch {
    saved = {};
  }
  const wide = window.matchMedia(WIDE).matches;
  for (const section of document.querySelectorAll("details[data-section]")) {
    const name = section.dataset.section;
    section.open = name in saved ? Boolean(saved[name]) : wide || OPEN_ON_PHONE.includes(name);
    // Only the presenter's own taps count (a click on the summary toggles it afterwards).
    section.querySelector("summary").addEventListener("click", () => {
      saved[name] = !section.open;
      localStorage.setItem(SECTIONS_KEY, JSON.stringify(saved));
    });
  }
}

main();
