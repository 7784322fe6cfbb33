"""Debian's Chromium as a process of our own, driven by Playwright over the DevTools protocol.

    with Chromium.launch(tmp_path / "chromium", namespace=lab.tablet) as chromium:
        chromium.open("http://10.231.0.1:8080/tablet")
        chromium.run("return document.title")
        chromium.draw([[(100, 100), (100, 300)]])

Why not ``playwright.chromium.launch``: the browser must run inside a network namespace (the
lab's "tablet") while Playwright's driver stays here. So ``/usr/bin/chromium --headless
--remote-debugging-port=P --user-data-dir=<fresh>`` is started, in ``namespace`` if given
(``ip netns exec``), and Playwright attaches with ``connect_over_cdp`` through a relay from
127.0.0.1:P here to 127.0.0.1:P there (the same port number on both sides, so the addresses the
browser hands out in ``/json/version`` work here too). WebRTC keeps Chromium's defaults (mDNS
``.local`` host candidates).

The same small API as ``firefox.Firefox``, so a test can take either: ``open``, ``reload``,
``url``, ``run`` (a function body with ``arguments`` and ``return``, in the page's global),
``run_async`` (its last argument resolves), ``screenshot``, ``element_box``, ``draw`` (strokes
of viewport CSS pixels as mouse drags, one move every ``step_ms``), ``console_errors`` (console
errors and uncaught page errors) and ``quit`` (also from ``with`` on failure: the whole process
group is terminated, killed if need be).
"""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from support.browsers import CHROMIUM, browser_missing, wait_for_output
from support.process_group import end_group
from tools.exhibit_process import unused_port

if TYPE_CHECKING:
    from support.netlab import Namespace

ARGS = [
    *("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"),
    *("--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check"),
    *("--disable-features=Translate,MediaRouter,OptimizationHints", "--metrics-recording-only"),
    "--remote-debugging-address=127.0.0.1",
]
STARTUP_S = 60
RUN = "([body, args]) => new Function(body).apply(window, args)"
RUN_ASYNC = "([body, args]) => new Promise((resolve) => new Function(body).apply(window, [...args, resolve]))"


chromium_missing = browser_missing  # why Chromium cannot be driven here, or None


class Chromium:
    """One running Chromium, a Playwright connection to it, and one page; see ``Chromium.launch``."""

    def __init__(
        self, process: subprocess.Popen, folder: Path, port: int, namespace: Namespace | None
    ) -> None:
        self.process, self.folder, self.port, self.namespace = process, folder, port, namespace
        self.log = folder / "chromium.log"
        self.errors: list[str] = []
        self.playwright = self.browser = self.page = None

    @classmethod
    def launch(
        cls,
        folder: Path,
        namespace: Namespace | None = None,
        viewport: tuple[int, int] = (1024, 768),
        args: Sequence[str] = (),
    ) -> Chromium:
        """Start Chromium with a fresh profile in ``folder/profile``, attach, open one blank page."""
        folder.mkdir(parents=True, exist_ok=True)
        port = unused_port()
        argv = [str(CHROMIUM), *ARGS, f"--remote-debugging-port={port}"]
        argv += [f"--user-data-dir={folder / 'profile'}", *args, "about:blank"]
        with (folder / "chromium.log").open("w") as log:
            if namespace is None:
                process = subprocess.Popen(argv, stdout=log, stderr=log, start_new_session=True)
            else:
                process = namespace.popen(argv, stdout=log, stderr=log)
        chromium = cls(process, folder, port, namespace)
        try:
            chromium._connect(viewport)
        except BaseException:
            chromium.quit()
            raise
        return chromium

    def _connect(self, viewport: tuple[int, int]) -> None:
        from playwright.sync_api import sync_playwright

        wait_for_output(self.process, self.log, "DevTools listening on", "Chromium", STARTUP_S, self.log_tail)
        if self.namespace is not None:
            self.namespace.forward(self.port, local_port=self.port)
        self.playwright = sync_playwright().start()
        self.browser = self.playwright.chromium.connect_over_cdp(
            f"http://127.0.0.1:{self.port}", timeout=30_000
        )
        context = self.browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]}, has_touch=True
        )
        self.page = context.new_page()
        self.page.on(
            "console", lambda m: m.type == "error" and self.errors.append(f"console.error: {m.text}")
        )
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.quit()

    # ---- the page ------------------------------------------------------------------------------

    def open(self, url: str) -> None:
        self.page.goto(url)

    def reload(self) -> None:
        self.page.reload()

    @property
    def url(self) -> str:
        return self.page.url

    def run(self, script: str, *args: Any) -> Any:
        return self.page.evaluate(RUN, [script, list(args)])

    def run_async(self, script: str, *args: Any, timeout_s: float = 30) -> Any:
        self.page.set_default_timeout(timeout_s * 1000)
        return self.page.evaluate(RUN_ASYNC, [script, list(args)])

    def screenshot(self, path: Path) -> Path:
        self.page.screenshot(path=str(path))
        return path

    def element_box(self, selector: str) -> dict[str, float]:
        return self.page.locator(selector).bounding_box()

    def draw(self, strokes: Iterable[Sequence[tuple[float, float]]], step_ms: int = 16) -> None:
        """Each stroke as one drag of the mouse: down, a move to each next point a frame apart, up."""
        mouse = self.page.mouse
        for stroke in strokes:
            mouse.move(*stroke[0])
            mouse.down()
            for point in stroke[1:]:
                mouse.move(*point)
                self.page.wait_for_timeout(step_ms)
            mouse.up()
            self.page.wait_for_timeout(50)

    # ---- logs ----------------------------------------------------------------------------------

    def console_errors(self) -> list[str]:
        return list(self.errors)

    def log_tail(self, lines: int = 30) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    # ---- the end -------------------------------------------------------------------------------

    def quit(self) -> None:
        """Close the connection and make sure no Chromium process is left; safe to call twice."""
        if self.browser is not None:
            with contextlib.suppress(Exception):
                self.browser.close()
            self.browser = None
        if self.playwright is not None:
            with contextlib.suppress(Exception):
                self.playwright.stop()
            self.playwright = None
        end_group(self.process)
