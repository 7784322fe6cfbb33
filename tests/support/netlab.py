"""A two-machine network on one machine: namespaces "tablet" and "exhibit" joined by one cable.

    with NetLab() as lab:                      # or: lab = NetLab(); lab.create(); ...; lab.close()
        server = lab.exhibit.popen([...])      # a process whose only network is the lab's
        port = lab.exhibit.forward(8080)       # 127.0.0.1:port here reaches 10.231.N.1:8080 there
        lab.block_mdns()                       # no .local name is ever resolved
        lab.set_loss(5)                        # 5 % of packets dropped, each direction
        lab.link_down(); lab.link_up()         # the tablet's Wi-Fi goes away and comes back

The lab, precisely:

- Two network namespaces, ``nnlab-<pid>-<n>-tablet`` and ``nnlab-<pid>-<n>-exhibit``: unique to
  this process and lab, so runs at the same time do not meet. Each has its loopback up and one end
  of a veth pair named ``veth0`` (the names live only inside the namespaces). IPv4 only (IPv6 is
  switched off in both), so no link-local address or duplicate-address detection interferes.
- Addresses: the exhibit ``10.231.N.1``, the tablet ``10.231.N.2``, in ``10.231.N.0/24``
  (N = ``subnet``, default 0). These addresses exist only inside the lab's namespaces. Routes, all
  on the cable: the subnet; multicast (224.0.0.0/4), so mDNS works as on a LAN unless blocked;
  and a default route via the other side, as a LAN has one (Chromium offers host candidates only
  on the interface of its default route, and none at all without one). Nothing leaves the lab:
  nftables table ``nnlab_guard`` in both namespaces drops every packet addressed outside
  127.0.0.0/8, the subnet and multicast before it is sent (``guard_dropped()`` counts them: a
  browser's background requests), and neither namespace forwards.
- ``block_mdns()``: nftables table ``nnlab_mdns`` in both namespaces drops every packet to or
  from UDP port 5353 or to 224.0.0.251 as it arrives (input hook, loopback included), silently
  like a Wi-Fi that filters multicast DNS: the sender sees no error. Counted: ``mdns_dropped()``.
- ``set_loss(p)``: nftables table ``nnlab_loss`` (family netdev, ingress of ``veth0``) in both
  namespaces drops a random ``p`` % of the frames arriving from the cable (``numgen random mod
  100 < p``), ARP included, so each direction loses ``p`` %, silently (dropping on output instead
  would hand the sender EPERM). ``set_loss(0)`` removes it; ``loss_counters()`` says how many
  were dropped and passed. (``tc netem`` is not needed.)
- ``link_down()``/``link_up()``: ``ip link set veth0 down/up`` on the tablet's end; the exhibit's
  end loses its carrier with it, as when a tablet's Wi-Fi drops.
- ``Namespace.popen``: ``ip netns exec NS argv`` in its own process group; ``Namespace.forward``:
  a TCP relay from a loopback port of this process's namespace into the namespace (the socket is
  opened by a thread that has entered it with setns(2)), e.g. for Marionette, the DevTools
  protocol or the exhibit's admin API.
- ``close()`` always cleans up: relays closed, every process in the namespaces killed (its process
  group, then anything ``ip netns pids`` still lists), both namespaces deleted (with the veth and
  the nftables tables in them). ``create()`` also deletes labs left by processes that died.

``unavailable()`` says why no lab can be made here (not root or no CAP_NET_ADMIN/CAP_SYS_ADMIN,
``ip`` or ``nft`` missing, namespaces refused), or None; tests skip with that reason.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import itertools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from support.process_group import end_group

PREFIX = "nnlab"
NETNS_DIR = Path("/run/netns")
CLONE_NEWNET = 0x40000000
CAP_NET_ADMIN, CAP_SYS_ADMIN = 12, 21
_labs = itertools.count()


def _ip(*args: str) -> None:
    _run(["ip", *args])


def _run(argv: list[str], stdin: str | None = None) -> str:
    done = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout


@functools.cache
def unavailable() -> str | None:
    """Why network namespaces cannot be made here, or None when they can (checked once)."""
    for tool in ("ip", "nft"):
        if shutil.which(tool) is None:
            return f"'{tool}' is not installed (apt-get install iproute2 nftables)"
    caps = _effective_capabilities()
    if not (caps >> CAP_NET_ADMIN & 1 and caps >> CAP_SYS_ADMIN & 1):
        return "needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) to create network namespaces"
    probe = f"{PREFIX}-{os.getpid()}-probe"
    try:
        _ip("netns", "add", probe)
        try:
            _run(["ip", "netns", "exec", probe, "nft", "list", "ruleset"])
        finally:
            _ip("netns", "delete", probe)
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
        return f"cannot create a network namespace: {e}"
    return None


def _effective_capabilities() -> int:
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return 0
    found = re.search(r"^CapEff:\s*([0-9a-f]+)", status, re.M)
    return int(found.group(1), 16) if found else 0


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale_labs() -> list[str]:
    """Delete the namespaces of labs whose process is gone (a run killed before its clean-up)."""
    removed = []
    listing = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    for line in listing.splitlines():
        name = line.split()[0] if line.split() else ""
        found = re.fullmatch(rf"{PREFIX}-(\d+)-.+", name)
        if found and not _pid_alive(int(found.group(1))):
            _delete_namespace(name)
            removed.append(name)
    return removed


def _delete_namespace(name: str) -> None:
    """Kill whatever still runs in ``name`` (all of it was started there by a lab), then delete it."""
    for _ in range(50):
        pids = subprocess.run(["ip", "netns", "pids", name], capture_output=True, text=True).stdout.split()
        if not pids:
            break
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pid), signal.SIGKILL)
        time.sleep(0.1)
    subprocess.run(["ip", "netns", "delete", name], capture_output=True)


# ---- reaching into a namespace -----------------------------------------------------------------

_libc = ctypes.CDLL(None, use_errno=True)


def connect_in_namespace(name: str, host: str, port: int, timeout: float = 5) -> socket.socket:
    """A TCP connection to ``host:port`` as seen from inside namespace ``name``.

    A short-lived thread enters the namespace (setns(2) changes only the calling thread) and
    connects; the socket stays in that namespace after the thread has ended.
    """
    result: dict[str, object] = {}

    def work() -> None:
        try:
            with open(NETNS_DIR / name) as ns:
                if _libc.setns(ns.fileno(), CLONE_NEWNET) != 0:
                    errno = ctypes.get_errno()
                    raise OSError(errno, f"setns({name}): {os.strerror(errno)}")
            result["socket"] = socket.create_connection((host, port), timeout=timeout)
        except BaseException as e:  # handed to the caller's thread
            result["error"] = e

    thread = threading.Thread(target=work, name=f"setns-{name}", daemon=True)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]  # type: ignore[misc]
    connection: socket.socket = result["socket"]  # type: ignore[assignment]
    connection.settimeout(None)
    return connection


class Relay:
    """Connections to 127.0.0.1:``port`` here are relayed, byte for byte, to ``host:target_port``
    inside namespace ``name``. ``port`` 0 picks a free one (see ``.port``). Closed by ``close()``."""

    def __init__(self, name: str, host: str, target_port: int, port: int = 0) -> None:
        self.name, self.host, self.target_port = name, host, target_port
        self.listener = socket.create_server(("127.0.0.1", port))
        self.port: int = self.listener.getsockname()[1]
        self.sockets: set[socket.socket] = set()
        self.lock = threading.Lock()
        self.closed = False
        threading.Thread(target=self._accept, name=f"relay-{self.port}", daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._join, args=(client,), daemon=True).start()

    def _join(self, client: socket.socket) -> None:
        try:
            remote = connect_in_namespace(self.name, self.host, self.target_port)
        except OSError:
            client.close()  # nothing listening there (yet): the client sees the connection closed
            return
        with self.lock:
            if self.closed:
                client.close()
                remote.close()
                return
            self.sockets |= {client, remote}
        done = threading.Event()
        threading.Thread(target=self._pump, args=(client, remote, done), daemon=True).start()
        self._pump(remote, client, done)

    def _pump(self, source: socket.socket, sink: socket.socket, done: threading.Event) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        if done.is_set():  # the other direction has finished too
            for s in (source, sink):
                s.close()
                with self.lock:
                    self.sockets.discard(s)
        done.set()

    def close(self) -> None:
        with self.lock:
            self.closed = True
            sockets, self.sockets = self.sockets, set()
        self.listener.close()
        for s in sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()


@dataclass
class Namespace:
    """One side of the lab: its namespace name and its address on the lab's cable."""

    name: str
    address: str
    processes: list[subprocess.Popen] = field(default_factory=list)
    relays: list[Relay] = field(default_factory=list)

    @property
    def exec_prefix(self) -> list[str]:
        """Put in front of a command line to run it in this namespace."""
        return ["ip", "netns", "exec", self.name]

    def popen(self, argv: list[str], **kwargs) -> subprocess.Popen:
        """Start ``argv`` in this namespace, in a process group of its own (``pid`` is the program
        itself: ``ip netns exec`` execs it). The lab kills it on ``close()`` if still running."""
        process = subprocess.Popen([*self.exec_prefix, *argv], start_new_session=True, **kwargs)
        self.processes.append(process)
        return process

    def run(self, argv: list[str], stdin: str | None = None) -> str:
        """Run ``argv`` here to completion; its standard output, or RuntimeError with its stderr."""
        return _run([*self.exec_prefix, *argv], stdin)

    def forward(self, port: int, host: str = "127.0.0.1", local_port: int = 0) -> int:
        """A port on 127.0.0.1 of this process's namespace that reaches ``host:port`` in here."""
        relay = Relay(self.name, host, port, local_port)
        self.relays.append(relay)
        return relay.port

    def nft(self, ruleset: str) -> None:
        self.run(["nft", "-f", "-"], stdin=ruleset)

    def counters(self, table: str, family: str = "inet") -> list[dict]:
        """The rules of nftables ``table`` here with their counters: [{"comment": ..., "packets": n}]."""
        found = json.loads(self.run(["nft", "-j", "list", "table", family, table]))
        rules = []
        for item in found["nftables"]:
            rule = item.get("rule")
            if rule:
                packets = next((e["counter"]["packets"] for e in rule["expr"] if "counter" in e), 0)
                rules.append({"comment": rule.get("comment", ""), "packets": packets})
        return rules

    def stop_processes(self) -> None:
        for relay in self.relays:
            relay.close()
        self.relays.clear()
        for process in self.processes:
            if process.poll() is None:
                end_group(process, grace_s=3)
        self.processes.clear()


class NetLab:
    """Namespaces ``tablet`` and ``exhibit`` on a veth cable; see the module's description."""

    VETH = "veth0"

    def __init__(self, subnet: int = 0) -> None:
        if not 0 <= subnet <= 255:
            raise ValueError("subnet: 0-255 (the third number of 10.231.N.0/24)")
        stem = f"{PREFIX}-{os.getpid()}-{next(_labs)}"
        self.subnet = f"10.231.{subnet}.0/24"
        self.exhibit = Namespace(f"{stem}-exhibit", f"10.231.{subnet}.1")
        self.tablet = Namespace(f"{stem}-tablet", f"10.231.{subnet}.2")
        self.created = False
        self.loss_percent = 0

    @property
    def sides(self) -> tuple[Namespace, Namespace]:
        return (self.tablet, self.exhibit)

    def __enter__(self) -> NetLab:
        self.create()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def create(self) -> None:
        """Make both namespaces and the cable; on any failure, what was made is removed again."""
        reason = unavailable()
        if reason:
            raise RuntimeError(reason)
        sweep_stale_labs()
        self.created = True
        try:
            for side in self.sides:
                _ip("netns", "add", side.name)
            _ip("-n", self.tablet.name, "link", "add", self.VETH, "type", "veth",
                "peer", "name", self.VETH, "netns", self.exhibit.name)  # fmt: skip
            for side in self.sides:
                side.run(["sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1"])
                side.run(["sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1"])
                _ip("-n", side.name, "addr", "add", f"{side.address}/24", "dev", self.VETH)
                _ip("-n", side.name, "link", "set", "lo", "up")
                _ip("-n", side.name, "link", "set", self.VETH, "up")
                self._routes(side)
                side.nft(
                    "table inet nnlab_guard {\n"
                    "  chain out { type filter hook output priority 0; policy accept;\n"
                    f"    ip daddr != {{ 127.0.0.0/8, {self.subnet}, 224.0.0.0/4 }} counter drop\n"
                    "  }\n"
                    "}\n"
                )
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Stop everything started in the lab and delete both namespaces; safe to call twice."""
        if not self.created:
            return
        for side in self.sides:
            side.stop_processes()
        for side in self.sides:
            _delete_namespace(side.name)
        self.created = False

    # ---- conditions ----------------------------------------------------------------------------

    def block_mdns(self) -> None:
        """Drop multicast DNS (UDP 5353, 224.0.0.251) arriving in either namespace, silently."""
        for side in self.sides:
            side.nft(
                "table inet nnlab_mdns {\n"
                "  chain in { type filter hook input priority 0; policy accept;\n"
                '    udp dport 5353 counter drop comment "mdns"\n'
                '    udp sport 5353 counter drop comment "mdns"\n'
                '    ip daddr 224.0.0.251 counter drop comment "mdns"\n'
                "  }\n"
                "}\n"
            )

    def mdns_dropped(self) -> int:
        """Packets the mDNS block has dropped so far, both namespaces together."""
        return sum(rule["packets"] for side in self.sides for rule in side.counters("nnlab_mdns"))

    def set_loss(self, percent: int) -> None:
        """Drop a random ``percent`` % of the frames arriving at each end of the cable; 0: none."""
        if not 0 <= percent <= 100:
            raise ValueError("percent: 0-100")
        for side in self.sides:
            if self.loss_percent:
                side.run(["nft", "delete", "table", "netdev", "nnlab_loss"])
            if percent:
                side.nft(
                    "table netdev nnlab_loss {\n"
                    f'  chain in {{ type filter hook ingress device "{self.VETH}" priority 0;\n'
                    "    policy accept;\n"
                    f'    numgen random mod 100 < {percent} counter drop comment "dropped"\n'
                    '    counter comment "passed"\n'
                    "  }\n"
                    "}\n"
                )
        self.loss_percent = percent

    def loss_counters(self) -> dict[str, int]:
        """Frames dropped and passed by the loss rules so far, both directions together."""
        totals = {"dropped": 0, "passed": 0}
        if self.loss_percent:
            for side in self.sides:
                for rule in side.counters("nnlab_loss", "netdev"):
                    totals[rule["comment"]] += rule["packets"]
        return totals

    def link_down(self) -> None:
        """The tablet's end of the cable goes down (its peer loses carrier)."""
        _ip("-n", self.tablet.name, "link", "set", self.VETH, "down")

    def link_up(self) -> float:
        """The cable comes back; returns ``time.time()`` (wall clock, comparable with a page's
        ``Date.now()`` / 1000) right after ``ip link set up`` returned. The routes that the link's
        going down removed are put back."""
        _ip("-n", self.tablet.name, "link", "set", self.VETH, "up")
        up = time.time()
        self._routes(self.tablet)
        return up

    def _routes(self, side: Namespace) -> None:
        other = self.exhibit if side is self.tablet else self.tablet
        _ip("-n", side.name, "route", "replace", "224.0.0.0/4", "dev", self.VETH)
        _ip("-n", side.name, "route", "replace", "default", "via", other.address, "dev", self.VETH)

    def guard_dropped(self) -> int:
        """Packets addressed outside the lab that the guard kept from being sent, both namespaces."""
        return sum(rule["packets"] for side in self.sides for rule in side.counters("nnlab_guard"))
