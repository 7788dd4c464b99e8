"""The platform's secrets, generated on its first start into ``<state>/secrets.json``
(readable by its owner only) and kept for its lifetime: the PostgreSQL passwords, the
identity signing key pair, the session secret and the admin password."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from tt.common.identity import generate_keypair
from tt.devenv.layout import Layout


def secrets_path(layout: Layout) -> Path:
    return layout.state / "secrets.json"


def load_or_create_secrets(layout: Layout) -> dict[str, str]:
    """The platform's secrets, generated and written the first time."""
    path = secrets_path(layout)
    if path.exists():
        return dict(json.loads(path.read_text()))
    private, public = generate_keypair()
    values = {
        "pg_superuser_password": secrets.token_urlsafe(18),
        "db_password": secrets.token_urlsafe(18),
        "identity_private_key": private,
        "identity_public_key": public,
        "session_secret": secrets.token_urlsafe(32),
        "admin_password": secrets.token_urlsafe(12),
    }
    layout.state.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(values, indent=2))
    path.chmod(0o600)
    return values
