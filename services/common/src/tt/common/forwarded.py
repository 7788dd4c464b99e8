"""The client's address behind proxies: the rightmost ``X-Forwarded-For`` hop that is not
a trusted proxy (``TT_TRUSTED_PROXIES``).

Proxies append the address they received a request from, so only the hops they added
can be believed; everything to the left of the last untrusted hop was written by the
client itself and may be anything.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from fastapi import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def trusted_networks(spec: str) -> tuple[Network, ...]:
    """``"127.0.0.0/8, ::1, 10.0.0.0/8"`` as networks (raises ValueError on a bad one)."""
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False) for part in spec.split(",") if part.strip()
    )


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in network for network in networks)


def client_address_from(peer: str, forwarded_for: str | None, trusted: tuple[Network, ...]) -> str:
    """The address of whoever sent the request, as far as trusted proxies vouch for it."""
    if not forwarded_for or not _trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, trusted):
            return hop
    # Every hop is a proxy of ours: the request started inside.
    return hops[0] if hops else peer


def client_address(request: Request) -> str:
    """The client's address (see the module's docstring)."""
    settings = request.app.state.settings
    peer = request.client.host if request.client else "unknown"
    trusted = trusted_networks(settings.trusted_proxies)
    return client_address_from(peer, request.headers.get("x-forwarded-for"), trusted)
