// The exhibit screen: the kiosk's event stream in, the network in 3D out.
//
// The server owns the state; this page keeps the newest event of each kind and draws it. On
// every (re)connect the server sends the whole state first, so a restart needs no special case.

import { EventStream } from "/common/events.js";
import { datasetText, facts } from "/common/facts.js";
import { ClosedScreen } from "./closed.js";
import { ConnectionCache } from "./connections.js";
import { ExplainTour } from "./explain.js";
import { FrameReport } from "./frame_report.js";
import { Hud } from "./hud.js";
import { loadLanguage, t } from "./i18n.js";
import { LessonPanel } from "./lesson.js";
import { FrameMetrics } from "./metrics.js";
import { DETAILED, SPARING } from "./network/connections.js";
import { LessonLines } from "./network/lesson_lines.js";
import { NetworkView } from "./network/view.js";
import { Overlays } from "./overlays.js";
import { PlaygroundView } from "./playground/view.js";
import { PresenterMarks } from "./presenter.js";
import { SamplesPanel } from "./samples.js";
import { Stage } from "./stage.js";

const state = {}; // newest event of each kind
const connections = new ConnectionCache();
const hud = new Hud();
const overlays = new Overlays();
const samples = new SamplesPanel();
const closed = new ClosedScreen();
const presenter = new PresenterMarks();
const metrics = new FrameMetrics();
const frameReport = new FrameReport(); // frame times for the museum's monitoring
const stage = new Stage(document.getElementById("stage"), {
  onContextLost: () => console.info("WebGL context lost; waiting for it to come back"),
  onContextRestored: () => {
    if (view) view.moving = true;
  },
});
let view = null;
let lessonLines = null; // the connections a lesson changes, over the network view
const lesson = new LessonPanel({ onMode: showLessonMode });
const explain = new ExplainTour(stage, () => view, state); // "How does it work?" (the explain scene)
let scene = "timeline";
let playground = null; // made on first use, with the language loaded
let playgroundStream = null; // open only while the playground scene is on
let networkKey = "";
let language = "";
let wantedSnapshot = null;
let shownFrame = null; // the activation whose answer the texts show
let sceneTop = 0; // the share of the screen's top the scene's texts need

const handlers = {
  async network(network) {
    const key = JSON.stringify([network.architecture, network.snapshots.map((s) => s.id), network.per_neuron]);
    if (network.language !== language) {
      language = network.language;
      await loadLanguage(language);
    }
    if (key !== networkKey) buildNetwork(network, key);
    else hud.setLayers(view.layout, network.architecture); // the captions in the new language
    samples.setNetwork(network);
    // Everything with words in it again, now in this language.
    for (const kind of facts.events.screen) {
      if (kind !== "network" && state[kind]) handlers[kind](state[kind], performance.now());
    }
  },
  // Which parts each scene shows is in display.css (body[data-scene]); here only their words.
  scene(event) {
    scene = event.scene;
    document.body.dataset.scene = scene;
    hud.showInvitation(scene, event.text);
    samples.showScene(event);
    closed.showScene(event);
    explain.showScene(scene);
    stage.setDrifting(scene !== "live");
    sceneTop = { samples: 0.27, call_to_action: 0.36 }[scene] ?? 0; // these scenes' texts need a taller top band
    reserveTop();
    showPlayground(scene === "playground");
    setDrawing(scene !== "closed"); // closed all night: no frames at all
  },
  timeline(timeline) {
    hud.showTimeline(timeline);
    const next = state.network?.snapshots[timeline.index + 1];
    if (next) connections.get(next.id).catch(() => {}); // fetched ahead, so the next step is instant
  },
  activation(frame, arrived) {
    if (!view) return;
    view.setActivation(frame, arrived);
    metrics.eventArrived(arrived);
    shownFrame = undefined; // words again (a new language), in the frame the view shows it
    showConnectionsOf(frame.snapshot);
  },
  pairing: (pairing) => overlays.showPairing(pairing),
  explain: (event, arrived) => explain.show(event, arrived),
  neuron(neuron) {
    overlays.showNeuron(neuron);
    stage.reserveBottom(neuron.index === null ? 0 : 0.3); // the network moves up, clear of the panel
    view?.select(neuron.index);
  },
  caption: (caption) => presenter.showCaption(caption),
  lesson: (payload) => lesson.show(payload),
  exhibit: (exhibit) => presenter.showExhibit(exhibit),
};

function buildNetwork(network, key) {
  if (view) {
    stage.scene.remove(view.group);
    view.dispose();
    lessonLines.dispose();
  }
  connections.clear(); // another export: old connection sets are meaningless
  networkKey = key;
  wantedSnapshot = null;
  view = new NetworkView(network.architecture, network.per_neuron);
  view.lines.minStrength = stage.software ? SPARING : DETAILED;
  lessonLines = new LessonLines(view.layout, view.outputRadius);
  view.group.add(lessonLines.object);
  stage.scene.add(view.group);
  showLessonMode(lesson.mode, lesson.payload);
  stage.setSubject(view.bounds()); // the camera frames the whole network, whatever its shape
  hud.setLayers(view.layout, network.architecture);
  prefetchConnections(
    network.snapshots.map((s) => s.id),
    key,
  );
}

// Fetch every snapshot's connection set once, one at a time in quiet moments, so that timeline
// playback never waits for (or stutters on) a download and its parsing.
let prefetched = false;
function prefetchConnections(ids, key) {
  prefetched = false;
  const next = () => {
    if (networkKey !== key) return;
    if (ids.length === 0) {
      prefetched = true;
      return;
    }
    connections.get(ids.shift()).then(
      () => setTimeout(next, 100),
      () => setTimeout(next, 1000),
    );
  };
  setTimeout(next, 2000);
}

function showConnectionsOf(snapshot) {
  if (snapshot === wantedSnapshot) return;
  wantedSnapshot = snapshot;
  connections.get(snapshot).then(
    (set) => snapshot === wantedSnapshot && view.setConnections(set),
    (error) => {
      console.warn(String(error));
      wantedSnapshot = null; // try again with the next activation
    },
  );
}

// While a lesson is on, the connections it changes glow instead of the usual ones (which show the
// shipped network's weights), and its panel takes a taller top band.
function showLessonMode(mode, payload) {
  const glowing = mode === "learning" || mode === "headline";
  document.body.dataset.lesson = mode;
  reserveTop();
  if (!view) return; // the network event comes first and shows the lesson again
  lessonLines.show(glowing ? payload.changes : null, payload.lesson, glowing ? payload.meant : null);
  view.lines.object.visible = !glowing;
}

function reserveTop() {
  stage.reserveTop(Math.max(sceneTop, lesson.topShare() + 0.02)); // the panel's height, whatever its language
}

// The playground's own stream is followed only while its scene is on screen.
function showPlayground(on) {
  if (on && !playground) playground = new PlaygroundView(document.getElementById("playground-scene"), t, datasetText);
  document.getElementById("playground-scene").hidden = !on;
  playground?.setVisible(on);
  if (on && !playgroundStream) {
    playgroundStream = new EventStream("/api/train_stream", facts.events.playground, {
      onEvent: (kind, data) => playground.show(kind, data),
    });
  } else if (!on && playgroundStream) {
    playgroundStream.close();
    playgroundStream = null;
  }
}

function dispatch(kind, data, arrived = performance.now()) {
  state[kind] = data;
  const done = handlers[kind]?.(data, arrived);
  if (done instanceof Promise) done.catch((error) => console.warn(`${kind}: ${error}`));
}

let last = performance.now();
let frameRequest = 0; // 0: not drawing (the closed scene)

function setDrawing(on) {
  if (on && !frameRequest) {
    last = performance.now();
    frameRequest = requestAnimationFrame(frame);
  } else if (!on && frameRequest) {
    cancelAnimationFrame(frameRequest);
    frameRequest = 0;
    metrics.paused();
    frameReport.paused();
  }
}

function frame(now) {
  frameRequest = requestAnimationFrame(frame);
  const dt = Math.min(100, now - last);
  last = now;
  if (scene === "playground") {
    playground.frame(now); // the 3D network is hidden: not drawn at all
    metrics.frameRendered(now);
    frameReport.frame(now);
    return;
  }
  view?.update(now, dt);
  showAnswerWithView();
  view?.resize(stage.canvas.width, stage.canvas.height); // sizes hold when the resolution steps down
  lessonLines?.resize(stage.canvas.width, stage.canvas.height);
  if (stage.render(now / 1000, dt / 1000)) {
    const project = (point) => stage.project(point);
    if (scene === "explain") explain.place(project);
    hud.placeLabels(project, scene === "explain" ? explain.panels() : []);
    metrics.frameRendered(now);
    frameReport.frame(now);
    stage.quality.frame(dt, now);
  }
}

// The texts change their answer in the very frame the 3D view moves its ring: they never disagree.
function showAnswerWithView() {
  const frame = view?.shownFrame ?? null;
  if (frame === shownFrame) return;
  shownFrame = frame;
  hud.showAnswer(frame);
  if (frame) samples.showFrame(frame);
}

new EventStream("/api/display/events", facts.events.screen, {
  onEvent: dispatch,
  onState: (state) => state !== "connecting" && overlays.showConnected(state === "live"),
});
setDrawing(true);
frameReport.start();

// For tests and benchmarks (and a curious member of staff with a keyboard).
window.__display = {
  metrics,
  frameReport, // its screen name, and take() for tests
  state,
  dispatch,
  explain, // the explain scene's callout and where it was placed (tests)
  overlays, // setOffline(true) shows the screen as if the kiosk were out of reach (tests)
  lesson, // its mode; headlineMs and failedMs can be shortened (tests)
  get lessonLines() {
    return lessonLines; // drawn: how many changed connections glow now; ring: the meant digit's (tests)
  },
  stage,
  get view() {
    return view;
  },
  get playground() {
    return playground;
  },
  get scene() {
    return scene;
  },
  get drawing() {
    return frameRequest !== 0; // false while closed: the 3D scene is not rendered
  },
  get prefetched() {
    return prefetched; // every connection set is in the cache (tests wait for it before measuring)
  },
  outputOnScreen: (digit) => stage.project(view.outputPosition(digit)),
  gpuObjects: () => ({ ...stage.renderer.info.memory, programs: stage.renderer.info.programs?.length ?? 0 }),
};
