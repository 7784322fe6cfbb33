"""Debian's Firefox ESR, headless, driven through Marionette (PyPI ``marionette_driver``; no geckodriver).

    with Firefox.launch(tmp_path / "firefox") as firefox:           # or namespace=lab.tablet
        firefox.open("http://127.0.0.1:8080/tablet")
        firefox.run("return document.title")                        # the page's own global
        firefox.draw([[(100, 100), (100, 300)]])                    # trusted touch input
        firefox.screenshot(tmp_path / "tablet.png")
        assert firefox.console_errors() == []

What it is:

- ``firefox-esr --headless --marionette -remote-allow-system-access --no-remote --profile P``,
  with a fresh profile ``P`` whose ``user.js`` sets ``marionette.port`` to a free port and turns off
  first-run pages, telemetry, updates and background requests to Mozilla, nothing else: the
  WebRTC privacy settings keep their defaults, so ``media.peerconnection.ice.obfuscate_host_addresses``
  stays true and the browser offers only mDNS ``<uuid>.local`` host candidates, as on a visitor's
  tablet. ``prefs`` adds preferences (``OBFUSCATION_OFF`` is the one used to bring a harness up
  before a server could cope with ``.local`` candidates); ``pref()`` reads one as the browser sees it.
  (``-remote-allow-system-access`` only lets ``pref()`` read preferences in the chrome context.)
- ``namespace`` (a ``netlab.Namespace``): Firefox runs inside it (``ip netns exec``), and Marionette
  is reached through a relay from 127.0.0.1 here on the same port number.
- Scripts run in the page's own global (no sandbox), so ``window.__tablet`` and anything a script
  left on ``window`` are there. ``run_async`` gets ``resolve`` as its last argument.
- ``draw(strokes)``: each stroke a list of (x, y) viewport CSS pixels, sent as WebDriver touch
  actions: trusted pointer events (``pointerType`` "touch", a real pointer id, so the page's
  ``setPointerCapture`` works, which it refuses for events made with ``new PointerEvent``), one
  move every ``step_ms``. Marionette cannot send pen input.
- ``console_errors()``: the page's ``console.error`` lines (printed to Firefox's stdout with
  ``devtools.console.stdout.content``) and uncaught errors of pages loaded over http(s) (its
  "JavaScript error:" lines on stderr), from the logs in the profile's parent folder.
- ``quit()``, also from ``with`` on failure: Marionette's quit, then the whole process group
  (content processes included) terminated, killed if need be; no Firefox process is left behind.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from support.browsers import wait_for_output
from support.process_group import end_group
from tools.exhibit_process import unused_port

if TYPE_CHECKING:
    from support.netlab import Namespace

FIREFOX = Path("/usr/bin/firefox-esr")
OBFUSCATION_OFF = {"media.peerconnection.ice.obfuscate_host_addresses": False}
STARTUP_S = 60

# First-run, telemetry, update and background-request noise only. Nothing about WebRTC.
QUIET_PREFS: dict[str, Any] = {
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "browser.startup.page": 0,
    "startup.homepage_welcome_url": "about:blank",
    "startup.homepage_welcome_url.additional": "",
    "browser.aboutwelcome.enabled": False,
    "trailhead.firstrun.didSeeAboutWelcome": True,
    "datareporting.policy.dataSubmissionEnabled": False,
    "datareporting.healthreport.uploadEnabled": False,
    "toolkit.telemetry.enabled": False,
    "toolkit.telemetry.unified": False,
    "toolkit.telemetry.server": "",
    "app.update.disabledForTesting": True,
    "app.update.auto": False,
    "app.normandy.enabled": False,
    "app.shield.optoutstudies.enabled": False,
    "messaging-system.rsexperimentloader.enabled": False,
    "services.settings.server": "data:,#remote-settings-dummy/v1",
    "extensions.update.enabled": False,
    "extensions.getAddons.cache.enabled": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "browser.safebrowsing.downloads.enabled": False,
    "browser.safebrowsing.blockedURIs.enabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "dom.push.connection.enabled": False,
    "browser.newtabpage.enabled": False,
    "browser.topsites.contile.enabled": False,
    "browser.region.network.url": "",
    "geo.provider.network.url": "",
    "network.dns.disablePrefetch": True,
    "network.prefetch-next": False,
    "devtools.console.stdout.content": True,  # the page's console.* on stdout: console_errors()
    "devtools.console.stdout.chrome": False,
}


def firefox_missing() -> str | None:
    """Why Firefox cannot be driven here, or None."""
    if not FIREFOX.exists():
        return f"{FIREFOX} is not installed (apt-get install firefox-esr)"
    try:
        import marionette_driver  # noqa: F401
    except ImportError:
        return "marionette_driver is not installed (pip install -e '.[dev]')"
    return None


def _user_js(prefs: dict[str, Any]) -> str:
    return "".join(f"user_pref({json.dumps(name)}, {json.dumps(value)});\n" for name, value in prefs.items())


class Firefox:
    """One running Firefox and its Marionette session; make it with ``Firefox.launch``."""

    def __init__(
        self, process: subprocess.Popen, folder: Path, port: int, namespace: Namespace | None
    ) -> None:
        from marionette_driver.marionette import Marionette

        self.process, self.folder, self.port, self.namespace = process, folder, port, namespace
        self.stdout, self.stderr = folder / "firefox.stdout", folder / "firefox.stderr"
        self.marionette = Marionette(host="127.0.0.1", port=port)
        self.origin = ""

    @classmethod
    def launch(
        cls, folder: Path, namespace: Namespace | None = None, prefs: dict[str, Any] | None = None
    ) -> Firefox:
        """Start Firefox with a fresh profile in ``folder/profile`` and open a Marionette session."""
        folder.mkdir(parents=True, exist_ok=True)
        profile = folder / "profile"
        profile.mkdir()
        port = unused_port()
        (profile / "user.js").write_text(_user_js({**QUIET_PREFS, "marionette.port": port, **(prefs or {})}))
        argv = [str(FIREFOX), "--headless", "--marionette", "-remote-allow-system-access", "--no-remote"]
        argv += ["--profile", str(profile), "about:blank"]
        env = {**os.environ, "MOZ_CRASHREPORTER_DISABLE": "1", "MOZ_HEADLESS": "1"}
        with (folder / "firefox.stdout").open("w") as out, (folder / "firefox.stderr").open("w") as err:
            if namespace is None:
                process = subprocess.Popen(argv, stdout=out, stderr=err, env=env, start_new_session=True)
            else:
                process = namespace.popen(argv, stdout=out, stderr=err, env=env)
        firefox = cls(process, folder, port, namespace)
        try:
            firefox._connect()
        except BaseException:
            firefox.quit()
            raise
        return firefox

    def _connect(self) -> None:
        listening = f"Listening on port {self.port}"  # Marionette's
        wait_for_output(self.process, self.stdout, listening, "Firefox", STARTUP_S, self.log_tail)
        if self.namespace is not None:
            self.namespace.forward(self.port, local_port=self.port)
        self.marionette.start_session(timeout=30)
        self.marionette.timeout.script = 30

    def __enter__(self) -> Firefox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.quit()

    # ---- the page ------------------------------------------------------------------------------

    def open(self, url: str) -> None:
        """Navigate and wait for the page's load event."""
        self.origin = re.match(r"^[a-z]+://[^/]+", url).group(0) if "://" in url else ""
        self.marionette.navigate(url)

    def reload(self) -> None:
        self.marionette.refresh()

    @property
    def url(self) -> str:
        return self.marionette.get_url()

    def run(self, script: str, *args: Any) -> Any:
        """Run ``script`` (a function body: ``arguments``, ``return``) in the page's global."""
        return self.marionette.execute_script(script, script_args=args, sandbox=None, new_sandbox=False)

    def run_async(self, script: str, *args: Any, timeout_s: float = 30) -> Any:
        """Like ``run``; the script calls ``arguments[arguments.length - 1](value)`` to return."""
        return self.marionette.execute_async_script(
            script, script_args=args, sandbox=None, new_sandbox=False, script_timeout=int(timeout_s * 1000)
        )

    def screenshot(self, path: Path) -> Path:
        path.write_bytes(base64.b64decode(self.marionette.screenshot(format="base64")))
        return path

    def pref(self, name: str) -> dict[str, Any]:
        """``{"value": ..., "user_set": bool}`` for preference ``name`` as this Firefox sees it."""
        with self.marionette.using_context("chrome"):
            return self.marionette.execute_script(
                """const [name] = arguments, p = Services.prefs;
                const value = {[p.PREF_BOOL]: () => p.getBoolPref(name),
                               [p.PREF_INT]: () => p.getIntPref(name),
                               [p.PREF_STRING]: () => p.getStringPref(name)}[p.getPrefType(name)];
                return {value: value ? value() : null, user_set: p.prefHasUserValue(name)};""",
                script_args=[name],
            )

    def element_box(self, selector: str) -> dict[str, float]:
        """The element's bounding box in viewport CSS pixels: x, y, width, height."""
        return self.run(
            "const r = document.querySelector(arguments[0]).getBoundingClientRect();"
            "return {x: r.x, y: r.y, width: r.width, height: r.height};",
            selector,
        )

    def draw(self, strokes: Iterable[Sequence[tuple[float, float]]], step_ms: int = 16) -> None:
        """Each stroke as one touch: down at its first point, a move to each next, up; a pause between."""
        sequence = self.marionette.actions.sequence("pointer", "finger", {"pointerType": "touch"})
        for stroke in strokes:
            x, y = stroke[0]
            sequence.pointer_move(round(x), round(y)).pointer_down()
            for x, y in stroke[1:]:
                sequence.pointer_move(round(x), round(y), duration=step_ms)
            sequence.pointer_up().pause(50)
        sequence.perform()
        self.marionette.actions.release()

    # ---- logs ----------------------------------------------------------------------------------

    def console_errors(self) -> list[str]:
        """The page's console.error messages and uncaught errors of http(s) pages, in order.

        Firefox's own modules print there too (e.g. "console.error: RSLoader:" when the disabled
        Remote Settings cannot sync); a message whose lines name a resource:// or chrome:// file is
        Firefox's, not the page's, and left out."""
        found = []
        block: list[str] = []
        for line in [*self.stdout.read_text(errors="replace").splitlines(), "<end>"]:
            if block and (line[:1].isspace() or not re.match(r"^(console\.\w+: |\d{10,}\t|<end>)", line)):
                block.append(line)  # the message's further lines: its text, its stack
                continue
            if block and not any(re.search(r"(resource|chrome)://", text) for text in block):
                found.append("\n".join(block).strip())
            block = [line] if line.startswith("console.error: ") else []
        for line in self.stderr.read_text(errors="replace").splitlines():
            if re.match(r"JavaScript error: https?://", line):
                found.append(line)
        return found

    def log_tail(self, lines: int = 30) -> str:
        text = ""
        for path in (self.stdout, self.stderr):
            if path.exists():
                text += f"--- {path.name}\n" + "\n".join(
                    path.read_text(errors="replace").splitlines()[-lines:]
                )
        return text

    # ---- the end -------------------------------------------------------------------------------

    def quit(self) -> None:
        """Quit Firefox and make sure none of its processes is left; safe to call twice."""
        if self.marionette.session_id:
            with contextlib.suppress(Exception):
                self.marionette._send_message("Marionette:Quit", {"flags": ["eForceQuit"]})
            with contextlib.suppress(Exception):
                self.marionette.delete_session(send_request=False)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(10)
        end_group(self.process)
        self.marionette.cleanup_ran = True  # nothing left for its __del__ to do
