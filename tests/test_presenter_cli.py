"""``python -m kiosk hash-passphrase``: its line goes into the config and the passphrase logs in."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from support import REPO

from kiosk.config import load_config
from kiosk.presenter import cli
from kiosk.presenter.passphrase import parse_hash, verify_passphrase


def run(stdin: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "hash-passphrase"],
        cwd=REPO,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.process
def test_the_printed_line_pasted_into_the_config_verifies_the_passphrase(tmp_path: Path) -> None:
    done = run("the owls are not what they seem\n")
    assert done.returncode == 0, done.stderr
    line = done.stdout.strip()
    assert line.startswith('passphrase_hash: "scrypt$n=16384,r=8,p=1$') and "\n" not in line
    config = tmp_path / "kiosk.yaml"
    config.write_text(f"presenter:\n  {line}\n")
    stored = parse_hash(load_config(config).presenter.passphrase_hash)
    assert verify_passphrase("the owls are not what they seem", stored)
    assert not verify_passphrase("the owls are not what they seem\n", stored)


@pytest.mark.process
def test_a_short_passphrase_is_refused_and_nothing_printed() -> None:
    done = run("owls\n")
    assert done.returncode == 1 and done.stdout == ""
    assert "at least 10 characters" in done.stderr


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("answers", "status"), [(["long enough!", "long enough!"], 0), (["long enough!", "other"], 1)]
)
def test_on_a_terminal_it_asks_twice(monkeypatch, answers: list[str], status: int) -> None:
    asked = iter(answers)
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: next(asked))
    out = io.StringIO()
    assert cli.hash_passphrase_command(Terminal(), out) == status
    if status == 0:
        assert verify_passphrase("long enough!", parse_hash(out.getvalue().split('"')[1]))
    else:
        assert out.getvalue() == ""


def test_on_a_terminal_a_short_passphrase_is_refused_at_once_and_asked_again(monkeypatch, capsys) -> None:
    prompts: list[str] = []
    asked = iter(["owls", "long enough!", "long enough!"])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: prompts.append(prompt) or next(asked))
    out = io.StringIO()
    assert cli.hash_passphrase_command(Terminal(), out) == 0
    assert prompts == ["Passphrase: ", "Passphrase: ", "Again: "]  # not "Again" for the short one
    assert "at least 10 characters; try again" in capsys.readouterr().err
    assert verify_passphrase("long enough!", parse_hash(out.getvalue().split('"')[1]))


def test_on_a_terminal_it_gives_up_after_a_few_short_passphrases(monkeypatch, capsys) -> None:
    prompts: list[str] = []
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: prompts.append(prompt) or "owls")
    out = io.StringIO()
    assert cli.hash_passphrase_command(Terminal(), out) == 1
    assert prompts == ["Passphrase: "] * cli.TRIES and out.getvalue() == ""
    assert f"no usable passphrase in {cli.TRIES} tries; nothing changed" in capsys.readouterr().err
