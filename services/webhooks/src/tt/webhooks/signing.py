"""Webhook secrets: generated as ``whsec_`` + base64, kept encrypted at rest, and used to
sign deliveries per the Standard Webhooks specification (with the library itself)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import datetime

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"  # noqa: S105 (the Standard Webhooks prefix)
SECRET_BYTES = 32


def new_secret() -> str:
    """A fresh signing secret, as subscribers paste it into a Standard Webhooks library."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


class SecretBox:
    """Encrypts secrets with the first configured key; decrypts with any of them."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("at least one secret encryption key is required")
        # Keys are operator-chosen strings; Fernet needs 32 url-safe base64 bytes.
        self._fernet = MultiFernet(
            [Fernet(base64.urlsafe_b64encode(hashlib.sha256(k.encode()).digest())) for k in keys]
        )

    def seal(self, secret: str) -> bytes:
        return self._fernet.encrypt(secret.encode())

    def seal_bytes(self, plain: bytes) -> bytes:
        return self._fernet.encrypt(plain)

    def open_bytes(self, sealed: bytes) -> bytes:
        return self._fernet.decrypt(sealed)

    def open(self, sealed: bytes) -> str:
        try:
            return self._fernet.decrypt(sealed).decode()
        except InvalidToken as exc:
            raise ValueError("webhook secret cannot be decrypted with the configured keys") from exc


def signature_header(
    message_id: str, timestamp: datetime, body: bytes, secrets_in_use: list[str]
) -> str:
    """``webhook-signature``: one ``v1,<base64>`` per secret, space separated (rotation)."""
    data = body.decode()
    return " ".join(Webhook(s).sign(message_id, timestamp, data) for s in secrets_in_use)
