"""A presenter's remote drawing: a tablet credential of their own that never takes a visitor's seat.

The presenter page embeds the tablet page, which needs a paired tablet's credential. Each
session gets one (paired as "presenter: <name>"), reused while the session lives and revoked
when it ends. Its device id is one of ``TabletPeers.extra_seats``: it draws beside the visitors'
``tablet.drawers``, so it is neither refused as busy nor ever closes the visitor's tablet.
Credentials left in the device file by a crash are revoked at the next start.
"""

from __future__ import annotations

import asyncio
import logging
import time

from kiosk.presenter.sessions import Session
from kiosk.tablet.devices import DeviceStoreError
from kiosk.tablet.tablets import Tablets

log = logging.getLogger(__name__)

NAME_PREFIX = "presenter: "


class DrawingSeats:
    def __init__(self, tablets: Tablets) -> None:
        self.tablets = tablets

    def credential_for(self, session: Session) -> str:
        """This session's drawing credential, made on first use. DeviceStoreError, ValueError if not."""
        if session.drawing and self._still_paired(session.drawing[0]):
            return session.drawing[1]
        device, credential = self.tablets.devices.add(NAME_PREFIX + session.name, time.time())
        self.tablets.peers.extra_seats.add(device.id)
        session.drawing = (device.id, credential)
        return credential

    def give_back(self, session: Session) -> None:
        """Revoke the session's drawing credential and hang up its connection (the session ended)."""
        if session.drawing is None:
            return
        device_id, session.drawing = session.drawing[0], None
        self.forget(device_id)
        try:
            self.tablets.devices.revoke(device_id)
        except DeviceStoreError as e:
            log.warning("could not revoke presenter drawing credential %s: %s", device_id, e)

    def forget(self, device_id: str, why: str = "its presenter's session ended") -> None:
        """``device_id`` no longer draws: close its connection (``why``, for the log) and its extra seat."""
        peers = self.tablets.peers
        peers.extra_seats.discard(device_id)
        for peer in [p for p in peers.peers if p.device == device_id]:
            asyncio.ensure_future(peers.close(peer, why=why))

    def revoke_leftovers(self) -> None:
        """Revoke presenter credentials of an earlier run (sessions live in memory only)."""
        try:
            for device in self.tablets.devices.list():
                if device.name.startswith(NAME_PREFIX):
                    self.tablets.devices.revoke(device.id)
        except DeviceStoreError as e:
            log.warning("could not revoke old presenter drawing credentials: %s", e)

    def _still_paired(self, device_id: str) -> bool:
        return any(device.id == device_id for device in self.tablets.devices.list())
