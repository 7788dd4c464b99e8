"""The gateway process (Traefik): its environment, which names one pool per service with
the addresses of that service's API replicas, and its restart when the replicas change."""

from __future__ import annotations

from tt.devenv import infra
from tt.devenv.layout import Layout
from tt.devenv.procs import stop
from tt.devenv.services import SERVICES


def gateway_env(layout: Layout, replicas: dict[str, int]) -> dict[str, str]:
    """The variables ``gateway/dynamic/services.yml`` reads: the pools it declares, one
    per service, and these many replicas in each."""
    env = {"TT_GW_SERVICES": ",".join(spec.name for spec in SERVICES)}
    for spec in SERVICES:
        urls = [
            f"http://127.0.0.1:{layout.port(spec.name, i)}"
            for i in range(replicas.get(spec.name, 1))
        ]
        env[f"TT_GW_{spec.name.upper()}_URLS"] = ",".join(urls)
    # verify answers on auth's internal ports only.
    env["TT_GW_AUTH_INTERNAL_URLS"] = ",".join(
        f"http://127.0.0.1:{layout.internal_port('auth', i)}"
        for i in range(replicas.get("auth", 1))
    )
    # One auth replica: call it directly; several: through the internal entry point,
    # which load-balances verify across them.
    env["TT_GW_VERIFY_URL"] = (
        f"{env['TT_GW_AUTH_INTERNAL_URLS']}/internal/verify"
        if replicas.get("auth", 1) == 1
        else f"http://127.0.0.1:{layout.ports['gateway-verify']}/internal/verify"
    )
    return env


def restart_gateway(
    ctx: infra.Context, replicas: dict[str, int], otel_endpoint: str | None
) -> None:
    """Stop the gateway if it runs and start it on these replicas (Traefik reads its file
    provider's templates once: a new pool member needs a new process)."""
    stop(ctx.layout.pids, "gateway")
    infra.start_traefik(ctx, gateway_env(ctx.layout, replicas), otel_endpoint)
