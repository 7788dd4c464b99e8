"""What the API and the worker build once from settings: the target policy and the
secret box. The API keeps it on ``app.state.runtime`` (main.py)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from tt.webhooks.settings import WebhooksSettings
from tt.webhooks.signing import SecretBox
from tt.webhooks.targets import TargetPolicy


@dataclass(frozen=True)
class Runtime:
    settings: WebhooksSettings
    policy: TargetPolicy
    box: SecretBox

    @classmethod
    def from_settings(cls, settings: WebhooksSettings) -> Runtime:
        return cls(
            settings=settings,
            policy=TargetPolicy(
                allow_http=settings.allow_http,
                allow_private=settings.allow_private_targets,
                allow_loopback=settings.allow_loopback_targets,
            ),
            box=SecretBox(settings.secret_keys),
        )


async def runtime(request: Request) -> Runtime:
    """FastAPI dependency: the process's runtime."""
    value: Runtime = request.app.state.runtime
    return value
