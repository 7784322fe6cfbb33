"""``python -m kiosk hash-passphrase``: make the presenter passphrase's hash for the config file.

On a terminal it asks twice without echoing; a passphrase it refuses (too short) is refused at
once, and asked for again, up to ``TRIES`` times. From a pipe it reads one line (for scripts).
Only the ``passphrase_hash: "..."`` line goes to stdout; prompts and advice go to stderr.
"""

from __future__ import annotations

import getpass
import sys
from typing import TextIO

from kiosk.presenter.passphrase import MIN_CHARS, hash_passphrase

EXIT_REFUSED = 1
TRIES = 3


def hash_passphrase_command(stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Read a passphrase, print its config line; exit status 0, or 1 if it was refused."""
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    try:
        passphrase = _ask() if stdin.isatty() else stdin.readline().removesuffix("\n").removesuffix("\r")
    except (EOFError, KeyboardInterrupt):
        print("\nno passphrase given; nothing changed", file=sys.stderr)
        return EXIT_REFUSED
    except ValueError as e:  # the two did not match
        print(e, file=sys.stderr)
        return EXIT_REFUSED
    try:
        line = f'passphrase_hash: "{hash_passphrase(passphrase)}"'
    except ValueError as e:
        print(f"refused: {e}", file=sys.stderr)
        return EXIT_REFUSED
    print(line, file=stdout)
    print(
        "Put this line under presenter: in the exhibit's config file (replacing the one there),\n"
        "then: systemctl reload nn-kiosk (or restart the exhibit).",
        file=sys.stderr,
    )
    return 0


def _ask() -> str:
    print(
        f"Presenter passphrase: at least {MIN_CHARS} characters; a few words are easy to share.",
        file=sys.stderr,
    )
    for left in reversed(range(TRIES)):
        first = getpass.getpass("Passphrase: ")
        problem = _problem(first)
        if problem is None:
            break
        print(f"refused: {problem}" + ("; try again." if left else ""), file=sys.stderr)
    else:
        raise ValueError(f"no usable passphrase in {TRIES} tries; nothing changed")
    if getpass.getpass("Again: ") != first:
        raise ValueError("the two passphrases differ; nothing changed")
    return first


def _problem(passphrase: str) -> str | None:
    """Why ``passphrase`` would be refused, or None; checked as hashing checks it, at a trivial cost."""
    try:
        hash_passphrase(passphrase, n=2, r=1, p=1)
    except ValueError as e:
        return str(e)
    return None
