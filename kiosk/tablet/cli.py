"""Staff commands for tablets, run on the exhibit PC.

    python -m kiosk pair               open a pairing window on the running exhibit: code and QR
    python -m kiosk tablets list       the paired tablets
    python -m kiosk tablets revoke ID  forget one; it must be paired again

``pair`` proves itself to the server with the admin token the server writes into the state
folder when it starts, so it works for whoever may read that folder (the service user, root).
When the token or the folder cannot be read, the message names the config file that was read
and says how to name another (``--config FILE``) or to run as the exhibit's user
(``sudo -u nn-kiosk``): the commonest two reasons.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import segno

from kiosk.atomic import remove_stale_temp_files, write_private_file
from kiosk.config import Config
from kiosk.tablet.devices import DeviceStore, DeviceStoreError
from kiosk.tablet.tablets import ADMIN_TOKEN_FILE, DEVICES_FILE

log = logging.getLogger(__name__)

SERVICE_USER = "nn-kiosk"  # systemd/nn-kiosk.sysusers
INSTALLED_PYTHON = "/opt/nn-kiosk/.venv/bin/python"  # make install's default PREFIX


def tidy_state_dir(state_dir: Path) -> int:
    """Called by the server at start: remove the temp files interrupted writes left in the state
    folder (a power cut or kill -9 mid-write); they may hold credential hashes. Returns how many."""
    if not state_dir.is_dir():
        return 0
    removed = remove_stale_temp_files(state_dir / ADMIN_TOKEN_FILE)  # only the server writes it
    try:
        removed += DeviceStore(state_dir / DEVICES_FILE).remove_stale_temp_files()
    except DeviceStoreError as e:  # cannot lock: pairing will say so; no reason to refuse to start
        log.warning("could not look for stale temp files: %s", e)
    return removed


def publish_admin_token(state_dir: Path, token: str) -> None:
    """Called by the server at start: only readers of the state folder can open pairing windows."""
    state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_private_file(state_dir / ADMIN_TOKEN_FILE, token.encode("ascii"))


def read_admin_token(state_dir: Path) -> str:
    """The running exhibit's admin token (OSError if it cannot be read)."""
    return (state_dir / ADMIN_TOKEN_FILE).read_text(encoding="ascii").strip()


def local_url(config: Config) -> str:
    """The exhibit's address from this PC: loopback when it listens on every address."""
    host = "127.0.0.1" if config.server.host in ("0.0.0.0", "::") else config.server.host
    return f"http://{host}:{config.server.port}"


def access_hint(config_path: Path, command: str) -> str:
    """What to try when the state folder or the exhibit cannot be reached: which config was read,
    how to name another, and how to run ``command`` as the exhibit's user."""
    return (
        f"The config read was {config_path}. If the exhibit runs with another one, name it: "
        f"--config FILE (installed: --config /etc/nn-kiosk/kiosk.yaml). On the exhibit PC, run this "
        f"as the exhibit's user: sudo -u {SERVICE_USER} {INSTALLED_PYTHON} -m kiosk {command}"
    )


def pair(config: Config, config_path: Path) -> int:
    try:
        token = read_admin_token(config.tablet.state_dir)
    except OSError as e:
        print(
            f"cannot read the admin token in {config.tablet.state_dir} ({e.strerror or e}): is the "
            f"exhibit running with this config, and may you read that folder?\n"
            f"{access_hint(config_path, 'pair')}",
            file=sys.stderr,
        )
        return 1
    base = local_url(config)
    request = urllib.request.Request(
        f"{base}/api/admin/pairing", method="POST", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # the exhibit on this PC only
            window = json.load(response)
    except urllib.error.HTTPError as e:  # 401: the token of another exhibit (another state folder)
        print(f"the exhibit at {base} refused: {e}\n{access_hint(config_path, 'pair')}", file=sys.stderr)
        return 1
    except (urllib.error.URLError, OSError, ValueError) as e:
        print(
            f"cannot reach the exhibit at {base}: {e}; is it running (systemctl status nn-kiosk)?\n"
            f"{access_hint(config_path, 'pair')}",
            file=sys.stderr,
        )
        return 1
    url = window["url"]
    print(f"Pairing code: {window['display']}  (valid for {window['expires_in_s'] // 60} minutes, once)")
    print(f"On the tablet, open {url}\nor scan:")
    segno.make(url, error="m").terminal(compact=True)
    return 0


def tablets(config: Config, action: str, device_id: str | None, config_path: Path) -> int:
    if not config.tablet.state_dir.is_dir():  # never make a state folder where the exhibit has none
        print(
            f"no state folder {config.tablet.state_dir} (or it may not be read): no exhibit has run "
            f"with this config.\n{access_hint(config_path, f'tablets {action}')}",
            file=sys.stderr,
        )
        return 1
    store = DeviceStore(config.tablet.state_dir / DEVICES_FILE)
    try:
        if action == "revoke":
            if not store.revoke(device_id or ""):
                print(f"no paired tablet {device_id!r}", file=sys.stderr)
                return 1
            print(f"revoked {device_id}: it can no longer connect")
            return 0
        devices = store.list()
    except DeviceStoreError as e:
        print(f"{e}\n{access_hint(config_path, f'tablets {action}')}", file=sys.stderr)
        return 1
    for d in devices:
        print(f"{d.id}  {d.name!r:30}  paired {_when(d.created)}  last seen {_when(d.last_seen)}")
    if not devices:
        print("no paired tablets")
    return 0


def _when(t: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(t))
