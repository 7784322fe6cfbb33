"""The presenter passphrase, stored only as a self-describing scrypt hash: making and checking it.

The stored form (``scrypt$n=16384,r=8,p=1$<salt, base64>$<hash, base64>``) and its reading,
``parse_hash``, are kiosk/config/passphrase_hash.py's: staff paste it into the YAML. scrypt is
slow and memory-hard on purpose (about 50 ms and 16 MiB): a passphrase has far fewer than 256
bits, unlike the tablets' credentials, which a plain SHA-256 suffices for.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata

from kiosk.config.passphrase_hash import PassphraseHash, PassphraseHashError, parse_hash

__all__ = [  # the presenter's whole passphrase API; the stored form is the config's
    "PassphraseHash",
    "PassphraseHashError",
    "hash_passphrase",
    "parse_hash",
    "verify_passphrase",
]

MIN_CHARS = 10
MAX_CHARS = 1024  # longer is no safer, and only costs hashing time
N, R, P = 2**14, 8, 1
SALT_BYTES, HASH_BYTES = 16, 32


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
