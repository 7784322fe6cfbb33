// Wiring: the surface's strokes go to the connection; the exhibit's answers go to the status display.
// Where staff opened the playground to tablets, a second tab lets the visitor train a small network.

import { ClosedNotice } from "./closed.js";
import { Connection } from "./connection.js";
import { loadSettings, t, translatePage, useLanguage } from "./i18n.js";
import { LanguagePicker } from "./language.js";
import { forgetCredential, PairingForm, storedCredential, takeCodeFromAddress } from "./pairing.js";
import { Playground } from "./playground.js";
import { ConnectionIndicator, LinkNotice, PredictionView } from "./status.js";
import { Surface } from "./surface.js";
import { VerdictCard } from "./verdict.js";

const MAX_POINTS_PER_MESSAGE = 500; // when resending a drawing, keep each message well under 64 KiB

const $ = (id) => document.getElementById(id);

async function main() {
  blockPageGestures();
  const settings = await loadSettings();
  translatePage();

  const indicator = new ConnectionIndicator($("connection"));
  const prediction = new PredictionView($("prediction"));
  const hint = $("surface-hint");
  const linkNotice = new LinkNotice($("link-notice"));

  // The visitor's language (language.js): this page switches at once, and the exhibit the screen;
  // each `scene` message says which language is current (the staff's again once the visitor left).
  let exhibitLanguage = settings.language; // as the exhibit last said
  let shownLanguage = settings.loaded ? settings.language : null; // null: try again when the exhibit says
  const picker = new LanguagePicker($("language"), settings.languages, (language) => {
    showLanguage(language);
    connection.send({ type: "language", language });
  });
  picker.show(settings.language);
  async function showLanguage(language) {
    shownLanguage = language;
    picker.show(language);
    if (!(await useLanguage(language))) {
      if (shownLanguage === language) shownLanguage = null; // failed: the next scene message tries again
      return; // (or overtaken by a newer choice)
    }
    // The [data-i18n] texts are done; these were written by code.
    for (const part of [indicator, linkNotice, prediction, verdict]) part.translate();
    if (closedNotice.closed) closedNotice.refresh();
  }
  function followExhibit(language) {
    if (typeof language !== "string") return;
    exhibitLanguage = language;
    if (language !== shownLanguage) showLanguage(language);
  }
  // The pen rests while the exhibit is closed or cannot be reached: no drawing is mixed from
  // strokes the exhibit saw and strokes it never did. A stroke under way goes on; the drawing
  // stays and is sent again once connected.
  const pen = { closed: false, connected: false };
  const updatePen = () => {
    surface.locked = pen.closed || !pen.connected;
    $("explain").disabled = surface.locked; // nothing to ask while closed or unreachable
  };

  const connection = new Connection({
    onState: (state, params) => {
      indicator.show(state, params);
      linkNotice.show(state);
      pen.connected = state === "connected";
      updatePen();
    },
    onOpen: () => {
      prediction.reset();
      verdict.reset();
      resendDrawing(); // the exhibit starts each connection with an empty drawing
      closedNotice.connected();
    },
    onMessage: (message) => {
      if (message.type === "prediction" && !surface.isEmpty) {
        prediction.show(message);
        verdict.prediction(message);
      } else if (verdict.received(message)) return;
      else if (message.type === "scene") {
        closedNotice.showScene(message);
        followExhibit(message.language);
      } else if (message.type === "language" && message.status === "refused") showLanguage(exhibitLanguage);
      else if (message.type === "explain") showExplainAnswer(message);
      else if (message.type === "error") console.warn("exhibit refused a message:", message.code, message.message);
    },
    onUnauthorized: () => {
      forgetCredential();
      indicator.show("offline");
      pairingForm.show();
    },
  });

  const surface = new Surface($("surface"), {
    onStrokeBegin: (stroke, points) => {
      verdict.strokeBegan();
      connection.send({ type: "stroke_begin", stroke, points });
    },
    onPoints: (stroke, points) => connection.send({ type: "points", stroke, points }),
    onStrokeEnd: (stroke) => {
      connection.send({ type: "stroke_end", stroke });
      verdict.strokeEnded();
    },
    onDiscard: () => {
      verdict.drawingChanged();
      connection.send({ type: "undo" });
    },
    onChange: (isEmpty) => {
      hint.hidden = !isEmpty;
      if (isEmpty) prediction.hide();
    },
  });

  // Marked "resent": the exhibit takes the drawing back without taking it for a visitor's new touch.
  function resendDrawing() {
    const resent = true;
    for (const { id, points } of surface.strokes) {
      const first = points.slice(0, MAX_POINTS_PER_MESSAGE);
      connection.send({ type: "stroke_begin", stroke: id, points: first, resent });
      for (let i = MAX_POINTS_PER_MESSAGE; i < points.length; i += MAX_POINTS_PER_MESSAGE) {
        connection.send({ type: "points", stroke: id, points: points.slice(i, i + MAX_POINTS_PER_MESSAGE), resent });
      }
      if (surface.active?.stroke.id !== id) connection.send({ type: "stroke_end", stroke: id, resent });
    }
  }

  // Closed: the drawing is wiped (the next visitor starts afresh) and the surface takes no ink.
  const closedNotice = new ClosedNotice($("closed"), {
    onClose: () => {
      pen.closed = true;
      updatePen();
      if (!surface.isEmpty) {
        surface.clear();
        verdict.drawingChanged();
        connection.send({ type: "clear" });
      }
    },
    onOpen: () => {
      pen.closed = false;
      updatePen();
    },
  });

  // "Is it a 7?": the visitor's verdict on the answer, and the lesson it starts. Not in the
  // presenter's page, which frames this one: its own section teaches, and visitors' counts stay theirs.
  const framed = window.self !== window.top;
  const verdict = new VerdictCard($("verdict"), (message) => connection.send(message), { asks: !framed });

  $("undo").addEventListener("click", () => {
    if (surface.undo()) {
      verdict.drawingChanged();
      connection.send({ type: "undo" });
    }
  });
  $("clear").addEventListener("click", () => {
    surface.clear();
    verdict.drawingChanged();
    connection.send({ type: "clear" });
  });

  // "How does it work?": the exhibit starts its explanation on the big screen, or says why not.
  let explainTimer = 0;
  $("explain").addEventListener("click", () => connection.send({ type: "explain" }));
  $("explain").hidden = framed; // in the presenter's page its scene buttons do this
  function showExplainAnswer(message) {
    const reasons = { closed: "explainRefusedClosed", presenter: "explainRefusedPresenter" };
    const key = message.status === "started" ? "explainStarted" : (reasons[message.reason] ?? "explainRefusedClosed");
    const line = $("explain-message");
    line.dataset.i18n = key; // a language switch meanwhile translates it, too
    line.textContent = t(key);
    line.dataset.status = message.status;
    clearTimeout(explainTimer);
    explainTimer = setTimeout(() => {
      line.textContent = "";
      delete line.dataset.i18n;
    }, 8000);
  }

  const pairingForm = new PairingForm($("pairing"), (credential) => connection.start(credential));

  if (settings.playground) {
    const playground = new Playground($("playground"), {
      credential: storedCredential,
      onUnauthorized: () => {
        connection.stop();
        forgetCredential();
        indicator.show("offline");
        pairingForm.show();
      },
    });
    showTabs(playground);
  }

  // Come back at once when the Wi-Fi returns or the tablet wakes, rather than after the backoff.
  window.addEventListener("online", () => connection.nudge());
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && connection.nudge());

  // For tests (and a curious member of staff with a keyboard).
  window.__tablet = { connection, surface, closedNotice, pen, verdict };

  const code = takeCodeFromAddress();
  const credential = storedCredential();
  if (code) {
    indicator.show("offline");
    // A fresh code from the QR scan wins over an old pairing; a spent one falls back to it.
    pairingForm.tryCode(code).then((paired) => {
      if (!paired && credential) {
        pairingForm.hide();
        connection.start(credential);
      }
    });
  } else if (credential) {
    connection.start(credential);
  } else {
    indicator.show("offline");
    pairingForm.show();
  }
}

/** The two tabs, "Draw" (the page as without a playground, shown first) and "Play with a network". */
function showTabs(playground) {
  const tabs = [$("tab-draw"), $("tab-play")];
  const panels = [$("draw-panel"), $("playground")];
  document.body.dataset.tabs = "true";
  $("tabs").hidden = false;
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => {
      tabs.forEach((other, j) => {
        other.setAttribute("aria-selected", String(i === j));
      });
      panels.forEach((panel, j) => {
        panel.hidden = i !== j;
      });
      document.body.dataset.tab = i === 0 ? "draw" : "play";
      if (i === 1) playground.redraw();
    });
  });
  document.body.dataset.tab = "draw";
}

/** No pinch-zoom, double-tap zoom or scroll bounce: the page is an instrument, not a document. */
function blockPageGestures() {
  for (const type of ["gesturestart", "gesturechange", "dblclick"]) {
    document.addEventListener(type, (event) => event.preventDefault(), { passive: false });
  }
  document.addEventListener(
    "touchmove",
    (event) => {
      if (event.touches.length > 1 || !event.target.closest("input")) event.preventDefault();
    },
    { passive: false },
  );
}

main();
