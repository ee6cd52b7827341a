"""Staff passwords, hashed with the standard library's scrypt.

A stored hash names its own parameters (`scrypt$n$r$p$salt_b64$hash_b64`),
so raising the cost later still verifies the hashes written before.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from functools import cache

from knowledge.staff.errors import WeakPasswordError

SCHEME = "scrypt"
N, R, P = 2**14, 8, 1  # about 16 MiB and tens of milliseconds per hash
SALT_BYTES, DIGEST_BYTES = 16, 64
MAX_MEMORY = 64 * 1024 * 1024  # room for n up to 2**15 (OpenSSL's default stops at 32 MiB)
MIN_LENGTH = 10


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPasswordError(
            f"密码至少要{MIN_LENGTH}个字符。",
            f"The password must have at least {MIN_LENGTH} characters.",
        )


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=MAX_MEMORY, dklen=length
    )


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt, N, R, P, DIGEST_BYTES)
    encoded = (base64.b64encode(part).decode("ascii") for part in (salt, digest))
    return "$".join([SCHEME, str(N), str(R), str(P), *encoded])


def verify_password(password: str, stored: str) -> bool:
    """True when `password` matches `stored`; False for a malformed hash."""
    try:
        scheme, n, r, p, salt_b64, digest_b64 = stored.split("$")
        salt, digest = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
        if scheme != SCHEME:
            return False
        candidate = _scrypt(password, salt, int(n), int(r), int(p), len(digest))
    except ValueError:  # malformed: fields, base64 or scrypt parameters
        return False
    return hmac.compare_digest(candidate, digest)


@cache
def _decoy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def verify_or_decoy(password: str, stored: str | None) -> bool:
    """Check against `stored`, or spend the same scrypt work on a decoy when
    there is no such user, so the response time does not reveal who exists."""
    if stored is None:
        verify_password(password, _decoy_hash())
        return False
    return verify_password(password, stored)
