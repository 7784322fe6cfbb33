"""The running exhibit's staff API as the self-test uses it, with the admin token (kiosk/admin.py).

    health()            GET /healthz
    tablets()           GET /api/admin/tablets: paired tablets, connected or not
    open_pairing()      POST /api/admin/pairing: a one-time code
    pair(code, name)    POST /api/tablet/pair: (device id, credential), as a tablet page does
    revoke(device)      POST /api/admin/tablets/revoke: forgets it and hangs up its connection

A refusal raises ``Refused`` with the HTTP status and the exhibit's own words; a network failure
raises aiohttp's ``ClientError`` (or ``TimeoutError``).
"""

from __future__ import annotations

import aiohttp


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{message} ({status})")
        self.status, self.message = status, message


class ExhibitClient:
    def __init__(self, http: aiohttp.ClientSession, base_url: str, token: str = "") -> None:
        self.http, self.base, self.token = http, base_url.rstrip("/"), token

    async def health(self) -> dict:
        return await self._call("GET", "/healthz", auth=False)

    async def tablets(self) -> list[dict]:
        return (await self._call("GET", "/api/admin/tablets"))["tablets"]

    async def open_pairing(self) -> str:
        return (await self._call("POST", "/api/admin/pairing", {}))["code"]

    async def pair(self, code: str, name: str) -> tuple[str, str]:
        paired = await self._call("POST", "/api/tablet/pair", {"code": code, "name": name}, auth=False)
        return paired["device"], paired["credential"]

    async def revoke(self, device: str) -> None:
        await self._call("POST", "/api/admin/tablets/revoke", {"device": device})

    async def _call(self, method: str, path: str, body: dict | None = None, *, auth: bool = True) -> dict:
        headers = {"Authorization": f"Bearer {self.token}"} if auth else {}
        async with self.http.request(method, self.base + path, json=body, headers=headers) as response:
            try:
                answer = await response.json(content_type=None)
            except ValueError:
                answer = None
        if response.status != 200 or not isinstance(answer, dict):
            why = answer.get("error") if isinstance(answer, dict) else None
            raise Refused(response.status, str(why or "no usable answer"))
        return answer
