"""The app keys: every part of the exhibit a request handler can reach, declared in one place.

kiosk/exhibit.py builds each part and stores it under its key; handlers read
``request.app[SCREEN]`` and so on. This module sits below the handlers and above the parts'
own modules: it imports only the parts' types, and none of those modules reads the app.
"""

from __future__ import annotations

from collections import Counter

from aiohttp import web
from prometheus_client import CollectorRegistry

from kiosk.admin import AdminAuth
from kiosk.attract.director import ExhibitDirector
from kiosk.display.connections import ConnectionSets
from kiosk.display.screen import ExhibitScreen
from kiosk.hub import EventHub
from kiosk.metrics.counters import ExhibitCounters
from kiosk.metrics.frames import FrameReports
from kiosk.model.engine import Engine
from kiosk.playground.session import PlaygroundSession
from kiosk.presenter.drawing import DrawingSeats
from kiosk.presenter.feed import PresenterFeed
from kiosk.presenter.login import PresenterAuth
from kiosk.presenter.recent_log import RecentProblems
from kiosk.settings import RunningConfig
from kiosk.streams import StreamSeats
from kiosk.tablet.tablets import Tablets
from kiosk.tablet.throttle import Throttle
from kiosk.teach.teacher import Teacher
from kiosk.teach.verdicts import VerdictCounts

# The exhibit as a whole: its settings, model, and the requests and streams it serves.
CONFIG = web.AppKey("config", RunningConfig)  # routes read .current at each request (kiosk/settings.py)
STARTED = web.AppKey("started", float)  # time.monotonic() at start-up, for uptimes
INSTANCE = web.AppKey("instance", str)  # new at every start: tablets tell a restart from a slow link
ENGINE = web.AppKey("engine", Engine)
DEFAULT_SNAPSHOT = web.AppKey("default_snapshot", str)  # model.snapshot resolved: the live network
# Refused requests by reason (kiosk/http_errors.py).
REJECTED: web.AppKey[Counter[str]] = web.AppKey("rejected", Counter)
STREAMS = web.AppKey("streams", StreamSeats)
ADMIN = web.AppKey("admin", AdminAuth)

# What the exhibit does (the director) and shows (the screen).
DIRECTOR = web.AppKey("director", ExhibitDirector)
SCREEN = web.AppKey("screen", ExhibitScreen)
SCREEN_HUB = web.AppKey("screen_hub", EventHub)
CONNECTIONS = web.AppKey("connections", ConnectionSets)

# Teach it: lessons from visitors' corrections, and their verdicts counted.
TEACHER = web.AppKey("teacher", Teacher)
VERDICTS = web.AppKey("verdicts", VerdictCounts)

# The visitors' tablets and the playground.
TABLETS = web.AppKey("tablets", Tablets)
PLAYGROUND = web.AppKey("playground", PlaygroundSession)
PLAYGROUND_HUB = web.AppKey("playground_hub", EventHub)

# Presenters.
PRESENTER = web.AppKey("presenter", PresenterAuth)
SEATS = web.AppKey("presenter_drawing", DrawingSeats)
FEED = web.AppKey("presenter_feed", PresenterFeed)
PROBLEMS = web.AppKey("presenter_problems", RecentProblems)

# Metrics (docs/monitoring.md).
REGISTRY = web.AppKey("metrics_registry", CollectorRegistry)
COUNTERS = web.AppKey("metrics_counters", ExhibitCounters)
FRAMES = web.AppKey("frame_reports", FrameReports)
REPORT_RATE = web.AppKey("frame_report_rate", Throttle)
TOKEN_GUESSES = web.AppKey("metrics_token_guesses", Throttle)
