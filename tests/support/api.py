"""Plain HTTP calls to a server on loopback, with the standard library only."""

from __future__ import annotations

import json
import urllib.error
import urllib.request


def post_json(url: str, body: dict, token: str | None = None) -> tuple[int, dict]:
    """POST ``body``, optionally with a bearer token; returns (status, decoded answer), errors too."""
    headers = {"Content-Type": "application/json"} | ({"Authorization": f"Bearer {token}"} if token else {})
    request = urllib.request.Request(url, json.dumps(body).encode(), headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())
