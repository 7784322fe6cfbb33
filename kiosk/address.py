"""The exhibit's own web address, as a tablet on the museum network would type it."""

from __future__ import annotations

import ipaddress
import socket

from kiosk.config import Config


def exhibit_url(config: Config) -> str:
    """``server.public_url`` if staff set one, else http://<this PC's LAN address>:<port>."""
    if config.server.public_url:
        return config.server.public_url
    host = config.server.host
    if host in ("0.0.0.0", "::", ""):
        host = lan_address() or socket.gethostname()
    if ":" in host:  # an IPv6 address needs brackets in a URL
        host = f"[{host}]"
    return f"http://{host}:{config.server.port}"


def lan_address() -> str | None:
    """The address of the network card with the default route; None on a PC without a network.

    Connecting a UDP socket sends nothing: it only asks the kernel which source address it
    would use. 192.0.2.1 is a documentation address, never a real host.
    """
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))
            address = probe.getsockname()[0]
    except OSError:
        return None
    ip = ipaddress.ip_address(address)
    return None if ip.is_loopback or ip.is_unspecified else address
