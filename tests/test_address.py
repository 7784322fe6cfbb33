"""The exhibit's own web address (for the pairing QR code), and staff's server.public_url."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

import pytest

import kiosk.address
from kiosk.address import exhibit_url, lan_address
from kiosk.config import Config, ConfigError, ServerConfig, load_config


def config(**server) -> Config:
    return Config(server=ServerConfig(**server))


@pytest.fixture
def no_lan_lookup(monkeypatch):
    """Fail the test if exhibit_url looks for the LAN address or the host name."""

    def forbidden(*args):
        raise AssertionError("exhibit_url should not need to look this up")

    monkeypatch.setattr(kiosk.address, "lan_address", forbidden)
    monkeypatch.setattr(socket, "gethostname", forbidden)


@pytest.mark.parametrize(
    ("public_url", "expected"),
    [
        ("https://kiosk.museum.example", "https://kiosk.museum.example"),
        ("http://192.168.1.20:8080/", "http://192.168.1.20:8080"),  # a trailing / is dropped
        ("http://[fe80::1]:9000", "http://[fe80::1]:9000"),
    ],
)
def test_the_public_url_wins_when_set(no_lan_lookup, public_url: str, expected: str) -> None:
    assert exhibit_url(config(public_url=public_url, host="0.0.0.0", port=1234)) == expected
    assert exhibit_url(config(public_url=public_url, host="10.0.0.9")) == expected


@pytest.mark.parametrize(
    ("host", "port", "expected"),
    [
        ("192.168.1.20", 9000, "http://192.168.1.20:9000"),
        ("127.0.0.1", 8080, "http://127.0.0.1:8080"),
        ("exhibit.local", 80, "http://exhibit.local:80"),
    ],
)
def test_a_specific_host_is_used_as_configured(no_lan_lookup, host: str, port: int, expected: str) -> None:
    assert exhibit_url(config(host=host, port=port)) == expected


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("fe80::1", "http://[fe80::1]:8080"),
        ("::1", "http://[::1]:8080"),
        ("2001:db8::20", "http://[2001:db8::20]:8080"),
    ],
)
def test_an_ipv6_host_is_bracketed(no_lan_lookup, host: str, expected: str) -> None:
    assert exhibit_url(config(host=host, port=8080)) == expected


@pytest.mark.parametrize("wildcard", ["0.0.0.0", "::"])
def test_a_wildcard_host_becomes_the_lan_address(monkeypatch, wildcard: str) -> None:
    monkeypatch.setattr(kiosk.address, "lan_address", lambda: "10.1.2.3")
    assert exhibit_url(config(host=wildcard, port=8081)) == "http://10.1.2.3:8081"


@pytest.mark.parametrize("wildcard", ["0.0.0.0", "::"])
def test_without_a_lan_address_the_host_name_is_used(monkeypatch, wildcard: str) -> None:
    monkeypatch.setattr(kiosk.address, "lan_address", lambda: None)
    monkeypatch.setattr(socket, "gethostname", lambda: "exhibit-pc")
    assert exhibit_url(config(host=wildcard, port=8080)) == "http://exhibit-pc:8080"


def test_the_default_config_gives_an_address_a_tablet_can_open(monkeypatch) -> None:
    monkeypatch.setattr(kiosk.address, "lan_address", lambda: "192.168.7.7")
    assert exhibit_url(Config()) == f"http://192.168.7.7:{Config().server.port}"


# --- lan_address --------------------------------------------------------------------------------


class FakeProbe:
    """A UDP socket whose kernel would pick ``address`` (or that cannot connect at all)."""

    def __init__(self, address: str | None) -> None:
        self.address = address
        self.connected_to = None

    def __call__(self, *args):
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass

    def connect(self, target) -> None:
        if self.address is None:
            raise OSError(101, "Network is unreachable")
        self.connected_to = target

    def getsockname(self):
        return (self.address, 54321)


@pytest.mark.parametrize(
    ("picked", "expected"),
    [
        ("192.168.1.20", "192.168.1.20"),
        ("10.0.0.5", "10.0.0.5"),
        ("127.0.0.1", None),
        ("0.0.0.0", None),
        (None, None),
    ],
)
def test_lan_address_is_the_routed_source_address_but_never_loopback(
    monkeypatch, picked: str | None, expected: str | None
) -> None:
    probe = FakeProbe(picked)
    monkeypatch.setattr(socket, "socket", probe)
    assert lan_address() == expected
    if picked is not None:
        host = probe.connected_to[0]
        assert ipaddress.ip_address(host) in ipaddress.ip_network("192.0.2.0/24")  # documentation range


def test_lan_address_on_this_machine_is_an_ipv4_address_or_none() -> None:
    address = lan_address()
    if address is not None:
        ip = ipaddress.ip_address(address)
        assert ip.version == 4 and not ip.is_loopback and not ip.is_unspecified


# --- server.public_url in the staff's YAML ------------------------------------------------------


def load(tmp_path: Path, public_url_line: str) -> Config:
    path = tmp_path / "kiosk.yaml"
    path.write_text(f"server:\n  port: 8080\n  public_url: {public_url_line}\n")
    return load_config(path)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ('"http://192.168.1.20:8080"', "http://192.168.1.20:8080"),
        ("https://kiosk.museum.example", "https://kiosk.museum.example"),
        ("https://kiosk.museum.example/", "https://kiosk.museum.example"),
        ('"http://[fe80::1]:8080"', "http://[fe80::1]:8080"),
        ("http://exhibit.local", "http://exhibit.local"),
        ('""', ""),
    ],
)
def test_good_public_urls_are_accepted(tmp_path: Path, written: str, expected: str) -> None:
    assert load(tmp_path, written).server.public_url == expected


def test_public_url_defaults_to_empty(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.yaml"
    path.write_text("server:\n  port: 8080\n")
    assert load_config(path).server.public_url == ""


@pytest.mark.parametrize(
    "written",
    [
        "192.168.1.20:8080",  # no scheme
        "ftp://exhibit.local",
        "http://",
        "http://exhibit.local/kiosk",  # a path
        "http://exhibit.local?x=1",
        '"http://exhibit.local#code=1"',
        '"http://exhibit local"',
        "exhibit.local",
    ],
)
def test_bad_public_urls_are_refused_with_the_line_and_an_example(tmp_path: Path, written: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, written)
    message = str(caught.value)
    assert f"{tmp_path / 'kiosk.yaml'}:3: server.public_url: " in message
    assert "is not a web address like http://192.168.1.20:8080" in message


def test_a_public_url_that_yaml_reads_as_a_number_says_to_quote_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r":3: server\.public_url: .*put it in quotes"):
        load(tmp_path, "8080")


@pytest.mark.parametrize("written", ['"http://:8080"', "http://exhibit.local:port", '"http://exhibit:80:80"'])
def test_a_public_url_without_host_or_with_a_bad_port_is_refused(tmp_path: Path, written: str) -> None:
    with pytest.raises(ConfigError, match="is not a web address"):
        load(tmp_path, written)
