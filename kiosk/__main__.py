"""Command line: ``python -m kiosk [serve] [--config FILE]``, ``check-config [FILE]``, ``pair``, ``tablets``,
``self-test`` (kiosk/selftest/run.py).

Which config file: ``--config``, else ``$KIOSK_CONFIG``, else /etc/nn-kiosk/kiosk.yaml if it
exists, else the repository's config/kiosk.yaml. Start-up problems print one line per problem
on stderr, never a traceback (staff read these in ``journalctl``).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path

from aiohttp import web

from kiosk import logs, systemd_notify
from kiosk.app import create_app, load_engine
from kiosk.config import Config, ConfigError, load_config, resolve_config_path
from kiosk.exhibit import prepare_service
from kiosk.keys import CONFIG
from kiosk.model.engine import Engine
from kiosk.model.export import ExportError
from kiosk.presenter import cli as presenter_cli
from kiosk.reload import reload_config
from kiosk.selftest.run import self_test
from kiosk.tablet import cli as tablet_cli

log = logging.getLogger("kiosk")

EXIT_CHECK_FAILED = 1
EXIT_STARTUP_FAILED = 2


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "check-config":
        return check_config(resolve_config_path(args.file or args.config))
    if args.command in ("pair", "tablets", "self-test"):
        return _tablet_command(args)
    if args.command == "hash-passphrase":
        return presenter_cli.hash_passphrase_command()
    return serve(resolve_config_path(args.config))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m kiosk", description="nn-kiosk museum exhibit server")
    parser.add_argument(
        "--config",
        type=Path,
        help="YAML config file (default: $KIOSK_CONFIG, else /etc/nn-kiosk/kiosk.yaml, else the repo's)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve_cmd = commands.add_parser("serve", help="run the exhibit server (the default)")
    # SUPPRESS: without it the subcommand's default would overwrite a --config given before it.
    serve_cmd.add_argument("--config", type=Path, default=argparse.SUPPRESS, help="YAML config file")
    check = commands.add_parser("check-config", help="validate a config file and the model export it names")
    check.add_argument("file", nargs="?", type=Path, help="config file to check")
    pair = commands.add_parser("pair", help="open a pairing window on the running exhibit (code and QR)")
    pair.add_argument("--config", type=Path, default=argparse.SUPPRESS, help="YAML config file")
    tablets = commands.add_parser("tablets", help="list or revoke paired tablets")
    tablets.add_argument("--config", type=Path, default=argparse.SUPPRESS, help="YAML config file")
    tablets.add_argument("action", choices=("list", "revoke"))
    tablets.add_argument("device", nargs="?", help="with revoke: the tablet's id (see list)")
    test = commands.add_parser("self-test", help="check the running exhibit end to end with a virtual tablet")
    test.add_argument("--config", type=Path, default=argparse.SUPPRESS, help="YAML config file")
    commands.add_parser(
        "hash-passphrase", help="make presenter.passphrase_hash for the config (asks for the passphrase)"
    )
    return parser


def _tablet_command(args: argparse.Namespace) -> int:
    path = resolve_config_path(args.config)
    try:
        config = _load_config(path)
    except StartupError as exc:
        print(exc, file=sys.stderr)
        return EXIT_CHECK_FAILED
    if args.command == "pair":
        return tablet_cli.pair(config, path)
    if args.command == "self-test":
        return self_test(config, path)
    if args.action == "revoke" and not args.device:
        print("tablets revoke: name the tablet's id (python -m kiosk tablets list)", file=sys.stderr)
        return EXIT_CHECK_FAILED
    return tablet_cli.tablets(config, args.action, args.device, path)


def check_config(path: Path) -> int:
    """Validate the config and load its export; print OK or the problem. Exit status 0 or 1."""
    try:
        config = _load_config(path)
        engine = _load_engine(path, config)
    except StartupError as exc:
        print(exc, file=sys.stderr)
        return EXIT_CHECK_FAILED
    snapshots = len(engine.timeline.snapshots)
    print(f"OK: {path} (model {engine.timeline.name}, {snapshots} snapshots, port {config.server.port})")
    return 0


def serve(path: Path) -> int:
    """Run the server until SIGTERM/SIGINT. Exit status 0, or 2 if it cannot start."""
    try:
        config = _load_config(path)
        logs.configure(config.logging)
        systemd_notify.status(f"starting: loading the model {config.model.export}")
        app = create_app(config, _load_engine(path, config), config_path=path)
        _prepare_service(config, app)
    except StartupError as exc:
        print(exc, file=sys.stderr)
        return EXIT_STARTUP_FAILED
    host, port = config.server.host, config.server.port
    log.info("starting with config %s and model %s", path, config.model.export)  # then: ready …
    try:
        asyncio.run(_serve_until_stopped(app, host, port))
    except OSError as exc:  # typically: another program already uses the port
        print(f"{path}: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_STARTUP_FAILED
    log.info("stopped")
    return 0


async def _serve_until_stopped(app: web.Application, host: str, port: int) -> None:
    """Serve until SIGTERM (systemd stop) or SIGINT (Ctrl+C), then shut down gracefully.

    What web.run_app does, plus the moment it lacks: systemd hears READY=1 only once the port
    accepts connections, and the watchdog pings start (kiosk/systemd_notify.py).
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.add_signal_handler(signal.SIGHUP, _reload, app)
    runner = web.AppRunner(app, shutdown_timeout=5)
    await runner.setup()  # runs on_startup
    try:
        await web.TCPSite(runner, host, port).start()
        log.info(logs.ready_line(app[CONFIG].current))
        systemd_notify.ready(f"serving on http://{host}:{port}")
        watchdog = systemd_notify.start_watchdog()
        await stop.wait()
        systemd_notify.stopping()
        if watchdog is not None:
            watchdog.cancel()
    finally:
        await runner.cleanup()  # on_shutdown, open requests get up to shutdown_timeout, on_cleanup


def _reload(app: web.Application) -> None:
    """SIGHUP (systemctl reload): apply the changed config file, or keep the running one if it is bad."""
    systemd_notify.reloading()
    try:
        applied = reload_config(app)
    except Exception:  # a bug in applying must not take the exhibit down with it
        log.exception("reload failed")
        applied = False
    systemd_notify.reloaded("serving" if applied else "serving; the last reload was refused (see the log)")


def _prepare_service(config: Config, app: web.Application) -> None:
    """The admin token file and the training process (kiosk/exhibit.py), or StartupError."""
    try:
        prepare_service(app)
    except OSError as exc:
        raise StartupError(
            f"tablet.state_dir: cannot write {config.tablet.state_dir}: {exc.strerror or exc}"
        ) from None


class StartupError(Exception):
    """A config or export problem, worded for staff."""


def _load_config(path: Path) -> Config:
    try:
        return load_config(path)
    except ConfigError as exc:
        raise StartupError(str(exc)) from None


def _load_engine(path: Path, config: Config) -> Engine:
    try:
        return load_engine(config)
    except ConfigError as exc:  # the snapshot named in the config is not in the export
        raise StartupError(f"{path}: {exc}") from None
    except (ExportError, OSError) as exc:
        raise StartupError(f"{path}: model.export: {exc}") from None  # exc names the export's file


if __name__ == "__main__":
    sys.exit(main())
