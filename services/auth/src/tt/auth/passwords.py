"""Password hashing with argon2id, off the event loop (a hash costs milliseconds of CPU
that verify's requests must not wait behind)."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tt.auth.settings import AuthSettings

# Upper bound on what we hash: longer inputs are refused before any work is done.
MAX_PASSWORD_LENGTH = 1024


class Passwords:
    """Hashes and checks passwords; checking an unknown user costs the same as a known one."""

    def __init__(self, settings: AuthSettings) -> None:
        self._hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
        )
        # A real hash of a random value: verifying against it takes as long as a real check.
        self._dummy = self._hasher.hash("not-a-password-of-anyone")

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """True if ``password`` matches; with no hash, burns the same time and says no."""
        candidate = password[:MAX_PASSWORD_LENGTH]
        return await asyncio.to_thread(self._verify, password_hash, candidate)

    def needs_rehash(self, password_hash: str) -> bool:
        """True when the hash was made with other parameters than today's."""
        try:
            return bool(self._hasher.check_needs_rehash(password_hash))
        except InvalidHashError:
            return True

    def _verify(self, password_hash: str | None, password: str) -> bool:
        try:
            return bool(self._hasher.verify(password_hash or self._dummy, password)) and (
                password_hash is not None
            )
        except (VerificationError, InvalidHashError):
            return False
