"""The kinds of event the exhibit screen's stream carries (``/api/display/events``), in one place.

The server sends them and the pages listen for them; the pages read this list from
``/common/facts.json`` (kiosk/client_facts.py) instead of spelling it again:

- ``SCREEN_EVENTS``: the screen's own kinds, in the order of a new stream's opening snapshot (the
  page needs the network before anything drawn on it).
- ``PRESENTER_EVENTS``: what ``/api/presenter/events`` carries: the screen's kinds plus the
  presenter feed's own ``status``.
"""

from __future__ import annotations

SCREEN_EVENTS = (
    "network",
    "exhibit",
    "scene",
    "timeline",
    "activation",
    "pairing",
    "neuron",
    "caption",
    "explain",
    "lesson",
)
PRESENTER_EVENTS = (*SCREEN_EVENTS, "status")
