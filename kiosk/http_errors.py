"""Bad requests become clear JSON errors: ``{"error": "..."}``, counted by reason and logged.

Handlers raise ``Rejected``; the middleware (``errors_as_json(rejected)``) answers it, counts it by
reason in ``rejected`` (shown in /healthz, every reason of ``REJECTION_REASONS``) and logs one
line, never the body. Anything else that escapes is a bug: a plain 500
for the client and the traceback in the log.

A client that goes away before it has sent the body it announced (closed tab, lost Wi-Fi, a
fuzzer) is its own doing, not ours: ``read_json_object`` turns that into ``incomplete_body``
(400, counted, one info line), which nobody is left to read.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

log = logging.getLogger("kiosk.app")

# Why requests were refused; all are listed in /healthz, zero or not, so the shape is stable.
REJECTION_REASONS = (
    *("too_large", "incomplete_body", "bad_json", "bad_request", "bad_strokes", "unknown_snapshot"),
    *("unauthorized", "throttled", "busy", "bad_offer", "pairing_failed", "unavailable"),  # tablets
    *("forbidden", "conflict"),  # presenters: an Origin refused, another presenter holds the exhibit
    "lesson_refused",  # a presenter's lesson: one runs, nothing on screen, no teaching data
    "too_many_streams",  # event streams: no seat free (kiosk/streams.py)
)
BODY_TIMEOUT_S = 10.0  # a tablet's or presenter's body (a few KB) arrives in milliseconds


class Rejected(Exception):
    """A request the exhibit refuses; ``message`` is shown to the client, ``details`` added to the
    answer as data (e.g. who holds the exhibit)."""

    def __init__(
        self,
        reason: str,
        message: str,
        status: int = 400,
        headers: dict | None = None,
        details: dict | None = None,
    ) -> None:
        super().__init__(message)
        self.reason, self.message, self.status, self.headers = reason, message, status, headers
        self.details = details or {}


async def read_json_object(request: web.Request) -> dict:
    """The request body as a JSON object, or Rejected (413 past the app's client_max_size; 408 if
    it does not arrive within BODY_TIMEOUT_S: a client that sends half a body and waits must not
    hold its request, and its memory, for ever)."""
    try:
        async with asyncio.timeout(BODY_TIMEOUT_S):
            raw = await request.read()  # enforces client_max_size
    except TimeoutError:
        message = f"the body did not arrive within {BODY_TIMEOUT_S:g} s"
        raise Rejected("incomplete_body", message, status=408, headers={"Connection": "close"}) from None
    except web.HTTPRequestEntityTooLarge:
        limit = request.client_max_size
        raise Rejected("too_large", f"request body too large (at most {limit} bytes)", status=413) from None
    except ConnectionError:  # aiohttp: ConnectionResetError("Connection lost") once the client has gone
        message = "the connection closed before the whole body arrived"
        raise Rejected("incomplete_body", message) from None
    try:
        body = json.loads(raw)
    except ValueError as exc:  # includes bad UTF-8
        raise Rejected("bad_json", f"body is not valid JSON: {exc}") from None
    except RecursionError:
        raise Rejected("bad_json", "body is not usable JSON: nested too deeply") from None
    if not isinstance(body, dict):
        raise Rejected("bad_request", f"body must be a JSON object, not {type(body).__name__}")
    return body


def rejection_counts() -> Counter[str]:
    """Every reason at zero."""
    return Counter({reason: 0 for reason in REJECTION_REASONS})


def errors_as_json(rejected: Counter[str]) -> Middleware:
    """The middleware that answers ``Rejected`` as JSON and counts it by reason in ``rejected``."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except Rejected as exc:
            rejected[exc.reason] += 1
            message = _clip(exc.message)
            where = f"{request.method} {request.path} from {request.remote}"
            log.info("rejected %s: %s: %s", where, exc.reason, message)
            body = {"error": message, **exc.details}
            return web.json_response(body, status=exc.status, headers=exc.headers)
        except web.HTTPException:
            raise
        except Exception:
            # A bug, not bad input: full traceback to the log, a plain message to the client.
            log.exception("error while answering %s %s", request.method, request.path)
            return web.json_response({"error": "internal error; see the exhibit's log"}, status=500)

    return middleware


def _clip(text: str, limit: int = 300) -> str:
    # Messages may quote the client's input back; keep the log and the reply short.
    return text if len(text) <= limit else text[: limit - 1] + "…"
