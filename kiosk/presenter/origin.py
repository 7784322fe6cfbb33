"""What a request says about where it came from: its scheme, its client and the page that sent it.

Behind a reverse proxy that terminates HTTPS, the connection aiohttp sees is plain HTTP from the
proxy. Only when staff say so (``presenter.behind_https_proxy``) are the proxy's
``X-Forwarded-Proto`` and ``X-Forwarded-For`` believed, and then only their last entry: the one
the proxy itself wrote (nginx: ``proxy_set_header X-Forwarded-Proto $scheme`` and
``X-Forwarded-For $proxy_add_x_forwarded_for``); earlier entries come from the client.

The Origin check is the defence against cross-site requests (CSRF) besides SameSite=Strict:
browsers send ``Origin`` with every POST, and a page on another site cannot forge it.
"""

from __future__ import annotations

import urllib.parse

from aiohttp import web

from kiosk.http_errors import Rejected

DEFAULT_PORTS = {"http": 80, "https": 443}


def is_https(request: web.Request, behind_proxy: bool) -> bool:
    """Did the browser use TLS (to us, or to the trusted proxy in front of us)?"""
    if request.secure:
        return True
    return behind_proxy and _last(request.headers.get("X-Forwarded-Proto", "")).lower() == "https"


def client_address(request: web.Request, behind_proxy: bool) -> str | None:
    """The browser's address: the proxy's last X-Forwarded-For entry if trusted, else the peer's."""
    forwarded = _last(request.headers.get("X-Forwarded-For", "")) if behind_proxy else ""
    return forwarded or request.remote


def normalise_origin(url: str) -> str | None:
    """``scheme://host[:port]`` in lower case, default port left out; None if ``url`` has no origin."""
    try:
        parts = urllib.parse.urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    shown = "" if port in (None, DEFAULT_PORTS[parts.scheme]) else f":{port}"
    return f"{parts.scheme}://{host}{shown}"


def check_origin(request: web.Request, allowed: frozenset[str], *, required: bool = True) -> None:
    """403 unless the page that sent ``request`` is this exhibit (its Host) or an allowed origin.

    ``Origin`` decides; failing that, ``Referer``. With neither: 403 if ``required``.
    """
    sent = request.headers.get("Origin")
    if not sent or sent == "null":
        sent = request.headers.get("Referer", "")
    if not sent:
        if required:
            raise Rejected("forbidden", "refused: the request names no Origin (a cross-site request?)", 403)
        return
    origin = normalise_origin(sent)
    if origin is None or not (_same_host(origin, request.host) or origin in allowed):
        shown = origin or sent[:100]
        raise Rejected(
            "forbidden",
            f"refused: a request from {shown} (not this exhibit's page; see presenter.allowed_origins)",
            403,
        )


def _same_host(origin: str, host_header: str) -> bool:
    """Origin's host[:port] equals the Host header's, default ports aside."""
    scheme, _, netloc = origin.partition("://")
    wanted = normalise_origin(f"{scheme}://{host_header}")
    return wanted is not None and wanted.partition("://")[2] == netloc


def _last(header: str) -> str:
    return header.rsplit(",", 1)[-1].strip()
