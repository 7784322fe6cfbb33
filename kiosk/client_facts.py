"""What the server and its three pages must agree on, published once: ``GET /common/facts.json``.

The pages (screen, tablet, presenter) read it through ``/common/facts.js`` instead of keeping
their own copies, so a dataset, a limit or an event kind is written only on the server::

    {"events": {"screen": [...], "presenter": [...], "playground": [...]},
     "playground": {"datasets": [{"name": "spiral", "text": "datasetSpiral",
                                  "points": [[x, y, label], ...], "jitter": [[jx, jy], ...],
                                  "sigma": [base, per_noise]}, ...],
                    "extent": [-6.0, 6.0], "features": [...], "activations": [...],
                    "max_layers": 6, "max_neurons": 16}}

- ``events``: the kinds each stream carries (kiosk/display/events.py, the playground session's).
- ``playground.datasets``: in the order the pages offer them (``datasets.MENU``), each with the
  key of its name in the pages' texts (``dataset`` + its name capitalised, in every page's
  ``i18n/<lang>.json``) and its icon (``datasets.preview``).
- the limits and choices of a run, from kiosk/playground/spec.py.

The colours are the other shared fact; they are CSS, so they live in ``common_client/tokens.css``.
The answer never changes while the server runs, so it is built once.
"""

from __future__ import annotations

from functools import cache

from aiohttp import web

from kiosk.display.events import PRESENTER_EVENTS, SCREEN_EVENTS
from kiosk.playground import datasets
from kiosk.playground.session import INITIAL_ORDER
from kiosk.playground.spec import ACTIVATIONS, FEATURES, MAX_LAYERS, MAX_NEURONS

PATH = "/common/facts.json"


@cache
def client_facts() -> dict:
    """The facts every page reads, as JSON-ready data."""
    return {
        "events": {
            "screen": list(SCREEN_EVENTS),
            "presenter": list(PRESENTER_EVENTS),
            "playground": list(INITIAL_ORDER),
        },
        "playground": {
            "datasets": [
                {"name": name, "text": dataset_text(name), **datasets.preview(name)} for name in datasets.MENU
            ],
            "extent": list(datasets.EXTENT),
            "features": list(FEATURES),
            "activations": list(ACTIVATIONS),
            "max_layers": MAX_LAYERS,
            "max_neurons": MAX_NEURONS,
        },
    }


def dataset_text(name: str) -> str:
    """The key of a dataset's name in the pages' texts: ``spiral`` → ``datasetSpiral``."""
    return f"dataset{name.capitalize()}"


async def facts(request: web.Request) -> web.Response:
    return web.json_response(client_facts(), headers={"Cache-Control": "no-cache"})


def setup_client_facts(app: web.Application) -> None:
    app.router.add_get(PATH, facts)
