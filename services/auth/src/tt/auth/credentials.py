"""Secrets handed to clients: API tokens and TimeTrack secrets (random, stored hashed)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string

TOKEN_PREFIX = "tt_"  # noqa: S105 (a format prefix, not a secret)
TOKEN_RANDOM_LENGTH = 32
# docs/api.md §1: tt_ + 32 characters from [A-Za-z0-9] (about 190 bits).
TOKEN_PATTERN = re.compile(r"tt_[A-Za-z0-9]{32}")
TOKEN_DISPLAY_LENGTH = 8
ALPHABET = string.ascii_letters + string.digits

TIMETRACK_KEY_PREFIX = "ttk_"
TIMETRACK_KEY_PATTERN = re.compile(r"ttk_[A-Za-z0-9]{24}")
TIMETRACK_SECRET_PATTERN = re.compile(r"[A-Za-z0-9]{40}")


def random_text(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def new_api_token() -> str:
    return TOKEN_PREFIX + random_text(TOKEN_RANDOM_LENGTH)


def new_timetrack_key() -> tuple[str, str]:
    """A (public key id, secret) pair."""
    return TIMETRACK_KEY_PREFIX + random_text(24), random_text(40)


def digest(secret: str) -> str:
    """SHA-256 hex: enough for random secrets of 190+ bits (no dictionary to attack)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def looks_like_token(value: str) -> bool:
    return TOKEN_PATTERN.fullmatch(value) is not None


def same_secret(expected: str, presented: str | None) -> bool:
    """Constant-time comparison of two secrets (or their digests)."""
    return presented is not None and hmac.compare_digest(expected.encode(), presented.encode())
