"""The exhibit wired together, top to bottom: every part built once, with what it needs passed in.

``build_app(config, engine, snapshot, config_path)`` builds the parts in this order, each with
its collaborators at construction (nothing is filled in afterwards), stores each under its app
key (kiosk/keys.py), adds every route, and owns start-up and shutdown:

1. the exhibit as a whole: the running config, the model, the admin token, the event streams'
   seats, the count of refused requests;
2. the screen (kiosk/display/screen.py) and its event hub;
3. the playground's training session (kiosk/playground/session.py) and its hub;
4. the director (kiosk/attract/director.py), with the screen, the playground and the tablets'
   notices (kiosk/tablet/notices.py);
5. the tablets (kiosk/tablet/tablets.py): their peers send every answer to the screen and every
   pen stroke, "How does it work?" and language pick to the director;
6. presenters: log-in, their remote pens, their feed of the screen's events, the log's problems;
7. metrics: the app's own registry, counted as things happen and read at each scrape.

Who owns the exhibit's state (one answer each):

- ``ExhibitDirector`` owns what the exhibit does: open or closed, the playlist, a visitor's
  turn, a presenter's hold, the language. Every input (clock, pens, presenters) goes to it.
- ``ExhibitMachine`` (kiosk/attract/machine.py) is the director's pure state logic: no I/O.
- ``ExhibitScreen`` shows what it is told and keeps only what is on the screen now.
- ``RunningConfig`` (kiosk/settings.py) holds the settings; routes read it at each request.

Start-up (``on_startup``): the screen reads which samples the network gets wrong, the presenters'
panel starts catching the log's problems, drawing credentials left by a crash are revoked, the
director decides what to show, and the background loops start (kiosk/background.py): the
timeline player, the screen's and the attract machine's ticks, the presenters' status.
Shutdown: open event streams and tablet connections end, the training and lesson processes stop
(``on_shutdown``, before aiohttp waits for handlers); then the loops stop and presenters'
drawing credentials are revoked (``on_cleanup``). ``prepare_service`` adds what only the
installed service does (the admin token file, the training and lesson processes started with the
exhibit).

``apply_config(app, config)`` hands a reloaded config (kiosk/reload.py) to each part that keeps a
setting of its own.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp import web

from kiosk import health, logs
from kiosk.address import exhibit_url
from kiosk.admin import AdminAuth
from kiosk.attract.director import TICK_S, ExhibitDirector
from kiosk.background import BackgroundTasks
from kiosk.config import Config
from kiosk.display import routes as display_routes
from kiosk.display.connections import ConnectionSets
from kiosk.display.screen import ExhibitScreen
from kiosk.http_errors import errors_as_json, rejection_counts
from kiosk.hub import EventHub
from kiosk.keys import (
    ADMIN,
    CONFIG,
    CONNECTIONS,
    COUNTERS,
    DEFAULT_SNAPSHOT,
    DIRECTOR,
    ENGINE,
    FEED,
    FRAMES,
    INSTANCE,
    PLAYGROUND,
    PLAYGROUND_HUB,
    PRESENTER,
    PROBLEMS,
    REGISTRY,
    REJECTED,
    REPORT_RATE,
    SCREEN,
    SCREEN_HUB,
    SEATS,
    STARTED,
    STREAMS,
    TABLETS,
    TEACHER,
    TOKEN_GUESSES,
    VERDICTS,
)
from kiosk.metrics import routes as metrics_routes
from kiosk.metrics.counters import ExhibitCounters
from kiosk.metrics.frames import FrameReports
from kiosk.metrics.live import LiveCollector
from kiosk.model import routes as model_routes
from kiosk.model.engine import Engine, Inference
from kiosk.pages import setup_pages
from kiosk.playground import routes as playground_routes
from kiosk.playground.session import PlaygroundSession
from kiosk.presenter import routes as presenter_routes
from kiosk.presenter.drawing import DrawingSeats
from kiosk.presenter.feed import PresenterFeed
from kiosk.presenter.login import PresenterAuth
from kiosk.presenter.recent_log import RecentProblems
from kiosk.presenter.sessions import SessionStore
from kiosk.settings import RunningConfig, stroke_limits
from kiosk.streams import StreamSeats
from kiosk.tablet import cli as tablet_cli
from kiosk.tablet import protocol
from kiosk.tablet import routes as tablet_routes
from kiosk.tablet.notices import TabletNotices
from kiosk.tablet.pairing import PairingCode
from kiosk.tablet.session import SessionHooks
from kiosk.tablet.signalling import TabletPeers
from kiosk.tablet.tablets import Tablets
from kiosk.teach import routes as teach_routes
from kiosk.teach import verdicts as verdicts_module
from kiosk.teach.teacher import Teacher
from kiosk.teach.verdicts import VerdictCounts

SCREEN_TICK_S = 0.25  # how often the screen reads its clock: the samples scene, the tour, the pairing window


def build_app(config: Config, engine: Engine, snapshot: str, config_path: Path | None) -> web.Application:
    """The exhibit's web application. ``snapshot``: model.snapshot resolved (the live network);
    ``config_path``: the file ``config`` came from, read again on reload (None: built in code)."""
    running = RunningConfig(config, config_path)
    rejected = rejection_counts()
    middlewares = [errors_as_json(rejected)]
    app = web.Application(client_max_size=config.server.max_body_bytes, middlewares=middlewares)

    # 1. The exhibit as a whole.
    app[CONFIG], app[STARTED], app[INSTANCE] = running, time.monotonic(), secrets.token_hex(8)
    app[ENGINE], app[DEFAULT_SNAPSHOT], app[REJECTED] = engine, snapshot, rejected
    app[ADMIN] = AdminAuth()
    app[STREAMS] = StreamSeats(lambda: running.current.streams)

    # 2. The screen shows.
    screen_hub = EventHub()
    screen = ExhibitScreen(
        screen_hub,
        engine,
        snapshot,
        seconds_per_snapshot=config.display.seconds_per_snapshot,
        connections_per_neuron=config.display.connections_per_neuron,
        language=config.language,
    )
    app[SCREEN], app[SCREEN_HUB] = screen, screen_hub
    app[CONNECTIONS] = ConnectionSets(engine.timeline, config.display.connections_per_neuron)

    # 3. The playground trains.
    app[PLAYGROUND_HUB] = playground_hub = EventHub()
    app[PLAYGROUND] = playground = _playground(config, playground_hub)

    # 4. The director decides what the exhibit does; it tells the tablets through their notices.
    # Its teacher shows each lesson on the screen and tells the tablets; the verdicts are counted.
    notices = TabletNotices()
    app[TEACHER] = teacher = Teacher(engine, snapshot, _lesson_shown_on(screen, notices))
    app[VERDICTS] = verdicts = VerdictCounts(_verdicts_file(config), _exhibit_date(config))
    app[DIRECTOR] = director = ExhibitDirector(
        config, screen, playground, teacher, verdicts, tell_tablets=notices.publish
    )

    # 5. The tablets: their pens move the director, their answers show on the screen (and count).
    registry = metrics_routes.new_registry(engine.timeline.name)
    counters = ExhibitCounters(registry)
    peers = _peers(config, engine, snapshot, director, screen, counters)
    notices.listen(peers.broadcast, peers.answer_again)
    tablet_url = f"{exhibit_url(config)}/tablet"
    on_pairing = _pairing_shown_on(screen, tablet_url)
    app[TABLETS] = tablets = Tablets.build(config.tablet, peers, tablet_url, on_pairing)

    # 6. Presenters: log-in, a remote pen each, the screen's events and the log's problems.
    app[SEATS] = seats = DrawingSeats(tablets)
    app[PRESENTER] = _presenter_auth(running, seats)
    app[FEED], app[PROBLEMS] = PresenterFeed(screen_hub), RecentProblems()

    # 7. Metrics, for the museum's monitoring (docs/monitoring.md).
    frames = FrameReports(time.monotonic)
    registry.register(LiveCollector(app, frames))
    app[REGISTRY], app[COUNTERS], app[FRAMES] = registry, counters, frames
    app[REPORT_RATE], app[TOKEN_GUESSES] = metrics_routes.report_rate(), metrics_routes.token_guesses()

    _add_routes(app)
    _add_lifecycle(app, _background(app))
    return app


def _playground(config: Config, hub: EventHub) -> PlaygroundSession:
    options = config.playground
    return PlaygroundSession(
        hub,
        grid=options.grid,
        neuron_grid=options.neuron_grid,
        frame_rate=options.frames_per_second,
        max_seconds=options.max_seconds,
        steps_per_second=options.steps_per_second,
    )


def _peers(
    config: Config,
    engine: Engine,
    snapshot: str,
    director: ExhibitDirector,
    screen: ExhibitScreen,
    counters: ExhibitCounters,
) -> TabletPeers:
    options = config.tablet
    return TabletPeers(
        engine,
        stroke_limits(config),
        ice_servers=list(options.ice_servers),
        drawers=options.drawers,
        take_over=options.when_busy == "take_over",
        rate_hz=options.predictions_per_second,
        max_errors=options.max_bad_messages,
        connect_timeout_s=options.connect_timeout_seconds,
        silence_timeout_s=options.silence_timeout_seconds,
        snapshot=snapshot,
        hooks=SessionHooks(
            on_activity=director.stroke,
            on_drawing=screen.show_drawing,
            on_explain=director.explain,
            on_language=director.language,
            on_verdict=director.verdict,
            on_answer=counters.answered,
            on_refused=counters.refused,
        ),
        greeting=director.tablet_notice,
        on_presenter_pen=director.presenter_activity,
    )


def _lesson_shown_on(
    screen: ExhibitScreen, notices: TabletNotices
) -> Callable[[dict, Inference | None], None]:
    """A lesson's steps on the screen; its end, and forgetting it, also on the tablets, whose
    drawings are then answered again by the network that reads them now."""

    def show(payload: dict, result: Inference | None) -> None:
        screen.show_lesson(payload, result)
        state = payload["state"]
        if state == "learned":
            keys = ("seq", "meant", "was", "now", "accuracy_before", "accuracy_after")
            probability = payload["probabilities"][payload["now"]]
            notices.publish(
                protocol.lesson("learned", probability=probability, **{k: payload[k] for k in keys})
            )
        elif state == "failed":
            notices.publish(protocol.lesson("failed", seq=payload["seq"]))
        elif state == "idle":
            notices.publish(protocol.lesson("forgotten"))
        if state in ("learned", "idle"):
            notices.answer_again()

    return show


def _verdicts_file(config: Config) -> Path:
    return config.tablet.state_dir / verdicts_module.FILE


def _exhibit_date(config: Config) -> Callable[[], date]:
    """Today in the exhibit's time zone (attract.timezone): a museum's day, not UTC's."""
    zone = ZoneInfo(config.attract.timezone)
    return lambda: datetime.now(zone).date()


def _pairing_shown_on(screen: ExhibitScreen, tablet_url: str) -> Callable[[PairingCode | None, bool], None]:
    """A pairing window's code and address as a QR code on the screen, until it closes."""

    def show(window: PairingCode | None, paired: bool) -> None:
        url = tablet_routes.pairing_url(tablet_url, window) if window else ""
        screen.show_pairing(window, url, paired=paired)

    return show


def _presenter_auth(running: RunningConfig, seats: DrawingSeats) -> PresenterAuth:
    """Settings are read at each use: a reload applies at once."""
    return PresenterAuth(
        settings=lambda: running.current.presenter,
        sessions=SessionStore(
            time.monotonic,
            idle_s=lambda: running.current.presenter.session_hours * 3600,
            max_sessions=presenter_routes.MAX_SESSIONS,
            on_end=seats.give_back,
        ),
    )


def _add_routes(app: web.Application) -> None:
    health.add_routes(app)  # /healthz
    model_routes.add_routes(app)  # /api/infer
    display_routes.add_routes(app)
    tablet_routes.add_routes(app)
    playground_routes.add_routes(app)
    presenter_routes.add_routes(app)
    teach_routes.add_routes(app)  # the presenter's lesson commands
    setup_pages(app)  # the screen, tablet and presenter pages, /common/ and /common/facts.json
    metrics_routes.add_routes(app)  # /metrics


def _background(app: web.Application) -> BackgroundTasks:
    screen, director = app[SCREEN], app[DIRECTOR]
    tasks = BackgroundTasks()
    tasks.run("timeline player", screen.player.run)
    tasks.every("screen tick", screen.tick, SCREEN_TICK_S)
    tasks.every("attract machine tick", director.tick, TICK_S, next_in=director.seconds_to_next_event)
    refresh_status, every_s = (lambda: presenter_routes.refresh_status(app)), presenter_routes.STATUS_EVERY_S
    tasks.every("presenter status update", refresh_status, every_s)
    return tasks


def _add_lifecycle(app: web.Application, tasks: BackgroundTasks) -> None:
    problems_log = logging.getLogger("kiosk")  # the presenters' panel shows its warnings and errors

    async def start(app: web.Application) -> None:
        app[SCREEN].sample_catalogue()  # which samples the network gets wrong: once, before any visitor
        problems_log.addHandler(app[PROBLEMS])
        app[SEATS].revoke_leftovers()
        app[DIRECTOR].start()
        tasks.start()

    async def end_connections(app: web.Application) -> None:
        # Before aiohttp waits for handlers: open streams end now.
        app[SCREEN_HUB].close()
        app[FEED].close()
        app[PLAYGROUND_HUB].close()
        await app[TABLETS].peers.close_all()
        await asyncio.gather(app[PLAYGROUND].close(), app[TEACHER].close())  # both at once: a quick stop

    async def stop(app: web.Application) -> None:
        await tasks.stop()
        for session in app[PRESENTER].sessions.sessions():
            app[SEATS].give_back(session)
        problems_log.removeHandler(app[PROBLEMS])

    app.on_startup.append(start)
    app.on_shutdown.append(end_connections)
    app.on_cleanup.append(stop)


def prepare_service(app: web.Application) -> None:
    """What only the installed service does at start, not a test's app: tidy the state folder and
    publish this start's admin token (OSError if it cannot be written), and start the playground's
    training process and the lesson process with the exhibit (it runs for months: not on a
    visitor's time)."""
    state_dir = app[CONFIG].current.tablet.state_dir
    tablet_cli.tidy_state_dir(state_dir)
    tablet_cli.publish_admin_token(state_dir, app[ADMIN].token)

    async def prepare_playground(app: web.Application) -> None:
        app[PLAYGROUND].prepare()
        app[TEACHER].start()  # the lesson process loads its data now, not on a visitor's time

    app.on_startup.append(prepare_playground)


def apply_config(app: web.Application, config: Config) -> None:
    """Hand a reloaded ``config`` to each part that keeps a setting of its own; routes read
    ``app[CONFIG]`` at each request. Connected tablets and open streams stay."""
    app[CONFIG].current = config
    logs.apply_levels(config.logging)
    app[TABLETS].apply(config.tablet, stroke_limits(config))
    app[SCREEN].apply(config.display)
    app[DIRECTOR].apply(config)  # also the language: the staff's new one, unless a visitor picked one
