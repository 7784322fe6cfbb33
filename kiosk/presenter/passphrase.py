"""The presenter passphrase, stored only as a self-describing scrypt hash.

Format: ``scrypt$n=16384,r=8,p=1$<salt, base64>$<hash, base64>``. The cost parameters travel
with the hash, so stronger settings later do not invalidate hashes staff already pasted into the
YAML. scrypt is slow and memory-hard on purpose (about 50 ms and 16 MiB): a passphrase has far
fewer than 256 bits, unlike the tablets' credentials, which a plain SHA-256 suffices for.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass

MIN_CHARS = 10
MAX_CHARS = 1024  # longer is no safer, and only costs hashing time
N, R, P = 2**14, 8, 1
SALT_BYTES, HASH_BYTES = 16, 32
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


def hash_passphrase(passphrase: str, *, n: int = N, r: int = R, p: int = P) -> str:
    """The string to put into ``presenter.passphrase_hash``; ValueError if the passphrase is too short."""
    text = _normalise(passphrase)
    if len(text) < MIN_CHARS:
        raise ValueError(f"the passphrase must have at least {MIN_CHARS} characters")
    if len(text) > MAX_CHARS:
        raise ValueError(f"the passphrase may have at most {MAX_CHARS} characters")
    salt = secrets.token_bytes(SALT_BYTES)
    stored = PassphraseHash(n, r, p, salt, b"")
    return str(PassphraseHash(n, r, p, salt, _derive(text, stored, HASH_BYTES)))


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


def verify_passphrase(passphrase: str, stored: PassphraseHash) -> bool:
    """Whether ``passphrase`` matches, compared in constant time. Slow on purpose: not on the loop."""
    if not isinstance(passphrase, str) or len(passphrase) > MAX_CHARS:
        return False
    candidate = _derive(_normalise(passphrase), stored, len(stored.digest))
    return hmac.compare_digest(candidate, stored.digest)


def _normalise(passphrase: str) -> str:
    # NFC: "é" typed on a phone and on a PC keyboard may arrive as different code points.
    return unicodedata.normalize("NFC", passphrase)


def _derive(text: str, params: PassphraseHash, length: int) -> bytes:
    return hashlib.scrypt(
        text.encode("utf-8"),
        salt=params.salt,
        n=params.n,
        r=params.r,
        p=params.p,
        maxmem=params.memory + 1024 * 1024,
        dklen=length,
    )
