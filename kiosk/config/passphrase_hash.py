"""The presenter's passphrase as staff store it: a self-describing scrypt hash, and its reading.

Format: ``scrypt$n=16384,r=8,p=1$<salt, base64>$<hash, base64>``, as
``python -m kiosk hash-passphrase`` prints it for ``presenter.passphrase_hash``. The cost
parameters travel with the hash, so stronger settings later do not invalidate hashes staff
already pasted into the YAML. ``parse_hash`` refuses anything else with a message for staff, so
the configuration refuses a bad line when it is loaded; making and checking hashes is
kiosk/presenter/passphrase.py's.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

_FORMAT = re.compile(r"scrypt\$n=(\d{1,7}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)")
_MAX_MEMORY = 128 * 1024 * 1024  # refuse parameters that would need more to verify


class PassphraseHashError(ValueError):
    """A ``passphrase_hash`` that is not one ``hash-passphrase`` makes."""


@dataclass(frozen=True)
class PassphraseHash:
    n: int
    r: int
    p: int
    salt: bytes
    digest: bytes

    def __str__(self) -> str:
        salt, digest = base64.b64encode(self.salt).decode(), base64.b64encode(self.digest).decode()
        return f"scrypt$n={self.n},r={self.r},p={self.p}${salt}${digest}"

    @property
    def memory(self) -> int:
        return 128 * self.r * (self.n + self.p + 2)  # what OpenSSL's scrypt allocates, roughly


def parse_hash(text: str) -> PassphraseHash:
    """The parts of a stored hash; PassphraseHashError saying what is wrong otherwise."""
    match = _FORMAT.fullmatch(text.strip())
    if not match:
        raise PassphraseHashError(
            "not a passphrase hash like scrypt$n=16384,r=8,p=1$<salt>$<hash>; "
            "make one with: python -m kiosk hash-passphrase"
        )
    n, r, p = (int(match[i]) for i in (1, 2, 3))
    try:
        salt, digest = (base64.b64decode(match[i], validate=True) for i in (4, 5))
    except (binascii.Error, ValueError):
        raise PassphraseHashError(
            "the salt or hash part is not valid base64; copy the whole line again"
        ) from None
    parsed = PassphraseHash(n, r, p, salt, digest)
    if n < 2 or n & (n - 1) or not (1 <= r <= 32 and 1 <= p <= 16) or parsed.memory > _MAX_MEMORY:
        raise PassphraseHashError(f"unusable scrypt parameters n={n}, r={r}, p={p}")
    if len(salt) < 8 or not 16 <= len(digest) <= 64:
        raise PassphraseHashError("the salt or hash part is too short; copy the whole line again")
    return parsed
