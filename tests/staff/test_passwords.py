"""Staff password hashing: scrypt with a random salt, self-describing hashes."""

from __future__ import annotations

import base64
import hashlib

import pytest

from knowledge.staff.errors import WeakPasswordError
from knowledge.staff.passwords import (
    check_strength,
    hash_password,
    verify_or_decoy,
    verify_password,
)

PASSWORD = "长城永不倒-2026"


def test_a_hash_verifies_its_password_and_no_other() -> None:
    stored = hash_password(PASSWORD)
    assert verify_password(PASSWORD, stored)
    assert not verify_password(PASSWORD + " ", stored)
    assert not verify_password("长城永不倒-2025", stored)
    assert not verify_password("", stored)


def test_a_hash_names_its_parameters_and_random_salt() -> None:
    scheme, n, r, p, salt, digest = hash_password(PASSWORD).split("$")
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    assert len(base64.b64decode(salt)) == 16 and len(base64.b64decode(digest)) == 64
    assert PASSWORD not in hash_password(PASSWORD)


def test_the_same_password_gets_a_different_salt_each_time() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first != second
    assert first.split("$")[4] != second.split("$")[4]
    assert verify_password(PASSWORD, first) and verify_password(PASSWORD, second)


def test_other_parameters_still_verify() -> None:
    """Hashes written with another cost keep working after the cost changes."""
    stored = hash_password(PASSWORD).split("$")
    salt = base64.b64decode(stored[4])
    cheaper = hashlib.scrypt(PASSWORD.encode(), salt=salt, n=2**10, r=8, p=1, dklen=32)
    written = f"scrypt$1024$8$1${stored[4]}${base64.b64encode(cheaper).decode()}"
    assert verify_password(PASSWORD, written)


@pytest.mark.parametrize(
    "stored",
    ["", "plain", "bcrypt$16384$8$1$AAAA$AAAA", "scrypt$x$8$1$AAAA$AAAA", "scrypt$16384$8$1$!!$??"],
)
def test_a_malformed_hash_never_verifies(stored: str) -> None:
    assert not verify_password(PASSWORD, stored)


def test_without_a_user_the_decoy_never_verifies() -> None:
    assert not verify_or_decoy(PASSWORD, None)
    assert verify_or_decoy(PASSWORD, hash_password(PASSWORD))


@pytest.mark.parametrize("password", ["", "123456789", "短密码"])
def test_short_passwords_are_refused(password: str) -> None:
    with pytest.raises(WeakPasswordError):
        check_strength(password)


def test_ten_characters_are_enough() -> None:
    check_strength("一二三四五六七八九十")
