"""Soak: many tablets paired, connected, drawing and gone, against one real exhibit process.

    python -m bench.soak_pairs [--cycles 300] [--max-seconds 300]

Each cycle does what a day of staff and visitors does to the exhibit, on loopback: open a pairing
window (admin token), pair a new tablet with its code, connect it as a virtual tablet over a real
WebRTC data channel (kiosk/tablet/virtual.py), draw a digit and wait for the answer, and hang up;
tablets are revoked ``keep`` cycles later (100 may be paired at most), so that the tablets the
server lists as connected show whether it noticed the hang-ups. It stops by itself after
``cycles`` or ``max_seconds``, whichever comes first. Reported as JSON: cycles done and failed (by reason),
cycle time, and the server's live peers (``/api/admin/tablets``: connected tablets), resident
memory and open file descriptors (from /proc/<pid>) at start, along the way and at the end (after
the server had ``settle_s`` to notice the last hang-up), plus ERROR lines and tracebacks in its log.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import statistics
import sys
import tempfile
import time
from collections import Counter, deque
from pathlib import Path

import aiohttp

from kiosk.tablet.virtual import VirtualTablet
from tools.exhibit_process import QUIET_PLAYLIST, ExhibitProcess

ROOT = Path(__file__).resolve().parent.parent
EXPORT = ROOT / "exports" / "mnist-mlp"
# A "7": a bar and a stroke down, in tablet pixels.
SEVEN = [[[40, 40, 0], [200, 40, 80], [120, 300, 200]]]


def bench_soak_pairs(
    cycles: int = 300, max_seconds: float = 300, settle_s: float = 5, keep: int = 50
) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        with ExhibitProcess(Path(tmp), EXPORT, settings=QUIET_PLAYLIST) as exhibit:
            run = asyncio.run(
                _soak(exhibit.pid, exhibit.base, exhibit.admin_token, cycles, max_seconds, settle_s, keep)
            )
        log = exhibit.log_text()
    start, end = run["samples"][0], run["samples"][-1]
    return {
        "what": "pair -> connect a virtual tablet (WebRTC, loopback) -> draw -> hang up; revoked "
        f"{keep} cycles later; against one exhibit process",
        "cycles": run["cycles"],
        "stopped_by": "count" if run["cycles"] >= cycles else "time",
        "failures": run["failures"],
        "cycle_s": _summary(run["times"]),
        "start": start,
        "end": end,
        "along_the_way": run["samples"][1:-1],
        "rss_growth_mib": round(end["rss_mib"] - start["rss_mib"], 1),
        "open_files_growth": end["open_files"] - start["open_files"],
        "server_log": {
            "error_lines": sum(" ERROR " in line for line in log.splitlines()),
            "tracebacks": log.count("Traceback"),
        },
        "goal": {"live_peers_at_end": 0, "open_files_growth_at_most": 5, "failures": 0},
        "met": end["live_peers"] == 0
        and end["open_files"] - start["open_files"] <= 5
        and not run["failures"],
    }


async def _soak(
    pid: int, base: str, token: str, cycles: int, max_seconds: float, settle_s: float, keep: int
) -> dict:
    """Cycles until ``cycles`` or ``max_seconds``; the server sampled every ``keep`` cycles and at the end."""
    times, failures, paired = [], Counter(), deque()
    async with aiohttp.ClientSession() as http:
        samples = [await _sample(http, base, token, pid, cycle=0)]
        deadline, done = time.monotonic() + max_seconds, 0
        while done < cycles and time.monotonic() < deadline:
            began = time.perf_counter()
            problem = await _one_cycle(http, base, token, paired)
            done += 1
            failures.update([problem] if problem else [])
            times += [] if problem else [time.perf_counter() - began]
            while len(paired) > keep:
                failures.update(filter(None, [await _revoke(http, base, token, paired.popleft())]))
            if done % keep == 0:
                samples.append(await _sample(http, base, token, pid, cycle=done))
        await asyncio.sleep(settle_s)  # time to notice the last hang-up
        samples.append(await _sample(http, base, token, pid, cycle=done))
    return {"cycles": done, "failures": dict(failures), "times": times, "samples": samples}


async def _one_cycle(http: aiohttp.ClientSession, base: str, token: str, paired: deque[str]) -> str | None:
    """One tablet's life (its device id goes into ``paired``); returns what went wrong, or None."""
    admin = {"Authorization": f"Bearer {token}"}
    async with http.post(f"{base}/api/admin/pairing", headers=admin) as response:
        if response.status != 200:
            return f"open_pairing_{response.status}"
        code = (await response.json())["code"]
    async with http.post(f"{base}/api/tablet/pair", json={"code": code, "name": "soak"}) as response:
        if response.status != 200:
            return f"pair_{response.status}"
        device = await response.json()
    paired.append(device["device"])
    tablet = VirtualTablet()
    try:
        await tablet.connect(base, device["credential"])
        await tablet.draw(SEVEN)
    except Exception as e:  # a refusal, a channel that never opened, no answer: counted by kind
        return f"tablet_{type(e).__name__}"
    finally:
        await tablet.close()
    return None


async def _revoke(http: aiohttp.ClientSession, base: str, token: str, device: str) -> str | None:
    headers = {"Authorization": f"Bearer {token}"}
    async with http.post(f"{base}/api/admin/tablets/revoke", json={"device": device}, headers=headers) as r:
        return None if r.status == 200 else f"revoke_{r.status}"


async def _sample(http: aiohttp.ClientSession, base: str, token: str, pid: int, cycle: int) -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    async with http.get(f"{base}/api/admin/tablets", headers=headers) as response:
        tablets = (await response.json())["tablets"]
    return {
        "cycle": cycle,
        "live_peers": sum(t["connected"] for t in tablets),
        "paired": len(tablets),
        "rss_mib": round(_rss_kib(pid) / 1024, 1),
        "open_files": len(os.listdir(f"/proc/{pid}/fd")),
        "threads": len(os.listdir(f"/proc/{pid}/task")),
    }


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def _summary(values: list[float]) -> dict:
    if not values:
        return {}
    ordered = sorted(values)
    return {
        "p50": round(statistics.median(ordered), 3),
        "p95": round(ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)], 3),
        "max": round(ordered[-1], 3),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.soak_pairs", description=__doc__.split("\n")[0])
    p.add_argument("--cycles", type=int, default=300)
    p.add_argument("--max-seconds", type=float, default=300)
    args = p.parse_args(argv)
    print(json.dumps(bench_soak_pairs(args.cycles, args.max_seconds), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
