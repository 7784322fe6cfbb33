"""Who may read /metrics (config ``metrics:``): addresses in ``allowed_networks``, and, when a
``token`` is set, only with ``Authorization: Bearer <token>``.

By default only this PC itself may (127.0.0.0/8 and ::1): a Prometheus on the exhibit PC, or
reached through an SSH tunnel. Staff who let the museum's monitoring server in name its network,
and may add a token that Prometheus sends (``authorization:`` in its scrape config,
docs/monitoring.md). Refusals: 403 for an address outside the networks, 401 for a missing or
wrong token (with ``WWW-Authenticate: Bearer``); both counted and logged like any refused request
(kiosk/http_errors.py). Wrong tokens are throttled per address like the admin token's.
The settings are read at each request, so a reload applies at once.
"""

from __future__ import annotations

import hmac
import ipaddress

from aiohttp import web

from kiosk.admin import bearer_token, refuse_if_throttled
from kiosk.config import MetricsConfig
from kiosk.http_errors import Rejected
from kiosk.tablet.throttle import Throttle


def check_access(request: web.Request, options: MetricsConfig, guesses: Throttle) -> None:
    """Return if ``request`` may read the metrics, else raise Rejected (403, 401 or 429)."""
    if not address_allowed(request.remote, options.allowed_networks):
        raise Rejected(
            "forbidden",
            f"metrics are not open to {request.remote}; staff may add it to metrics.allowed_networks",
            status=403,
        )
    if not options.token:
        return
    refuse_if_throttled(request, guesses)
    given = bearer_token(request)
    if not hmac.compare_digest(given.encode(), options.token.encode()):
        if given:
            guesses.failure(request.remote)
        raise Rejected(
            "unauthorized",
            "metrics need the token from metrics.token (Authorization: Bearer <token>)",
            status=401,
            headers={"WWW-Authenticate": 'Bearer realm="nn-kiosk metrics"'},
        )


def address_allowed(remote: str | None, networks: list[str]) -> bool:
    """True if ``remote`` (an IP address, also IPv4 seen as ::ffff:a.b.c.d) is in one of ``networks``."""
    try:
        address = ipaddress.ip_address((remote or "").split("%")[0])
    except ValueError:  # not an IP address (a Unix socket): nobody we can place
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in ipaddress.ip_network(network, strict=False) for network in networks)
