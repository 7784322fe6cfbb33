"""The tablets' side of the exhibit: who is paired, the pairing windows, the guess limits, the peers.

``Tablets`` is what the tablet routes (kiosk/tablet/routes.py) work with. It is built once, with
everything it tells passed in (kiosk/exhibit.py), and ``apply`` hands it the tablet settings of a
reloaded config: connected tablets keep their connection and get the new limits.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.config import TabletConfig
from kiosk.model.strokes import StrokeLimits
from kiosk.tablet.devices import DeviceStore
from kiosk.tablet.pairing import PairingCode, PairingWindows
from kiosk.tablet.signalling import TabletPeers
from kiosk.tablet.throttle import Throttle

ADMIN_TOKEN_FILE = "admin.token"
DEVICES_FILE = "tablets.json"


@dataclass
class Tablets:
    devices: DeviceStore
    pairing: PairingWindows
    code_guesses: Throttle  # wrong pairing codes: strict; the global limit is what keeps 6 digits safe
    key_guesses: Throttle  # wrong credentials: 256 bits need no tight limit; strangers never lock out
    peers: TabletPeers
    tablet_url: str  # the page a tablet opens, e.g. http://192.168.1.20:8080/tablet
    # Told when a pairing window opens (the code) or closes (None; True if a tablet just paired).
    on_pairing: Callable[[PairingCode | None, bool], None]

    @classmethod
    def build(
        cls,
        options: TabletConfig,
        peers: TabletPeers,
        tablet_url: str,
        on_pairing: Callable[[PairingCode | None, bool], None],
    ) -> Tablets:
        """Nothing is written to disk until a tablet pairs."""
        return cls(
            devices=DeviceStore(options.state_dir / DEVICES_FILE),
            pairing=PairingWindows(time.monotonic, ttl_s=options.pairing_minutes * 60),
            # Strict: once the minute's budget is spent nobody is checked, until it frees or a new
            # window opens.
            code_guesses=Throttle(time.monotonic, per_key=5, global_=20, window_s=60, strict=True),
            # Separate, and generous overall; a tablet without wrong guesses of its own always gets in.
            key_guesses=Throttle(time.monotonic, per_key=10, global_=200, window_s=60),
            peers=peers,
            tablet_url=tablet_url,
            on_pairing=on_pairing,
        )

    def apply(self, options: TabletConfig, limits: StrokeLimits) -> None:
        """A reloaded config's tablet settings and stroke limits."""
        peers = self.peers
        peers.limits, peers.ice_servers = limits, list(options.ice_servers)
        peers.drawers, peers.take_over = options.drawers, options.when_busy == "take_over"
        peers.rate_hz, peers.max_errors = options.predictions_per_second, options.max_bad_messages
        peers.connect_timeout_s = options.connect_timeout_seconds  # for connections from now on
        peers.silence_timeout_s = options.silence_timeout_seconds
        self.pairing.ttl_s = options.pairing_minutes * 60  # for windows opened from now on
        for peer in peers.peers:  # connected tablets keep their connection and get the new limits
            if peer.session:
                peer.session.set_limits(limits, rate_hz=peers.rate_hz, max_errors=peers.max_errors)
